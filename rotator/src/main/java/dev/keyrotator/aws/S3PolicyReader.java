package dev.keyrotator.aws;

import dev.keyrotator.ports.AwsCallException;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads the policy file from S3 (GetObject) for the Lambda, before the run's wiring exists: its one
 * S3 client is built on first use and kept for the container's life. With an expected bucket owner
 * (the central account, {@code KEY_ROTATOR_POLICY_BUCKET_OWNER}) S3 refuses the read when the
 * bucket belongs to anyone else, so a bucket of the same name in another account is never read.
 */
public final class S3PolicyReader {
  private final Optional<URI> endpoint;
  private final Optional<String> expectedOwner;
  private AwsClientFactory clients;

  public S3PolicyReader(Optional<URI> endpoint) {
    this(endpoint, Optional.empty());
  }

  public S3PolicyReader(Optional<URI> endpoint, Optional<String> expectedOwner) {
    this.endpoint = endpoint;
    this.expectedOwner = expectedOwner.filter(o -> !o.isBlank());
  }

  /**
   * The object's content.
   *
   * @throws AwsCallException when it cannot be read
   */
  public synchronized byte[] read(String bucket, String key) {
    try {
      return s3().getObject(
              r -> {
                r.bucket(bucket).key(key);
                expectedOwner.ifPresent(r::expectedBucketOwner);
              },
              ResponseTransformer.toBytes())
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
