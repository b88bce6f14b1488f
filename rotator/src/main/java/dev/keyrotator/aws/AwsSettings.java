package dev.keyrotator.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the AWS adapters need from the configuration. Build it with {@link #of(String)} and the
 * {@code with...} methods; the caller binds it ({@code bind(AwsSettings.class).toInstance(...)}).
 *
 * @param region the region of every client; empty means the SDK's chain (AWS_REGION, profile),
 *     falling back to us-east-1
 * @param endpointOverride one endpoint for every service (sandbox, LocalStack, moto); empty means
 *     the SDK's own resolution, which honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_&lt;SERVICE&gt;
 * @param memberRoleName the role the StackSet deploys in every member account
 * @param memberRolePath that role's IAM path, {@code /} by default
 * @param externalId the ExternalId the member role's trust policy requires, if any
 * @param sessionDuration how long each assumed-role session lasts before it refreshes
 * @param secretPrefix Secrets Manager names are {@code <prefix><accountId>/<userName>}
 * @param kmsKeyId the KMS key new secrets are encrypted with; empty means aws/secretsmanager
 * @param userPath only users under this IAM path are listed (ListUsers PathPrefix) and scanned
 */
public record AwsSettings(
    Optional<String> region,
    Optional<URI> endpointOverride,
    String memberRoleName,
    String memberRolePath,
    Optional<String> externalId,
    Duration sessionDuration,
    String secretPrefix,
    Optional<String> kmsKeyId,
    String userPath) {

  public static final String DEFAULT_SECRET_PREFIX = "key-rotator/";
  public static final Duration DEFAULT_SESSION_DURATION = Duration.ofHours(1);

  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  private static final Pattern ROLE_PATH = Pattern.compile("/|/[\\u0021-\\u007E]{0,510}/");

  public AwsSettings {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpointOverride, "endpointOverride");
    Objects.requireNonNull(memberRoleName, "memberRoleName");
    memberRolePath = memberRolePath == null || memberRolePath.isEmpty() ? "/" : memberRolePath;
    Objects.requireNonNull(externalId, "externalId");
    sessionDuration = sessionDuration == null ? DEFAULT_SESSION_DURATION : sessionDuration;
    secretPrefix = secretPrefix == null ? DEFAULT_SECRET_PREFIX : secretPrefix;
    Objects.requireNonNull(kmsKeyId, "kmsKeyId");
    if (!ROLE_NAME.matcher(memberRoleName).matches()) {
      throw new IllegalArgumentException(
          "member role name '"
              + memberRoleName
              + "' is not a valid IAM role name (1-64 of letters, digits and +=,.@_-)");
    }
    if (!ROLE_PATH.matcher(memberRolePath).matches()) {
      throw new IllegalArgumentException(
          "member role path '"
              + memberRolePath
              + "' must be / or start and end with / (e.g. /key-rotator/)");
    }
    if (sessionDuration.compareTo(Duration.ofMinutes(15)) < 0
        || sessionDuration.compareTo(Duration.ofHours(12)) > 0) {
      throw new IllegalArgumentException(
          "session duration must be between 15 minutes and 12 hours, got " + sessionDuration);
    }
    externalId.ifPresent(
        id -> {
          if (!id.matches("[\\w+=,.@:/-]{2,1224}")) {
            throw new IllegalArgumentException(
                "ExternalId must be 2-1224 of letters, digits and +=,.@:/-");
          }
        });
    region = region.filter(r -> !r.isBlank());
    kmsKeyId = kmsKeyId.filter(k -> !k.isBlank());
    userPath = userPath == null || userPath.isEmpty() ? "/" : userPath;
    if (!ROLE_PATH.matcher(userPath).matches()) {
      throw new IllegalArgumentException(
          "user path '" + userPath + "' must be / or start and end with / (e.g. /apps/)");
    }
  }

  /** Defaults: SDK region and endpoint, role path /, no ExternalId, 1 h sessions. */
  public static AwsSettings of(String memberRoleName) {
    return new AwsSettings(
        Optional.empty(),
        Optional.empty(),
        memberRoleName,
        "/",
        Optional.empty(),
        DEFAULT_SESSION_DURATION,
        DEFAULT_SECRET_PREFIX,
        Optional.empty(),
        "/");
  }

  public AwsSettings withRegion(String r) {
    return new AwsSettings(
        Optional.ofNullable(r),
        endpointOverride,
        memberRoleName,
        memberRolePath,
        externalId,
        sessionDuration,
        secretPrefix,
        kmsKeyId,
        userPath);
  }

  public AwsSettings withEndpointOverride(URI endpoint) {
    return new AwsSettings(
        region,
        Optional.ofNullable(endpoint),
        memberRoleName,
        memberRolePath,
        externalId,
        sessionDuration,
        secretPrefix,
        kmsKeyId,
        userPath);
  }

  public AwsSettings withMemberRolePath(String path) {
    return new AwsSettings(
        region,
        endpointOverride,
        memberRoleName,
        path,
        externalId,
        sessionDuration,
        secretPrefix,
        kmsKeyId,
        userPath);
  }

  public AwsSettings withExternalId(String id) {
    return new AwsSettings(
        region,
        endpointOverride,
        memberRoleName,
        memberRolePath,
        Optional.ofNullable(id).filter(s -> !s.isEmpty()),
        sessionDuration,
        secretPrefix,
        kmsKeyId,
        userPath);
  }

  public AwsSettings withSecretPrefix(String prefix) {
    return new AwsSettings(
        region,
        endpointOverride,
        memberRoleName,
        memberRolePath,
        externalId,
        sessionDuration,
        prefix,
        kmsKeyId,
        userPath);
  }

  public AwsSettings withUserPath(String path) {
    return new AwsSettings(
        region,
        endpointOverride,
        memberRoleName,
        memberRolePath,
        externalId,
        sessionDuration,
        secretPrefix,
        kmsKeyId,
        path);
  }

  public AwsSettings withKmsKeyId(String key) {
    return new AwsSettings(
        region,
        endpointOverride,
        memberRoleName,
        memberRolePath,
        externalId,
        sessionDuration,
        secretPrefix,
        Optional.ofNullable(key),
        userPath);
  }
}
