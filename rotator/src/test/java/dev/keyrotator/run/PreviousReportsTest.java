package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.report.JsonReport;
import dev.keyrotator.report.PreviousReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.RunReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the HTML report's trend finds the previous run, and what it passes over. */
class PreviousReportsTest {
  static final String BUCKET = "reports-bucket";
  static final String OWNER = "222222222222";
  static final ReportingSettings SETTINGS =
      new ReportingSettings(Optional.of(OWNER), Optional.of(BUCKET), "reports/", Optional.empty());

  @TempDir Path tmp;

  /** The bucket as a map of keys to bytes; records every call with the expected owner. */
  static final class Bucket implements ReportReader {
    final Map<String, byte[]> objects = new TreeMap<>();
    final List<String> calls = new ArrayList<>();
    String failListing = null;

    void put(RunReport r) {
      objects.put(
          ReportDelivery.folder("reports/", r) + "report.json",
          JsonReport.render(r).getBytes(StandardCharsets.UTF_8));
      objects.put(ReportDelivery.folder("reports/", r) + "report.html", new byte[] {1});
    }

    @Override
    public List<String> keys(String bucket, Optional<String> expectedOwner, String prefix) {
      calls.add("list " + bucket + " " + expectedOwner.orElse("-") + " " + prefix);
      if (failListing != null) {
        throw new AwsCallException("s3", "ListObjectsV2", failListing, 403, "Access Denied", null);
      }
      return objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public byte[] read(String bucket, Optional<String> expectedOwner, String key) {
      calls.add("get " + bucket + " " + expectedOwner.orElse("-") + " " + key);
      return objects.get(key);
    }
  }

  static RunReport run(String id, String started) {
    Instant at = Instant.parse(started);
    return new RunReport(id, at, at.plusSeconds(5), "per-account", "p", "sha", List.of(), Map.of());
  }

  final RunReport current = run("20250601T020000Z-00000001", "2025-06-01T02:00:00Z");

  @Test
  void nothingIsLookedForWithoutAReportDirectoryOrADeliveryToTheBucket() {
    Bucket b = new Bucket();
    PreviousReport p = new PreviousReports(b).find(current, Optional.empty(), Optional.empty());
    assertThat(p).isEqualTo(PreviousReport.none());
    assertThat(b.calls).isEmpty();
  }

  @Test
  void theReportDirectorysReportJsonIsThePreviousRun() throws Exception {
    RunReport before = run("20250525T020000Z-00000002", "2025-05-25T02:00:00Z");
    Files.writeString(tmp.resolve("report.json"), JsonReport.render(before));
    PreviousReport p =
        new PreviousReports(new Bucket()).find(current, Optional.of(tmp), Optional.empty());
    assertThat(p.report()).contains(before);
    assertThat(p.source()).isEqualTo(tmp.resolve("report.json").toString());
    assertThat(p.note()).isEmpty();
  }

  @Test
  void anEmptyReportDirectoryHasNoPreviousRun() {
    PreviousReport p =
        new PreviousReports(new Bucket()).find(current, Optional.of(tmp), Optional.empty());
    assertThat(p.report()).isEmpty();
    assertThat(p.source()).endsWith("report.json");
    assertThat(p.note()).isEmpty();
  }

  @Test
  void anUnreadableOrLaterReportInTheDirectoryIsPassedOverWithANote() throws Exception {
    Files.writeString(tmp.resolve("report.json"), "{\"schemaVersion\": 7}");
    PreviousReport p =
        new PreviousReports(new Bucket()).find(current, Optional.of(tmp), Optional.empty());
    assertThat(p.report()).isEmpty();
    assertThat(p.note()).contains("could not be read").contains("schema version");

    Files.writeString(
        tmp.resolve("report.json"),
        JsonReport.render(run("20270601T000000Z-00000003", "2027-06-01T00:00:00Z")));
    p = new PreviousReports(new Bucket()).find(current, Optional.of(tmp), Optional.empty());
    assertThat(p.report()).isEmpty();
    assertThat(p.note()).contains("20270601T000000Z-00000003").contains("not an earlier one");
  }

  @Test
  void theBucketsNewestEarlierReportIsFoundMonthByMonthWithTheOwnerExpected() {
    Bucket b = new Bucket();
    RunReport april = run("20250420T020000Z-0000000a", "2025-04-20T02:00:00Z");
    RunReport may = run("20250525T020000Z-0000000b", "2025-05-25T02:00:00Z");
    b.put(april);
    b.put(may);
    b.put(current); // this run's own folder (a second delivery of the same run) is not "previous"
    b.objects.put("reports/parts/x/111111111111.json", new byte[] {1});

    PreviousReport p =
        new PreviousReports(b).find(current, Optional.empty(), Optional.of(SETTINGS));

    assertThat(p.report()).contains(may);
    assertThat(p.source())
        .isEqualTo("s3://" + BUCKET + "/reports/2025/05/25/20250525T020000Z-0000000b/report.json");
    assertThat(b.calls)
        .containsExactly(
            "list " + BUCKET + " " + OWNER + " reports/2025/06/",
            "list " + BUCKET + " " + OWNER + " reports/2025/05/",
            "get "
                + BUCKET
                + " "
                + OWNER
                + " reports/2025/05/25/20250525T020000Z-0000000b/report.json");
  }

  @Test
  void aLaterRunInTheBucketIsSkippedAndAnUnreadableOneIsPassedOverWithANote() {
    Bucket b = new Bucket();
    RunReport earlier = run("20250601T010000Z-0000000c", "2025-06-01T01:00:00Z");
    b.put(earlier);
    b.put(run("20250615T020000Z-0000000d", "2025-06-15T02:00:00Z")); // a --now in the past
    b.objects.put(
        "reports/2025/06/10/20250610T020000Z-0000000e/report.json",
        "not json".getBytes(StandardCharsets.UTF_8));

    PreviousReport p =
        new PreviousReports(b).find(current, Optional.empty(), Optional.of(SETTINGS));

    assertThat(p.report()).contains(earlier);
    assertThat(p.note())
        .contains("reports/2025/06/10/20250610T020000Z-0000000e/report.json")
        .contains("passed over");
  }

  @Test
  void anEmptyBucketIsSearchedATwelvemonthBack() {
    Bucket b = new Bucket();
    PreviousReport p =
        new PreviousReports(b).find(current, Optional.empty(), Optional.of(SETTINGS));
    assertThat(p.report()).isEmpty();
    assertThat(p.note()).isEmpty();
    assertThat(p.source()).isEqualTo("s3://" + BUCKET + "/reports/ (2024-06 to 2025-06)");
    assertThat(b.calls)
        .hasSize(PreviousReports.MONTHS_BACK + 1)
        .last()
        .asString()
        .endsWith("reports/2024/06/");
  }

  @Test
  void aBucketThatCannotBeListedGivesANoteAndNeverFailsTheRun() {
    Bucket b = new Bucket();
    b.failListing = "AccessDenied";
    PreviousReport p =
        new PreviousReports(b).find(current, Optional.empty(), Optional.of(SETTINGS));
    assertThat(p.report()).isEmpty();
    assertThat(p.note())
        .contains("s3://" + BUCKET + "/reports/2025/06/")
        .contains("could not be listed");
  }

  @Test
  void withBothTheLaterRunWins() throws Exception {
    RunReport local = run("20250520T020000Z-0000000f", "2025-05-20T02:00:00Z");
    RunReport delivered = run("20250531T020000Z-00000010", "2025-05-31T02:00:00Z");
    Files.writeString(tmp.resolve("report.json"), JsonReport.render(local));
    Bucket b = new Bucket();
    b.put(delivered);

    PreviousReport p =
        new PreviousReports(b).find(current, Optional.of(tmp), Optional.of(SETTINGS));
    assertThat(p.report()).contains(delivered);

    b.objects.clear();
    p = new PreviousReports(b).find(current, Optional.of(tmp), Optional.of(SETTINGS));
    assertThat(p.report()).contains(local);
  }
}
