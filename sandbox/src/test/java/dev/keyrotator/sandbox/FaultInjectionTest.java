package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.ServiceFailureException;
import software.amazon.awssdk.services.organizations.model.TooManyRequestsException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

class FaultInjectionTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  IamClient iam() {
    return Clients.admin(SANDBOX.sandbox(), "333333333333").iam();
  }

  @Test
  void aThrottledCallIsRetriedByTheSdkAndSucceeds() {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults().add(FaultRule.on("iam", "ListUsers").throttleRate(1.0).maxFaults(2));
    assertThat(iam().listUsers().users()).isNotEmpty();
    assertThat(sb.calls().matching(c -> c.operation().equals("ListUsers")))
        .extracting(CallRecord::status, CallRecord::fault, CallRecord::errorCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(400, true, "Throttling"),
            org.assertj.core.groups.Tuple.tuple(400, true, "Throttling"),
            org.assertj.core.groups.Tuple.tuple(200, false, null));
  }

  @Test
  void throttlingUsesEachServicesOwnError() {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults()
        .add(FaultRule.on("organizations", "*").throttleRate(1.0))
        .add(FaultRule.on("secretsmanager", "ListSecrets").throttleRate(1.0));
    Clients c = Clients.admin(sb, "111111111111");
    var org =
        software.amazon.awssdk.services.organizations.OrganizationsClient.builder()
            .endpointOverride(sb.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .httpClient(Clients.HTTP)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    c.credentials))
            .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
            .build();
    var sm =
        software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.builder()
            .endpointOverride(sb.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .httpClient(Clients.HTTP)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    c.credentials))
            .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
            .build();
    assertThatThrownBy(org::listRoots).isInstanceOf(TooManyRequestsException.class);
    assertThatThrownBy(sm::listSecrets)
        .isInstanceOf(SecretsManagerException.class)
        .satisfies(
            e ->
                assertThat(((SecretsManagerException) e).awsErrorDetails().errorCode())
                    .isEqualTo("ThrottlingException"));
    assertThat(sb.calls().count("organizations", "ListRoots")).isEqualTo(1);
  }

  @Test
  void a500SurfacesAfterTheSdksRetries() {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults().add(FaultRule.on("iam", "CreateAccessKey").errorRate(1.0));
    assertThatThrownBy(() -> iam().createAccessKey(b -> b.userName("app-orders")))
        .isInstanceOf(ServiceFailureException.class);
    assertThat(sb.calls().count("iam", "CreateAccessKey")).isGreaterThan(1); // the SDK retried
    assertThat(sb.calls().matching(CallRecord::fault))
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(500));
    assertThat(sb.iamKeys("333333333333", "app-orders")).hasSize(1);
  }

  @Test
  void failTheNthCallOnly() {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults().add(FaultRule.on("sts", "GetCallerIdentity").failNth(2));
    var sts = Clients.admin(sb, "111111111111").sts();
    sts.getCallerIdentity();
    sts.getCallerIdentity(); // second call fails once and is retried by the SDK
    assertThat(sb.calls().matching(c -> c.operation().equals("GetCallerIdentity")))
        .extracting(CallRecord::status)
        .containsExactly(200, 500, 200);
  }

  @Test
  void latencyIsAddedAndWildcardsMatch() {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults().add(FaultRule.on("*", "List*").latencyMs(300));
    long t0 = System.nanoTime();
    iam().listUsers();
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    t0 = System.nanoTime();
    iam().getUser(b -> b.userName("app-orders"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(300));
  }

  @Test
  void stallAfterTheNthCallAppliesItThenHoldsTheResponseUntilReset() throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    sb.faults().add(FaultRule.on("iam", "CreateAccessKey").stallAfterNth(1));
    CompletableFuture<String> call =
        CompletableFuture.supplyAsync(
            () -> iam().createAccessKey(b -> b.userName("app-orders")).accessKey().accessKeyId());
    assertThat(sb.faults().awaitStall(Duration.ofSeconds(5))).isTrue();
    assertThat(sb.iamKeys("333333333333", "app-orders")).hasSize(2); // applied
    assertThat(call).isNotDone(); // but not answered
    sb.faults().clear();
    assertThat(call.get(5, TimeUnit.SECONDS))
        .isEqualTo(sb.iamKeys("333333333333", "app-orders").get(1).accessKeyId());
  }

  @Test
  void aSharedRateIsDeterministicForASeed() {
    Sandbox sb = SANDBOX.sandbox();
    int[] first = new int[2];
    for (int round = 0; round < 2; round++) {
      sb.reset();
      sb.faults().add(FaultRule.on("sts", "*").throttleRate(0.3).seed(7));
      var sts = Clients.admin(sb, "111111111111").sts();
      for (int i = 0; i < 10; i++) sts.getCallerIdentity();
      first[round] = sb.calls().matching(CallRecord::fault).size();
    }
    assertThat(first[0]).isEqualTo(first[1]).isPositive();
  }
}
