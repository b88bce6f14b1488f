package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.sandbox.SandboxExtension;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sts.StsClient;

class AwsModuleTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  private Injector injector;

  @BeforeEach
  void setUp() {
    AwsSettings settings = TestOrg.settings(SANDBOX);
    injector =
        Guice.createInjector(
            Stage.PRODUCTION,
            new AbstractModule() {
              @Override
              protected void configure() {
                binder().requireExplicitBindings();
                bind(AwsSettings.class).toInstance(settings);
              }
            },
            AwsModule.withCredentials(
                TestOrg.credentials(SANDBOX.credentialsFor(TestOrg.MANAGEMENT))));
  }

  @AfterEach
  void tearDown() {
    injector.getInstance(AwsClientFactory.class).close();
  }

  @Test
  void wiresTheAdaptersWithExplicitBindingsAndOneMetricsForEveryClient() {
    AccountDirectory directory = injector.getInstance(AccountDirectory.class);
    RoleAssumer assumer = injector.getInstance(RoleAssumer.class);
    Notifier notifier = injector.getInstance(Notifier.class);

    assertThat(directory.activeAccounts()).extracting(Account::id).contains(TestOrg.WORKLOAD);
    try (AccountSession s = assumer.open(TestOrg.WORKLOAD, "run-guice")) {
      assertThat(s.keys().userNames()).hasSize(250);
    }
    notifier.publish(
        "arn:aws:sns:us-east-1:" + TestOrg.MANAGEMENT + ":" + TestOrg.TOPIC,
        new Notification("subject", "body", Map.of("event", "TEST")));

    CallMetrics.Snapshot s = injector.getInstance(CallMetrics.class).snapshot();
    assertThat(s.service("organizations").calls()).isPositive();
    assertThat(s.of("sts", "AssumeRole").calls()).isEqualTo(1);
    assertThat(s.of("iam", "ListUsers").calls()).isEqualTo(3);
    assertThat(s.of("sns", "Publish").calls()).isEqualTo(1);
  }

  @Test
  void providesEachClientOnce() {
    assertThat(injector.getInstance(StsClient.class))
        .isSameAs(injector.getInstance(StsClient.class));
    assertThat(injector.getInstance(RoleAssumer.class))
        .isSameAs(injector.getInstance(RoleAssumer.class));
  }
}
