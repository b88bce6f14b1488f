package dev.keyrotator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.ports.AccessKeyPair;
import dev.keyrotator.ports.AwsCallException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The IAM user's own secret, read with the user's own key (the secret's resource policy allows
 * exactly that): what the credential provider ({@code rotator credentials}) calls. One Secrets
 * Manager client, built for the one call; no rotator role is involved and none may read a secret.
 */
public final class OwnKeySecret {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OwnKeySecret() {}

  /**
   * The key in the secret's current version (AWSCURRENT), read as {@code as}.
   *
   * @throws AwsCallException when Secrets Manager refuses or cannot be reached; the message never
   *     holds a secret
   * @throws IllegalArgumentException when the secret does not hold a rotator key
   */
  public static AccessKeyPair current(
      String secretId, Region region, Optional<URI> endpoint, AccessKeyPair as) {
    var builder =
        SecretsManagerClient.builder()
            .region(region)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(as.accessKeyId(), as.secretAccessKey())))
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(3))
                    .socketTimeout(Duration.ofSeconds(10))
                    .build())
            .overrideConfiguration(
                ClientOverrideConfiguration.builder()
                    .retryStrategy(RetryMode.STANDARD)
                    .apiCallTimeout(Duration.ofSeconds(20))
                    .build());
    endpoint.ifPresent(builder::endpointOverride);
    try (SecretsManagerClient sm = builder.build()) {
      String value =
          AwsErrors.call(
              "secretsmanager",
              "GetSecretValue",
              () -> sm.getSecretValue(r -> r.secretId(secretId)).secretString());
      JsonNode n;
      try {
        n = JSON.readTree(value == null ? "" : value);
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "secret " + secretId + " does not hold a key the rotator stored (not JSON)");
      }
      if (n == null || !n.hasNonNull("AccessKeyId") || !n.hasNonNull("SecretAccessKey")) {
        throw new IllegalArgumentException(
            "secret " + secretId + " does not hold a key the rotator stored (no AccessKeyId)");
      }
      return new AccessKeyPair(n.get("AccessKeyId").asText(), n.get("SecretAccessKey").asText());
    }
  }
}
