package dev.keyrotator.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.CallMetrics;
import dev.keyrotator.aws.LazyClient;
import dev.keyrotator.aws.S3LeaseStore;
import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.aws.SecurityHubFindings;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.FindingsSink;
import dev.keyrotator.ports.LeaseStore;
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
      LazyClient<software.amazon.awssdk.services.s3.S3Client> s3,
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
    Optional<LeaseStore> leases =
        policy
            .leases()
            .bucket()
            .map(
                bucket ->
                    new S3LeaseStore(
                        s3, // the shared S3 client, built on the first lease taken
                        bucket,
                        policy.leases().prefix(),
                        policy.organization().centralAccountId()));
    return Orchestrator.create(
        policy,
        directory,
        roles,
        notifier,
        central,
        leases,
        Orchestrator.thisProcess(),
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
      AwsClientFactory clients,
      Clock clock,
      Notifier notifier) {
    return new RotationService(
        policy,
        orchestrator,
        delivery,
        sink,
        reader,
        progress,
        notifier,
        findings(policy, clients, clock));
  }

  /** Security Hub, when the policy file has a securityHub section. */
  private static Optional<FindingsSink> findings(
      PolicyFile policy, AwsClientFactory clients, Clock clock) {
    PolicyFile.SecurityHubSettings s = policy.securityHub();
    if (!s.enabled()) {
      return Optional.empty();
    }
    String account =
        s.roleArn()
            .map(arn -> arn.split(":")[4])
            .or(policy.organization()::centralAccountId)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "securityHub needs organization.centralAccountId or securityHub.roleArn"
                            + " (the account whose Security Hub the findings go to)"));
    return Optional.of(
        new SecurityHubFindings(
            clients.securityHub(s.region(), s.roleArn()),
            account,
            s.region().orElse(clients.region().id()),
            clients.partition(),
            clock));
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
