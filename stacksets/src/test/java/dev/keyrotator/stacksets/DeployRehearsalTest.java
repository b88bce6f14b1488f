package dev.keyrotator.stacksets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy rehearsal: {@code scripts/rehearse-deploy} against moto (python3's, or the one {@code
 * scripts/install-test-tools moto} installs), in both modes. It seeds an organization (or one
 * account), runs {@code scripts/deploy} on the real templates (code bucket created, jar and policy
 * uploaded, the policy pinned), assumes the execution role the central stack created, and runs the
 * built rotator jar ({@code plan}, then {@code run}) with the deployed Lambda's environment; it
 * checks new keys in the member accounts, their secrets, and the report in the report bucket.
 *
 * <p>moto differences, each met in {@code scripts/lib/moto_server.py} or the rehearsal script and
 * none by changing a template: Organizations reads by a delegated administrator, Organizations
 * resource policies and {@code AWS::Organizations::ResourcePolicy}, StackSet OU targets of a
 * delegated administrator (and the DIFFERENCE filter), bucket-policy conditions, change-set stack
 * outputs, {@code AWS::NoValue} in lists, {@code Ref} of an event bus; moto's AssumeRole checks
 * neither the role's existence nor its trust (the script checks where the member role is instead,
 * and assumes the Lambda's role with the account's admin credentials); key creation dates cannot be
 * backdated (the rotator runs with {@code --now} 170 days ahead, so the shipped policy itself makes
 * the keys due). Types moto's CloudFormation skips (alarms, bucket and topic policies,
 * EventInvokeConfig, EventBusPolicy, RolePolicy) are created nowhere; moto evaluates no IAM policy,
 * which {@code LeastPrivilegeTest} covers against the sandbox.
 *
 * <p>Never skipped: without moto or the aws CLI the installer runs, and if it fails, so does this.
 */
class DeployRehearsalTest {
  private static final Path REPO = Templates.MODULE.getParent();
  private static final Path JAR = REPO.resolve("rotator/target/rotator.jar");
  private static String python;
  private static String awsDir;

  @BeforeAll
  static void tools() throws Exception {
    python = install("moto");
    awsDir = Path.of(install("aws-cli")).getParent().toString();
    assertThat(JAR)
        .as("the rotator jar, built by the reactor before this module (mvn verify builds it)")
        .isRegularFile();
  }

  /** {@code scripts/install-test-tools TOOL}: the last line it prints, the tool's path. */
  private static String install(String tool) throws Exception {
    Path script = REPO.resolve("scripts/install-test-tools");
    Proc p = Proc.run(REPO, Map.of(), List.of("bash", script.toString(), tool), 900);
    assertThat(p.exit())
        .as("scripts/install-test-tools %s failed (the rehearsal needs it):%n%s", tool, p.output())
        .isZero();
    List<String> lines = p.output().strip().lines().toList();
    return lines.get(lines.size() - 1).strip();
  }

  /** A moto server (with the rehearsal's additions) on a free port, over TLS, for one test. */
  private record Moto(Process process, String endpoint, Path cert) implements AutoCloseable {
    static Moto start(Path dir) throws Exception {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path tls = dir.resolve("tls");
      Process p =
          new ProcessBuilder(
                  python,
                  REPO.resolve("scripts/lib/moto_server.py").toString(),
                  "--tls-dir",
                  tls.toString(),
                  "-p",
                  Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("moto.log").toFile())
              .start();
      Moto m = new Moto(p, "https://127.0.0.1:" + port, tls.resolve("cert.pem"));
      long deadline = System.nanoTime() + 90_000_000_000L;
      while (!m.listening(port)) {
        assertThat(p.isAlive())
            .as("moto exited: %s", Files.readString(dir.resolve("moto.log")))
            .isTrue();
        assertThat(System.nanoTime()).as("moto did not start in 90 s").isLessThan(deadline);
        Thread.sleep(200);
      }
      return m;
    }

    private boolean listening(int port) {
      if (!Files.exists(cert)) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", awsDir + ":" + System.getenv("PATH"));
    return env;
  }

  private static Proc rehearse(Moto moto, String mode, Path work) throws Exception {
    return Proc.run(
        REPO,
        env(),
        List.of(
            "bash",
            "scripts/rehearse-deploy",
            "--endpoint",
            moto.endpoint(),
            "--ca-bundle",
            moto.cert().toString(),
            "--mode",
            mode,
            "--work",
            work.toString(),
            "--jar",
            JAR.toString(),
            "--python",
            python),
        600);
  }

  /** The aws CLI against the rehearsal's moto, as one of the profiles it wrote. */
  private static Proc aws(Moto moto, Path work, String profile, String... args) throws Exception {
    Map<String, String> env = env();
    env.put("AWS_ENDPOINT_URL", moto.endpoint());
    env.put("AWS_CA_BUNDLE", moto.cert().toString());
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", work.resolve("aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("aws-credentials").toString());
    env.put("AWS_PROFILE", profile);
    List<String> cmd = new ArrayList<>(List.of("aws"));
    cmd.addAll(List.of(args));
    return Proc.run(REPO, env, cmd, 120);
  }

  private static List<String> rotated(String output) {
    List<String> users = new ArrayList<>();
    Matcher m =
        Pattern.compile("rotated (\\d{12}/\\w+): 2 keys, secret key-rotator/\\1").matcher(output);
    while (m.find()) {
      users.add(m.group(1));
    }
    return users;
  }

  /** The new secret's value appears in none of the rehearsal's outputs and logs. */
  private static void noSecretInOutput(
      Moto moto, Path work, String profile, String user, String out) throws Exception {
    Proc secret =
        aws(
            moto,
            work,
            profile,
            "secretsmanager",
            "get-secret-value",
            "--secret-id",
            "key-rotator/" + user,
            "--query",
            "SecretString",
            "--output",
            "text");
    assertThat(secret.exit()).as(secret.output()).isZero();
    Matcher m =
        Pattern.compile("\"SecretAccessKey\"\\s*:\\s*\"([^\"]+)\"").matcher(secret.output());
    assertThat(m.find()).as("the secret holds a secret access key: %s", user).isTrue();
    String value = m.group(1);
    assertThat(out).doesNotContain(value);
    try (Stream<Path> files = Files.list(work)) {
      for (Path f : files.filter(f -> f.toString().matches(".*\\.(log|txt)$")).toList()) {
        assertThat(Files.readString(f)).as("%s", f).doesNotContain(value);
      }
    }
  }

  @Test
  void organizationWithADelegatedCentralAccountEndsWithKeysRotatedAndTheReportDelivered(
      @TempDir Path dir) throws Exception {
    Path work = dir.resolve("work");
    try (Moto moto = Moto.start(dir)) {
      Proc p = rehearse(moto, "org", work);
      assertThat(p.exit()).as(p.output()).isZero();
      String out = p.output();
      assertThat(out)
          .contains("deployed: deploy: done")
          .contains(
              "member role in central (plain stack), security, member-a, member-b (StackSet"
                  + " instances); none in management")
          .containsPattern(
              "policy s3://rehearsal-code-\\d{12}/org-key-rotator/policy-[0-9a-f]{16}\\.yaml pinned")
          .contains("plan as of ")
          .contains("run as of ")
          .containsPattern("report s3://rehearsal-reports-\\d{12}/reports/\\S+/report\\.json")
          .endsWith("] ok\n");
      List<String> users = rotated(out);
      assertThat(users)
          .extracting(u -> u.substring(13))
          .containsExactly("frank", "alice", "bob", "carol");
      // the central account is not the management account; the delegation stack is there
      String deployLog = Files.readString(work.resolve("deploy.log"));
      assertThat(deployLog)
          .contains("Successfully created/updated stack - org-key-rotator-organizations-delegation")
          .contains("creating code bucket rehearsal-code-")
          .contains("Successfully created/updated stack - org-key-rotator-member-role");
      Proc policy =
          aws(
              moto,
              work,
              "management",
              "organizations",
              "describe-resource-policy",
              "--query",
              "ResourcePolicy.Content",
              "--output",
              "text");
      assertThat(policy.exit()).as(policy.output()).isZero();
      assertThat(policy.output()).contains("organizations:ListRoots");
      // the report the security account received names every rotated user
      String reportKey =
          out.lines()
              .filter(l -> l.contains("report s3://") && l.endsWith("report.json"))
              .findFirst()
              .orElseThrow()
              .replaceAll(".*report s3://", "");
      String bucket = reportKey.substring(0, reportKey.indexOf('/'));
      Path report = dir.resolve("report.json");
      Proc get =
          aws(
              moto,
              work,
              "security",
              "s3api",
              "get-object",
              "--bucket",
              bucket,
              "--key",
              reportKey.substring(bucket.length() + 1),
              report.toString());
      assertThat(get.exit()).as(get.output()).isZero();
      assertThat(Files.readString(report)).contains("frank", "alice", "bob", "carol", "CREATE_KEY");
      noSecretInOutput(moto, work, "member-a", users.get(1), out);
    }
  }

  @Test
  void singleAccountEndsWithKeysRotatedAndTheReportDeliveredAndABadPolicyChangesNothing(
      @TempDir Path dir) throws Exception {
    Path work = dir.resolve("work");
    try (Moto moto = Moto.start(dir)) {
      // first a bad policy file: exit 2 before any change (no code bucket)
      Files.createDirectories(work);
      Files.writeString(
          work.resolve("aws-credentials"),
          "[default]\naws_access_key_id = AKIAREHEARSALBADPOL1\naws_secret_access_key = x\n");
      Files.writeString(work.resolve("aws-config"), "");
      Path bad = dir.resolve("bad-policy.yaml");
      Files.writeString(bad, "version: 1\ndefaults:\n  mode: sometimes\n");
      Path params = dir.resolve("bad.env");
      Files.writeString(
          params,
          "REGION=us-east-1\nACCOUNT_ID=123456789012\nCODE_BUCKET=rehearsal-code-123456789012\n"
              + "POLICY_FILE="
              + bad
              + "\n");
      Map<String, String> env = env();
      env.put("AWS_ENDPOINT_URL", moto.endpoint());
      env.put("AWS_CA_BUNDLE", moto.cert().toString());
      env.put("AWS_DEFAULT_REGION", "us-east-1");
      env.put("AWS_CONFIG_FILE", work.resolve("aws-config").toString());
      env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("aws-credentials").toString());
      Proc refused =
          Proc.run(
              REPO,
              env,
              List.of(
                  "bash",
                  "scripts/deploy",
                  "--single-account",
                  "--params",
                  params.toString(),
                  "--skip-build",
                  "--jar",
                  JAR.toString()),
              300);
      assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
      assertThat(refused.output())
          .contains("bad-policy.yaml")
          .endsWith(
              "deploy: policy file "
                  + bad
                  + " is not valid (problems above); nothing was changed\n");
      Proc buckets =
          aws(
              moto,
              work,
              "default",
              "s3api",
              "list-buckets",
              "--query",
              "Buckets[].Name",
              "--output",
              "text");
      assertThat(buckets.exit()).as(buckets.output()).isZero();
      assertThat(buckets.output().strip()).isEmpty();

      Proc p = rehearse(moto, "single", work);
      assertThat(p.exit()).as(p.output()).isZero();
      String out = p.output();
      assertThat(out)
          .contains("no organization")
          .contains("deployed: deploy: done")
          .containsPattern(
              "policy s3://rehearsal-code-123456789012/key-rotator/policy-[0-9a-f]{16}\\.yaml pinned")
          .containsPattern("report s3://\\S+/reports/\\S+/report\\.json")
          .endsWith("] ok\n");
      assertThat(rotated(out)).containsExactly("123456789012/dave", "123456789012/erin");
      noSecretInOutput(moto, work, "single", "123456789012/dave", out);
    }
  }
}
