package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.ProcessCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A workload that never hears of the rotation: an SDK client (and the AWS CLI where installed)
 * configured with {@code credential_process = rotator credentials ...} keeps calling STS through a
 * key's whole life (rotated at 165 days, the old key idle, deactivated, deleted) with no failed
 * call and no human step.
 */
class CredentialProcessLifecycleTest {
  static final String MEMBER = "333333333333";
  static final String USER = "app-consumer";

  @TempDir Path tmp;
  Sandbox sb;
  RotatorHarness rotator;
  String firstKey;

  @BeforeEach
  void start() {
    Fixture f = Fixture.create("o-consumer0001", RotatorHarness.CENTRAL);
    f.account(RotatorHarness.CENTRAL, "central")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .topic("key-rotation-events");
    f.account(MEMBER, "workloads")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .user(USER)
        .tag("owner", "team@example.com")
        .key(160, 0);
    sb = Sandbox.start(f);
    rotator = new RotatorHarness(sb);
    firstKey = sb.iamKeys(MEMBER, USER).get(0).accessKeyId();
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  List<String> command(Path cache) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto",
        "-cp",
        System.getProperty("java.class.path"),
        "dev.keyrotator.cli.Main",
        "credentials",
        "--secret-id",
        "key-rotator/" + MEMBER + "/" + USER,
        "--region",
        "us-east-1",
        "--endpoint",
        sb.endpoint().toString(),
        "--cache",
        cache.toString(),
        "--expires-after",
        "0");
  }

  /** The operator's one step: run the provider once with the user's current key to seed it. */
  void seed(Path cache) throws Exception {
    AccessKeyInfo k = sb.iamKeys(MEMBER, USER).get(0);
    ProcessBuilder pb = new ProcessBuilder(command(cache));
    pb.environment().keySet().removeIf(n -> n.startsWith("AWS_"));
    pb.environment().put("AWS_ACCESS_KEY_ID", k.accessKeyId());
    pb.environment().put("AWS_SECRET_ACCESS_KEY", k.secretAccessKey());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // no secret yet: the rotator has stored none, so the seed key is served and cached
    assertThat(p.exitValue()).as(output).isIn(0, 1);
  }

  @Test
  void aWorkloadOnCredentialProcessNeverNoticesTheRotation() throws Exception {
    Path cache = tmp.resolve("cache").resolve("app.json");
    PolicyFile policy = RotatorHarness.policy("");
    // the rotator stores the first secret at 165 days; until then the provider serves the seed
    sb.clock().advanceDays(5);
    RunReport created = rotator.run(policy);
    assertThat(sb.iamKeys(MEMBER, USER)).hasSize(2);
    seedWithTheOldKey(cache);

    List<String> callers = new ArrayList<>();
    int failures = 0;
    try (StsClient sts =
        StsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(sb.endpoint())
            .credentialsProvider(
                ProcessCredentialsProvider.builder().command(command(cache)).build())
            .build()) {
      for (int day = 0; day < 30; day += 3) {
        for (int call = 0; call < 2; call++) {
          try {
            callers.add(sts.getCallerIdentity().userId());
          } catch (RuntimeException e) {
            failures++;
          }
        }
        rotator.run(policy);
        sb.clock().advanceDays(3);
      }
    }

    assertThat(created.accounts()).isNotEmpty();
    assertThat(failures).isZero();
    // the old key was deactivated and deleted on the way, the new one is the user's only key
    List<AccessKeyInfo> keys = sb.iamKeys(MEMBER, USER);
    assertThat(keys).hasSize(1);
    assertThat(keys.get(0).accessKeyId()).isNotEqualTo(firstKey);
    assertThat(keys.get(0).status()).isEqualTo("Active");
    assertThat(callers).hasSize(20);
    // the cache is the owner's alone and holds the new key; its name and directory hold no secret
    assertThat(Files.getPosixFilePermissions(cache))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(cache)).contains(keys.get(0).accessKeyId());
    try (var listing = Files.list(cache.getParent())) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .allSatisfy(n -> assertThat(n).doesNotContain(keys.get(0).secretAccessKey()));
    }
    // the process's arguments never carry a secret
    assertThat(String.join(" ", command(cache))).doesNotContain(keys.get(0).secretAccessKey());
    awsCliToo(cache, keys.get(0).accessKeyId());
  }

  private void seedWithTheOldKey(Path cache) throws Exception {
    seed(cache);
    assertThat(Files.readString(cache))
        .as("the provider switched to the stored key at once")
        .doesNotContain(firstKey);
  }

  /** The AWS CLI, where installed, reads the same profile line and signs with the new key. */
  private void awsCliToo(Path cache, String expectedKey) throws IOException, InterruptedException {
    Path aws = Path.of("/usr/bin/aws");
    if (!Files.isExecutable(aws) && !Files.isExecutable(Path.of("/usr/local/bin/aws"))) {
      return; // the SDK client above is the check on machines without the AWS CLI
    }
    Path config = tmp.resolve("aws-config");
    StringBuilder line = new StringBuilder("credential_process =");
    for (String part : command(cache)) {
      line.append(' ').append(part.contains(" ") ? "\"" + part + "\"" : part);
    }
    Files.writeString(
        config, "[profile consumer]\nregion = us-east-1\n" + line + "\n", StandardCharsets.UTF_8);
    ProcessBuilder pb =
        new ProcessBuilder(
            "aws",
            "sts",
            "get-caller-identity",
            "--profile",
            "consumer",
            "--endpoint-url",
            sb.endpoint().toString(),
            "--output",
            "json");
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(n -> n.startsWith("AWS_"));
    env.put("AWS_CONFIG_FILE", config.toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("none").toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains(MEMBER);
    assertThat(sb.iamKeys(MEMBER, USER).get(0).accessKeyId()).isEqualTo(expectedKey);
  }
}
