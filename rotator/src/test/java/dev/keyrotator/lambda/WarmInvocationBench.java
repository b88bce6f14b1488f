package dev.keyrotator.lambda;

import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prints the time of a warm Lambda invocation (a manual dry run over the demo organization in the
 * sandbox) with the wiring kept for the container, against a new handler per invocation, which
 * builds the injector and its SDK clients every time (how the handler worked before). Not a test:
 * run its {@code main} from the repository root on the test class path (see the issue note of the
 * redesign for the command); figures are printed, never asserted.
 */
public final class WarmInvocationBench {
  private WarmInvocationBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    try (Sandbox sb = Sandbox.start(Fixture.demo())) {
      SandboxCredentials c = sb.credentialsFor("111111111111");
      System.setProperty("aws.accessKeyId", c.accessKeyId());
      System.setProperty("aws.secretAccessKey", c.secretAccessKey());
      System.setProperty("aws.region", "us-east-1");
      Path dir = Files.createTempDirectory("warm");
      Path policy = dir.resolve("rotation.yaml");
      Files.copy(Path.of("config/rotation.yaml"), policy);
      Map<String, String> env =
          Map.of(
              "KEY_ROTATOR_POLICY_URI",
              policy.toString(),
              "AWS_ENDPOINT_URL",
              sb.endpoint().toString());
      Map<String, Object> event = Map.of("mode", "dry-run");
      RotationHandler kept = new RotationHandler(env, sb.clock());
      kept.handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
      new RotationHandler(env, sb.clock())
          .handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
      List<Double> warm = new ArrayList<>();
      List<Double> rebuilt = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        kept.handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
        warm.add((System.nanoTime() - t0) / 1e6);
        long t1 = System.nanoTime();
        new RotationHandler(env, sb.clock())
            .handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
        rebuilt.add((System.nanoTime() - t1) / 1e6);
      }
      print("wiring kept for the container", warm);
      print("wiring built per invocation (before)", rebuilt);
    }
  }

  private static void print(String label, List<Double> ms) {
    List<Double> s = new ArrayList<>(ms);
    s.sort(null);
    System.out.printf(
        "warm invocation, %s: min %.0f ms, median %.0f ms, max %.0f ms (%d runs)%n",
        label, s.get(0), s.get(s.size() / 2), s.get(s.size() - 1), s.size());
  }
}
