package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.Main;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.sandbox.AccessKeyInfo;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * {@code run} over the demo organization in the sandbox, driven through the CLI in-process: the
 * report lands in the security account's bucket and one summary on its topic, the failing, dry-run
 * and exempt cases carry their status and reason, and no secret the sandbox issued appears in any
 * format or message.
 */
class ReportSandboxTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String CENTRAL = "111111111111";
  static final String SECURITY = "222222222222";
  static final String BUCKET = "org-key-rotator-reports-222222222222";
  static final String SUMMARY_TOPIC = "arn:aws:sns:us-east-1:222222222222:key-rotation-summary";
  static final String PREFIX = "reports/";
  static final String[] PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.sessionToken"
  };

  @TempDir Path tmp;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void centralCredentials() {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    SandboxCredentials c = SANDBOX.credentialsFor(CENTRAL);
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

  private Path policy() throws Exception {
    Path p = tmp.resolve("rotation.yaml");
    Files.writeString(
        p,
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "111111111111"
          includeCentralAccount: false
          maxConcurrentAccounts: 4
        secrets:
          storeIn: member
          namePrefix: key-rotator/
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        reporting:
          securityAccountId: "222222222222"
          bucket: org-key-rotator-reports-222222222222
          prefix: reports/
          topicArn: arn:aws:sns:us-east-1:222222222222:key-rotation-summary
        defaults:
          mode: enforce
          createAfterDays: 165
          deactivateAfterDays: 180
          unusedForDays: 10
          deleteAfterDays: 185
          exemptions:
            - userTag: {key: KeyRotation, value: exempt}
              owner: security-team@example.com
              reason: break-glass keys rotated by hand
              expires: 2099-12-31
        overrides:
          - account: "444444444444"
            mode: dry-run
        """);
    return p;
  }

  private record Run(int exit, String out, String err, Path dir) {}

  private Run run() throws Exception {
    return run(tmp.resolve("out"));
  }

  private Run run(Path dir, String... more) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                "--policy",
                policy().toString(),
                "--endpoint",
                SANDBOX.endpoint().toString(),
                "--report-dir",
                dir.toString()));
    args.addAll(List.of(more));
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
            .run(args.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString(), dir);
  }

  @Test
  void aSecondRunDeliveredToTheBucketShowsTheTrendAgainstTheFirst() throws Exception {
    Run first = run(tmp.resolve("first"));
    Run second = run(tmp.resolve("second"));
    Sandbox sb = SANDBOX.sandbox();
    RunReport r1 = JsonReport.read(first.dir.resolve("report.json"));
    RunReport r2 = JsonReport.read(second.dir.resolve("report.json"));
    String folder1 = ReportDelivery.folder(PREFIX, r1);
    String folder2 = ReportDelivery.folder(PREFIX, r2);

    String html1 =
        new String(
            sb.s3Object(BUCKET, folder1 + "report.html").orElseThrow(), StandardCharsets.UTF_8);
    assertThat(html1)
        .contains("<section id=\"trend\">")
        .contains(
            "No earlier report was found in <code class=\"path\">"
                + first.dir.resolve("report.json")
                + " or s3://"
                + BUCKET
                + "/"
                + PREFIX
                + " (");
    // the second run's report.html, as delivered: against the first run, read from the bucket
    // (its own --report-dir was empty)
    String html2 =
        new String(
            sb.s3Object(BUCKET, folder2 + "report.html").orElseThrow(), StandardCharsets.UTF_8);
    long done1 = sum(ReportSummary.of(r1).totals().actionsDone());
    long done2 = sum(ReportSummary.of(r2).totals().actionsDone());
    assertThat(done1).as("the first run rotated keys").isPositive();
    assertThat(html2)
        .contains("Against run <code>" + r1.runId() + "</code>")
        .contains(
            "read from <code class=\"path\">s3://" + BUCKET + "/" + folder1 + "report.json</code>")
        .contains(
            "<tr><td>Changes made</td><td class=\"num\">"
                + done1
                + "</td><td class=\"num\">"
                + done2
                + "</td>")
        .contains("<tr><td>Accounts failed</td><td class=\"num\">1</td><td class=\"num\">1</td>");
    assertThat(Files.readString(second.dir.resolve("report.html"))).isEqualTo(html2);
    // JSON and CSV describe the run alone
    assertThat(Files.readString(second.dir.resolve("report.json"))).doesNotContain(r1.runId());

    // a dry run delivers nothing: its trend comes from the report directory it overwrites
    Run dry = run(second.dir, "--mode", "dry-run");
    assertThat(dry.exit).as(dry.err).isIn(0, 1);
    assertThat(Files.readString(second.dir.resolve("report.html")))
        .contains("Against run <code>" + r2.runId() + "</code>")
        .contains(
            "read from <code class=\"path\">" + second.dir.resolve("report.json") + "</code>");
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void theReportLandsInTheSecurityBucketAndOneSummaryLinksToIt() throws Exception {
    Run r = run();
    Sandbox sb = SANDBOX.sandbox();

    // 555555555555 has no member role: the run is a partial failure, the report still goes out
    assertThat(r.exit).as(r.err).isEqualTo(1);
    RunReport report = JsonReport.read(r.dir.resolve("report.json"));
    String folder = ReportDelivery.folder(PREFIX, report);
    assertThat(folder).startsWith(PREFIX);
    List<String> keys = sb.s3Keys(BUCKET);
    assertThat(keys)
        .containsExactlyInAnyOrder(
            folder + "report.json", folder + "report.csv", folder + "report.html");
    for (String name : List.of("report.json", "report.csv", "report.html")) {
      assertThat(sb.s3Object(BUCKET, folder + name))
          .as(name)
          .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(read(r.dir.resolve(name))));
    }
    try (S3Client s3 = securityS3(sb)) {
      HeadObjectResponse head = s3.headObject(h -> h.bucket(BUCKET).key(folder + "report.html"));
      assertThat(head.contentType()).startsWith("text/html");
      assertThat(s3.headObject(h -> h.bucket(BUCKET).key(folder + "report.csv")).contentType())
          .startsWith("text/csv");
    }

    List<SnsMessage> summaries =
        sb.snsMessages().stream().filter(m -> m.topicArn().equals(SUMMARY_TOPIC)).toList();
    assertThat(summaries).hasSize(1);
    SnsMessage summary = summaries.get(0);
    assertThat(summary.accountId()).isEqualTo(CENTRAL);
    for (String k : keys) {
      assertThat(summary.message()).contains("s3://" + BUCKET + "/" + k);
    }
    assertThat(summary.message()).contains("console.aws.amazon.com/s3/object/" + BUCKET);
    assertThat(summary.message()).contains("555555555555");
    assertThat(summary.subject()).contains(report.runId());
    assertThat(r.err).contains("report delivered: s3://" + BUCKET + "/" + folder);
  }

  @Test
  void failingDryRunAndExemptCasesCarryTheirStatusAndReason() throws Exception {
    Run r = run();
    RunReport report = JsonReport.read(r.dir.resolve("report.json"));

    AccountReport failing = account(report, "555555555555");
    assertThat(failing.status()).isEqualTo(AccountStatus.FAILED);
    assertThat(failing.reason()).contains("AccessDenied");
    AccountReport dryRun = account(report, "444444444444");
    assertThat(dryRun.status()).isEqualTo(AccountStatus.DRY_RUN);
    assertThat(dryRun.mode()).contains(Mode.DRY_RUN);
    assertThat(dryRun.policySources().get("mode")).contains("444444444444");
    assertThat(dryRun.users())
        .flatExtracting(UserReport::decisions)
        .filteredOn(d -> d.action() != Action.NOTHING)
        .allSatisfy(d -> assertThat(d.outcome()).isEqualTo(Outcome.PLANNED));
    UserReport breakGlass =
        account(report, "333333333333").users().stream()
            .filter(u -> u.userName().equals("break-glass"))
            .findFirst()
            .orElseThrow();
    assertThat(breakGlass.decisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Action.EXEMPT);
              assertThat(d.reason())
                  .contains("KeyRotation")
                  .contains("break-glass keys rotated by hand");
            });

    String csv = Files.readString(r.dir.resolve("report.csv"));
    assertThat(csv)
        .contains(",account,555555555555,sandbox-experiments,")
        .contains(",FAILED,")
        .contains(",DRY_RUN,dry-run,");
    String html = Files.readString(r.dir.resolve("report.html"));
    assertThat(html)
        .contains("555555555555")
        .contains("st-FAILED")
        .contains("st-DRY_RUN")
        .contains("EXEMPT");
  }

  @Test
  void noSecretTheSandboxIssuedAppearsInAnyReportFormatOrMessage() throws Exception {
    Run r = run();
    Sandbox sb = SANDBOX.sandbox();

    Set<String> secrets = new LinkedHashSet<>();
    for (String account : sb.accountIds()) {
      secrets.add(sb.credentialsFor(account).secretAccessKey());
      for (String user : sb.users(account)) {
        for (AccessKeyInfo k : sb.iamKeys(account, user)) {
          secrets.add(k.secretAccessKey());
        }
      }
      for (String name : sb.secretNames(account, "us-east-1")) {
        sb.secret(account, "us-east-1", name)
            .map(SecretInfo::currentValue)
            .ifPresent(v -> secrets.add(v));
      }
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    // the run created keys, so secrets it handled are among them
    RunReport report = JsonReport.read(r.dir.resolve("report.json"));
    assertThat(report.count(Action.CREATE_KEY, Outcome.DONE)).isPositive();
    assertThat(secrets).hasSizeGreaterThan(sb.accountIds().size());

    List<String> texts = new java.util.ArrayList<>();
    for (String name : List.of("report.json", "report.csv", "report.html")) {
      texts.add(Files.readString(r.dir.resolve(name)));
    }
    for (String key : sb.s3Keys(BUCKET)) {
      texts.add(new String(sb.s3Object(BUCKET, key).orElseThrow(), StandardCharsets.UTF_8));
    }
    for (SnsMessage m : sb.snsMessages()) {
      texts.add(m.subject() + "\n" + m.message() + "\n" + m.attributes());
    }
    texts.add(r.out);
    texts.add(r.err);
    texts.add(EmbeddedMetrics.line(report));
    for (String secret : secrets) {
      // a Secrets Manager value is a JSON document holding the secret key: check its parts too
      for (String s : secret.split("[\"{},:\\s]+")) {
        if (s.length() >= 30) {
          assertThat(texts).noneMatch(t -> t.contains(s));
        }
      }
    }
  }

  private static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static S3Client securityS3(Sandbox sb) {
    SandboxCredentials c = sb.credentialsFor(SECURITY);
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
}
