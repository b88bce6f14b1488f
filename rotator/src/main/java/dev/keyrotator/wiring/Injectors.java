package dev.keyrotator.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import com.google.inject.multibindings.OptionalBinder;
import dev.keyrotator.aws.AccountScope;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.AwsSettings;
import dev.keyrotator.config.PlaceholderAccounts;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.run.Progress;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;

/** Builds the production injector from a policy file: the one place modules are composed. */
public final class Injectors {
  private Injectors() {}

  public static Injector forRun(
      PolicyFile policy, Clock clock, Progress progress, Optional<URI> endpoint, AwsModule aws) {
    return forRun(policy, clock, progress, endpoint, Optional.empty(), aws);
  }

  /**
   * With the region the caller resolved (the CLI's {@code --region}); else the SDK's chain.
   *
   * @throws IllegalArgumentException against AWS itself while the policy still holds an example
   *     account id ({@link PlaceholderAccounts})
   */
  public static Injector forRun(
      PolicyFile policy,
      Clock clock,
      Progress progress,
      Optional<URI> endpoint,
      Optional<String> region,
      AwsModule aws) {
    AwsSettings settings =
        region.map(settings(policy, endpoint)::withRegion).orElse(settings(policy, endpoint));
    PlaceholderAccounts.refuseAgainstAws(policy, !AwsClientFactory.customEndpoint(settings));
    AwsClientFactory.keepAliveConnections(concurrentCalls(policy));
    return Guice.createInjector(
        Stage.PRODUCTION,
        new AbstractModule() {
          @Override
          protected void configure() {
            binder().requireExplicitBindings();
            bind(PolicyFile.class).toInstance(policy);
            bind(Clock.class).toInstance(clock);
            bind(Progress.class).toInstance(progress);
            bind(AwsSettings.class).toInstance(settings);
            OptionalBinder.newOptionalBinder(binder(), AccountScope.Mode.class)
                .setBinding()
                .toInstance(scope(policy.organization().mode()));
          }
        },
        aws,
        new RotatorModule(),
        new ReportingModule());
  }

  /** Closes the SDK clients the injector built (their HTTP connections and credential refresh). */
  public static void close(Injector injector) {
    injector.getInstance(AwsClientFactory.class).close();
  }

  /**
   * The most AWS calls a run has in flight at once: every account worker's user workers, plus the
   * credential-report prefetch (4) and the central calls (organizations, leases, SNS, S3: 4).
   */
  static int concurrentCalls(PolicyFile policy) {
    var org = policy.organization();
    return org.maxConcurrentAccounts() * Math.max(1, org.maxConcurrentUsers()) + 8;
  }

  static AccountScope.Mode scope(PolicyFile.OrganizationMode mode) {
    return switch (mode) {
      case AUTO -> AccountScope.Mode.AUTO;
      case ORGANIZATION -> AccountScope.Mode.ORGANIZATION;
      case SINGLE_ACCOUNT -> AccountScope.Mode.SINGLE_ACCOUNT;
    };
  }

  static AwsSettings settings(PolicyFile policy, Optional<URI> endpoint) {
    var org = policy.organization();
    AwsSettings s =
        AwsSettings.of(org.memberRoleName())
            .withMemberRolePath(org.memberRolePath())
            .withUserPath(org.userPath())
            .withSecretPrefix(policy.secrets().namePrefix());
    if (org.externalId().isPresent()) {
      s = s.withExternalId(org.externalId().get());
    }
    if (policy.secrets().kmsKeyId().isPresent()) {
      s = s.withKmsKeyId(policy.secrets().kmsKeyId().get());
    }
    if (endpoint.isPresent()) {
      s = s.withEndpointOverride(endpoint.get());
    }
    return s;
  }
}
