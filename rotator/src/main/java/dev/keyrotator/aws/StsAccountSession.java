package dev.keyrotator.aws;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserScan;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * IAM and Secrets Manager in one account, with that account's (refreshing) credentials: views of
 * the factory's shared member clients ({@link AccountClients}), so opening a session builds no SDK
 * client.
 */
final class StsAccountSession implements AccountSession {
  private final String accountId;
  private final AwsCredentialsProvider credentials;
  private final IamClient iam;
  private final SecretsManagerClient secrets;
  private final IamUsers keys;
  private final SecretsManagerVault vault;
  private final boolean ownsCredentials;

  StsAccountSession(
      String accountId, AwsCredentialsProvider credentials, AwsClientFactory clients) {
    this(accountId, credentials, clients, true);
  }

  StsAccountSession(
      String accountId,
      AwsCredentialsProvider credentials,
      AwsClientFactory clients,
      boolean ownsCredentials) {
    this.ownsCredentials = ownsCredentials;
    this.accountId = Objects.requireNonNull(accountId, "accountId");
    this.credentials = credentials;
    this.iam = clients.iam(credentials);
    this.secrets = clients.secretsManager(credentials);
    AwsSettings s = clients.settings();
    this.keys = new IamUsers(iam, s.userPath());
    this.vault =
        new SecretsManagerVault(
            secrets, clients.region().id(), clients.partition(), s.secretPrefix(), s.kmsKeyId());
  }

  @Override
  public String accountId() {
    return accountId;
  }

  @Override
  public UserKeys keys() {
    return keys;
  }

  @Override
  public UserScan scan() {
    return keys;
  }

  @Override
  public SecretVault vault() {
    return vault;
  }

  @Override
  public void close() {
    iam.close();
    secrets.close();
    if (ownsCredentials && credentials instanceof SdkAutoCloseable c) {
      c.close();
    }
  }

  @Override
  public String toString() {
    return "AccountSession[" + accountId + "]";
  }
}
