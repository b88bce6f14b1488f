package dev.keyrotator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as an AWS engineer expects it (issue 17): bad input is one line that names the fix, exit
 * 2 and nothing changed; a dry run writes nothing; {@code --now} cannot rewrite real state.
 */
class CliBehavesTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String[] PROPERTIES = {
    "aws.accessKeyId",
    "aws.secretAccessKey",
    "aws.region",
    "aws.sessionToken",
    "aws.disableEc2Metadata",
    "aws.configFile",
    "aws.sharedCredentialsFile"
  };
  static final String BUCKET = "org-key-rotator-reports-222222222222";

  @TempDir Path tmp;
  private final Map<String, String> saved = new HashMap<>();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void centralCredentials() throws Exception {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    SandboxCredentials c = SANDBOX.credentialsFor("111111111111");
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.disableEc2Metadata", "true");
    // no profile files of the machine's user: the tests see only what they set up
    Path empty = Files.writeString(tmp.resolve("empty-config"), "");
    System.setProperty("aws.configFile", empty.toString());
    System.setProperty("aws.sharedCredentialsFile", empty.toString());
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
    Files.copy(Path.of("../config/rotation.yaml"), p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  private int cli(String... args) throws Exception {
    return cli(Map.of(), args);
  }

  private int cli(Map<String, String> env, String... args) throws Exception {
    return new Main(new PrintWriter(out), new PrintWriter(err), env).run(args);
  }

  private String[] sandboxRun(String command, String... extra) throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                "--policy",
                policy().toString(),
                "--endpoint",
                SANDBOX.endpoint().toString(),
                "--now",
                SANDBOX.sandbox().clock().now().toString()));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  private String errLine() {
    return err.toString().strip();
  }

  @Test
  void theExampleAccountIdsAreRefusedAgainstAwsWithOneLineAndExitTwo() throws Exception {
    // no --endpoint: real AWS; the check comes before any call is made
    int code = cli("plan", "--policy", policy().toString(), "--region", "us-east-1");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .startsWith("error: organization.centralAccountId is the example account id 111111111111")
        .contains("reporting.securityAccountId is the example account id 222222222222")
        .contains("set the real account ids")
        .doesNotContain("\n");
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();
  }

  @Test
  void aReportDirThatCannotBeCreatedExitsTwoBeforeAnyChange() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path dir = file.resolve("reports");

    int code = cli(sandboxRun("run", "--report-dir", dir.toString()));

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .startsWith("error: --report-dir " + dir + " cannot be written (")
        .endsWith("); nothing was changed");
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void aDryRunWritesAndPublishesNothingUnlessAskedToDeliver() throws Exception {
    int code = cli(sandboxRun("run", "--mode", "dry-run"));

    assertThat(code).isIn(0, 1);
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
    assertThat(SANDBOX.sandbox().snsMessages()).isEmpty();

    int delivered = cli(sandboxRun("run", "--mode", "dry-run", "--deliver"));

    assertThat(delivered).isIn(0, 1);
    assertThat(SANDBOX.sandbox().s3Keys(BUCKET)).anyMatch(k -> k.endsWith("report.json"));
    assertThat(SANDBOX.sandbox().calls().mutating())
        .allSatisfy(
            c -> assertThat(c.service() + ":" + c.operation()).isIn("s3:PutObject", "sns:Publish"));
  }

  @Test
  void planRefusesAModeInsteadOfIgnoringIt() throws Exception {
    int code = cli(sandboxRun("plan", "--mode", "report-only"));

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: plan never changes or sends anything, so --mode has no effect on it: use run"
                + " --mode report-only to run in that mode, or plan alone to see what run would"
                + " do");
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();
  }

  @Test
  void runWithNowAgainstRealAwsIsRefusedUnlessTheDangerIsNamed() throws Exception {
    int code = cli("run", "--policy", policy().toString(), "--now", "2027-06-01");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: run --now rewrites real keys as if it were 2027-06-01T00:00:00Z: against AWS"
                + " it needs --now-changes-real-keys too (plan and forecast take --now anywhere;"
                + " the sandbox, moto and LocalStack on this machine need nothing)");
  }

  @Test
  void nowTakesADateAlone() throws Exception {
    int code =
        cli(
            "plan",
            "--policy",
            policy().toString(),
            "--endpoint",
            SANDBOX.endpoint().toString(),
            "--now",
            SANDBOX.sandbox().clock().now().toString().substring(0, 10));

    assertThat(code).as(err::toString).isIn(0, 1);
    assertThat(out.toString()).contains("Totals:");
  }

  @Test
  void anUnparseableNowIsOneLine() throws Exception {
    int code = cli("plan", "--policy", policy().toString(), "--now", "yesterday");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: Invalid value for option '--now': 'yesterday' is not an ISO date (2026-12-01)"
                + " or instant (2026-12-01T12:00:00Z) (rotator plan --help lists the options)");
  }

  @Test
  void aMalformedEndpointIsOneLine() throws Exception {
    int code = cli("plan", "--policy", policy().toString(), "--endpoint", "http//127.0.0.1:4566");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: endpoint 'http//127.0.0.1:4566' is not a URL like http://127.0.0.1:4566"
                + " (scheme, host, port)");
  }

  @Test
  void aRefusedConnectionFailsAtOnceNamingTheEndpoint() throws Exception {
    long start = System.nanoTime();
    int code = cli("plan", "--policy", policy().toString(), "--endpoint", "http://127.0.0.1:1");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: endpoint http://127.0.0.1:1 refuses connections: is the sandbox (or moto,"
                + " LocalStack) running there? (scripts/sandbox starts one)");
    // not after the SDK's 31 s of retries; generous for a loaded machine
    assertThat((System.nanoTime() - start) / 1_000_000_000.0).isLessThan(10);
  }

  @Test
  void noCredentialsIsOneLineThatNamesTheFix() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");

    int code =
        cli(
            Map.of(),
            "plan",
            "--policy",
            policy().toString(),
            "--endpoint",
            SANDBOX.endpoint().toString());

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or"
                + " pass --profile NAME (or set AWS_PROFILE) for a profile in ~/.aws/config");
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();
  }

  @Test
  void anUnknownProfileIsOneLine() throws Exception {
    int code = cli("plan", "--policy", policy().toString(), "--profile", "nope");

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: no profile 'nope' in ~/.aws/config or ~/.aws/credentials: check --profile or"
                + " AWS_PROFILE (aws configure list-profiles shows the ones there are)");
  }

  @Test
  void noRegionIsOneLineNotASilentUsEast1() throws Exception {
    System.clearProperty("aws.region");

    int code = cli(Map.of(), "plan", "--policy", policy().toString());

    assertThat(code).isEqualTo(2);
    assertThat(errLine())
        .isEqualTo(
            "error: no AWS region: pass --region (e.g. --region us-east-1) or set AWS_REGION");
  }

  @Test
  void aNegativeMaxMinutesIsOneLine() throws Exception {
    int code = cli(sandboxRun("run", "--max-minutes", "-5"));

    assertThat(code).isEqualTo(2);
    assertThat(errLine()).isEqualTo("error: --max-minutes must be at least 1, got -5");
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();
  }

  @Test
  void explainReadsTheOuPathAndTagsOfALiveAccount() throws Exception {
    int code =
        cli(
            "explain",
            "--policy",
            policy().toString(),
            "--endpoint",
            SANDBOX.endpoint().toString(),
            "--account",
            "333333333333",
            "--live");

    assertThat(code).as(err::toString).isZero();
    assertThat(out.toString())
        .startsWith("Account 333333333333 (prod-workloads), OU path /")
        .contains("Effective policy for account 333333333333");
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
  }

  @Test
  void validateConfigWarnsAboutATopicInAnotherRegion() throws Exception {
    Path p = policy();
    Files.writeString(
        p,
        Files.readString(p)
            .replace(
                "arn:aws:sns:us-east-1:222222222222:key-rotation-summary",
                "arn:aws:sns:eu-west-1:222222222222:key-rotation-summary"));

    int code = cli(Map.of("AWS_REGION", "us-east-1"), "validate-config", p.toString());

    assertThat(code).isZero();
    assertThat(errLine())
        .isEqualTo(
            p
                + ": warning: reporting.topicArn is in eu-west-1 but the rotator's SNS client uses"
                + " us-east-1 (--region / AWS_REGION): publishing would fail with NotFound; put the"
                + " topics in the client's region");
  }

  @Test
  void progressTellsAccountsDoneOfTotalWhenAsked() throws Exception {
    List<String> lines;
    try (dev.keyrotator.logging.CapturedLogs logs =
        dev.keyrotator.logging.CapturedLogs.at(ch.qos.logback.classic.Level.INFO)) {
      cli(sandboxRun("plan", "--progress"));
      lines = logs.lines();
    }

    assertThat(lines).anyMatch(l -> l.contains(" 5 of 5 accounts done, "));
  }

  @Test
  void helpTextWrapsCleanlyAtEightyColumns() throws Exception {
    for (String command :
        List.of("plan", "run", "forecast", "validate-config", "explain", "report")) {
      StringWriter help = new StringWriter();
      int code =
          new Main(new PrintWriter(help), new PrintWriter(err), Map.of("COLUMNS", "80"))
              .run(command, "--help");

      assertThat(code).isZero();
      assertThat(help.toString().lines())
          .as(command)
          .isNotEmpty()
          .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80))
          .noneMatch(l -> l.endsWith("--[no-]") || l.matches(".*\\w\\.$") && l.endsWith("report."));
    }
  }
}
