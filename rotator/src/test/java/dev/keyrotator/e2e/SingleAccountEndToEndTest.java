package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.Main;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.sandbox.SnsMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed article's own case: one account in no organization. The CLI, with that account's own
 * credentials, plans (exit 0) and runs the whole lifecycle there (a new key at 165 days, the old
 * one deactivated at 180 once unused for 10 days, deleted at 185): no role is assumed, secrets go
 * to the account's Secrets Manager, messages to its topic, the report to its bucket.
 */
class SingleAccountEndToEndTest {
  static final String ACCOUNT = "123456789012";
  static final String BUCKET = "key-rotator-reports-123456789012";
  static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:key-rotation-events";
  static final String[] PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.sessionToken"
  };

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.withFixture(
          Fixture.fromYaml(
              """
              accounts:
                - id: "123456789012"
                  name: solo
                  topics: [key-rotation-events]
                  buckets: [key-rotator-reports-123456789012]
                  users:
                    - name: app-orders        # 165 days, used 5 days ago: a new key today
                      tags: { owner: orders-team@example.com }
                      keys: [{ ageDays: 165, lastUsedDaysAgo: 5, lastUsedService: dynamodb }]
                    - name: app-payments      # young: nothing to do
                      keys: [{ ageDays: 30, lastUsedDaysAgo: 1 }]
              """,
              "single-account.yaml"));

  @TempDir Path tmp;
  private final Map<String, String> saved = new HashMap<>();
  private final List<String> captured = new ArrayList<>();

  @BeforeEach
  void theAccountsOwnCredentials() {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    SandboxCredentials c = SANDBOX.credentialsFor(ACCOUNT);
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
    System.setProperty("aws.region", "us-east-1");
    System.clearProperty("aws.sessionToken");
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
  }

  /** The seed's settings as a policy file (README "Coming from the seed's Lambda"). */
  private Path policy(String mode) throws Exception {
    Path p = tmp.resolve("rotation-" + mode + ".yaml");
    Files.writeString(
        p,
        """
        version: 1
        organization:
          mode: %s
          memberRoleName: OrgKeyRotatorMemberRole  # not used without an organization
        notifications:
          topicArn: arn:aws:sns:us-east-1:123456789012:key-rotation-events
        reporting:
          securityAccountId: "123456789012"
          bucket: key-rotator-reports-123456789012
          prefix: reports/
        defaults:
          mode: enforce
          createAfterDays: 165      # env1_create_key
          deactivateAfterDays: 180  # env2_disable_key
          unusedForDays: 10         # last_used_threshold
          deleteAfterDays: 185      # env3_delete_key
        """
            .formatted(mode));
    return p;
  }

  private record Run(int exit, String out, String err, RunReport report) {}

  private Run cli(String command, String mode, String dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path reportDir = tmp.resolve(dir);
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
            .run(
                command,
                "--policy",
                policy(mode).toString(),
                "--endpoint",
                SANDBOX.endpoint().toString(),
                "--report-dir",
                reportDir.toString(),
                "--now",
                SANDBOX.sandbox().clock().now().toString());
    captured.add(out.toString());
    captured.add(err.toString());
    assertThat(reportDir.resolve("report.json")).as("exit %d: %s", exit, err).exists();
    RunReport report = JsonReport.read(reportDir.resolve("report.json"));
    return new Run(exit, out.toString(), err.toString(), report);
  }

  private List<AccessKeyInfo> keys(String user) {
    return SANDBOX.sandbox().iamKeys(ACCOUNT, user).stream()
        .sorted(Comparator.comparing(AccessKeyInfo::createDate))
        .toList();
  }

  private String storedKeyId(String user) {
    SecretInfo s =
        SANDBOX
            .sandbox()
            .secret(ACCOUNT, "us-east-1", "key-rotator/" + ACCOUNT + "/" + user)
            .orElseThrow();
    return RotatorHarness.keyIdOf(s.currentValue());
  }

  private String deliveredReport(RunReport r) {
    return new String(
        SANDBOX
            .sandbox()
            .s3Object(BUCKET, ReportDelivery.folder("reports/", r) + "report.json")
            .orElseThrow(),
        StandardCharsets.UTF_8);
  }

  @Test
  void planExitsZeroInAnAccountWithNoOrganization() throws Exception {
    Run plan = cli("plan", "auto", "plan");
    assertThat(plan.exit).as(plan.err).isZero();
    assertThat(plan.report.accounts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.accountId()).isEqualTo(ACCOUNT);
              assertThat(a.status()).isEqualTo(AccountStatus.DRY_RUN);
            });
    assertThat(plan.out).contains(ACCOUNT).contains("app-orders");
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
    assertThat(keys("app-orders")).hasSize(1);
  }

  @Test
  void theWholeLifecycleRunsInTheAccountItself() throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    String oldKey = keys("app-orders").get(0).accessKeyId();

    // day 0: 165 days old -> a new key, its secret stored, the owner told where it is
    Run first = cli("run", "auto", "day0");
    assertThat(first.exit).as(first.err).isZero();
    assertThat(keys("app-orders"))
        .extracting(AccessKeyInfo::status)
        .containsExactly("Active", "Active");
    String newKey = keys("app-orders").get(1).accessKeyId();
    assertThat(storedKeyId("app-orders")).isEqualTo(newKey);
    assertThat(keys("app-payments")).hasSize(1);
    assertThat(sb.snsMessages())
        .filteredOn(m -> m.topicArn().equals(TOPIC))
        .anySatisfy(
            m ->
                assertThat(m.attributes())
                    .containsEntry("event", "key-created")
                    .containsEntry("account_id", ACCOUNT)
                    .containsEntry("user_name", "app-orders"));
    assertThat(first.report.accounts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.accountId()).isEqualTo(ACCOUNT);
              assertThat(a.status()).isEqualTo(AccountStatus.DONE);
            });
    assertThat(deliveredReport(first.report)).contains(newKey).contains("\"" + ACCOUNT + "\"");
    // no role was assumed and Organizations was asked once, answering that there is none
    assertThat(sb.calls().all()).noneMatch(c -> c.operation().equals("AssumeRole"));
    assertThat(sb.calls().all())
        .filteredOn(c -> c.service().equals("organizations"))
        .extracting(CallRecord::errorCode)
        .containsOnly("AWSOrganizationsNotInUseException");

    // day 15: the old key is 180 days old and unused for 20 days -> deactivated
    sb.clock().advanceDays(15);
    Run second = cli("run", "auto", "day15");
    assertThat(second.exit).as(second.err).isZero();
    assertThat(keys("app-orders"))
        .as(second.out)
        .extracting(AccessKeyInfo::accessKeyId, AccessKeyInfo::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(oldKey, "Inactive"),
            org.assertj.core.groups.Tuple.tuple(newKey, "Active"));
    assertThat(sb.snsMessages())
        .anySatisfy(m -> assertThat(m.attributes()).containsEntry("event", "key-deactivated"));

    // day 20: 185 days old and inactive -> deleted; the user is left with the stored key
    sb.clock().advanceDays(5);
    Run third = cli("run", "auto", "day20");
    assertThat(third.exit).as(third.err).isZero();
    assertThat(keys("app-orders")).extracting(AccessKeyInfo::accessKeyId).containsExactly(newKey);
    assertThat(storedKeyId("app-orders")).isEqualTo(newKey);
    assertThat(sb.snsMessages())
        .anySatisfy(m -> assertThat(m.attributes()).containsEntry("event", "key-deleted"));
    assertThat(deliveredReport(third.report)).contains(oldKey);

    // no secret in any output, message or report
    StringBuilder all = new StringBuilder();
    captured.forEach(all::append);
    for (SnsMessage m : sb.snsMessages()) {
      all.append(m.subject()).append(m.message()).append(m.attributes());
    }
    all.append(deliveredReport(first.report)).append(deliveredReport(third.report));
    String secret =
        RotatorHarness.secretOf(
            sb.secret(ACCOUNT, "us-east-1", "key-rotator/" + ACCOUNT + "/app-orders")
                .orElseThrow()
                .currentValue());
    assertThat(all.toString()).doesNotContain(secret);
  }

  @Test
  void aReportForAWrongBucketOwnerIsRefusedAsS3RefusesIt() throws Exception {
    Path p = policy("auto");
    Files.writeString(p, Files.readString(p).replace("\"123456789012\"", "\"999999999999\""));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
        .run(
            "run",
            "--policy",
            p.toString(),
            "--endpoint",
            SANDBOX.endpoint().toString(),
            "--now",
            SANDBOX.sandbox().clock().now().toString());
    assertThat(err.toString()).contains("report delivery").contains("AccessDenied");
    assertThat(SANDBOX.sandbox().s3Keys(BUCKET)).isEmpty();
  }

  @Test
  void singleAccountModeChosenInThePolicyNeverCallsOrganizations() throws Exception {
    Run plan = cli("plan", "single-account", "explicit");
    assertThat(plan.exit).as(plan.err).isZero();
    assertThat(plan.report.accounts()).extracting(a -> a.accountId()).containsExactly(ACCOUNT);
    assertThat(SANDBOX.sandbox().calls().all()).noneMatch(c -> c.service().equals("organizations"));
  }

  @Test
  void organizationModeChosenInThePolicyReportsThatThereIsNoOrganization() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
            .run(
                "plan",
                "--policy",
                policy("organization").toString(),
                "--endpoint",
                SANDBOX.endpoint().toString());
    assertThat(exit).as(err.toString()).isEqualTo(3);
    assertThat(err.toString()).contains("AWSOrganizationsNotInUseException");
  }
}
