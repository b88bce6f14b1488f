package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportFile;
import dev.keyrotator.ports.ReportLocation;
import dev.keyrotator.ports.ReportSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportDeliveryTest {
  static final String TOPIC = "arn:aws:sns:us-east-1:222222222222:key-rotation-summary";
  static final String BUCKET = "org-key-rotator-reports-222222222222";

  /** In-memory sink: records what it was given; fails when told to. */
  static final class FakeSink implements ReportSink {
    final List<String> keys = new ArrayList<>();
    final List<String> contentTypes = new ArrayList<>();
    Optional<String> owner = Optional.empty();
    boolean fail;

    @Override
    public List<ReportLocation> write(
        String bucket, Optional<String> expectedOwner, String folder, List<ReportFile> files) {
      if (fail) {
        throw new AwsCallException("s3", "PutObject", "AccessDenied", 403, "Access Denied", null);
      }
      owner = expectedOwner;
      List<ReportLocation> out = new ArrayList<>();
      for (ReportFile f : files) {
        keys.add(folder + f.name());
        contentTypes.add(f.contentType());
        out.add(
            new ReportLocation(
                f.name(),
                bucket,
                folder + f.name(),
                "s3://" + bucket + "/" + folder + f.name(),
                "https://console/" + f.name()));
      }
      return out;
    }
  }

  static final class FakeNotifier implements Notifier {
    final List<Notification> sent = new ArrayList<>();
    boolean fail;

    @Override
    public void publish(String topicArn, Notification n) {
      if (fail) {
        throw new AwsCallException("sns", "Publish", "AuthorizationError", 403, "denied", null);
      }
      assertThat(topicArn).isEqualTo(TOPIC);
      sent.add(n);
    }
  }

  private final FakeSink sink = new FakeSink();
  private final FakeNotifier notifier = new FakeNotifier();
  private final ReportDelivery delivery = new ReportDelivery(sink, notifier);
  private final RunReport run = ReportFixtures.run();

  private static ReportingSettings settings(String prefix, boolean bucket, boolean topic) {
    return new ReportingSettings(
        Optional.of("222222222222"),
        bucket ? Optional.of(BUCKET) : Optional.empty(),
        prefix,
        topic ? Optional.of(TOPIC) : Optional.empty());
  }

  @Test
  void writesThreeFilesUnderTheDatedRunFolderThenOneSummaryLinkingThem() {
    DeliveryResult r = delivery.deliver(run, settings("reports/", true, true));

    String folder = "reports/2025/06/01/" + ReportFixtures.RUN_ID + "/";
    assertThat(sink.keys)
        .containsExactly(folder + "report.json", folder + "report.csv", folder + "report.html");
    assertThat(sink.contentTypes).allMatch(t -> t.contains("charset=utf-8"));
    assertThat(sink.owner).contains("222222222222");
    assertThat(r.ok()).isTrue();
    assertThat(r.summarySent()).isTrue();
    assertThat(notifier.sent).hasSize(1);
    Notification n = notifier.sent.get(0);
    for (String key : sink.keys) {
      assertThat(n.body()).contains("s3://" + BUCKET + "/" + key);
    }
    assertThat(n.subject()).contains(ReportFixtures.RUN_ID).contains("ATTENTION");
    assertThat(n.body()).contains("Accounts: 5").contains("555555555555");
    assertThat(n.attributes())
        .containsEntry("event", "run-summary")
        .containsEntry("run_id", ReportFixtures.RUN_ID)
        .containsEntry("report_uri", "s3://" + BUCKET + "/" + folder + "report.json");
  }

  @Test
  void aPrefixWithoutTrailingSlashStillMakesAFolder() {
    assertThat(ReportDelivery.folder("reports", run))
        .isEqualTo("reports/2025/06/01/" + ReportFixtures.RUN_ID + "/");
    assertThat(ReportDelivery.folder("", run))
        .isEqualTo("2025/06/01/" + ReportFixtures.RUN_ID + "/");
  }

  @Test
  void aFailedWriteIsReportedAndTheSummarySaysTheFilesAreMissing() {
    sink.fail = true;
    DeliveryResult r = delivery.deliver(run, settings("reports/", true, true));

    assertThat(r.ok()).isFalse();
    assertThat(r.problems())
        .singleElement()
        .asString()
        .contains("AccessDenied")
        .contains("s3://" + BUCKET + "/reports/");
    assertThat(notifier.sent).hasSize(1);
    assertThat(notifier.sent.get(0).body()).contains("none delivered").contains("Delivery problem");
  }

  @Test
  void aFailedPublishIsReportedAndTheFilesStay() {
    notifier.fail = true;
    DeliveryResult r = delivery.deliver(run, settings("reports/", true, true));

    assertThat(r.files()).hasSize(3);
    assertThat(r.summarySent()).isFalse();
    assertThat(r.problems()).singleElement().asString().contains("AuthorizationError");
  }

  @Test
  void nothingConfiguredMeansNothingSent() {
    DeliveryResult r = delivery.deliver(run, settings("reports/", false, false));
    assertThat(r.attempted()).isFalse();
    assertThat(r.ok()).isTrue();
    assertThat(sink.keys).isEmpty();
    assertThat(notifier.sent).isEmpty();
  }
}
