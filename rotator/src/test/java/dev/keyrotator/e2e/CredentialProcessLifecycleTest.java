package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.KeyReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SnsMessage;
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
  static final String TEAM_USER = "app-team";

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
    Fixture.Account member =
        f.account(MEMBER, "workloads")
            .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
            .tag("owner-team", "workloads-team@example.com");
    member.user(USER).tag("owner", "team@example.com").key(160, 0);
    // rotated in the early-retirement test's first run: its owner comes from its `team` tag
    member.user(TEAM_USER).tag("team", "payments@example.com").key(170, 1);
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

  /**
   * With {@code retireOldKeyEarly} the old key goes {@code unusedForDays} (10) after the workload
   * switched, at 175 days instead of 180, and the workload never fails. The report says when the
   * new key was first seen used and by which service and region, and where the old key was last
   * used; the messages carry the owner (user tag as configured, exact case, else the account's).
   */
  @Test
  void withEarlyRetirementTheOldKeyIsDeactivatedUnusedForDaysAfterTheSwitch() throws Exception {
    PolicyFile policy =
        PolicyFileLoader.parse(
            "early.yaml",
            """
            version: 1
            organization:
              memberRoleName: OrgKeyRotatorMemberRole
              externalId: key-rotator-demo
              centralAccountId: "111111111111"
            notifications:
              topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
              ownerTagKeys: [Owner, team]
              accountOwnerTagKey: owner-team
            defaults:
              unusedForDays: 10
              retireOldKeyEarly: true
            """
                .getBytes(StandardCharsets.UTF_8));
    Path cache = tmp.resolve("cache").resolve("app.json");
    sb.clock().advanceDays(5);
    List<RunReport> reports = new ArrayList<>();
    reports.add(rotator.run(policy)); // 165 days: the new key is created and stored
    String newKey =
        sb.iamKeys(MEMBER, USER).stream()
            .map(AccessKeyInfo::accessKeyId)
            .filter(k -> !k.equals(firstKey))
            .findFirst()
            .orElseThrow();
    seedWithTheOldKey(cache); // the workload switches: the old key's last use is now
    int failures = 0;
    int calls = 0;
    int retiredOnDay = -1;
    try (StsClient sts =
        StsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(sb.endpoint())
            .credentialsProvider(
                ProcessCredentialsProvider.builder().command(command(cache)).build())
            .build()) {
      for (int day = 0; day <= 12; day++) {
        for (int call = 0; call < 2; call++) {
          calls++;
          try {
            sts.getCallerIdentity();
          } catch (RuntimeException e) {
            failures++;
          }
        }
        reports.add(rotator.run(policy));
        boolean oldInactive =
            sb.iamKeys(MEMBER, USER).stream()
                .anyMatch(k -> k.accessKeyId().equals(firstKey) && k.status().equals("Inactive"));
        if (oldInactive && retiredOnDay < 0) {
          retiredOnDay = day;
        }
        sb.clock().advanceDays(1);
      }
    }
    assertThat(failures).isZero();
    assertThat(calls).isEqualTo(26);
    assertThat(retiredOnDay).as("deactivated unusedForDays after the switch").isEqualTo(10);

    // the run that retired it: the decision says why, at 175 days (before deactivateAfterDays 180)
    UserReport retiring = user(reports.get(1 + retiredOnDay), USER);
    DecisionReport retired =
        retiring.decisions().stream()
            .filter(d -> d.action() == Action.DEACTIVATE_KEY && d.keyId().equals(firstKey))
            .findFirst()
            .orElseThrow();
    assertThat(retired.outcome()).isEqualTo(Outcome.DONE);
    assertThat(retired.reason())
        .startsWith("retired-early:")
        .contains(newKey)
        .contains("(sts in us-east-1)")
        .contains("deactivated at 175 days, 5 days before deactivateAfterDays 180");
    KeyReport oldKey = key(retiring, firstKey);
    KeyReport current = key(retiring, newKey);
    // the old key was last used by the provider's seed read of the secret
    assertThat(oldKey.lastUsedService()).isEqualTo("secretsmanager");
    assertThat(oldKey.lastUsedRegion()).isEqualTo("us-east-1");
    assertThat(current.lastUsedService()).isEqualTo("sts");
    assertThat(current.lastUsedRegion()).isEqualTo("us-east-1");
    // first seen used by the run of day 0 (the switch), recorded once and kept
    RunReport day0 = reports.get(1);
    assertThat(current.firstUseSeen()).isPresent();
    assertThat(current.firstUseSeen().get().seenAt())
        .isBetween(day0.startedAt().minusSeconds(1), day0.finishedAt().plusSeconds(1));
    assertThat(current.firstUseSeen().get().service()).isEqualTo("sts");
    assertThat(current.firstUseSeen().get().region()).isEqualTo("us-east-1");
    // in the JSON report too (additive fields of schema v1)
    String json = JsonReport.render(reports.get(1 + retiredOnDay));
    assertThat(json)
        .contains("\"lastUsedService\" : \"sts\"")
        .contains("\"firstUseSeen\"")
        .contains("retired-early:");

    // messages: the deactivation tells why; owners as configured
    List<SnsMessage> mine =
        sb.snsMessages().stream()
            .filter(m -> USER.equals(m.attributes().get("user_name")))
            .toList();
    assertThat(mine).isNotEmpty();
    // the user's tag is `owner` (lower case), not listed: the account's default owner is used
    assertThat(mine)
        .allSatisfy(
            m -> assertThat(m.attributes()).containsEntry("owner", "workloads-team@example.com"));
    assertThat(mine)
        .anySatisfy(
            m -> {
              assertThat(m.attributes()).containsEntry("event", "key-deactivated");
              assertThat(m.message()).contains("retired-early:");
            });
    assertThat(sb.snsMessages())
        .filteredOn(m -> TEAM_USER.equals(m.attributes().get("user_name")))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.attributes()).containsEntry("owner", "payments@example.com"));
    // no secret anywhere the rotator wrote
    String captured = rotator.everythingCaptured(reports);
    for (String secret : rotator.allSecrets()) {
      assertThat(captured).doesNotContain(secret);
    }
  }

  private static UserReport user(RunReport r, String name) {
    return r.accounts().stream()
        .flatMap(a -> a.users().stream())
        .filter(u -> u.userName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no report of user " + name));
  }

  private static KeyReport key(UserReport u, String keyId) {
    return u.keys().stream()
        .filter(k -> k.keyId().equals(keyId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no key " + keyId + " in " + u.keys()));
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
