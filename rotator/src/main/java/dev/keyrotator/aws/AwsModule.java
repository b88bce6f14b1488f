package dev.keyrotator.aws;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS adapters. The caller binds {@link AwsSettings} ({@code
 * bind(AwsSettings.class).toInstance(...)}); this module provides {@link CallMetrics}, {@link
 * AwsClientFactory}, one singleton per central SDK client (Organizations, STS, SNS, S3; SNS and S3
 * built on their first call, so that a {@code plan} builds neither), and binds {@link
 * AccountDirectory}, {@link RoleAssumer} (both {@link AccountScope}: the organization's accounts,
 * or the rotator's own account alone) and {@link Notifier}. Per-account IAM and Secrets Manager
 * come from {@link RoleAssumer#open}. {@link AccountScope.Mode} defaults to AUTO; set it with
 * {@code OptionalBinder.newOptionalBinder(binder(), AccountScope.Mode.class).setBinding()}. Works
 * with {@code requireExplicitBindings()}.
 *
 * <p>Central credentials come from the SDK's DefaultCredentialsProvider unless the module is made
 * with {@link #withCredentials} (tests, the sandbox demo).
 */
public final class AwsModule extends AbstractModule {
  private final Optional<AwsCredentialsProvider> credentials;

  public AwsModule() {
    this.credentials = Optional.empty();
  }

  private AwsModule(AwsCredentialsProvider credentials) {
    this.credentials = Optional.of(credentials);
  }

  /** Central clients sign with {@code credentials} instead of the default chain. */
  public static AwsModule withCredentials(AwsCredentialsProvider credentials) {
    return new AwsModule(Objects.requireNonNull(credentials, "credentials"));
  }

  @Override
  protected void configure() {
    requireBinding(AwsSettings.class);
    OptionalBinder.newOptionalBinder(binder(), AccountScope.Mode.class)
        .setDefault()
        .toInstance(AccountScope.Mode.AUTO);
    bind(OrganizationsAccountDirectory.class).in(Singleton.class);
    bind(StsRoleAssumer.class).in(Singleton.class);
    bind(AccountScope.class).in(Singleton.class);
    bind(AccountDirectory.class).to(AccountScope.class);
    bind(RoleAssumer.class).to(AccountScope.class);
    bind(Notifier.class).to(SnsNotifier.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  CallMetrics callMetrics() {
    return new CallMetrics();
  }

  @Provides
  @Singleton
  AwsClientFactory clientFactory(AwsSettings settings, CallMetrics metrics) {
    return credentials
        .map(c -> new AwsClientFactory(settings, metrics, c))
        .orElseGet(() -> new AwsClientFactory(settings, metrics));
  }

  @Provides
  @Singleton
  OrganizationsClient organizations(AwsClientFactory clients) {
    return clients.organizations();
  }

  @Provides
  @Singleton
  StsClient sts(AwsClientFactory clients) {
    return clients.sts();
  }

  @Provides
  @Singleton
  LazyClient<SnsClient> sns(AwsClientFactory clients) {
    return clients.lazySns(); // built on its first call: `plan` builds no SNS client
  }

  @Provides
  @Singleton
  LazyClient<S3Client> s3(AwsClientFactory clients) {
    return clients.lazyS3(); // built on its first call: `plan` builds no S3 client
  }
}
