package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.wiring.Injectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Findings in Security Hub (the sandbox's, in the central account): created on the first run,
 * updated by the next, resolved once the rotation fixed their cause; a failed account's finding;
 * nothing from a dry run unless it is asked to deliver; never a secret.
 */
class SecurityHubFindingsEndToEndTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();
  static final ObjectMapper JSON = new ObjectMapper();

  static PolicyFile policy() {
    return RotatorHarness.policy("securityHub:\n  region: us-east-1\n");
  }

  RotationService.RunResult run(Optional<Mode> mode) {
    SandboxCredentials c = SANDBOX.credentialsFor(RotatorHarness.CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Injector injector =
        Injectors.forRun(
            policy(),
            SANDBOX.sandbox().clock(),
            Progress.silent(),
            Optional.of(SANDBOX.endpoint()),
            Optional.of("us-east-1"),
            aws);
    try {
      return injector
          .getInstance(RotationService.class)
          .run(new RunRequest("hub-" + System.nanoTime(), mode, Set.of(), false, Deadline.none()));
    } finally {
      Injectors.close(injector);
    }
  }

  /** Finding id -> the finding as Security Hub keeps it. */
  static Map<String, JsonNode> findings() throws Exception {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (String f : SANDBOX.sandbox().securityHubFindings(RotatorHarness.CENTRAL, "us-east-1")) {
      JsonNode n = JSON.readTree(f);
      out.put(n.get("Id").asText(), n);
    }
    return out;
  }

  static List<String> ids(Map<String, JsonNode> f, String state, String workflow) {
    List<String> out = new ArrayList<>();
    f.forEach(
        (id, n) -> {
          if (n.get("RecordState").asText().equals(state)
              && n.path("Workflow").path("Status").asText().equals(workflow)) {
            out.add(id);
          }
        });
    return out;
  }

  @Test
  void findingsAreCreatedUpdatedAndResolvedAsTheRotationFixesTheirCause() throws Exception {
    // a dry run raises nothing
    run(Optional.of(Mode.DRY_RUN));
    assertThat(findings()).isEmpty();

    RotationService.RunResult first = run(Optional.empty());
    Map<String, JsonNode> afterFirst = findings();
    assertThat(first.problems()).isEmpty();
    assertThat(afterFirst).containsKey("key-rotator/account-failed/555555555555");
    assertThat(
            afterFirst
                .get("key-rotator/account-failed/555555555555")
                .get("Severity")
                .get("Label")
                .asText())
        .isEqualTo("HIGH");
    List<String> openFirst = ids(afterFirst, "ACTIVE", "NEW");
    // etl-loader's old key is still in use beside the new one: past the overlap window
    String twoKeys =
        openFirst.stream()
            .filter(id -> id.startsWith("key-rotator/two-active-keys/333333333333/etl-loader/"))
            .findFirst()
            .orElseThrow();

    SANDBOX.sandbox().clock().advanceDays(11);
    run(Optional.empty());
    Map<String, JsonNode> afterSecond = findings();

    // the same ids were updated, not duplicated
    assertThat(afterSecond.keySet()).containsAll(afterFirst.keySet());
    assertThat(
            afterSecond.get("key-rotator/account-failed/555555555555").get("RecordState").asText())
        .isEqualTo("ACTIVE");
    // keys deactivated or deleted by the second run: their findings are resolved
    List<String> resolved = ids(afterSecond, "ARCHIVED", "RESOLVED");
    assertThat(resolved).contains(twoKeys).allMatch(openFirst::contains);
    // nothing secret in any finding
    String all = afterSecond.values().toString();
    for (String account : SANDBOX.sandbox().accountIds()) {
      for (String user : SANDBOX.sandbox().users(account)) {
        SANDBOX
            .sandbox()
            .iamKeys(account, user)
            .forEach(k -> assertThat(all).doesNotContain(k.secretAccessKey()));
      }
    }
  }

  @Test
  void anActiveRootAccessKeyIsACriticalFindingAndALineOfTheSummary() throws Exception {
    dev.keyrotator.sandbox.Fixture f =
        dev.keyrotator.sandbox.Fixture.create("o-rootkey0001", RotatorHarness.CENTRAL);
    f.account(RotatorHarness.CENTRAL, "central")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .topic("key-rotation-events");
    f.account("333333333333", "legacy")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .rootAccessKey()
        .user("app")
        .key(30, 1);
    try (dev.keyrotator.sandbox.Sandbox sb = dev.keyrotator.sandbox.Sandbox.start(f)) {
      SandboxCredentials c = sb.credentialsFor(RotatorHarness.CENTRAL);
      Injector injector =
          Injectors.forRun(
              policy(),
              sb.clock(),
              Progress.silent(),
              Optional.of(sb.endpoint()),
              Optional.of("us-east-1"),
              AwsModule.withCredentials(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))));
      RotationService.RunResult r;
      try {
        r =
            injector
                .getInstance(RotationService.class)
                .run(new RunRequest("root-1", Optional.empty(), Set.of(), false, Deadline.none()));
      } finally {
        Injectors.close(injector);
      }

      assertThat(r.summary().compliance().accountsWithRootAccessKeys())
          .containsExactly("333333333333");
      assertThat(dev.keyrotator.report.SummaryText.render(r.report()))
          .contains("CRITICAL: the root user has an active access key in 333333333333")
          .contains("the rotator never touches the root user");
      JsonNode root = null;
      for (String s : sb.securityHubFindings(RotatorHarness.CENTRAL, "us-east-1")) {
        JsonNode n = JSON.readTree(s);
        if (n.get("Id").asText().equals("key-rotator/root-access-key/333333333333")) {
          root = n;
        }
      }
      assertThat(root).isNotNull();
      assertThat(root.get("Severity").get("Label").asText()).isEqualTo("CRITICAL");
      // the rotator read the root row and never touched the root user: no call names it
      assertThat(sb.calls().mutating()).noneMatch(call -> call.toString().contains(":root"));
    }
  }
}
