package dev.keyrotator.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * What the production injector builds: the SDK clients a command needs and no others, counted by
 * {@link AwsClientFactory#clientsBuilt}.
 */
class ClientConstructionTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static Injector injector() {
    PolicyFile policy = PolicyFileLoader.load(Path.of("../config/rotation.yaml"));
    SandboxCredentials c = SANDBOX.credentialsFor(SANDBOX.sandbox().managementAccountId());
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    return Injectors.forRun(
        policy, SANDBOX.sandbox().clock(), line -> {}, Optional.of(SANDBOX.endpoint()), aws);
  }

  @Test
  void aPlanBuildsNoS3AndNoSnsClient() {
    Injector injector = injector();
    try {
      RunReport r =
          injector
              .getInstance(Orchestrator.class)
              .run(
                  new RunRequest(
                      "plan-clients", Optional.empty(), Set.of(), true, Deadline.none()));
      assertThat(r.accounts()).anyMatch(a -> a.status() == AccountStatus.DRY_RUN);

      Map<String, Integer> built = injector.getInstance(AwsClientFactory.class).clientsBuilt();
      assertThat(built).doesNotContainKeys("s3", "sns");
      assertThat(built).containsKeys("organizations", "sts", "iam");
    } finally {
      Injectors.close(injector);
    }
  }

  @Test
  void theSnsClientIsBuiltOnItsFirstCallAndOnlyOnce() {
    Injector injector = injector();
    try {
      AwsClientFactory clients = injector.getInstance(AwsClientFactory.class);
      Notifier notifier = injector.getInstance(Notifier.class);
      assertThat(clients.clientsBuilt()).doesNotContainKey("sns");

      String topic = "arn:aws:sns:us-east-1:111111111111:key-rotation-events";
      notifier.publish(topic, new Notification("one", "body", Map.of()));
      notifier.publish(topic, new Notification("two", "body", Map.of()));

      assertThat(clients.clientsBuilt()).containsEntry("sns", 1);
    } finally {
      Injectors.close(injector);
    }
  }
}
