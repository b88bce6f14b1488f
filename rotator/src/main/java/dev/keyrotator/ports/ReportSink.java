package dev.keyrotator.ports;

import java.util.List;
import java.util.Optional;

/** Where run reports are kept for the security team (the report bucket in the security account). */
public interface ReportSink {

  /**
   * Writes the files of one run under {@code folder} in {@code bucket}, in order, and returns where
   * each went.
   *
   * @param expectedOwner the account that must own the bucket (the security account); when given, a
   *     bucket owned by anyone else is refused rather than written to
   * @param folder the key prefix, ending with {@code /}
   * @throws AwsCallException when a file cannot be written; files written before it stay
   */
  List<ReportLocation> write(
      String bucket, Optional<String> expectedOwner, String folder, List<ReportFile> files);
}
