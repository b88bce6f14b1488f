package dev.keyrotator.run;

import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.PreviousReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.ReportFiles;
import dev.keyrotator.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the run before this one, which the HTML report's trend compares with:
 *
 * <ul>
 *   <li>with a report directory, the {@code report.json} it holds before this run overwrites it;
 *   <li>for a run delivered to the report bucket, the newest earlier {@code report.json} under
 *       {@code <prefix><yyyy>/<mm>/}: ListObjectsV2 on this run's month, then on each month before
 *       it, up to {@link #MONTHS_BACK}, with the bucket owner expected (the security account).
 * </ul>
 *
 * When both have one, the later run is the previous one. A report that cannot be listed, read or
 * parsed, or that is of a later run (a {@code --now} in the past), is passed over with a note: this
 * never fails the run.
 */
final class PreviousReports {
  /** How many months before this run's month the bucket is searched. */
  static final int MONTHS_BACK = 12;

  /** At most this many report.json files are read from the bucket in one search. */
  static final int MAX_READS = 5;

  private final ReportReader reader;

  PreviousReports(ReportReader reader) {
    this.reader = reader;
  }

  /**
   * The previous run of {@code current}.
   *
   * @param bucket the reporting settings when the run is delivered to the report bucket, else empty
   */
  PreviousReport find(
      RunReport current, Optional<Path> reportDir, Optional<ReportingSettings> bucket) {
    List<PreviousReport> looked = new ArrayList<>();
    try {
      reportDir.ifPresent(d -> looked.add(local(current, d)));
      bucket.filter(s -> s.bucket().isPresent()).ifPresent(s -> looked.add(fromBucket(current, s)));
    } catch (RuntimeException e) {
      looked.add(PreviousReport.unusable("", "the previous report was not looked for: " + e));
    }
    if (looked.isEmpty()) {
      return PreviousReport.none();
    }
    Optional<PreviousReport> latest =
        looked.stream()
            .filter(p -> p.report().isPresent())
            .max(Comparator.comparing(p -> p.report().get().startedAt()));
    PreviousReport out =
        latest.orElseGet(
            () ->
                new PreviousReport(
                    Optional.empty(),
                    String.join(" or ", looked.stream().map(PreviousReport::source).toList()),
                    ""));
    for (PreviousReport p : looked) {
      if (p != out) {
        out = out.withNote(p.note());
      }
    }
    return out;
  }

  private static PreviousReport local(RunReport current, Path dir) {
    Path file = dir.resolve(ReportFiles.JSON);
    if (!Files.isRegularFile(file)) {
      return PreviousReport.notFound(file.toString());
    }
    try {
      RunReport r = JsonReport.read(file);
      if (!earlier(r, current)) {
        return PreviousReport.unusable(
            file.toString(), file + " holds run " + r.runId() + ", not an earlier one");
      }
      return PreviousReport.of(r, file.toString());
    } catch (RuntimeException e) {
      return PreviousReport.unusable(
          file.toString(), file + " could not be read: " + e.getMessage());
    }
  }

  private PreviousReport fromBucket(RunReport current, ReportingSettings s) {
    String bucket = s.bucket().orElseThrow();
    String own = ReportDelivery.folder(s.prefix(), current);
    YearMonth month = YearMonth.from(current.startedAt().atOffset(ZoneOffset.UTC));
    PreviousReport passedOver = PreviousReport.none();
    int reads = 0;
    for (int i = 0; i <= MONTHS_BACK && reads < MAX_READS; i++) {
      String folder = ReportDelivery.monthFolder(s.prefix(), month.minusMonths(i));
      List<String> keys;
      try {
        keys = reader.keys(bucket, s.securityAccountId(), folder);
      } catch (RuntimeException e) {
        return PreviousReport.unusable(
            "s3://" + bucket + "/" + folder,
            "s3://" + bucket + "/" + folder + " could not be listed: " + e.getMessage());
      }
      List<String> candidates =
          keys.stream()
              .filter(k -> k.endsWith("/" + ReportFiles.JSON) && !k.startsWith(own))
              .sorted(Comparator.reverseOrder())
              .toList();
      for (String key : candidates) {
        if (reads++ >= MAX_READS) {
          break;
        }
        String uri = "s3://" + bucket + "/" + key;
        try {
          RunReport r;
          // streamed: a large organization's report is hundreds of megabytes (README "Limits")
          try (InputStream in = reader.open(bucket, s.securityAccountId(), key)) {
            r = JsonReport.parse(in, uri);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          if (earlier(r, current)) {
            return PreviousReport.of(r, uri).withNote(passedOver.note());
          }
        } catch (RuntimeException e) {
          passedOver =
              passedOver.withNote(
                  uri + " could not be read and was passed over: " + e.getMessage());
        }
      }
    }
    String root = ReportDelivery.monthFolder(s.prefix(), month);
    String where =
        "s3://"
            + bucket
            + "/"
            + root.substring(0, root.length() - "yyyy/mm/".length())
            + " ("
            + month.minusMonths(MONTHS_BACK)
            + " to "
            + month
            + ")";
    return new PreviousReport(Optional.empty(), where, passedOver.note());
  }

  /** Whether {@code r} is of a run before {@code current} (not the same run, not started later). */
  private static boolean earlier(RunReport r, RunReport current) {
    return !r.runId().equals(current.runId()) && !r.startedAt().isAfter(current.startedAt());
  }
}
