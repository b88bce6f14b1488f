package dev.keyrotator.aws;

import dev.keyrotator.ports.ReportFile;
import dev.keyrotator.ports.ReportLocation;
import dev.keyrotator.ports.ReportSink;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Writes report files with S3 PutObject: content type set, SSE-S3 ({@code AES256}) requested,
 * conditional on the key being new ({@code If-None-Match: *}, so a report is never overwritten),
 * {@code x-amz-expected-bucket-owner} set to the security account when known. The report bucket of
 * {@code stacksets/security-account.yaml} enforces bucket-owner ownership, so no ACL is sent.
 *
 * <p>IAM action: s3:PutObject on {@code arn:aws:s3:::<bucket>/<prefix>*}.
 */
public final class S3ReportSink implements ReportSink {
  private static final String SERVICE = "s3";

  private final LazyClient<S3Client> s3;
  private volatile String region; // read from the client on the first write: it may be lazy

  @Inject
  S3ReportSink(LazyClient<S3Client> s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  private String region() {
    String r = region;
    if (r == null) {
      r = regionOf(s3.get());
      region = r;
    }
    return r;
  }

  public static S3ReportSink create(S3Client s3) {
    return new S3ReportSink(LazyClient.built(s3));
  }

  public static S3ReportSink create(LazyClient<S3Client> s3) {
    return new S3ReportSink(s3);
  }

  private static String regionOf(S3Client s3) {
    try {
      Region r = s3.serviceClientConfiguration().region();
      return r == null ? AwsClientFactory.FALLBACK_REGION.id() : r.id();
    } catch (RuntimeException e) {
      return AwsClientFactory.FALLBACK_REGION.id();
    }
  }

  @Override
  public List<ReportLocation> write(
      String bucket, Optional<String> expectedOwner, String folder, List<ReportFile> files) {
    List<ReportLocation> out = new ArrayList<>();
    for (ReportFile f : files) {
      String key = folder + f.name();
      AwsErrors.run(
          SERVICE,
          "PutObject",
          () ->
              s3.get()
                  .putObject(
                      r -> {
                        r.bucket(bucket)
                            .key(key)
                            .contentType(f.contentType())
                            .serverSideEncryption(ServerSideEncryption.AES256)
                            // never over an existing report (the bucket policy refuses writes
                            // without it; S3 answers 412 when the key exists)
                            .ifNoneMatch("*");
                        expectedOwner.ifPresent(r::expectedBucketOwner);
                      },
                      f.file()
                          .map(RequestBody::fromFile)
                          .orElseGet(() -> RequestBody.fromBytes(f.content()))));
      out.add(
          new ReportLocation(
              f.name(),
              bucket,
              key,
              "s3://" + bucket + "/" + key,
              consoleUrl(region(), bucket, key)));
    }
    return out;
  }

  /** The S3 console's page of one object, for the partitions that have a console we know. */
  static String consoleUrl(String region, String bucket, String key) {
    String host =
        switch (AwsClientFactory.partitionOf(region)) {
          case "aws" -> "console.aws.amazon.com";
          case "aws-us-gov" -> "console.amazonaws-us-gov.com";
          case "aws-cn" -> "console.amazonaws.cn";
          default -> null;
        };
    if (host == null) {
      return "";
    }
    return "https://"
        + host
        + "/s3/object/"
        + bucket
        + "?region="
        + region
        + "&prefix="
        + URLEncoder.encode(key, StandardCharsets.UTF_8);
  }
}
