package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.SandboxExtension;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * Member accounts share one IAM and one Secrets Manager client: each account's requests carry its
 * own credentials and go through its own retry strategy (IAM throttles per account).
 */
class AccountClientsTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  /** The adaptive strategy, counting what the SDK asks of it. */
  static final class Counting implements RetryStrategy {
    final RetryStrategy inner = AwsClientFactory.retryStrategy("iam");
    final AtomicInteger acquired = new AtomicInteger();
    final AtomicInteger refreshed = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest r) {
      acquired.incrementAndGet();
      return inner.acquireInitialToken(r);
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest r) {
      refreshed.incrementAndGet();
      return inner.refreshRetryToken(r);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest r) {
      succeeded.incrementAndGet();
      return inner.recordSuccess(r);
    }

    @Override
    public int maxAttempts() {
      return inner.maxAttempts();
    }

    @Override
    public Builder<?, ?> toBuilder() {
      return inner.toBuilder();
    }
  }

  @Test
  void manySessionsBuildOneIamAndOneSecretsManagerClientAndEachSignsAsItsAccount() {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics())) {
      StsRoleAssumer assumer = TestOrg.assumer(clients);
      for (String id : new String[] {TestOrg.WORKLOAD, "444444444444", TestOrg.WORKLOAD}) {
        try (AccountSession s = assumer.open(id, "shared")) {
          s.keys().userNames();
          s.vault().toString();
        }
      }
      assertThat(clients.clientsBuilt()).containsEntry("iam", 1);
      assertThat(clients.clientsBuilt().getOrDefault("secretsmanager", 0)).isLessThanOrEqualTo(1);
      assertThat(SANDBOX.sandbox().calls().matching(c -> "ListUsers".equals(c.operation())))
          .extracting(CallRecord::accountId)
          .containsOnly(TestOrg.WORKLOAD, "444444444444")
          .containsSubsequence(TestOrg.WORKLOAD, "444444444444", TestOrg.WORKLOAD);
    }
  }

  @Test
  void aThrottledAccountRetriesThroughItsOwnStrategyOnly() {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics());
        AccountSession a = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "a");
        AccountSession b = TestOrg.assumer(clients).open("444444444444", "b")) {
      AwsCredentialsProvider credsA = credentials(clients, TestOrg.WORKLOAD);
      AwsCredentialsProvider credsB = credentials(clients, "444444444444");
      Counting ca = new Counting();
      Counting cb = new Counting();
      IamClient viewA = AccountClients.view(IamClient.class, clients.memberIam(), credsA, ca);
      IamClient viewB = AccountClients.view(IamClient.class, clients.memberIam(), credsB, cb);
      SANDBOX
          .sandbox()
          .faults()
          .add(
              FaultRule.on("iam", "GetUser")
                  .account(TestOrg.WORKLOAD)
                  .throttleRate(1)
                  .maxFaults(2));

      viewA.getUser(r -> r.userName("bob"));
      viewB.listUsers(r -> {});
      viewB.listUsersPaginator(r -> {}).users().forEach(u -> {});

      assertThat(ca.acquired).hasValue(1);
      assertThat(ca.refreshed).as("two throttled attempts retried").hasValue(2);
      assertThat(ca.succeeded).hasValue(1);
      assertThat(cb.acquired).as("a paginator's pages go through the view").hasValue(2);
      assertThat(cb.refreshed).hasValue(0);
    }
  }

  @Test
  void theSharedClientRefusesARequestWithoutAnAccountsCredentials() {
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, new CallMetrics())) {
      assertThatThrownBy(() -> clients.memberIam().listUsers())
          .isInstanceOf(SdkClientException.class)
          .hasMessageContaining("without an account's credentials");
      assertThat(SANDBOX.sandbox().calls().size()).isZero();
    }
  }

  private static AwsCredentialsProvider credentials(AwsClientFactory clients, String account) {
    return software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider.builder()
        .stsClient(clients.sts())
        .refreshRequest(
            r ->
                r.roleArn("arn:aws:iam::" + account + ":role/" + TestOrg.ROLE)
                    .roleSessionName("view-test")
                    .externalId(TestOrg.EXTERNAL_ID))
        .build();
  }
}
