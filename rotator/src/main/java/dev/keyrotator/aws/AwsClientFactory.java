package dev.keyrotator.aws;

import dev.keyrotator.ports.AccountSession;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * The one place that builds AWS SDK clients. Every client shares one {@link
 * UrlConnectionHttpClient} (cheap at Lambda start-up), uses the adaptive retry strategy, reports to
 * {@link CallMetrics}, and takes its region and endpoint from {@link AwsSettings} or, when those
 * are empty, from the SDK's standard sources (AWS_REGION / profile, defaulting to us-east-1;
 * AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_&lt;SERVICE&gt;, {@code endpoint_url} in the profile).
 *
 * <p>Central clients use the given credentials (DefaultCredentialsProvider in production). Member
 * accounts share one IAM and one Secrets Manager client: each account sees it through a view whose
 * requests carry the assumed role's credentials and use the account's own adaptive retry strategy
 * ({@link AccountClients}), instead of two SDK clients built per account. S3 and SNS are built on
 * their first call ({@link #lazyS3}, {@link #lazySns}). Closing the factory closes the shared HTTP
 * client and every client it built.
 */
public final class AwsClientFactory implements AutoCloseable {

  static final Region FALLBACK_REGION = Region.US_EAST_1;

  private final AwsSettings settings;
  private final CallMetrics metrics;
  private final AwsCredentialsProvider credentials;
  private final Region region;
  private final SdkHttpClient http;
  private final List<AutoCloseable> built = new ArrayList<>();

  /** Production: DefaultCredentialsProvider. */
  public AwsClientFactory(AwsSettings settings, CallMetrics metrics) {
    this(settings, metrics, DefaultCredentialsProvider.builder().build());
  }

  /** With explicit central credentials (tests, the sandbox demo). */
  public AwsClientFactory(
      AwsSettings settings, CallMetrics metrics, AwsCredentialsProvider credentials) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.region = resolveRegion(settings);
    this.http = UrlConnectionHttpClient.builder().build();
  }

  /** The JDK's default for {@code http.maxConnections}. */
  static final int JDK_KEEP_ALIVE_DEFAULT = 5;

  /**
   * Keeps up to {@code concurrentCalls} idle connections per host open for reuse. The
   * URL-connection client pools through the JDK's keep-alive cache, which keeps {@code
   * http.maxConnections} idle connections per destination (default 5): with more calls in flight
   * than that, every connection returned beyond the fifth is closed and the next call opens a new
   * one (a TCP and, on AWS, a TLS handshake). Sets the property unless the operator did ({@code
   * -Dhttp.maxConnections}); the JDK reads it once, at its first HTTP connection, so this is called
   * before any client is built.
   *
   * @return the value in force
   */
  public static int keepAliveConnections(int concurrentCalls) {
    String set = System.getProperty("http.maxConnections");
    if (set == null) {
      int n = Math.max(JDK_KEEP_ALIVE_DEFAULT, concurrentCalls);
      System.setProperty("http.maxConnections", Integer.toString(n));
      return n;
    }
    try {
      return Integer.parseInt(set.trim());
    } catch (NumberFormatException e) {
      return JDK_KEEP_ALIVE_DEFAULT;
    }
  }

  static Region resolveRegion(AwsSettings settings) {
    if (settings.region().isPresent()) {
      return Region.of(settings.region().get());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      return FALLBACK_REGION;
    }
  }

  public Region region() {
    return region;
  }

  /** The partition of the region ({@code aws}, {@code aws-cn}, {@code aws-us-gov}). */
  public String partition() {
    return partitionOf(region.id());
  }

  static String partitionOf(String regionId) {
    if (regionId.startsWith("cn-")) {
      return "aws-cn";
    }
    if (regionId.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    if (regionId.startsWith("us-iso-")) {
      return "aws-iso";
    }
    if (regionId.startsWith("us-isob-")) {
      return "aws-iso-b";
    }
    return "aws";
  }

  public CallMetrics metrics() {
    return metrics;
  }

  public AwsSettings settings() {
    return settings;
  }

  /** True when requests go somewhere other than AWS's own endpoints (sandbox, LocalStack). */
  public boolean customEndpoint() {
    return customEndpoint(settings);
  }

  /**
   * True when {@code settings} or the SDK's standard sources (AWS_ENDPOINT_URL, the system property
   * aws.endpointUrl) send requests somewhere other than AWS's own endpoints.
   */
  public static boolean customEndpoint(AwsSettings settings) {
    return settings.endpointOverride().isPresent()
        || env("AWS_ENDPOINT_URL").isPresent()
        || Optional.ofNullable(System.getProperty("aws.endpointUrl")).isPresent();
  }

  private static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
  }

  // ------------------------------------------------------------------ central clients

  public OrganizationsClient organizations() {
    return track(configure(OrganizationsClient.builder(), "organizations", credentials).build());
  }

  public StsClient sts() {
    return track(configure(StsClient.builder(), "sts", credentials).build());
  }

  /** A new SNS client, built now. */
  public SnsClient sns() {
    return track(configure(SnsClient.builder(), "sns", credentials).build());
  }

  /** A new S3 client, built now. */
  public S3Client s3() {
    boolean pathStyle = customEndpoint() || env("AWS_ENDPOINT_URL_S3").isPresent();
    return track(
        configure(S3Client.builder(), "s3", credentials).forcePathStyle(pathStyle).build());
  }

  /** An SNS client built on its first use: a {@code plan} that publishes nothing builds none. */
  public LazyClient<SnsClient> lazySns() {
    return LazyClient.of(this::sns);
  }

  /** An S3 client built on its first use (see {@link #lazySns}). */
  public LazyClient<S3Client> lazyS3() {
    return LazyClient.of(this::s3);
  }

  /**
   * The SDK clients built so far, by service ({@code iam}, {@code s3}, ...): what a command costs
   * in client construction (tests).
   */
  public Map<String, Integer> clientsBuilt() {
    synchronized (clientsBuilt) {
      return Map.copyOf(clientsBuilt);
    }
  }

  private final Map<String, Integer> clientsBuilt = new TreeMap<>();

  /**
   * Security Hub in {@code region} (empty: the rotator's), as the central account or, with {@code
   * roleArn}, as that role (assumed with the central credentials, refreshed as needed).
   */
  public SecurityHubClient securityHub(Optional<String> region, Optional<String> roleArn) {
    AwsCredentialsProvider p = credentials;
    if (roleArn.isPresent()) {
      StsClient sts = sts();
      p =
          StsAssumeRoleCredentialsProvider.builder()
              .stsClient(sts)
              .refreshRequest(r -> r.roleArn(roleArn.get()).roleSessionName("key-rotator-findings"))
              .build();
      track((AutoCloseable) p);
    }
    var b = configure(SecurityHubClient.builder(), "securityhub", p);
    region.ifPresent(r -> b.region(Region.of(r)));
    return track(b.build());
  }

  /** IAM with the central credentials (the central account itself). */
  public IamClient iam() {
    return iam(credentials, true);
  }

  /** Secrets Manager with the central credentials (the central account itself). */
  public SecretsManagerClient secretsManager() {
    return secretsManager(credentials, true);
  }

  /**
   * A session in the central account itself with the central credentials, no AssumeRole (a
   * service-managed StackSet does not deploy the member role to the management account). Closing it
   * closes its IAM and Secrets Manager clients, not the central credentials.
   */
  public AccountSession centralSession(String accountId) {
    return new StsAccountSession(accountId, credentials, this, false);
  }

  // ------------------------------------------------------------------ per-account clients

  /**
   * IAM in a member account: a view of the one shared member IAM client whose requests carry this
   * account's credentials and use this account's own adaptive retry strategy (see {@link
   * AccountClients}). Closing the view leaves the shared client open; the factory closes it.
   */
  public IamClient iam(AwsCredentialsProvider accountCredentials) {
    return AccountClients.view(
        IamClient.class, memberIam(), accountCredentials, retryStrategy("iam"));
  }

  /** Secrets Manager in a member account: a view of the shared client, as {@link #iam}. */
  public SecretsManagerClient secretsManager(AwsCredentialsProvider accountCredentials) {
    return AccountClients.view(
        SecretsManagerClient.class,
        memberSecretsManager(),
        accountCredentials,
        retryStrategy("secretsmanager"));
  }

  private IamClient memberIam;
  private SecretsManagerClient memberSecretsManager;

  /** The one IAM client every member account's view shares, built on the first account. */
  synchronized IamClient memberIam() {
    if (memberIam == null) {
      memberIam =
          track(
              configure(
                      IamClient.builder(),
                      "iam",
                      AccountClients.NO_CREDENTIALS,
                      new AccountClients.Routing(retryStrategy("iam"), () -> retryStrategy("iam")))
                  .build());
    }
    return memberIam;
  }

  /** The one Secrets Manager client every member account's view shares. */
  private synchronized SecretsManagerClient memberSecretsManager() {
    if (memberSecretsManager == null) {
      memberSecretsManager =
          track(
              configure(
                      SecretsManagerClient.builder(),
                      "secretsmanager",
                      AccountClients.NO_CREDENTIALS,
                      new AccountClients.Routing(
                          retryStrategy("secretsmanager"), () -> retryStrategy("secretsmanager")))
                  .build());
    }
    return memberSecretsManager;
  }

  private IamClient iam(AwsCredentialsProvider p, boolean central) {
    IamClient c = configure(IamClient.builder(), "iam", p).build();
    return central ? track(c) : c;
  }

  private SecretsManagerClient secretsManager(AwsCredentialsProvider p, boolean central) {
    SecretsManagerClient c = configure(SecretsManagerClient.builder(), "secretsmanager", p).build();
    return central ? track(c) : c;
  }

  private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder, String service, AwsCredentialsProvider p) {
    return configure(builder, service, p, retryStrategy(service));
  }

  private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(
      B builder,
      String service,
      AwsCredentialsProvider p,
      software.amazon.awssdk.retries.api.RetryStrategy retry) {
    synchronized (clientsBuilt) {
      clientsBuilt.merge(service, 1, Integer::sum);
    }
    builder
        .region(region)
        .credentialsProvider(p)
        .httpClient(http)
        .overrideConfiguration(overrides(service, retry));
    settings.endpointOverride().ifPresent(builder::endpointOverride);
    return builder;
  }

  private ClientOverrideConfiguration overrides(
      String service, software.amazon.awssdk.retries.api.RetryStrategy retry) {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(retry)
        .addExecutionInterceptor(metrics.interceptor(service))
        .addMetricPublisher(metrics.publisher(service))
        .build();
  }

  /**
   * Attempts per call, the first included, for IAM, STS and Organizations, whose per-account token
   * buckets throttle at scale: the SDK's default (3) fails about one call in eight when half of the
   * attempts are throttled; with 10, about one in a thousand. Throttling retries back off
   * exponentially with jitter and the adaptive strategy slows the client's send rate.
   */
  public static final int MAX_ATTEMPTS = 10;

  /**
   * Attempts for SNS, Secrets Manager and S3: these rarely throttle at the rotator's rates, and a
   * service that is down should cost a user's turn seconds, not minutes of backoff.
   */
  public static final int MAX_ATTEMPTS_OTHER = 4;

  /** ADAPTIVE_V2 (client-side rate limiting on throttles) with the service's attempts. */
  static software.amazon.awssdk.retries.api.RetryStrategy retryStrategy(String service) {
    int attempts =
        switch (service) {
          case "iam", "sts", "organizations" -> MAX_ATTEMPTS;
          default -> MAX_ATTEMPTS_OTHER;
        };
    var builder =
        software.amazon.awssdk.awscore.retry.AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
            .maxAttempts(attempts);
    RETRY_BASE_DELAY.ifPresent(
        base -> {
          var backoff =
              software.amazon.awssdk.retries.api.BackoffStrategy.exponentialDelay(
                  base, base.multipliedBy(16));
          builder.backoffStrategy(backoff).throttlingBackoffStrategy(backoff);
        });
    return builder.build();
  }

  /**
   * The SDK's backoff (100 ms base, 1 s for throttling, up to 20 s) unless the system property
   * {@code keyrotator.retryBaseDelayMs} sets another base. The tests set it low so that faults
   * injected by the sandbox cost milliseconds, not the backoff a real service deserves.
   */
  static final Optional<java.time.Duration> RETRY_BASE_DELAY =
      Optional.ofNullable(System.getProperty("keyrotator.retryBaseDelayMs"))
          .map(Long::parseLong)
          .map(java.time.Duration::ofMillis);

  private synchronized <T extends AutoCloseable> T track(T client) {
    built.add(client);
    return client;
  }

  /** The endpoint override in force, if any (for messages and tests). */
  public Optional<URI> endpointOverride() {
    return settings.endpointOverride();
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable c : built) {
      try {
        c.close();
      } catch (Exception e) {
        // closing is best effort
      }
    }
    built.clear();
    http.close();
  }
}
