package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxOptions;
import dev.keyrotator.wiring.Injectors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A credential report IAM is slow to generate (the sandbox's model, 60 s here) in small accounts:
 * rather than wait, each account is read user by user once waiting has cost what that would, with
 * the same decisions as the credential-report scan, and no report is asked for twice.
 */
class SlowCredentialReportTest {

  static RunReport plan(Sandbox sb) {
    PolicyFile policy = PolicyFileLoader.load(Path.of("../config/rotation.yaml"));
    SandboxCredentials c = sb.credentialsFor(sb.managementAccountId());
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Injector injector =
        Injectors.forRun(policy, sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws);
    try {
      return injector
          .getInstance(Orchestrator.class)
          .run(new RunRequest("slow-report", Optional.empty(), Set.of(), true, Deadline.none()));
    } finally {
      Injectors.close(injector);
    }
  }

  static Map<String, String> decisions(RunReport r) {
    Map<String, String> out = new TreeMap<>();
    for (AccountReport a : r.accounts()) {
      a.users()
          .forEach(
              u ->
                  out.put(
                      a.accountId() + "/" + u.userName(),
                      u.decisions().stream()
                          .map(d -> d.action() + ":" + d.warning().map(Enum::name).orElse(""))
                          .sorted()
                          .toList()
                          .toString()));
    }
    return out;
  }

  @Test
  void smallAccountsAreReadUserByUserInsteadOfWaitingWithTheSameDecisions() {
    RunReport reference;
    try (Sandbox sb = Sandbox.start(Fixture.demo())) {
      reference = plan(sb);
    }
    try (Sandbox sb =
        Sandbox.start(Fixture.demo(), SandboxOptions.defaults().withCredentialReportMs(60_000))) {
      RunReport slow = plan(sb);

      assertThat(slow.accounts())
          .filteredOn(a -> a.status() == AccountStatus.DRY_RUN)
          .isNotEmpty()
          .allSatisfy(
              a -> {
                assertThat(a.scan()).contains(ScanMode.PER_USER);
                assertThat(a.scanNote()).contains("read them one by one instead");
              });
      assertThat(decisions(slow)).isEqualTo(decisions(reference)).isNotEmpty();
      long worked =
          slow.accounts().stream().filter(a -> a.status() == AccountStatus.DRY_RUN).count();
      assertThat(sb.calls().count("iam", "GenerateCredentialReport")).isEqualTo(worked);
    }
  }
}
