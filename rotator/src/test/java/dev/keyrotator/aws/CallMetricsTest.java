package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.SandboxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CallMetricsTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private AccountSession session;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    session = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "run-1");
  }

  @AfterEach
  void tearDown() {
    session.close();
    clients.close();
  }

  @Test
  void countsCallsAndAttemptsPerServiceAndOperation() {
    session.keys().userNames();
    session.keys().read("alice");

    CallMetrics.Snapshot s = metrics.snapshot();
    assertThat(s.of("sts", "AssumeRole")).isEqualTo(new CallMetrics.Stats(1, 1, 0, 0));
    assertThat(s.of("iam", "ListUsers")).isEqualTo(new CallMetrics.Stats(3, 3, 0, 0));
    assertThat(s.of("iam", "GetAccessKeyLastUsed").calls()).isEqualTo(2);
    assertThat(s.service("iam").calls()).isEqualTo(3 + 4 + 2);
    assertThat(s.total().retries()).isZero();
    assertThat(s.byOperation())
        .containsKeys(
            "iam:GetUser", "iam:ListUserTags", "iam:ListGroupsForUser", "iam:ListAccessKeys");
  }

  @Test
  void aThrottledCallIsRetriedByTheSdkAndCounted() {
    SANDBOX
        .sandbox()
        .faults()
        .add(FaultRule.on("iam", "ListUsers").failNth(2, FaultRule.Kind.THROTTLE));
    CallMetrics.Snapshot before = metrics.snapshot();

    assertThat(session.keys().userNames()).hasSize(250);

    CallMetrics.Stats listUsers = metrics.snapshot().minus(before).of("iam", "ListUsers");
    assertThat(listUsers.calls()).isEqualTo(3);
    assertThat(listUsers.attempts()).isEqualTo(4);
    assertThat(listUsers.retries()).isEqualTo(1);
    assertThat(listUsers.throttled()).isEqualTo(1);
    assertThat(listUsers.failed()).isZero();
    assertThat(SANDBOX.sandbox().calls().matching(c -> c.fault()))
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(400));
  }

  @Test
  void throttlingThatOutlastsTheRetriesSurfacesAsThrottlingAwsCallException() {
    SANDBOX.sandbox().faults().add(FaultRule.on("iam", "GetUser").throttleRate(1.0));

    assertThatThrownBy(() -> session.keys().read("alice"))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.isThrottling()).isTrue();
              assertThat(e.operation()).isEqualTo("GetUser");
            });
    CallMetrics.Stats getUser = metrics.snapshot().of("iam", "GetUser");
    assertThat(getUser.calls()).isEqualTo(1);
    assertThat(getUser.attempts()).isEqualTo(AwsClientFactory.MAX_ATTEMPTS);
    assertThat(getUser.throttled()).isEqualTo(AwsClientFactory.MAX_ATTEMPTS);
    assertThat(getUser.failed()).isEqualTo(1);
  }

  @Test
  void serverErrorsAreRetriedButNotCountedAsThrottling() {
    SANDBOX
        .sandbox()
        .faults()
        .add(FaultRule.on("secretsmanager", "DescribeSecret").failNth(1, FaultRule.Kind.ERROR));

    session.vault().storedKeyIds(TestOrg.WORKLOAD, "alice", java.util.List.of("AKIAX"));

    CallMetrics.Stats d = metrics.snapshot().of("secretsmanager", "DescribeSecret");
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(d.throttled()).isZero();
  }

  @Test
  void snapshotsAreIndependentCopiesAndResetClears() {
    session.keys().userNames();
    CallMetrics.Snapshot s = metrics.snapshot();
    session.keys().userNames();

    assertThat(s.of("iam", "ListUsers").calls()).isEqualTo(3);
    assertThat(metrics.snapshot().of("iam", "ListUsers").calls()).isEqualTo(6);
    metrics.reset();
    assertThat(metrics.snapshot().total()).isEqualTo(CallMetrics.Stats.ZERO);
  }
}
