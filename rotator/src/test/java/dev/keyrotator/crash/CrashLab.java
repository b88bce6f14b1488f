package dev.keyrotator.crash;

import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.wiring.Injectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * What the crash and fault tests share: a small organization, the rotator run in-process or as a
 * child CLI process (so it can be killed), and the invariants of the rotation protocol.
 */
final class CrashLab {
  static final String CENTRAL = "111111111111";
  static final String MEMBER = "333333333333";
  static final String REGION = "us-east-1";
  static final String ROLE = "OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-demo";

  /**
   * The sandbox's clock starts at the real time: the SDK judges the expiry of assumed-role
   * credentials by the real clock, and a sandbox clock far behind it would make every call assume
   * the role again.
   */
  static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  static final String MARKER_TAG = "key-rotator:pending";
  static final String HISTORY_TAG = "key-rotator:key:";

  static final String POLICY =
      """
      version: 1
      organization:
        memberRoleName: OrgKeyRotatorMemberRole
        externalId: key-rotator-demo
        centralAccountId: "111111111111"
      notifications:
        topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
      """;

  private static final AtomicInteger RUNS = new AtomicInteger();

  private CrashLab() {}

  /**
   * One member account with a user due for a new key (170 days, in use), one whose old key is due
   * for deactivation (181 days, never used, a newer key exists) and one whose inactive key is due
   * for deletion (190 days).
   */
  static Fixture oneRotationOfEach() {
    Fixture f = Fixture.create("o-crashlab0001", CENTRAL).clock(START);
    f.account(CENTRAL, "central").topic("key-rotation-events");
    Fixture.Account a = f.account(MEMBER, "crash-lab").memberRole(ROLE, EXTERNAL_ID);
    a.user("app-create").tag("owner", "create@example.com").key(170, 1);
    a.user("app-deactivate").tag("owner", "deactivate@example.com").key(181, null).key(20, 2);
    a.user("app-delete")
        .tag("owner", "delete@example.com")
        .key(Fixture.Key.of(190, null).inactive())
        .key(30, 1);
    return f;
  }

  static PolicyFile policy(String extra) {
    return PolicyFileLoader.parse("crash.yaml", (POLICY + extra).getBytes(StandardCharsets.UTF_8));
  }

  /** The rotator in this JVM over the sandbox, with the sandbox's clock. */
  static RunReport runInProcess(
      Sandbox sb, PolicyFile policy, Set<String> accounts, Deadline deadline) {
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Orchestrator orchestrator =
        Injectors.forRun(policy, sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws)
            .getInstance(Orchestrator.class);
    return orchestrator.run(
        new RunRequest(
            "inproc-" + RUNS.incrementAndGet(), Optional.empty(), accounts, false, deadline));
  }

  static RunReport runInProcess(Sandbox sb, PolicyFile policy) {
    return runInProcess(sb, policy, Set.of(MEMBER), Deadline.none());
  }

  // ------------------------------------------------------------------ the CLI as a child process

  /** A started child CLI with its output in files. */
  record Child(Process process, Path stdout, Path stderr) {
    String output() {
      try {
        return "exit "
            + (process.isAlive() ? "(running)" : process.exitValue())
            + "\n--- stdout\n"
            + Files.readString(stdout)
            + "\n--- stderr\n"
            + Files.readString(stderr);
      } catch (IOException e) {
        return e.toString();
      }
    }

    String stderrText() throws IOException {
      return Files.readString(stderr);
    }
  }

  /**
   * Starts {@code rotator <args>} in a new JVM with the test class path (the shaded jar does not
   * exist yet in the test phase) and the central account's credentials in the environment, as the
   * SDK's default chain reads them.
   */
  static Child startCli(Sandbox sb, Path workDir, String... args) throws IOException {
    Files.createDirectories(workDir);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.keyrotator.cli.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    env.put("AWS_ACCESS_KEY_ID", c.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", c.secretAccessKey());
    env.put("AWS_REGION", REGION);
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    Path out = workDir.resolve("stdout.txt");
    Path err = workDir.resolve("stderr.txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    return new Child(pb.start(), out, err);
  }

  /** {@code run} of the member account against the sandbox, at the sandbox's time. */
  static Child startRun(Sandbox sb, Path workDir, String policyYaml) throws IOException {
    Files.createDirectories(workDir);
    Path policy = workDir.resolve("policy.yaml");
    Files.writeString(policy, policyYaml);
    return startCli(
        sb,
        workDir,
        "run",
        "--policy",
        policy.toString(),
        "--endpoint",
        sb.endpoint().toString(),
        "--now",
        sb.clock().now().toString(),
        "--accounts",
        MEMBER,
        "--mode",
        "enforce",
        "--json");
  }

  // ------------------------------------------------------------------ state

  /** Every key of the account: key id -> key. */
  static Map<String, AccessKeyInfo> keys(Sandbox sb, String account) {
    Map<String, AccessKeyInfo> out = new TreeMap<>();
    for (String u : sb.users(account)) {
      for (AccessKeyInfo k : sb.iamKeys(account, u)) {
        out.put(k.accessKeyId(), k);
      }
    }
    return out;
  }

  static String secretName(String account, String user) {
    return "key-rotator/" + account + "/" + user;
  }

  /** Whether the key's version is in the user's secret (what the rotator calls "stored"). */
  static boolean stored(Sandbox sb, String account, AccessKeyInfo k) {
    return sb.secretVersionValues(account, REGION, secretName(account, k.userName()))
        .containsKey(SecretsManagerVault.versionIdOf(k.accessKeyId()));
  }

  /**
   * The IAM state with generated ids taken out, comparable between sandboxes: per user, its keys (a
   * fixture key by its position, a key the rotator created as {@code new}) with their status, and
   * the rotator's tags (the marker, and which history fields each key has).
   */
  static Map<String, String> normalized(Sandbox sb, Map<String, AccessKeyInfo> initial) {
    Map<String, String> out = new TreeMap<>();
    for (String account : sb.accountIds()) {
      for (String u : sb.users(account)) {
        List<AccessKeyInfo> ks =
            sb.iamKeys(account, u).stream()
                .sorted(Comparator.comparing(AccessKeyInfo::createDate))
                .toList();
        Map<String, String> label = new TreeMap<>();
        for (AccessKeyInfo k : ks) {
          label.put(k.accessKeyId(), initial.containsKey(k.accessKeyId()) ? "fixture" : "new");
        }
        String keyPart =
            ks.stream()
                .map(k -> label.get(k.accessKeyId()) + "=" + k.status())
                .collect(Collectors.joining(","));
        Map<String, String> tags = sb.userTags(account, u);
        String tagPart =
            tags.entrySet().stream()
                .filter(e -> e.getKey().startsWith("key-rotator:"))
                // a history tag holding only the first use seen (seen= used= via=, and the key's
                // creation it is tied to) is the report's information, not rotation state: a later
                // run writes it once it sees the key used
                .filter(e -> !e.getValue().matches("(\\s*(seen|used|via|created)=\\S*)+"))
                .map(
                    e -> {
                      if (e.getKey().equals(MARKER_TAG)) {
                        return "marker";
                      }
                      String id = e.getKey().substring(HISTORY_TAG.length());
                      String fields =
                          (e.getValue().contains("warned=") ? "warned" : "")
                              + (e.getValue().contains("deactivated=") ? "+deactivated" : "");
                      return "history(" + label.getOrDefault(id, "gone") + ":" + fields + ")";
                    })
                .sorted()
                .collect(Collectors.joining(","));
        out.put(account + "/" + u, "[" + keyPart + "] {" + tagPart + "}");
      }
    }
    return out;
  }

  /** Calls GetCallerIdentity with the key; the sandbox checks the signature with its secret. */
  static String callerArn(Sandbox sb, String keyId, String secret) {
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(sb.endpoint())
            .region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
            .build()) {
      return sts.getCallerIdentity().arn();
    }
  }

  static String field(String json, String name) {
    int i = json.indexOf("\"" + name + "\"");
    if (i < 0) {
      return "";
    }
    int start = json.indexOf('"', json.indexOf(':', i) + 1) + 1;
    return json.substring(start, json.indexOf('"', start));
  }

  /**
   * The protocol's invariants over the whole sandbox, as problems (empty when they hold).
   *
   * @param initial the keys before any run
   */
  static List<String> invariantViolations(Sandbox sb, Map<String, AccessKeyInfo> initial) {
    List<String> problems = new ArrayList<>();
    for (String account : sb.accountIds()) {
      for (String u : sb.users(account)) {
        List<AccessKeyInfo> ks = sb.iamKeys(account, u);
        if (ks.size() > 2) {
          problems.add(u + " has " + ks.size() + " keys");
        }
        boolean hadWorking =
            initial.values().stream().anyMatch(k -> k.userName().equals(u) && k.active());
        if (hadWorking && ks.stream().noneMatch(AccessKeyInfo::active)) {
          problems.add(u + " had a working key and has none now");
        }
        if (sb.userTags(account, u).containsKey(MARKER_TAG)) {
          problems.add(u + " still carries a rotation marker");
        }
        String name = secretName(account, u);
        Map<String, String> versions = sb.secretVersionValues(account, REGION, name);
        for (AccessKeyInfo k : ks) {
          if (initial.containsKey(k.accessKeyId()) || !k.active()) {
            continue;
          }
          String version = SecretsManagerVault.versionIdOf(k.accessKeyId());
          String value = versions.get(version);
          if (value == null) {
            problems.add(
                u
                    + ": active key "
                    + k.accessKeyId()
                    + " created by the rotator has no"
                    + " stored secret");
            continue;
          }
          String arn;
          try {
            arn = callerArn(sb, field(value, "AccessKeyId"), field(value, "SecretAccessKey"));
          } catch (RuntimeException e) {
            problems.add(u + ": the stored secret of " + k.accessKeyId() + " does not work: " + e);
            continue;
          }
          if (!arn.endsWith(":user/" + u)) {
            problems.add(u + ": the stored secret of " + k.accessKeyId() + " is " + arn);
          }
          Optional<SecretInfo> info = sb.secret(account, REGION, name);
          if (info.isEmpty() || !version.equals(info.get().currentVersionId())) {
            problems.add(u + ": the newest key's secret is not the current version");
          } else {
            SecretInfo s = info.get();
            if (s.resourcePolicy() == null || !s.resourcePolicy().contains(":user/" + u + "\"")) {
              problems.add(u + ": the secret has no resource policy for its owner");
            }
            if (!k.accessKeyId().equals(s.tags().get("key-rotator:current-key-id"))) {
              problems.add(u + ": the secret's current-key-id tag is " + s.tags());
            }
          }
        }
        // one version per key: each version's id is derived from the key it holds
        Set<String> keyIdsInVersions = new java.util.HashSet<>();
        versions.forEach(
            (id, value) -> {
              String keyId = field(value, "AccessKeyId");
              if (!id.equals(SecretsManagerVault.versionIdOf(keyId))) {
                problems.add(u + ": version " + id + " holds key " + keyId);
              }
              if (!keyIdsInVersions.add(keyId)) {
                problems.add(u + ": key " + keyId + " was written twice");
              }
            });
      }
    }
    return problems;
  }
}
