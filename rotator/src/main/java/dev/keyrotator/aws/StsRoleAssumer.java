package dev.keyrotator.aws;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.RoleAssumer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Opens member-account sessions through the StackSet-deployed role. The first AssumeRole happens in
 * {@link #open} so that a missing role, a wrong ExternalId or a trust policy that refuses shows up
 * there as an {@link AwsCallException} naming the account and role; after that the session's {@link
 * StsAssumeRoleCredentialsProvider} refreshes the credentials before they expire.
 */
public final class StsRoleAssumer implements RoleAssumer {
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/([\\x21-\\x7E]*/)?[\\w+=,.@-]{1,64}");
  private static final Pattern SESSION_NAME_CHAR = Pattern.compile("[^\\w+=,.@-]");
  static final int MAX_SESSION_NAME = 64;

  private final StsClient sts;
  private final AwsClientFactory clients;
  private final String roleName;
  private final String rolePath;
  private final Optional<String> externalId;
  private final Duration sessionDuration;
  private final String partition;

  @Inject
  StsRoleAssumer(StsClient sts, AwsClientFactory clients, AwsSettings settings) {
    this(
        sts,
        clients,
        settings.memberRoleName(),
        settings.memberRolePath(),
        settings.externalId(),
        settings.sessionDuration());
  }

  /**
   * @param sts the central STS client (its credentials are the central execution role's)
   * @param clients the shared member IAM and Secrets Manager clients, viewed per account
   * @param roleName the member role's name
   * @param rolePath its path, {@code /} when none
   * @param externalId the ExternalId the trust policy asks for
   * @param sessionDuration 15 minutes to 12 hours (the role's MaxSessionDuration caps it)
   */
  public StsRoleAssumer(
      StsClient sts,
      AwsClientFactory clients,
      String roleName,
      String rolePath,
      Optional<String> externalId,
      Duration sessionDuration) {
    this.sts = Objects.requireNonNull(sts, "sts");
    this.clients = Objects.requireNonNull(clients, "clients");
    this.roleName = Objects.requireNonNull(roleName, "roleName");
    this.rolePath = rolePath == null || rolePath.isEmpty() ? "/" : rolePath;
    this.externalId = Objects.requireNonNull(externalId, "externalId");
    this.sessionDuration = Objects.requireNonNull(sessionDuration, "sessionDuration");
    this.partition = clients.partition();
    // fail at start-up, not per account, when the configuration cannot make a valid ARN
    roleArn("000000000000");
  }

  /** {@code arn:<partition>:iam::<accountId>:role<path><name>}, validated. */
  public String roleArn(String accountId) {
    if (accountId == null || !ACCOUNT_ID.matcher(accountId).matches()) {
      throw new IllegalArgumentException(
          "'" + accountId + "' is not an AWS account id (12 digits)");
    }
    String path = rolePath.startsWith("/") ? rolePath : "/" + rolePath;
    path = path.endsWith("/") ? path : path + "/";
    String arn = "arn:" + partition + ":iam::" + accountId + ":role" + path + roleName;
    if (!ROLE_ARN.matcher(arn).matches()) {
      throw new IllegalArgumentException(
          "'"
              + arn
              + "' is not a valid role ARN (role name '"
              + roleName
              + "', path '"
              + rolePath
              + "')");
    }
    return arn;
  }

  /** {@code key-rotator-<runId>}, characters outside [\w+=,.@-] replaced, at most 64 long. */
  public static String sessionName(String runId) {
    String name =
        "key-rotator-" + SESSION_NAME_CHAR.matcher(runId == null ? "" : runId).replaceAll("-");
    return name.length() > MAX_SESSION_NAME ? name.substring(0, MAX_SESSION_NAME) : name;
  }

  @Override
  public AccountSession open(String accountId, String runId) {
    String arn = roleArn(accountId);
    AssumeRoleRequest.Builder request =
        AssumeRoleRequest.builder()
            .roleArn(arn)
            .roleSessionName(sessionName(runId))
            .durationSeconds((int) sessionDuration.toSeconds());
    externalId.ifPresent(request::externalId);
    StsAssumeRoleCredentialsProvider credentials =
        StsAssumeRoleCredentialsProvider.builder()
            .stsClient(sts)
            .refreshRequest(request.build())
            .asyncCredentialUpdateEnabled(false)
            .build();
    try {
      credentials.resolveCredentials();
    } catch (SdkException e) {
      credentials.close();
      throw AwsErrors.map(
          "sts",
          "AssumeRole",
          e,
          "cannot assume "
              + arn
              + " in account "
              + accountId
              + " (is the member role deployed there, and do its trust policy and ExternalId"
              + " allow this caller?)");
    }
    return new StsAccountSession(accountId, credentials, clients);
  }
}
