package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.logging.CapturedLogs;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Lambda handler, invoked with a real EventBridge scheduled event, runs the same job. */
class LambdaHandlerEndToEndTest {

  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  final List<String> logged = new CopyOnWriteArrayList<>();

  /** The function's log: its JSON log lines' messages and what it writes itself (EMF). */
  CapturedLogs logs;

  Map<String, String> env;

  @BeforeEach
  void credentials(@TempDir Path dir) throws IOException {
    // The handler takes credentials from the SDK's default chain, as in Lambda.
    env = LambdaTestEnvironment.setUp(SANDBOX, dir, Map.of());
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

  Map<String, Object> event(String resource) throws IOException {
    return new ObjectMapper()
        .readValue(
            getClass().getResourceAsStream(resource), new TypeReference<Map<String, Object>>() {});
  }

  @Test
  void aScheduledEventRotatesTheOrganization() throws IOException {
    Map<String, Object> result =
        new RotationHandler(env, SANDBOX.sandbox().clock())
            .handleRequest(event("/lambda/scheduled-event.json"), context(900_000));

    assertThat(result)
        .containsEntry("created", 3L)
        .containsEntry("failedAccounts", 1L)
        .containsEntry("status", "partial");
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "app-orders")).hasSize(2);
    assertThat(SANDBOX.sandbox().snsMessages())
        .anySatisfy(m -> assertThat(m.attributes()).containsEntry("event", "key-created"));
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("account 555555555555: FAILED"));
    assertThat(logged)
        .anySatisfy(l -> assertThat(l).contains("\"_aws\"").contains("CloudWatchMetrics"));
    assertThat(SANDBOX.sandbox().s3Keys("org-key-rotator-reports-222222222222"))
        .anyMatch(k -> k.endsWith("report.json"))
        .anyMatch(k -> k.endsWith("report.html"));
  }

  @Test
  void aManualInvocationCanForceDryRunOnASubsetOfAccounts() {
    Map<String, Object> result =
        new RotationHandler(env, SANDBOX.sandbox().clock())
            .handleRequest(
                Map.of("mode", "dry-run", "accounts", List.of("333333333333")), context(900_000));

    assertThat(result).containsEntry("created", 0L).containsEntry("failedAccounts", 0L);
    assertNothingChangedButTheReport();
  }

  @Test
  void whenLittleTimeRemainsNoWorkIsStartedAndTheRestIsReported() {
    Map<String, Object> result =
        new RotationHandler(env, SANDBOX.sandbox().clock())
            .handleRequest(Map.of(), context(30_000));

    assertThat(result).containsEntry("notReached", true).containsEntry("created", 0L);
    assertNothingChangedButTheReport();
  }

  /** The run report still goes to the security account; nothing else changes, nobody is told. */
  void assertNothingChangedButTheReport() {
    assertThat(SANDBOX.sandbox().calls().mutating())
        .allSatisfy(
            c -> assertThat(c.service() + ":" + c.operation()).isIn("s3:PutObject", "sns:Publish"));
    assertThat(SANDBOX.sandbox().snsMessages())
        .allSatisfy(m -> assertThat(m.topicArn()).endsWith(":key-rotation-summary"));
  }

  Context context(int remainingMillis) {
    return new FakeLambdaContext(remainingMillis, logged);
  }
}
