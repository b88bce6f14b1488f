package dev.keyrotator.aws;

import dev.keyrotator.ports.ReportReader;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads report parts, and earlier runs' report.json for the HTML report's trend, with S3
 * ListObjectsV2 (all pages) and GetObject, with {@code x-amz-expected-bucket-owner} set to the
 * security account when known.
 *
 * <p>IAM actions: s3:ListBucket on the bucket (with an {@code s3:prefix} condition on the parts
 * folder and on {@code <prefix>2???/*}) and s3:GetObject on {@code
 * arn:aws:s3:::<bucket>/<prefix>parts/*} and {@code <prefix>2???/*}{@code /report.json}.
 */
public final class S3ReportReader implements ReportReader {
  private static final String SERVICE = "s3";

  private final LazyClient<S3Client> s3;

  private S3ReportReader(LazyClient<S3Client> s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  public static S3ReportReader create(S3Client s3) {
    return new S3ReportReader(LazyClient.built(s3));
  }

  public static S3ReportReader create(LazyClient<S3Client> s3) {
    return new S3ReportReader(s3);
  }

  @Override
  public List<String> keys(String bucket, Optional<String> expectedOwner, String prefix) {
    List<String> out = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      ListObjectsV2Response page =
          AwsErrors.call(
              SERVICE,
              "ListObjectsV2",
              () ->
                  s3.get()
                      .listObjectsV2(
                          r -> {
                            r.bucket(bucket).prefix(prefix).continuationToken(next);
                            expectedOwner.ifPresent(r::expectedBucketOwner);
                          }));
      page.contents().stream().map(S3Object::key).forEach(out::add);
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    out.sort(null);
    return out;
  }

  @Override
  public byte[] read(String bucket, Optional<String> expectedOwner, String key) {
    return AwsErrors.call(
        SERVICE,
        "GetObject",
        () ->
            s3.get()
                .getObject(
                    r -> {
                      r.bucket(bucket).key(key);
                      expectedOwner.ifPresent(r::expectedBucketOwner);
                    },
                    ResponseTransformer.toBytes())
                .asByteArray());
  }

  @Override
  public InputStream open(String bucket, Optional<String> expectedOwner, String key) {
    return AwsErrors.call(
        SERVICE,
        "GetObject",
        () ->
            s3.get()
                .getObject(
                    r -> {
                      r.bucket(bucket).key(key);
                      expectedOwner.ifPresent(r::expectedBucketOwner);
                    }));
  }
}
