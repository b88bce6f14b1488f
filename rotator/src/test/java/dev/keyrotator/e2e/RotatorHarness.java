package dev.keyrotator.e2e;

import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.wiring.Injectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Runs the real rotator (real SDK clients over HTTP) against a sandbox, capturing its output. */
final class RotatorHarness {
  static final String CENTRAL = "111111111111";

  final Sandbox sandbox;
  final List<String> log = new CopyOnWriteArrayList<>();
  final List<String> exceptions = new ArrayList<>();
  final AtomicInteger runs = new AtomicInteger();

  /** How accounts are read; the product's default unless a test asks otherwise. */
  ScanMode scan = ScanMode.CREDENTIAL_REPORT;

  /** The templates' roles, when the run is made as them (policies enforced by the sandbox). */
  DeployedTemplates deployed;

  RotatorHarness(Sandbox sandbox) {
    this.sandbox = sandbox;
  }

  /**
   * Deploys the stacksets' roles into the sandbox and makes every run as the central execution role
   * (which assumes the member roles), with their policies enforced.
   */
  RotatorHarness enforced() {
    return enforced(DeployedTemplates.Settings.demo());
  }

  RotatorHarness enforced(DeployedTemplates.Settings settings) {
    deployed = DeployedTemplates.into(sandbox, settings);
    return this;
  }

  private AwsCredentialsProvider centralCredentials() {
    if (deployed != null) {
      SandboxCredentials c = deployed.centralCredentials();
      return StaticCredentialsProvider.create(
          AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
    }
    SandboxCredentials c = sandbox.credentialsFor(CENTRAL);
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
  }

  static PolicyFile policy(String extra) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "111111111111"
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        defaults:
          exemptions:
            - userTag: {key: KeyRotation, value: exempt}
              owner: secops@example.com
              reason: break-glass
              expires: 2099-01-01
        """
            + extra;
    return PolicyFileLoader.parse("e2e.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  RunReport run(PolicyFile policy) {
    return run(policy, false, Set.of());
  }

  RunReport run(PolicyFile policy, boolean planOnly, Set<String> accounts) {
    AwsModule aws = AwsModule.withCredentials(centralCredentials());
    Progress logged = Progress.log();
    Orchestrator orchestrator =
        Injectors.forRun(
                policy,
                sandbox.clock(),
                line -> {
                  log.add(line);
                  logged.report(line);
                },
                Optional.of(sandbox.endpoint()),
                aws)
            .getInstance(Orchestrator.class)
            .withScan(scan);
    try {
      return orchestrator.run(
          new RunRequest(
              "e2e-" + runs.incrementAndGet(),
              Optional.empty(),
              accounts,
              planOnly,
              Deadline.none()));
    } catch (RuntimeException e) {
      exceptions.add(e.toString());
      throw e;
    }
  }

  /** Every secret access key the sandbox knows: issued keys and stored secret values. */
  List<String> allSecrets() {
    List<String> out = new ArrayList<>();
    for (String account : sandbox.accountIds()) {
      for (String user : sandbox.users(account)) {
        for (AccessKeyInfo k : sandbox.iamKeys(account, user)) {
          out.add(k.secretAccessKey());
        }
      }
      for (String name : sandbox.secretNames(account, "us-east-1")) {
        sandbox
            .secret(account, "us-east-1", name)
            .map(SecretInfo::currentValue)
            .ifPresent(v -> out.add(secretOf(v)));
      }
    }
    return out;
  }

  static String secretOf(String secretJson) {
    int i = secretJson.indexOf("\"SecretAccessKey\"");
    int start = secretJson.indexOf('"', secretJson.indexOf(':', i) + 1) + 1;
    return secretJson.substring(start, secretJson.indexOf('"', start));
  }

  static String keyIdOf(String secretJson) {
    int i = secretJson.indexOf("\"AccessKeyId\"");
    int start = secretJson.indexOf('"', secretJson.indexOf(':', i) + 1) + 1;
    return secretJson.substring(start, secretJson.indexOf('"', start));
  }

  String everythingCaptured(List<RunReport> reports) {
    StringBuilder sb = new StringBuilder();
    log.forEach(l -> sb.append(l).append('\n'));
    exceptions.forEach(l -> sb.append(l).append('\n'));
    sandbox.snsMessages().forEach(m -> sb.append(m).append('\n'));
    reports.forEach(r -> sb.append(JsonReport.render(r)).append('\n'));
    return sb.toString();
  }
}
