package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.cli.Main;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.sandbox.SnsMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * rotate-now (issue 16) as the CLI and as the Lambda action, against the sandbox with the
 * stacksets' roles deployed and enforced: each outcome (in use, exempt, foreign key, two keys,
 * unknown account, replay) checked on the keys, the secret's versions, the messages and the exit
 * code or answer.
 */
class RotateNowEndToEndTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String PROD = "333333333333";
  static final String DEV = "444444444444";
  static final String OWNER_TOPIC = "arn:aws:sns:us-east-1:111111111111:key-rotation-events";
  static final String SECURITY_TOPIC = "arn:aws:sns:us-east-1:222222222222:key-rotation-summary";

  Map<String, String> env;
  Path policy;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void setUp(@TempDir Path dir) throws IOException {
    env = LambdaTestEnvironment.setUp(SANDBOX, dir, Map.of());
    policy = Path.of(env.get("KEY_ROTATOR_POLICY_URI"));
    Path empty = Files.writeString(dir.resolve("empty-config"), "");
    System.setProperty("aws.configFile", empty.toString());
    System.setProperty("aws.sharedCredentialsFile", empty.toString());
    System.setProperty("aws.disableEc2Metadata", "true");
  }

  @AfterEach
  void tearDown() {
    LambdaTestEnvironment.tearDown();
    System.clearProperty("aws.configFile");
    System.clearProperty("aws.sharedCredentialsFile");
    System.clearProperty("aws.disableEc2Metadata");
  }

  Sandbox sandbox() {
    return SANDBOX.sandbox();
  }

  int cli(String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "rotate-now",
                "--policy",
                policy.toString(),
                "--endpoint",
                SANDBOX.endpoint().toString(),
                "--now",
                sandbox().clock().now().toString()));
    a.addAll(List.of(extra));
    return new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
        .run(a.toArray(String[]::new));
  }

  Map<String, Object> lambda(Map<String, Object> event) {
    return new RotationHandler(env, sandbox().clock())
        .handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
  }

  static Map<String, Object> rotateNow(String account, String user, String key) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("action", "rotate-now");
    e.put("account", account);
    e.put("user", user);
    if (key != null) {
      e.put("key", key);
    }
    e.put("reason", "exposed");
    return e;
  }

  String onlyKey(String account, String user) {
    List<AccessKeyInfo> keys = sandbox().iamKeys(account, user);
    assertThat(keys).hasSize(1);
    return keys.get(0).accessKeyId();
  }

  String status(String account, String user, String keyId) {
    return sandbox().iamKeys(account, user).stream()
        .filter(k -> k.accessKeyId().equals(keyId))
        .findFirst()
        .orElseThrow()
        .status();
  }

  List<SnsMessage> messages(String topic) {
    return sandbox().snsMessages().stream()
        .filter(m -> m.topicArn().equals(topic))
        .filter(m -> !"run-summary".equals(m.attributes().get("event")))
        .toList();
  }

  Optional<SecretInfo> secret(String account, String user) {
    return sandbox().secret(account, "us-east-1", "key-rotator/" + account + "/" + user);
  }

  /** The stored key signs requests: STS GetCallerIdentity answers as the user. */
  void storedKeyWorks(String account, String user, String newKey) {
    String value = secret(account, user).orElseThrow().currentValue();
    assertThat(value).contains(newKey);
    String secretKey = value.replaceAll("(?s).*\"SecretAccessKey\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(SANDBOX.endpoint())
            .region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(newKey, secretKey)))
            .build()) {
      assertThat(sts.getCallerIdentity().arn()).endsWith(":user/apps/" + user);
    }
  }

  void assertInUseKeyReplaced(String oldKey) {
    List<AccessKeyInfo> keys = sandbox().iamKeys(PROD, "app-payments");
    assertThat(keys).hasSize(2);
    assertThat(status(PROD, "app-payments", oldKey)).isEqualTo("Inactive");
    String newKey =
        keys.stream()
            .filter(k -> !k.accessKeyId().equals(oldKey))
            .findFirst()
            .orElseThrow()
            .accessKeyId();
    assertThat(status(PROD, "app-payments", newKey)).isEqualTo("Active");
    assertThat(secret(PROD, "app-payments").orElseThrow().versionStages()).hasSize(1);
    storedKeyWorks(PROD, "app-payments", newKey);
    // the deactivation is remembered: the key is kept for the recovery window before deletion
    assertThat(sandbox().userTags(PROD, "app-payments").get("key-rotator:key:" + oldKey))
        .startsWith("deactivated=");
    assertThat(messages(OWNER_TOPIC))
        .extracting(m -> m.attributes().get("event"))
        .containsExactly("key-created", "key-deactivated");
    assertThat(messages(OWNER_TOPIC))
        .allSatisfy(m -> assertThat(m.message()).contains("rotate-now (reason: exposed)"));
    assertThat(messages(SECURITY_TOPIC)).hasSize(1);
    SnsMessage security = messages(SECURITY_TOPIC).get(0);
    assertThat(security.attributes()).containsEntry("event", "rotated-now");
    assertThat(security.message()).contains("Reason:   exposed").contains(oldKey).contains(newKey);
    String secretValue = secret(PROD, "app-payments").orElseThrow().currentValue();
    String secretKey =
        secretValue.replaceAll("(?s).*\"SecretAccessKey\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    assertThat(sandbox().snsMessages()).noneMatch(m -> m.message().contains(secretKey));
  }

  // ---------------------------------------------------------------- CLI

  @Test
  void cliReplacesAKeyInUseAndDeactivatesItAtOnce() {
    String old = onlyKey(PROD, "app-payments");

    int code =
        cli("--account", PROD, "--user", "app-payments", "--key", old, "--reason", "exposed");

    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).contains("rotate-now: key " + old + " replaced and deactivated");
    assertInUseKeyReplaced(old);
    // its one-user report is delivered to the security account, as a run's
    assertThat(err.toString())
        .contains("report delivered: s3://org-key-rotator-reports-222222222222/");
    assertThat(sandbox().snsMessages())
        .anySatisfy(m -> assertThat(m.attributes()).containsEntry("event", "run-summary"));
  }

  @Test
  void cliReplayChangesNothing() {
    String old = onlyKey(PROD, "app-payments");
    assertThat(
            cli("--account", PROD, "--user", "app-payments", "--key", old, "--reason", "exposed"))
        .isZero();
    sandbox().calls().clear();

    int code =
        cli("--account", PROD, "--user", "app-payments", "--key", old, "--reason", "exposed");

    assertThat(code).isZero();
    assertThat(sandbox().iamKeys(PROD, "app-payments")).hasSize(2);
    assertThat(secret(PROD, "app-payments").orElseThrow().versionStages()).hasSize(1);
    assertThat(sandbox().calls().mutating())
        .allSatisfy(c -> assertThat(c.service()).isIn("s3", "sns"));
    assertThat(err.toString()).contains("is already inactive; nothing to do");
  }

  @Test
  void cliExemptUserIsNotChangedButSecurityIsTold() {
    String key = onlyKey(PROD, "break-glass");

    int code = cli("--account", PROD, "--user", "break-glass");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("user break-glass is exempt: nothing was changed");
    assertThat(status(PROD, "break-glass", key)).isEqualTo("Active");
    assertThat(sandbox().iamKeys(PROD, "break-glass")).hasSize(1);
    assertThat(secret(PROD, "break-glass")).isEmpty();
    assertThat(messages(OWNER_TOPIC)).isEmpty();
    assertThat(messages(SECURITY_TOPIC))
        .singleElement()
        .satisfies(m -> assertThat(m.attributes()).containsEntry("event", "rotate-now-exempt"));
  }

  @Test
  void cliRefusesAForeignKeyWithExitTwoAndChangesNothing() {
    String foreign = onlyKey(PROD, "app-orders");

    int code = cli("--account", PROD, "--user", "app-payments", "--key", foreign);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo(
            "error: rotate-now refused in account "
                + PROD
                + ": key "
                + foreign
                + " does not belong to user app-payments; nothing was changed");
    assertThat(sandbox().calls().mutating()).isEmpty();
    assertThat(sandbox().iamKeys(PROD, "app-payments")).hasSize(1);
  }

  @Test
  void cliRefusesTwoKeysNeitherRemovable() {
    List<AccessKeyInfo> before = sandbox().iamKeys(DEV, "dev-tools");

    int code = cli("--account", DEV, "--user", "dev-tools", "--key", before.get(0).accessKeyId());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith(
            "error: rotate-now refused in account " + DEV + ": user dev-tools already holds")
        .contains("neither may be removed")
        .endsWith("; nothing was changed")
        .doesNotContain("\n");
    assertThat(sandbox().calls().mutating()).isEmpty();
    assertThat(sandbox().iamKeys(DEV, "dev-tools")).isEqualTo(before);
  }

  @Test
  void cliRefusesAnUnknownAccountAndABadKeyId() {
    assertThat(cli("--account", "999999999999", "--user", "x")).isEqualTo(2);
    assertThat(err.toString())
        .contains("account 999999999999 is not an ACTIVE account of this organization");
    assertThat(cli("--account", PROD, "--user", "app-payments", "--key", "nope")).isEqualTo(2);
    assertThat(err.toString()).contains("--key must be an access key id");
    assertThat(sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void cliDryRunChangesNothing() {
    String old = onlyKey(PROD, "app-payments");

    int code = cli("--account", PROD, "--user", "app-payments", "--dry-run");

    assertThat(code).isZero();
    assertThat(err.toString()).contains("would be replaced and deactivated (dry run)");
    assertThat(sandbox().calls().mutating()).isEmpty();
    assertThat(status(PROD, "app-payments", old)).isEqualTo("Active");
    assertThat(sandbox().snsMessages()).isEmpty();
  }

  // ---------------------------------------------------------------- Lambda

  @Test
  void lambdaReplacesAKeyInUse() {
    String old = onlyKey(PROD, "app-payments");

    Map<String, Object> r = lambda(rotateNow(PROD, "app-payments", old));

    assertThat(r).containsEntry("status", "ok").containsEntry("key", old);
    assertThat(r.get("newKey")).isNotNull();
    assertInUseKeyReplaced(old);
  }

  @Test
  void lambdaReplayAndDuplicateDoNotRotateTwice() {
    String old = onlyKey(PROD, "app-payments");
    Map<String, Object> first = lambda(rotateNow(PROD, "app-payments", old));
    String newKey = (String) first.get("newKey");

    Map<String, Object> again = lambda(rotateNow(PROD, "app-payments", old));

    assertThat(again).containsEntry("status", "ok").doesNotContainKey("newKey");
    assertThat(again.get("decisions").toString()).contains("NOTHING " + old);
    assertThat(sandbox().iamKeys(PROD, "app-payments"))
        .extracting(AccessKeyInfo::accessKeyId)
        .containsExactlyInAnyOrder(old, newKey);
    assertThat(secret(PROD, "app-payments").orElseThrow().versionStages()).hasSize(1);
    assertThat(messages(SECURITY_TOPIC)).hasSize(2);
    assertThat(messages(OWNER_TOPIC)).hasSize(2);
  }

  @Test
  void lambdaExemptForeignAndTwoKeysAreAnswersNotChanges() {
    String foreign = onlyKey(PROD, "app-orders");

    Map<String, Object> exempt = lambda(rotateNow(PROD, "break-glass", null));
    Map<String, Object> foreignKey = lambda(rotateNow(PROD, "app-payments", foreign));
    Map<String, Object> twoKeys = lambda(rotateNow(DEV, "dev-tools", null));
    Map<String, Object> unknown = lambda(rotateNow("999999999999", "someone", null));

    assertThat(exempt).containsEntry("status", "exempt");
    assertThat(foreignKey).containsEntry("status", "refused");
    assertThat((String) foreignKey.get("reason")).contains("does not belong to user app-payments");
    assertThat(twoKeys).containsEntry("status", "refused");
    assertThat((String) twoKeys.get("reason")).contains("neither may be removed");
    assertThat(unknown).containsEntry("status", "refused");
    // the exempt user's turn: its account lease and the security alert; nothing in IAM or the vault
    assertThat(sandbox().calls().mutating())
        .allSatisfy(c -> assertThat(c.service()).isIn("sns", "s3"));
    assertThat(sandbox().iamKeys(PROD, "app-payments")).hasSize(1);
    assertThat(sandbox().iamKeys(DEV, "dev-tools")).hasSize(2);
    assertThat(secret(PROD, "break-glass")).isEmpty();
    assertThat(messages(SECURITY_TOPIC))
        .singleElement()
        .satisfies(m -> assertThat(m.attributes()).containsEntry("event", "rotate-now-exempt"));
  }

  // ---------------------------------------------------------------- --deactivate after:N

  static final String APP = "app-payments";

  int run() {
    return new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
        .run(
            "run",
            "--accounts",
            PROD,
            "--policy",
            policy.toString(),
            "--endpoint",
            SANDBOX.endpoint().toString(),
            "--now",
            sandbox().clock().now().toString());
  }

  String historyTag(String keyId) {
    return sandbox().userTags(PROD, APP).getOrDefault("key-rotator:key:" + keyId, "");
  }

  String otherKey(String keyId) {
    return sandbox().iamKeys(PROD, APP).stream()
        .map(AccessKeyInfo::accessKeyId)
        .filter(k -> !k.equals(keyId))
        .findFirst()
        .orElseThrow();
  }

  /** The user's incident in the JSON report the CLI printed last ({@code --json}). */
  JsonNode incidentInPrintedReport() throws IOException {
    String text = out.toString();
    JsonNode report = new ObjectMapper().readTree(text.substring(text.indexOf('{')));
    for (JsonNode u : report.at("/report/accounts/0/users")) {
      if (u.get("userName").asText().equals(APP)) {
        return u.get("incident");
      }
    }
    throw new AssertionError("no user " + APP + " in " + text);
  }

  @Test
  void cliAfterNKeepsTheOldKeyActiveUntilDayNThenAnOrdinaryRunDeactivatesItInUse()
      throws IOException {
    String old = onlyKey(PROD, APP);
    java.time.Instant start = sandbox().clock().now();

    int code =
        cli("--account", PROD, "--user", APP, "--key", old, "--deactivate", "after:3", "--json");

    assertThat(code).as(err.toString()).isZero();
    java.time.Instant by =
        java.time.Instant.parse(historyTag(old).replaceAll(".*deactivate-by=(\\S+).*", "$1"));
    assertThat(java.time.Duration.between(start, by))
        .isBetween(
            java.time.Duration.ofDays(3).minusMinutes(1),
            java.time.Duration.ofDays(3).plusMinutes(1));
    assertThat(err.toString())
        .contains("rotate-now: key " + old + " replaced; it stays active until " + by);
    String newKey = otherKey(old);
    assertThat(status(PROD, APP, old)).isEqualTo("Active");
    assertThat(status(PROD, APP, newKey)).isEqualTo("Active");
    assertThat(secret(PROD, APP).orElseThrow().versionStages()).hasSize(1);
    storedKeyWorks(PROD, APP, newKey);
    assertThat(historyTag(old)).contains("deactivate-by=" + by).doesNotContain("deactivated=");
    assertThat(messages(OWNER_TOPIC))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.attributes()).containsEntry("event", "key-created");
              assertThat(m.message()).contains("it stays active until " + by);
            });
    assertThat(messages(SECURITY_TOPIC))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.message()).contains("Old key:  " + old + " stays active until " + by);
              assertThat(m.attributes()).containsEntry("event", "rotated-now");
              assertThat(m.subject()).contains("old key deactivated at its deadline");
            });
    JsonNode incident = incidentInPrintedReport();
    assertThat(incident.get("reason").asText()).isEqualTo("manual");
    assertThat(incident.get("keyId").asText()).isEqualTo(old);
    assertThat(incident.get("newKeyId").asText()).isEqualTo(newKey);
    assertThat(incident.get("newKeyStoredAt").asText()).isNotEmpty();
    assertThat(incident.get("keyInactiveAt").asText()).isEmpty();
    assertThat(incident.get("deactivationScheduledAt").asText()).isEqualTo(by.toString());
    assertThat(incident.get("quarantinePolicyAttached").asBoolean()).isFalse();
    assertThat(incident.get("reportedAt").asText()).isEmpty();

    // day 2: an ordinary run keeps it (it is still in use)
    sandbox().clock().advance(java.time.Duration.ofDays(2));
    assertThat(run()).as(err.toString()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Active");

    // day 3, after the deadline: deactivated even if in use; owner told; kept inactive
    sandbox().clock().advance(java.time.Duration.ofDays(1).plusMinutes(1));
    assertThat(run()).as(err.toString()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Inactive");
    assertThat(status(PROD, APP, newKey)).isEqualTo("Active");
    assertThat(historyTag(old)).contains("deactivated=").contains("deactivate-by=" + by);
    assertThat(messages(OWNER_TOPIC))
        .filteredOn(m -> "key-deactivated".equals(m.attributes().get("event")))
        .filteredOn(m -> APP.equals(m.attributes().get("user_name")))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.message())
                    .contains("rotate-now scheduled its deactivation for " + by));
    // the security team reads it in the run's summary as the incident's last step
    assertThat(sandbox().snsMessages())
        .filteredOn(m -> "run-summary".equals(m.attributes().get("event")))
        .last()
        .satisfies(
            m ->
                assertThat(m.message())
                    .contains(
                        "INCIDENT in "
                            + PROD
                            + ", user "
                            + APP
                            + ": rotate-now of key "
                            + old
                            + " (reason scheduled); new key "
                            + newKey)
                    .contains("key " + old + " inactive since "));

    // the next run leaves it for the recovery window
    sandbox().clock().advance(java.time.Duration.ofDays(1));
    assertThat(run()).isZero();
    assertThat(sandbox().iamKeys(PROD, APP)).hasSize(2);
  }

  @Test
  void cliRefusesABadDeactivateWithExitTwoAndChangesNothing() {
    for (String bad : List.of("after:0", "after:31", "after:x", "after:", "later", "after:-1")) {
      StringWriter e = new StringWriter();
      int code =
          new Main(new PrintWriter(out), new PrintWriter(e), Map.of())
              .run(
                  "rotate-now",
                  "--policy",
                  policy.toString(),
                  "--endpoint",
                  SANDBOX.endpoint().toString(),
                  "--account",
                  PROD,
                  "--user",
                  APP,
                  "--deactivate",
                  bad);
      assertThat(code).as(bad).isEqualTo(2);
      assertThat(e.toString().strip())
          .isEqualTo(
              "error: --deactivate must be now or after:N, N a whole number of days from 1 to 30,"
                  + " got '"
                  + bad
                  + "'");
    }
    assertThat(sandbox().calls().mutating()).isEmpty();
    assertThat(sandbox().iamKeys(PROD, APP)).hasSize(1);
  }

  @Test
  void aDeadlineWrittenOrExtendedByAnyoneElseIsNotBelievedPastThirtyDays() {
    String old = onlyKey(PROD, APP);
    assertThat(cli("--account", PROD, "--user", APP, "--deactivate", "after:1")).isZero();
    String newKey = otherKey(old);
    java.time.Instant replacementCreated =
        sandbox().iamKeys(PROD, APP).stream()
            .filter(k -> k.accessKeyId().equals(newKey))
            .findFirst()
            .orElseThrow()
            .createDate();
    // someone with iam:TagUser in the account (the guardrails SCP denies this to all but the
    // member role) pushes the deadline ten years out
    try (IamClient iam = adminIam()) {
      iam.tagUser(
          r ->
              r.userName(APP)
                  .tags(
                      Tag.builder()
                          .key("key-rotator:key:" + old)
                          .value("deactivate-by=2036-01-01T00:00:00Z")
                          .build()));
    }

    // day 2: past the rotator's own deadline; the forged one keeps it at most 30 days
    sandbox().clock().advance(java.time.Duration.ofDays(2));
    assertThat(run()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Active");
    sandbox()
        .clock()
        .set(
            replacementCreated
                .plus(java.time.Duration.ofDays(30))
                .plus(java.time.Duration.ofHours(1)));
    assertThat(run()).as(err.toString()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Inactive");
  }

  @Test
  void aLaterDeactivateNowShortensTheDeadline() {
    String old = onlyKey(PROD, APP);
    assertThat(cli("--account", PROD, "--user", APP, "--deactivate", "after:10")).isZero();
    String newKey = otherKey(old);

    // a longer after:N changes nothing: the earlier deadline stays
    String before = historyTag(old);
    assertThat(cli("--account", PROD, "--user", APP, "--key", old, "--deactivate", "after:20"))
        .isZero();
    assertThat(historyTag(old)).isEqualTo(before);
    assertThat(cli("--account", PROD, "--user", APP, "--key", old)).isZero();

    assertThat(status(PROD, APP, old)).isEqualTo("Inactive");
    assertThat(sandbox().iamKeys(PROD, APP))
        .extracting(AccessKeyInfo::accessKeyId)
        .containsExactlyInAnyOrder(old, newKey);
    assertThat(secret(PROD, APP).orElseThrow().versionStages()).hasSize(1);
  }

  @Test
  void aRotateNowStoppedBeforeItsCreateLeavesTheDeadlineAndOrdinaryRunsFinishTheJob() {
    String old = onlyKey(PROD, APP);
    sandbox()
        .faults()
        .add(
            dev.keyrotator.sandbox.FaultRule.on("iam", "CreateAccessKey")
                .account(PROD)
                .errorRate(1.0));

    int code = cli("--account", PROD, "--user", APP, "--deactivate", "after:2");

    sandbox().faults().clear();
    assertThat(code).isEqualTo(1);
    assertThat(sandbox().iamKeys(PROD, APP)).hasSize(1);
    assertThat(historyTag(old)).contains("deactivate-by=");

    // the next ordinary run after the failed create's marker is stale makes the replacement (the
    // safe side of an incident), keeps the old key until the deadline, and the first run after it
    // deactivates the old key
    sandbox().clock().advance(java.time.Duration.ofHours(1));
    assertThat(run()).as(err.toString()).isZero();
    assertThat(sandbox().iamKeys(PROD, APP)).as(out.toString()).hasSize(2);
    String newKey = otherKey(old);
    storedKeyWorks(PROD, APP, newKey);
    assertThat(status(PROD, APP, old)).isEqualTo("Active");
    sandbox().clock().advance(java.time.Duration.ofDays(2).plusMinutes(1));
    assertThat(run()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Inactive");
  }

  @Test
  void aRotateNowKilledAfterItsCreateIsRepairedAndTheDeadlineStillHolds() {
    String old = onlyKey(PROD, APP);
    // the state a kill right after CreateAccessKey leaves: a new key without a stored secret and
    // the marker (storing fails, and so does the roll-back's DeleteAccessKey)
    sandbox()
        .faults()
        .add(
            dev.keyrotator.sandbox.FaultRule.on("secretsmanager", "CreateSecret")
                .account(PROD)
                .errorRate(1.0))
        .add(
            dev.keyrotator.sandbox.FaultRule.on("iam", "DeleteAccessKey")
                .account(PROD)
                .errorRate(1.0));

    int code = cli("--account", PROD, "--user", APP, "--deactivate", "after:2");

    sandbox().faults().clear();
    assertThat(code).isEqualTo(1);
    assertThat(sandbox().iamKeys(PROD, APP)).hasSize(2);
    assertThat(sandbox().userTags(PROD, APP)).containsKey("key-rotator:pending");
    assertThat(historyTag(old)).contains("deactivate-by=");
    String orphan = otherKey(old);

    // past the in-flight window: the orphan is deleted, a replacement is made and stored
    sandbox().clock().advance(java.time.Duration.ofHours(1));
    assertThat(run()).as(err.toString()).isZero();
    assertThat(sandbox().iamKeys(PROD, APP))
        .extracting(AccessKeyInfo::accessKeyId)
        .doesNotContain(orphan);
    String newKey = otherKey(old);
    storedKeyWorks(PROD, APP, newKey);
    assertThat(status(PROD, APP, old)).isEqualTo("Active");
    assertThat(sandbox().userTags(PROD, APP)).doesNotContainKey("key-rotator:pending");

    sandbox().clock().advance(java.time.Duration.ofDays(2));
    assertThat(run()).isZero();
    assertThat(status(PROD, APP, old)).isEqualTo("Inactive");
  }

  @Test
  void lambdaAfterNReplayedAndConcurrentRotateNowsMakeOneKeyAndOneDeadline() throws Exception {
    String old = onlyKey(PROD, APP);
    Map<String, Object> event = rotateNow(PROD, APP, old);
    event.put("deactivate", "after:2");

    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    List<Map<String, Object>> answers = new ArrayList<>();
    try {
      var a = pool.submit(() -> lambda(new LinkedHashMap<>(event)));
      var b = pool.submit(() -> lambda(new LinkedHashMap<>(event)));
      answers.add(a.get());
      answers.add(b.get());
    } finally {
      pool.shutdown();
    }
    Map<String, Object> replay = lambda(new LinkedHashMap<>(event));

    // one of the two made the key; the other was refused by the lease or found it done
    assertThat(answers).filteredOn(r -> r.containsKey("newKey")).hasSize(1);
    assertThat(answers).allSatisfy(r -> assertThat(r.get("status")).isIn("ok", "refused"));
    assertThat(replay).containsEntry("status", "ok").doesNotContainKey("newKey");
    java.time.Instant by = java.time.Instant.parse((String) replay.get("deactivateBy"));
    assertThat(sandbox().iamKeys(PROD, APP)).hasSize(2);
    assertThat(secret(PROD, APP).orElseThrow().versionStages()).hasSize(1);
    assertThat(status(PROD, APP, old)).isEqualTo("Active");
    assertThat(historyTag(old)).contains("deactivate-by=" + by);
    assertThat(messages(OWNER_TOPIC))
        .filteredOn(m -> "key-created".equals(m.attributes().get("event")))
        .hasSize(1);

    Map<String, Object> bad = rotateNow(PROD, APP, old);
    bad.put("deactivate", "after:45");
    sandbox().calls().clear();
    assertThat(lambda(bad)).containsEntry("status", "refused");
    assertThat(sandbox().calls().mutating()).isEmpty();
  }

  IamClient adminIam() {
    dev.keyrotator.sandbox.SandboxCredentials c = sandbox().credentialsFor(PROD);
    return IamClient.builder()
        .endpointOverride(SANDBOX.endpoint())
        .region(Region.AWS_GLOBAL)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
        .build();
  }
}
