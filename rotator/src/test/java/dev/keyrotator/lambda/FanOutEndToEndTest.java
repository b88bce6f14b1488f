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
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
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
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
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
            "reports/parts/fan-1/222222222222.json", "reports/parts/fan-1/444444444444.json");
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
