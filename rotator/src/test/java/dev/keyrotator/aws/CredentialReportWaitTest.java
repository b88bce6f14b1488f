package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SandboxOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A credential report that IAM takes time to generate (the sandbox's bulk-latency model, 1.2 s
 * here): the wait polls GetCredentialReport and never asks IAM to generate it again while it is in
 * progress. Asserts calls, not times.
 */
class CredentialReportWaitTest {
  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.withFixture(
          TestOrg.fixture(), SandboxOptions.defaults().withCredentialReportMs(1_200));

  @Test
  void aReportInProgressIsPolledWithoutRegenerating() throws Exception {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics());
        AccountSession s = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "wait")) {
      assertThat(s.scan().requestCredentialReport()).isFalse();
      assertThat(s.scan().requestCredentialReport()).as("in progress: not COMPLETE").isFalse();

      assertThat(s.scan().credentialReport(Duration.ofSeconds(30)).users()).isNotEmpty();

      assertThat(SANDBOX.sandbox().calls().count("iam", "GenerateCredentialReport")).isEqualTo(2);
      // 1.2 s at pauses of 250, 500, 1000 ms: four polls; a loaded machine may need a fifth
      assertThat(SANDBOX.sandbox().calls().count("iam", "GetCredentialReport")).isBetween(2L, 6L);
    }
  }

  @Test
  void anAbsentReportIsGeneratedOnceThenPolled() throws Exception {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics());
        AccountSession s = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "absent")) {
      assertThat(s.scan().credentialReport(Duration.ofSeconds(30)).users()).isNotEmpty();

      assertThat(SANDBOX.sandbox().calls().count("iam", "GenerateCredentialReport")).isEqualTo(1);
      assertThat(SANDBOX.sandbox().calls().count("iam", "GetCredentialReport")).isBetween(2L, 7L);
    }
  }

  @Test
  void aReportNotReadyInTimeIsAScanUnavailable() throws Exception {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics());
        AccountSession s = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "late")) {
      s.scan().requestCredentialReport();
      assertThatThrownBy(() -> s.scan().credentialReport(Duration.ofMillis(300)))
          .isInstanceOf(ScanUnavailableException.class)
          .hasMessageContaining("not ready");
      assertThat(SANDBOX.sandbox().calls().count("iam", "GenerateCredentialReport")).isEqualTo(1);
    }
  }
}
