package dev.keyrotator.sandbox;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;

/** Real AWS SDK v2 clients pointed at a sandbox, as the rotator builds them. */
final class Clients {
  static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

  final URI endpoint;
  final AwsCredentials credentials;

  Clients(URI endpoint, AwsCredentials credentials) {
    this.endpoint = endpoint;
    this.credentials = credentials;
  }

  static Clients admin(Sandbox sb, String accountId) {
    SandboxCredentials c = sb.credentialsFor(accountId);
    return new Clients(
        sb.endpoint(), AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
  }

  static Clients keys(Sandbox sb, String keyId, String secret) {
    return new Clients(sb.endpoint(), AwsBasicCredentials.create(keyId, secret));
  }

  /** Clients for the account reached by assuming {@code roleArn}. */
  Clients assume(String roleArn, String externalId) {
    AssumeRoleResponse r =
        sts().assumeRole(b -> b.roleArn(roleArn).roleSessionName("test").externalId(externalId));
    return new Clients(
        endpoint,
        AwsSessionCredentials.create(
            r.credentials().accessKeyId(),
            r.credentials().secretAccessKey(),
            r.credentials().sessionToken()));
  }

  private StaticCredentialsProvider provider() {
    return StaticCredentialsProvider.create(credentials);
  }

  SecurityHubClient securityHub() {
    return SecurityHubClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  IamClient iam() {
    return IamClient.builder()
        .endpointOverride(endpoint)
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  StsClient sts() {
    return StsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  OrganizationsClient organizations() {
    return OrganizationsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  SecretsManagerClient secrets() {
    return SecretsManagerClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  SnsClient sns() {
    return SnsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }

  S3Client s3() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(provider())
        .httpClient(HTTP)
        .build();
  }
}
