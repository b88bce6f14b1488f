package dev.keyrotator.ports;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Reads back what a {@link ReportSink} wrote: the report parts of a fanned-out run, which the merge
 * step collects from the report bucket.
 */
public interface ReportReader {

  /**
   * The keys under {@code prefix} in {@code bucket}, all pages, in key order.
   *
   * @throws AwsCallException when the bucket cannot be listed
   */
  List<String> keys(String bucket, Optional<String> expectedOwner, String prefix);

  /**
   * One object's content.
   *
   * @throws AwsCallException when it cannot be read
   */
  byte[] read(String bucket, Optional<String> expectedOwner, String key);

  /**
   * One object's content as a stream, for an object too large to hold (a previous run's report of
   * hundreds of megabytes); by default {@link #read} whole. Close it.
   *
   * @throws AwsCallException when it cannot be opened
   */
  default InputStream open(String bucket, Optional<String> expectedOwner, String key) {
    return new ByteArrayInputStream(read(bucket, expectedOwner, key));
  }
}
