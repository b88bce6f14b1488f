package dev.keyrotator.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.keyrotator.aws.AccountDirectory;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.CallMetrics;
import dev.keyrotator.aws.Notifier;
import dev.keyrotator.aws.RoleAssumer;
import dev.keyrotator.aws.SecretVault;
import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import java.time.Clock;
import java.util.Optional;

/**
 * The run: planner and orchestrator over the AWS adapters. The caller binds {@link PolicyFile},
 * {@link Clock} and {@link Progress}.
 */
public final class RotatorModule extends AbstractModule {

  @Override
  protected void configure() {
    requireBinding(PolicyFile.class);
    requireBinding(Clock.class);
    requireBinding(Progress.class);
  }

  @Provides
  @Singleton
  Planner planner() {
    return new Planner();
  }

  @Provides
  @Singleton
  Orchestrator orchestrator(AccountDirectory directory, RoleAssumer roles, Notifier notifier,
      AwsClientFactory clients, PolicyFile policy, Clock clock, Planner planner,
      CallMetrics metrics, Progress progress) {
    Optional<SecretVault> central = policy.secrets().storeIn() == PolicyFile.StoreIn.CENTRAL
        ? Optional.of(new SecretsManagerVault(clients.secretsManager(), clients.region().id(),
            clients.partition(), policy.secrets().namePrefix(), policy.secrets().kmsKeyId()))
        : Optional.empty();
    return new Orchestrator(directory, roles, notifier, central, clock, planner,
        () -> CallCounts.of(metrics.snapshot()), progress);
  }
}
