package dev.keyrotator.sandbox;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Standalone sandbox: {@code java -jar sandbox.jar [fixture.yaml] [--port N] [--no-signature-check]
 * [--verbose]}. Without a fixture it serves the bundled demo organization. Prints the endpoint and
 * shell exports for the management (central) account, then serves until killed.
 */
public final class SandboxMain {
  private SandboxMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Parses the arguments, loads the fixture and serves until the thread is interrupted. Returns the
   * exit code: 0 after {@code --help} or an interrupted serve, 2 for an unknown option or an
   * invalid fixture (nothing is started then).
   */
  public static int run(String[] args, PrintStream out, PrintStream err)
      throws InterruptedException {
    String fixtureFile = null;
    SandboxOptions options = SandboxOptions.defaults().withPort(4566);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> {
          if (i + 1 >= args.length || !args[i + 1].matches("\\d{1,5}")) {
            err.println("--port needs a port number");
            return 2;
          }
          options = options.withPort(Integer.parseInt(args[++i]));
        }
        case "--no-signature-check" -> options = options.withSignatureCheck(false);
        case "--verbose" -> options = options.withQuiet(false);
        case "-h", "--help" -> {
          out.println(
              "usage: sandbox [fixture.yaml] [--port N (default 4566, 0 = free)] [--no-signature-check] [--verbose]");
          return 0;
        }
        default -> {
          if (args[i].startsWith("--")) {
            err.println("unknown option " + args[i]);
            return 2;
          }
          fixtureFile = args[i];
        }
      }
    }
    Fixture fixture;
    try {
      fixture = fixtureFile == null ? Fixture.demo() : Fixture.load(Path.of(fixtureFile));
    } catch (FixtureException | UncheckedIOException e) {
      err.println("invalid fixture: " + e.getMessage());
      return 2;
    }
    Sandbox sb = Sandbox.start(fixture, options);
    Runtime.getRuntime().addShutdownHook(new Thread(sb::close));
    String mgmt = fixture.noOrganization ? sb.accountIds().get(0) : sb.managementAccountId();
    SandboxCredentials c = sb.credentialsFor(mgmt);
    out.println(
        "# AWS sandbox for "
            + (fixture.noOrganization
                ? "accounts in no organization"
                : "organization " + sb.organizationId())
            + " listening on "
            + sb.endpoint()
            + " (signature check "
            + (options.signatureCheck() ? "on" : "off")
            + ", clock "
            + sb.clock().now()
            + ")");
    out.println(
        (fixture.noOrganization ? "# account " : "# central/management account ")
            + mgmt
            + "; admin credentials of every account: "
            + sb.endpoint()
            + "/_sandbox/credentials");
    out.println("export AWS_ENDPOINT_URL=" + sb.endpoint());
    out.println("export AWS_ACCESS_KEY_ID=" + c.accessKeyId());
    out.println("export AWS_SECRET_ACCESS_KEY=" + c.secretAccessKey());
    out.println("export AWS_REGION=us-east-1");
    out.println("export AWS_DEFAULT_REGION=us-east-1");
    out.flush();
    try {
      new CountDownLatch(1).await();
    } finally {
      sb.close();
    }
    return 0;
  }
}
