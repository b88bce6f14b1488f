package dev.keyrotator.aws;

import dev.keyrotator.ports.AwsCallException;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads the policy file from S3 (GetObject) for the Lambda, before the run's wiring exists: its one
 * S3 client is built on first use and kept for the container's life.
 */
public final class S3PolicyReader {
  private final Optional<URI> endpoint;
  private AwsClientFactory clients;

  public S3PolicyReader(Optional<URI> endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * The object's content.
   *
   * @throws AwsCallException when it cannot be read
   */
  public synchronized byte[] read(String bucket, String key) {
    try {
      return s3().getObject(r -> r.bucket(bucket).key(key), ResponseTransformer.toBytes())
          .asByteArray();
    } catch (RuntimeException e) {
      throw new AwsCallException(
          "s3",
          "GetObject",
          "PolicyFileUnreadable",
          0,
          "cannot read the policy file s3://" + bucket + "/" + key + ": " + e.getMessage(),
          e);
    }
  }

  private S3Client s3() {
    if (clients == null) {
      AwsSettings settings = AwsSettings.of("OrgKeyRotatorMemberRole");
      clients =
          new AwsClientFactory(
              endpoint.map(settings::withEndpointOverride).orElse(settings), new CallMetrics());
    }
    return clients.s3();
  }
}
