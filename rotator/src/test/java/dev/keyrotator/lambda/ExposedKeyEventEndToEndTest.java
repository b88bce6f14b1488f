package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SnsMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The exposed-key event (issue 16): an AWS Health {@code AWS_RISK_CREDENTIALS_EXPOSED} event in its
 * documented shape, forwarded to the central bus, handed to the Lambda handler, which finds the
 * key's owner and rotates it now, within the one invocation; replays change nothing.
 */
class ExposedKeyEventEndToEndTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String PROD = "333333333333";
  static final String QUARANTINE = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3";
  static final String SECURITY_TOPIC = "arn:aws:sns:us-east-1:222222222222:key-rotation-summary";

  Map<String, String> env;

  @BeforeEach
  void setUp(@TempDir Path dir) throws IOException {
    env = LambdaTestEnvironment.setUp(SANDBOX, dir, Map.of());
  }

  @AfterEach
  void tearDown() {
    LambdaTestEnvironment.tearDown();
  }

  /** The documented event, for {@code keyId} in {@code account}. */
  static Map<String, Object> healthEvent(String account, String keyId) {
    try (InputStream in =
        ExposedKeyEventEndToEndTest.class.getResourceAsStream(
            "/lambda/aws-health-credentials-exposed.json")) {
      String json =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replace("ACCOUNT_ID_HERE", account)
              .replace("ACCESS_KEY_ID_HERE", keyId);
      return new ObjectMapper().readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Sandbox sandbox() {
    return SANDBOX.sandbox();
  }

  Map<String, Object> invoke(Map<String, Object> event) {
    return new RotationHandler(env, sandbox().clock())
        .handleRequest(event, new FakeLambdaContext(900_000, new ArrayList<>()));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> onlyKey(Map<String, Object> answer) {
    List<Map<String, Object>> keys = (List<Map<String, Object>>) answer.get("keys");
    assertThat(keys).hasSize(1);
    return keys.get(0);
  }

  String secretValue(String account, String user) {
    return sandbox()
        .secret(account, "us-east-1", "key-rotator/" + account + "/" + user)
        .orElseThrow()
        .currentValue();
  }

  @Test
  void anExposedKeyIsInactiveAndAWorkingNewKeyStoredWithinOneInvocation() {
    String exposed = sandbox().iamKeys(PROD, "app-payments").get(0).accessKeyId();
    sandbox().attachUserPolicy(PROD, "app-payments", QUARANTINE);

    Map<String, Object> answer = invoke(healthEvent(PROD, exposed));

    assertThat(answer)
        .containsEntry("status", "ok")
        .containsEntry("event", "AWS_RISK_CREDENTIALS_EXPOSED");
    assertThat(answer).containsEntry("reportedAt", "2026-11-30T15:10:09Z");
    Map<String, Object> key = onlyKey(answer);
    assertThat(key).containsEntry("user", "app-payments").containsEntry("key", exposed);
    String newKey = (String) key.get("newKey");
    List<AccessKeyInfo> keys = sandbox().iamKeys(PROD, "app-payments");
    assertThat(keys)
        .extracting(AccessKeyInfo::accessKeyId, AccessKeyInfo::status)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(exposed, "Inactive"),
            org.assertj.core.groups.Tuple.tuple(newKey, "Active"));
    // the stored key works: it signs a request as the user
    String value = secretValue(PROD, "app-payments");
    assertThat(value).contains(newKey);
    String secret = value.replaceAll("(?s).*\"SecretAccessKey\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(SANDBOX.endpoint())
            .region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(newKey, secret)))
            .build()) {
      assertThat(sts.getCallerIdentity().arn()).endsWith(":user/apps/app-payments");
    }
    // the incident: remembered on the key, told in the answer and to the security topic
    assertThat(sandbox().userTags(PROD, "app-payments").get("key-rotator:key:" + exposed))
        .contains("deactivated=")
        .contains("exposed=2026-11-30T15:10:09Z");
    String incident = (String) key.get("incident");
    assertThat(incident)
        .startsWith("incident: AWS reported key " + exposed + " exposed at 2026-11-30T15:10:09Z")
        .contains("new key " + newKey + " stored at ")
        .contains("key " + exposed + " inactive since ")
        .contains("AWS's quarantine policy AWSCompromisedKeyQuarantineV3 is attached");
    List<SnsMessage> security =
        sandbox().snsMessages().stream()
            .filter(m -> m.topicArn().equals(SECURITY_TOPIC))
            .filter(m -> !"run-summary".equals(m.attributes().get("event")))
            .toList();
    assertThat(security)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.attributes()).containsEntry("event", "rotated-now");
              assertThat(m.message()).contains("Reason:   exposed").contains(incident);
            });
    // the security summary and the delivered report show the incident too
    assertThat(sandbox().snsMessages())
        .filteredOn(m -> "run-summary".equals(m.attributes().get("event")))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.message())
                    .contains(
                        "INCIDENT in "
                            + PROD
                            + ", user app-payments: AWS reported key "
                            + exposed
                            + " exposed at 2026-11-30T15:10:09Z"));
    assertThat(key.get("report").toString()).contains("s3://org-key-rotator-reports-222222222222/");
    assertThat(sandbox().s3Keys("org-key-rotator-reports-222222222222"))
        .anySatisfy(k -> assertThat(k).endsWith("report.json"));
    String reportJson =
        sandbox().s3Keys("org-key-rotator-reports-222222222222").stream()
            .filter(k -> k.endsWith("report.json"))
            .map(
                k ->
                    new String(
                        sandbox().s3Object("org-key-rotator-reports-222222222222", k).orElseThrow(),
                        StandardCharsets.UTF_8))
            .findFirst()
            .orElseThrow();
    assertThat(reportJson).contains(incident.replace("\"", "\\\""));
    assertThat(reportJson).doesNotContain(secret);
    // the incident as structured fields (accounts[].users[].incident), schema v1
    JsonNode facts = incidentOf(reportJson, "app-payments");
    assertThat(facts.get("reason").asText()).isEqualTo("exposed");
    assertThat(facts.get("keyId").asText()).isEqualTo(exposed);
    assertThat(facts.get("eventId").asText())
        .isEqualTo(
            "arn:aws:health:us-east-1::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/"
                + "AWS_RISK_CREDENTIALS_EXPOSED_EXAMPLE1234");
    assertThat(facts.get("reportedAt").asText()).isEqualTo("2026-11-30T15:10:09Z");
    assertThat(facts.get("newKeyId").asText()).isEqualTo(newKey);
    Instant stored = Instant.parse(facts.get("newKeyStoredAt").asText());
    Instant inactive = Instant.parse(facts.get("keyInactiveAt").asText());
    assertThat(stored).isBeforeOrEqualTo(inactive);
    assertThat(incident).contains("stored at " + stored).contains("inactive since " + inactive);
    assertThat(facts.get("deactivationScheduledAt").asText()).isEmpty();
    assertThat(facts.get("quarantinePolicyAttached").asBoolean()).isTrue();
    assertThat(facts.get("quarantinePolicies").toString())
        .isEqualTo("[\"AWSCompromisedKeyQuarantineV3\"]");
    // the CSV's incident columns, on the exposed key's row
    String csv = reportFile(".csv");
    assertThat(csv.lines().findFirst().orElseThrow())
        .contains(
            ",incident_reason,incident_event_id,incident_reported_at,incident_new_key_stored_at,"
                + "incident_key_inactive_at,incident_deactivation_scheduled_at,"
                + "incident_quarantine_policy_attached,");
    assertThat(csv.lines().filter(l -> l.contains("," + exposed + ",")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .contains(
                        ",exposed,"
                            + facts.get("eventId").asText()
                            + ",2026-11-30T15:10:09Z,"
                            + stored
                            + ","
                            + inactive
                            + ",,true,"));
    assertThat(reportFile(".html")).contains("st-INCIDENT");
    assertThat(sandbox().snsMessages()).noneMatch(m -> m.message().contains(secret));
  }

  @Test
  void aReplayedOrDuplicatedEventDoesNotRotateTwice() {
    String exposed = sandbox().iamKeys(PROD, "app-payments").get(0).accessKeyId();
    Map<String, Object> first = invoke(healthEvent(PROD, exposed));
    String newKey = (String) onlyKey(first).get("newKey");
    String versionBefore =
        sandbox()
            .secret(PROD, "us-east-1", "key-rotator/" + PROD + "/app-payments")
            .orElseThrow()
            .currentVersionId();

    Map<String, Object> replay = invoke(healthEvent(PROD, exposed));
    Map<String, Object> duplicate = invoke(healthEvent(PROD, exposed));

    for (Map<String, Object> again : List.of(replay, duplicate)) {
      assertThat(again).containsEntry("status", "ok");
      Map<String, Object> key = onlyKey(again);
      assertThat(key).doesNotContainKey("newKey");
      assertThat(key.get("decisions").toString()).contains("NOTHING " + exposed);
      assertThat((String) key.get("incident"))
          .contains("new key " + newKey + " stored (created ")
          .contains("key " + exposed + " inactive since")
          .contains("quarantine policy is not attached");
    }
    assertThat(sandbox().iamKeys(PROD, "app-payments"))
        .extracting(AccessKeyInfo::accessKeyId)
        .containsExactlyInAnyOrder(exposed, newKey);
    assertThat(
            sandbox()
                .secret(PROD, "us-east-1", "key-rotator/" + PROD + "/app-payments")
                .orElseThrow())
        .satisfies(
            s -> {
              assertThat(s.currentVersionId()).isEqualTo(versionBefore);
              assertThat(s.versionStages()).hasSize(1);
            });
  }

  @Test
  void anotherHealthEventIsIgnoredAndNeverStartsARun() {
    Map<String, Object> event = healthEvent(PROD, "AKIAEXAMPLE000000001");
    @SuppressWarnings("unchecked")
    Map<String, Object> detail = (Map<String, Object>) event.get("detail");
    detail.put("eventTypeCode", "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED");

    Map<String, Object> answer = invoke(event);

    assertThat(answer).containsEntry("status", "ignored");
    assertThat(sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void aKeyOfNoUserOfTheAccountIsRefusedAndNothingChanges() {
    String elsewhere = sandbox().iamKeys("444444444444", "dev-ci").get(0).accessKeyId();

    Map<String, Object> answer = invoke(healthEvent(PROD, elsewhere));

    assertThat(answer).containsEntry("status", "partial");
    assertThat(onlyKey(answer)).containsEntry("status", "refused");
    assertThat((String) onlyKey(answer).get("reason"))
        .isEqualTo(
            "exposed key "
                + elsewhere
                + " is not a key of any IAM user of account "
                + PROD
                + "; nothing was changed");
    assertThat(sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void anEventWithoutAKeyIdIsBadInput() {
    Map<String, Object> event = healthEvent(PROD, "not-a-key");

    assertThatThrownBy(() -> invoke(event))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "an AWS_RISK_CREDENTIALS_EXPOSED event of account " + PROD + " names no access key id");
    assertThat(Instant.now()).isNotNull();
  }

  String reportFile(String suffix) {
    return sandbox().s3Keys("org-key-rotator-reports-222222222222").stream()
        .filter(k -> k.endsWith("report" + suffix))
        .map(
            k ->
                new String(
                    sandbox().s3Object("org-key-rotator-reports-222222222222", k).orElseThrow(),
                    StandardCharsets.UTF_8))
        .findFirst()
        .orElseThrow();
  }

  static JsonNode incidentOf(String reportJson, String user) {
    try {
      for (JsonNode a : new ObjectMapper().readTree(reportJson).at("/report/accounts")) {
        for (JsonNode u : a.get("users")) {
          if (u.get("userName").asText().equals(user)) {
            return u.get("incident");
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no user " + user);
  }
}
