package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;

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
}
