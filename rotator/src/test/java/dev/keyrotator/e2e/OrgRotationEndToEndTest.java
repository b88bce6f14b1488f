package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.logging.CapturedLogs;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SecretInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The whole product over HTTP: real SDK clients against the sandbox's demo organization (several
 * OUs, a suspended account, an account without the member role, every lifecycle case), run as the
 * central execution role and the member roles of {@code stacksets/}, whose policies (read from the
 * template files) the sandbox enforces: every call the run makes must be allowed by them.
 */
class OrgRotationEndToEndTest {

  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  RotatorHarness rotator;
  final List<RunReport> reports = new ArrayList<>();

  @BeforeEach
  void harness() {
    rotator = new RotatorHarness(SANDBOX.sandbox()).enforced();
  }

  /** IAM's refusals a test expects: AssumeRole into 555555555555, which has no member role. */
  final List<String> expectedRefusals = new ArrayList<>(List.of("sts:AssumeRole"));

  @AfterEach
  void everyCallWasMadeAsADeployedRoleAndAllowed() {
    if (!SANDBOX.sandbox().calls().all().isEmpty()) {
      onlyDeployedRolesCalled(SANDBOX.sandbox(), expectedRefusals);
    }
  }

  static void onlyDeployedRolesCalled(
      dev.keyrotator.sandbox.Sandbox sandbox, List<String> expectedRefusals) {
    List<CallRecord> calls = sandbox.calls().all();
    // the rotator's calls: every one made as a deployed role (never an account's admin), checked
    assertThat(calls)
        .filteredOn(c -> c.principalArn() != null && c.principalArn().contains(":role/"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.enforced()).as(c.toString()).isTrue());
    assertThat(calls).noneMatch(c -> String.valueOf(c.principalArn()).endsWith("/sandbox-admin"));
    assertThat(calls)
        .filteredOn(CallRecord::accessDenied)
        .allSatisfy(
            c ->
                assertThat(expectedRefusals)
                    .as(c.toString())
                    .contains(c.actions().get(c.actions().size() - 1)));
  }

  RunReport run(String policyExtra) {
    RunReport r = rotator.run(RotatorHarness.policy(policyExtra));
    reports.add(r);
    return r;
  }

  /** user -> key statuses, oldest key first. */
  Map<String, List<String>> state(String account) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String user : SANDBOX.sandbox().users(account)) {
      out.put(
          user,
          SANDBOX.sandbox().iamKeys(account, user).stream()
              .sorted(Comparator.comparing(AccessKeyInfo::createDate))
              .map(AccessKeyInfo::status)
              .toList());
    }
    return out;
  }

  static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void runsThroughTheLifecycleAndEndsInTheExpectedStateInEveryAccount() {
    Map<String, List<String>> untouchedCentral = state("111111111111");
    Map<String, List<String>> untouchedNoRole = state("555555555555");

    run("");
    assertThat(state("333333333333"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "app-payments", List.of("Active"),
                "app-orders", List.of("Active", "Active"),
                "batch-reports", List.of("Inactive", "Active"),
                "etl-loader", List.of("Active", "Active"),
                "old-integration", List.of(),
                "break-glass", List.of("Active"),
                "readonly-auditor", List.of()));

    SANDBOX.sandbox().clock().advanceDays(11);
    run("");
    assertThat(state("333333333333"))
        .containsAllEntriesOf(
            Map.of(
                "app-orders", List.of("Active", "Active"), // old key still in use: reminded
                "batch-reports", List.of("Active"), // inactive old key deleted
                "etl-loader", List.of("Inactive", "Active"))); // unused 14 days: deactivated
    assertThat(state("444444444444")).containsEntry("dev-ci", List.of("Inactive", "Active"));

    SANDBOX.sandbox().clock().advanceDays(10);
    run("");
    assertThat(state("333333333333"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "app-payments", List.of("Active"),
                "app-orders", List.of("Inactive", "Active"),
                "batch-reports", List.of("Active"),
                "etl-loader", List.of("Active"),
                "old-integration", List.of(),
                "break-glass", List.of("Active"),
                "readonly-auditor", List.of()));
    assertThat(state("444444444444"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "dev-ci", List.of("Active"),
                "dev-tools", List.of("Active", "Active")));
    assertThat(state("111111111111")).isEqualTo(untouchedCentral);
    assertThat(state("555555555555")).isEqualTo(untouchedNoRole);

    // every active key the rotator created has its secret stored as the current version
    for (String[] au :
        new String[][] {
          {"333333333333", "app-orders"}, {"333333333333", "etl-loader"}, {"444444444444", "dev-ci"}
        }) {
      SecretInfo secret =
          SANDBOX
              .sandbox()
              .secret(au[0], "us-east-1", "key-rotator/" + au[0] + "/" + au[1])
              .orElseThrow();
      String newest =
          SANDBOX.sandbox().iamKeys(au[0], au[1]).stream()
              .max(Comparator.comparing(AccessKeyInfo::createDate))
              .orElseThrow()
              .accessKeyId();
      assertThat(RotatorHarness.keyIdOf(secret.currentValue())).isEqualTo(newest);
      assertThat(secret.resourcePolicy()).contains("/" + au[1] + "\"").contains("GetSecretValue");
    }
  }

  @Test
  void theStoredSecretWorksAsThatUser() {
    run("");
    SecretInfo secret =
        SANDBOX
            .sandbox()
            .secret("333333333333", "us-east-1", "key-rotator/333333333333/app-orders")
            .orElseThrow();
    String keyId = RotatorHarness.keyIdOf(secret.currentValue());

    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(URI.create(SANDBOX.endpoint().toString()))
            .region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        keyId, RotatorHarness.secretOf(secret.currentValue()))))
            .build()) {
      String arn = sts.getCallerIdentity().arn();
      assertThat(arn).isEqualTo("arn:aws:iam::333333333333:user/apps/app-orders");
    }
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "app-orders"))
        .filteredOn(k -> k.accessKeyId().equals(keyId))
        .singleElement()
        .satisfies(k -> assertThat(k.lastUsedDate()).isNotNull());
  }

  @Test
  void anOuOverrideAndAnAccountDryRunTakeEffectAndAnExcludedAccountIsNeverCalled() {
    RunReport r =
        run(
            """
        overrides:
          - ou: ou-demo-prod0001
            createAfterDays: 90
            deactivateAfterDays: 120
            deleteAfterDays: 125
          - account: "444444444444"
            mode: dry-run
        """);
    assertThat(state("333333333333").get("app-payments")).hasSize(2); // 100 days >= 90
    assertThat(account(r, "333333333333").policySources().get("createAfterDays"))
        .contains("ou ou-demo-prod0001");
    assertThat(account(r, "444444444444").status()).isEqualTo(AccountStatus.DRY_RUN);
    assertThat(SANDBOX.sandbox().calls().mutating())
        .noneMatch(c -> c.accountId().equals("444444444444"));
    assertThat(state("444444444444").get("dev-ci")).hasSize(1);

    // This policy file forgets the break-glass exemption: IAM still refuses to touch the user.
    expectedRefusals.add("iam:TagUser");
    List<AccessKeyInfo> breakGlass = SANDBOX.sandbox().iamKeys("333333333333", "break-glass");
    SANDBOX.sandbox().calls().clear();
    RunReport excluded =
        rotator.run(
            PolicyFileLoader.parse(
                "excluding.yaml",
                """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          excludeAccounts: ["222222222222"]
          excludeOus: [ou-demo-dev00001]
        """
                    .getBytes(StandardCharsets.UTF_8)));
    assertThat(SANDBOX.sandbox().calls().all())
        .extracting(CallRecord::accountId)
        .doesNotContain("222222222222", "444444444444");
    assertThat(account(excluded, "222222222222").status()).isEqualTo(AccountStatus.SKIPPED);
    assertThat(account(excluded, "444444444444").reason()).contains("excludeOus");
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "break-glass")).isEqualTo(breakGlass);
    assertThat(SANDBOX.sandbox().calls().all())
        .filteredOn(CallRecord::accessDenied)
        .extracting(CallRecord::operation)
        .containsOnly("AssumeRole", "TagUser");
    assertThat(account(excluded, "333333333333").users())
        .filteredOn(u -> u.userName().equals("break-glass"))
        .singleElement()
        .satisfies(u -> assertThat(u.failed()).isTrue());
  }

  @Test
  void aMissingRoleAndFailingIamAreReportedWhileTheOthersAreProcessed() {
    SANDBOX.sandbox().faults().add(FaultRule.on("iam", "*").account("444444444444").errorRate(1.0));

    RunReport r = run("");

    assertThat(account(r, "555555555555").status()).isEqualTo(AccountStatus.FAILED);
    assertThat(account(r, "555555555555").reason()).contains("AccessDenied");
    assertThat(account(r, "444444444444").status()).isEqualTo(AccountStatus.FAILED);
    assertThat(account(r, "444444444444").reason()).contains("iam");
    assertThat(account(r, "333333333333").status()).isEqualTo(AccountStatus.DONE);
    assertThat(state("333333333333").get("app-orders")).hasSize(2);
  }

  @Test
  void aSecondRunAtTheSameInstantMakesNoMutatingCall() {
    run("");
    SANDBOX.sandbox().calls().clear();

    run("");

    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void planCallsNoMutatingApiAndSendsNothing() {
    RunReport r = rotator.run(RotatorHarness.policy(""), true, Set.of());
    reports.add(r);

    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
    assertThat(SANDBOX.sandbox().snsMessages()).isEmpty();
    assertThat(r.count(Action.CREATE_KEY, dev.keyrotator.report.Outcome.PLANNED)).isEqualTo(3);
  }

  @Test
  void noSecretAppearsInLogsMessagesReportsOrExceptions() {
    SANDBOX
        .sandbox()
        .faults()
        .add(FaultRule.on("secretsmanager", "CreateSecret").account("444444444444").errorRate(1.0));
    List<String> logLines;
    // Every log event of the JVM at DEBUG, the AWS SDK's included: what a verbose log would hold.
    try (CapturedLogs logs = CapturedLogs.at(Level.DEBUG)) {
      run("");
      SANDBOX.sandbox().clock().advanceDays(11);
      run("");
      logLines = logs.lines();
    }
    assertThat(logLines)
        .anyMatch(l -> l.contains("account 333333333333"))
        .anyMatch(l -> l.contains("software.amazon.awssdk"));

    String captured = rotator.everythingCaptured(reports) + String.join("\n", logLines);
    List<String> secrets = rotator.allSecrets();
    assertThat(secrets).hasSizeGreaterThan(10);
    assertThat(captured).contains("key-created");
    for (String s : secrets) {
      assertThat(captured).doesNotContain(s);
    }
  }

  @Test
  void usersBeyondOnePageAreAllProcessed() {
    Fixture big = Fixture.create("o-big0000001", "111111111111");
    big.account("111111111111", "central")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .topic("key-rotation-events");
    Fixture.Account a =
        big.account("777777777777", "many-users")
            .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo");
    for (int i = 0; i < 250; i++) {
      a.user(String.format("user-%03d", i)).key(i % 50 == 0 ? 170 : 30, 1);
    }
    try (var sb = dev.keyrotator.sandbox.Sandbox.start(big)) {
      RotatorHarness h = new RotatorHarness(sb).enforced();
      h.scan =
          dev.keyrotator.report.ScanMode
              .PER_USER; // ListUsers pages (the report scan has its own test)
      RunReport r = h.run(RotatorHarness.policy(""));

      assertThat(account(r, "777777777777").usersScanned()).isEqualTo(250);
      assertThat(r.count(Action.CREATE_KEY, dev.keyrotator.report.Outcome.DONE)).isEqualTo(5);
      assertThat(sb.calls().count("iam", "ListUsers")).isGreaterThanOrEqualTo(3);
      onlyDeployedRolesCalled(sb, List.of());
    }
  }
}
