package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.logging.CapturedLogs;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The fan-out's three actions (list, rotate per batch, merge) against the demo organization do what
 * one whole run does: the same IAM end state, one report with every account, one summary.
 */
class FanOutEndToEndTest {

  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String REPORTS = "org-key-rotator-reports-222222222222";

  final List<String> logged = new CopyOnWriteArrayList<>();

  /** The function's log: its JSON log lines' messages and what it writes itself (EMF). */
  CapturedLogs logs;

  Map<String, String> env;

  @BeforeEach
  void credentials(@TempDir Path dir) throws IOException {
    // The handler takes credentials from the SDK's default chain, as in Lambda.
    env = LambdaTestEnvironment.setUp(SANDBOX, dir, Map.of("KEY_ROTATOR_BATCH_SIZE", "2"));
  }

  @BeforeEach
  void captureLogs() {
    logs = CapturedLogs.at(Level.INFO, logged::add);
  }

  @AfterEach
  void clear() {
    logs.close();
    LambdaTestEnvironment.tearDown();
  }

  RotationHandler handler() {
    return new RotationHandler(env, SANDBOX.sandbox().clock());
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> list() {
    return handler()
        .handleRequest(new HashMap<>(Map.of("action", "list", "runId", "fan-1")), context(900_000));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> batches(Map<String, Object> listed) {
    return (List<Map<String, Object>>) listed.get("batches");
  }

  @Test
  void listHandsOutTheIncludedAccountsInBatchesOfTheConfiguredSize() {
    Map<String, Object> listed = list();

    assertThat(listed).containsEntry("runId", "fan-1");
    // 111111111111 is the central account (left out), 666666666666 is suspended.
    assertThat(batches(listed))
        .extracting(b -> b.get("accounts"))
        .containsExactly(
            List.of("222222222222", "333333333333"), List.of("444444444444", "555555555555"));
    assertThat(batches(listed)).allSatisfy(b -> assertThat(b).containsEntry("runId", "fan-1"));
    // the only writes: each batch's account file beside the report parts
    assertThat(SANDBOX.sandbox().calls().mutating())
        .extracting(c -> c.service() + ":" + c.operation())
        .containsExactly("s3:PutObject", "s3:PutObject");
    JsonNode file =
        json(
            SANDBOX
                .sandbox()
                .s3Object(REPORTS, "reports/parts/fan-1/batches/222222222222.json")
                .orElseThrow());
    assertThat(file.get("accounts").get(0).get("id").asText()).isEqualTo("222222222222");
    assertThat(file.get("accounts").get(0).get("ouNames").size()).isPositive();
    assertThat(batches(listed))
        .allSatisfy(b -> assertThat((String) b.get("accountsSha256")).matches("[0-9a-f]{64}"));
  }

  @Test
  void aRotateBatchWorksTheAccountsTheListStepGaveItWithoutCallingOrganizations() {
    Map<String, Object> listed = list();
    Sandbox sandbox = SANDBOX.sandbox();
    sandbox.calls().clear();
    Map<String, Object> event = new HashMap<>(batches(listed).get(1));
    event.put("action", "rotate");
    Map<String, Object> part = handler().handleRequest(event, context(900_000));

    assertThat(part).containsKey("part");
    assertThat(sandbox.calls().all())
        .isNotEmpty()
        .noneMatch(c -> c.service().equals("organizations"));
    assertThat(sandbox.calls().mutating()).anyMatch(c -> c.service().equals("iam"));
  }

  @Test
  void aRetriedRotateBatchKeepsTheFirstAttemptsPartAndSucceeds() {
    Map<String, Object> listed = list();
    Map<String, Object> event = new HashMap<>(batches(listed).get(0));
    event.put("action", "rotate");
    Map<String, Object> first = handler().handleRequest(event, context(900_000));
    String key = "reports/parts/fan-1/222222222222.json";
    byte[] stored = SANDBOX.sandbox().s3Object(REPORTS, key).orElseThrow();
    Map<String, Object> iamAfterFirst = iamState(SANDBOX.sandbox());

    // the state machine did not get the answer and runs the same batch again
    Map<String, Object> retried = handler().handleRequest(event, context(900_000));

    assertThat(retried).containsEntry("part", first.get("part"));
    assertThat(SANDBOX.sandbox().s3Object(REPORTS, key).orElseThrow()).isEqualTo(stored);
    assertThat(iamState(SANDBOX.sandbox())).isEqualTo(iamAfterFirst);
  }

  @Test
  void aRotateBatchRefusesAnAccountFileChangedSinceTheListStepAndChangesNothing()
      throws IOException {
    Map<String, Object> listed = list();
    Sandbox sandbox = SANDBOX.sandbox();
    String key = "reports/parts/fan-1/batches/222222222222.json";
    // someone who can write the report bucket moves 222222222222 under another OU path
    String forged =
        new String(sandbox.s3Object(REPORTS, key).orElseThrow(), StandardCharsets.UTF_8)
            .replace("\"ouNames\":[", "\"ouNames\":[\"Elsewhere\",");
    try (S3Client s3 = securityS3(sandbox)) {
      s3.putObject(b -> b.bucket(REPORTS).key(key), RequestBody.fromString(forged));
    }
    sandbox.calls().clear();
    Map<String, Object> event = new HashMap<>(batches(listed).get(0));
    event.put("action", "rotate");

    assertThatThrownBy(() -> handler().handleRequest(event, context(900_000)))
        .hasMessageContaining("accountsSha256")
        .hasMessageContaining("nothing was changed");
    assertThat(sandbox.calls().mutating()).isEmpty();
  }

  @Test
  void aRotateBatchRefusesIdsThatAreNotTwelveDigits() {
    Map<String, Object> listed = list();
    SANDBOX.sandbox().calls().clear();
    Map<String, Object> event = new HashMap<>(batches(listed).get(0));
    event.put("action", "rotate");
    event.put("accounts", List.of("22222222222x", "333333333333"));

    assertThatThrownBy(() -> handler().handleRequest(event, context(900_000)))
        .hasMessageContaining("'22222222222x' is not 12 digits");
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void aRotateBatchStillLeavesOutTheCentralAccountEvenWhenItsFileListsIt() throws IOException {
    Sandbox sandbox = SANDBOX.sandbox();
    list();
    // a batch file and payload both naming the central account (left out by the policy): it is
    // judged again by the selection rules and skipped, never worked
    String key = "reports/parts/fan-1/batches/111111111111.json";
    byte[] content =
        "{\"runId\":\"fan-1\",\"accounts\":[{\"id\":\"111111111111\",\"name\":\"central\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    try (S3Client s3 = securityS3(sandbox)) {
      s3.putObject(b -> b.bucket(REPORTS).key(key), RequestBody.fromBytes(content));
    }
    sandbox.calls().clear();
    Map<String, Object> event = new HashMap<>();
    event.put("action", "rotate");
    event.put("runId", "fan-1");
    event.put("accounts", List.of("111111111111"));
    event.put("accountsSha256", sha256(content));
    Map<String, Object> part = handler().handleRequest(event, context(900_000));

    assertThat(part).containsEntry("accounts", 1);
    JsonNode stored =
        json(sandbox.s3Object(REPORTS, "reports/parts/fan-1/111111111111.json").orElseThrow());
    assertThat(stored.get("report").get("accounts").get(0).get("status").asText())
        .isEqualTo("SKIPPED");
    assertThat(sandbox.calls().mutating())
        .allMatch(c -> c.service().equals("s3") && c.operation().equals("PutObject"));
  }

  static JsonNode json(byte[] content) {
    try {
      return new ObjectMapper().readTree(content);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An S3 client of the security account's administrator after the report bucket's policy (which
   * lets only the rotator write, and never over a file) was replaced by one letting anyone do
   * anything: the adversary the rotate step's checks are for.
   */
  static S3Client securityS3(Sandbox sb) {
    sb.putBucketPolicy(
        REPORTS,
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
            + "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::"
            + REPORTS
            + "\",\"arn:aws:s3:::"
            + REPORTS
            + "/*\"]}]}");
    SandboxCredentials c = sb.credentialsFor("222222222222");
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(sb.endpoint())
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
        .build();
  }

  @Test
  void rotatingEveryBatchThenMergingEndsLikeOneWholeRun() throws IOException {
    Sandbox sandbox = SANDBOX.sandbox();
    Map<String, Object> single = handler().handleRequest(Map.of(), context(900_000));
    Map<String, Object> singleState = iamState(sandbox);
    JsonNode singleReport = report(sandbox, (String) single.get("runId"));
    sandbox.reset();
    LambdaTestEnvironment.deploy(SANDBOX, DeployedTemplates.Settings.demo());

    Map<String, Object> listed = list();
    for (Map<String, Object> batch : batches(listed)) {
      Map<String, Object> event = new HashMap<>(batch);
      event.put("action", "rotate");
      Map<String, Object> part = handler().handleRequest(event, context(900_000));
      assertThat(part).containsKey("part");
    }
    assertThat(sandbox.s3Keys(REPORTS))
        .filteredOn(k -> k.startsWith("reports/parts/fan-1/"))
        .containsExactlyInAnyOrder(
            "reports/parts/fan-1/222222222222.json",
            "reports/parts/fan-1/444444444444.json",
            "reports/parts/fan-1/batches/222222222222.json",
            "reports/parts/fan-1/batches/444444444444.json");
    assertThat(sandbox.snsMessages())
        .noneSatisfy(m -> assertThat(m.topicArn()).endsWith(":key-rotation-summary"));

    Map<String, Object> merge = new HashMap<>(listed);
    merge.put("action", "merge");
    Map<String, Object> merged = handler().handleRequest(merge, context(900_000));

    assertThat(iamState(sandbox)).isEqualTo(singleState);
    assertThat(merged).containsEntry("parts", 2).doesNotContainKey("mergeProblems");
    for (String k :
        List.of(
            "status",
            "accounts",
            "failedAccounts",
            "failedUsers",
            "created",
            "deactivated",
            "deleted",
            "warned",
            "notReached")) {
      assertThat(merged.get(k)).as(k).isEqualTo(single.get(k));
    }
    JsonNode report = report(sandbox, "fan-1");
    List<String> ids = new ArrayList<>();
    report.get("accounts").forEach(a -> ids.add(a.get("accountId").asText()));
    assertThat(ids)
        .containsExactly(
            "111111111111", "222222222222", "333333333333", "444444444444", "555555555555");
    Map<String, String> statuses = new TreeMap<>();
    Map<String, String> singleStatuses = new TreeMap<>();
    report
        .get("accounts")
        .forEach(a -> statuses.put(a.get("accountId").asText(), a.get("status").asText()));
    singleReport
        .get("accounts")
        .forEach(a -> singleStatuses.put(a.get("accountId").asText(), a.get("status").asText()));
    assertThat(statuses).isEqualTo(singleStatuses);
    assertThat(report.get("awsCalls").size()).isPositive();
    assertThat(sandbox.s3Keys(REPORTS))
        .filteredOn(k -> k.contains("/fan-1/"))
        .filteredOn(k -> !k.contains("/parts/"))
        .hasSize(3);
    assertThat(sandbox.snsMessages())
        .filteredOn(m -> m.topicArn().endsWith(":key-rotation-summary"))
        .singleElement()
        .satisfies(m -> assertThat(m.attributes()).containsEntry("run_id", "fan-1"));
    assertThat(logged)
        .anySatisfy(l -> assertThat(l).contains("\"_aws\"").contains("\"RunId\":\"fan-1\""));
  }

  @Test
  void aMergeWithoutPartsFailsWithAClearError() {
    assertThatThrownBy(
            () ->
                handler()
                    .handleRequest(
                        Map.of("action", "merge", "runId", "never-ran"), context(900_000)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "no report parts under s3://" + REPORTS + "/reports/parts/never-ran/");
    assertThat(SANDBOX.sandbox().snsMessages()).isEmpty();
  }

  @Test
  void aMergeMissingABatchPartReportsThoseAccountsAsNotReached() throws IOException {
    Map<String, Object> listed = list();
    Map<String, Object> first = new HashMap<>(batches(listed).get(0));
    first.put("action", "rotate");
    handler().handleRequest(first, context(900_000));

    Map<String, Object> merge = new HashMap<>(listed);
    merge.put("action", "merge");
    Map<String, Object> merged = handler().handleRequest(merge, context(900_000));

    assertThat(merged)
        .containsEntry("status", "partial")
        .containsEntry("notReached", true)
        .containsEntry("missingParts", List.of("444444444444.json"));
    assertThat((List<?>) merged.get("mergeProblems"))
        .singleElement()
        .asString()
        .contains("444444444444.json")
        .contains("batch of 2 accounts");
    Map<String, String> statuses = new TreeMap<>();
    report(SANDBOX.sandbox(), "fan-1")
        .get("accounts")
        .forEach(a -> statuses.put(a.get("accountId").asText(), a.get("status").asText()));
    assertThat(statuses)
        .containsEntry("111111111111", "SKIPPED")
        .containsEntry("444444444444", "NOT_REACHED")
        .containsEntry("555555555555", "NOT_REACHED")
        .containsEntry("333333333333", "DONE");
  }

  /** The report.json of a run, from the security bucket. */
  static JsonNode report(Sandbox sandbox, String runId) throws IOException {
    String key =
        sandbox.s3Keys(REPORTS).stream()
            .filter(k -> k.endsWith("/" + runId + "/report.json"))
            .findFirst()
            .orElseThrow();
    return new ObjectMapper().readTree(sandbox.s3Object(REPORTS, key).orElseThrow()).get("report");
  }

  /** Every user's keys (status, creation) and tag names, and every secret, per account. */
  static Map<String, Object> iamState(Sandbox sandbox) {
    Map<String, Object> out = new TreeMap<>();
    for (String account : sandbox.accountIds()) {
      for (String user : sandbox.users(account)) {
        List<String> keys = new ArrayList<>();
        for (AccessKeyInfo k : sandbox.iamKeys(account, user)) {
          keys.add(k.status() + "@" + k.createDate().toString().substring(0, 10));
        }
        keys.sort(null);
        out.put(
            account + "/" + user,
            keys + " tags " + new TreeMap<>(sandbox.userTags(account, user)).keySet());
      }
      out.put(account + " secrets", sandbox.secretNames(account, "us-east-1"));
    }
    return out;
  }

  Context context(int remainingMillis) {
    return new FakeLambdaContext(remainingMillis, logged);
  }
}
