package dev.keyrotator.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.CallMetrics;
import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.ports.ReportSink;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.run.Forecast;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotationService;
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
  Orchestrator orchestrator(
      PolicyFile policy,
      AccountDirectory directory,
      RoleAssumer roles,
      Notifier notifier,
      AwsClientFactory clients,
      Clock clock,
      Planner planner,
      CallMetrics metrics,
      Progress progress) {
    Optional<SecretVault> central =
        policy.secrets().storeIn() == PolicyFile.StoreIn.CENTRAL
            ? Optional.of(
                new SecretsManagerVault(
                    clients.secretsManager(),
                    clients.region().id(),
                    clients.partition(),
                    policy.secrets().namePrefix(),
                    policy.secrets().kmsKeyId()))
            : Optional.empty();
    return Orchestrator.create(
        policy,
        directory,
        roles,
        notifier,
        central,
        planner,
        clock,
        () -> CallCounts.of(metrics.snapshot()),
        progress);
  }

  @Provides
  @Singleton
  RotationService rotationService(
      PolicyFile policy,
      Orchestrator orchestrator,
      ReportDelivery delivery,
      ReportSink sink,
      ReportReader reader,
      Progress progress,
      Notifier notifier) {
    return new RotationService(policy, orchestrator, delivery, sink, reader, progress, notifier);
  }

  @Provides
  @Singleton
  Forecast forecast(
      PolicyFile policy,
      AccountDirectory directory,
      RoleAssumer roles,
      Planner planner,
      Clock clock) {
    return new Forecast(policy, directory, roles, planner, clock);
  }
}
