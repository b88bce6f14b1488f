package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SecretNeverLeaksTest {
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
  void aNewKeyNeverShowsItsSecret() {
    NewAccessKey key = session.keys().createKey("carol");
    String secret = key.revealSecret();

    assertThat(key.toString()).doesNotContain(secret).contains("<redacted>");
    assertThat(session.keys().read("carol").toString()).doesNotContain(secret);
  }

  @Test
  void aFailedPutSecretValueCarriesNoSecretInMessageCausesOrStackTrace() {
    NewAccessKey key = session.keys().createKey("carol");
    session.vault().store(TestOrg.WORKLOAD, key);
    NewAccessKey second = session.keys().createKey("carol");
    SANDBOX.sandbox().faults().add(FaultRule.on("secretsmanager", "PutSecretValue").errorRate(1.0));

    Throwable t = catchThrowable(() -> session.vault().store(TestOrg.WORKLOAD, second));

    assertThat(t)
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.operation()).isEqualTo("PutSecretValue");
              assertThat(e.statusCode()).isEqualTo(500);
            });
    assertNoSecret(t, second.revealSecret());
  }

  @Test
  void aFailedCreateSecretCarriesNoSecret() {
    NewAccessKey key = session.keys().createKey("carol");
    SANDBOX.sandbox().faults().add(FaultRule.on("secretsmanager", "CreateSecret").errorRate(1.0));

    Throwable t = catchThrowable(() -> session.vault().store(TestOrg.WORKLOAD, key));

    assertThat(t)
        .isInstanceOfSatisfying(
            AwsCallException.class, e -> assertThat(e.operation()).isEqualTo("CreateSecret"));
    assertNoSecret(t, key.revealSecret());
  }

  @Test
  void aFailedCreateAccessKeyCarriesNoCredentialsOfTheSession() {
    SANDBOX.sandbox().faults().add(FaultRule.on("iam", "CreateAccessKey").errorRate(1.0));

    Throwable t = catchThrowable(() -> session.keys().createKey("carol"));

    assertThat(t).isInstanceOf(AwsCallException.class);
    assertNoSecret(t, SANDBOX.credentialsFor(TestOrg.MANAGEMENT).secretAccessKey());
    assertThat(t.getMessage()).doesNotContain("SessionToken").doesNotContain("Signature=");
  }

  private static void assertNoSecret(Throwable t, String secret) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(c.getMessage()).doesNotContain(secret);
      assertThat(c.toString()).doesNotContain(secret);
    }
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(secret);
  }
}
