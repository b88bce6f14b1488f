package dev.keyrotator.report;

import dev.keyrotator.config.PolicyFile.ReportingSettings;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportFile;
import dev.keyrotator.ports.ReportLocation;
import dev.keyrotator.ports.ReportSink;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Delivers a run report to the security account: report.json, report.csv and report.html to the
 * report bucket under {@code <prefix><yyyy>/<mm>/<dd>/<runId>/} (the run's start date, UTC), then
 * one SNS summary to the reporting topic with the totals and links to the files. A failed write
 * does not stop the summary (it says the files are missing); nothing here throws for an AWS
 * failure: the problems come back in the {@link DeliveryResult}.
 *
 * <p>The CLI's {@code run} and the Lambda handler call {@link #deliver} once per run.
 */
public final class ReportDelivery {
  private static final DateTimeFormatter DAY_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd");

  private final ReportSink sink;
  private final Notifier notifier;

  public ReportDelivery(ReportSink sink, Notifier notifier) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.notifier = Objects.requireNonNull(notifier, "notifier");
  }

  /** Whether the settings ask for any delivery (a bucket or a topic). */
  public static boolean configured(ReportingSettings s) {
    return s != null && (s.bucket().isPresent() || s.topicArn().isPresent());
  }

  /** The folder (key prefix) of a run's files: {@code <prefix><yyyy>/<mm>/<dd>/<runId>/}. */
  public static String folder(String prefix, RunReport r) {
    String day = r.startedAt().atOffset(ZoneOffset.UTC).format(DAY_PATH);
    String run = r.runId().replaceAll("[^A-Za-z0-9._-]", "_");
    return normalized(prefix) + day + "/" + run + "/";
  }

  /** The folder of every run started in {@code month}: {@code <prefix><yyyy>/<mm>/}. */
  public static String monthFolder(String prefix, YearMonth month) {
    return normalized(prefix) + String.format("%04d/%02d/", month.getYear(), month.getMonthValue());
  }

  private static String normalized(String prefix) {
    String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
    if (!p.isEmpty() && !p.endsWith("/")) {
      p = p + "/";
    }
    return p;
  }

  public DeliveryResult deliver(RunReport report, ReportingSettings settings) {
    return deliver(report, ReportSummary.of(report), settings);
  }

  /** Delivers {@code report}, whose {@code summary} the caller computed once for the run. */
  public DeliveryResult deliver(
      RunReport report, ReportSummary summary, ReportingSettings settings) {
    return deliver(report, summary, settings, PreviousReport.none());
  }

  /** Delivers {@code report}, the HTML with the trend against {@code previous}. */
  public DeliveryResult deliver(
      RunReport report,
      ReportSummary summary,
      ReportingSettings settings,
      PreviousReport previous) {
    if (!configured(settings)) {
      return DeliveryResult.nothingConfigured();
    }
    List<String> problems = new ArrayList<>();
    List<ReportLocation> files = new ArrayList<>();
    String destination = "";
    if (settings.bucket().isPresent()) {
      String folder = folder(settings.prefix(), report);
      destination = "s3://" + settings.bucket().get() + "/" + folder;
      try {
        List<ReportFile> rendered = ReportFiles.render(report, summary, previous);
        try {
          files.addAll(
              sink.write(settings.bucket().get(), settings.securityAccountId(), folder, rendered));
        } finally {
          rendered.forEach(ReportFile::discard);
        }
      } catch (AwsCallException e) {
        problems.add("report files not written to " + destination + ": " + e.getMessage());
      }
    }
    boolean sent = false;
    if (settings.topicArn().isPresent()) {
      try {
        notifier.publish(
            settings.topicArn().get(), summary(report, summary, files, destination, problems));
        sent = true;
      } catch (AwsCallException e) {
        problems.add(
            "run summary not published to " + settings.topicArn().get() + ": " + e.getMessage());
      }
    }
    return new DeliveryResult(true, files, sent, problems);
  }

  /** The one SNS message of a run: totals, problems, and links to the files. */
  static Notification summary(
      RunReport r,
      ReportSummary s,
      List<ReportLocation> files,
      String destination,
      List<String> deliveryProblems) {
    boolean clean = !r.partial();
    StringBuilder body = new StringBuilder(SummaryText.render(r, s));
    body.append("\nReport files:\n");
    if (files.isEmpty()) {
      body.append("  none delivered")
          .append(destination.isEmpty() ? "" : " (expected under " + destination + ")")
          .append('\n');
    }
    for (ReportLocation f : files) {
      body.append("  ").append(f.name()).append(": ").append(f.uri()).append('\n');
      if (!f.consoleUrl().isEmpty()) {
        body.append("    ").append(f.consoleUrl()).append('\n');
      }
    }
    for (String p : deliveryProblems) {
      body.append("Delivery problem: ").append(p).append('\n');
    }
    String subject =
        "Key rotation "
            + r.runId()
            + ": "
            + (clean ? "OK" : "ATTENTION")
            + ", "
            + s.totals().accounts()
            + " accounts, "
            + s.compliance().accountsFailed().size()
            + " failed";
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("event", "run-summary");
    attributes.put("run_id", r.runId());
    attributes.put("mode", r.mode());
    attributes.put("result", clean ? "ok" : "attention");
    attributes.put("accounts_failed", String.valueOf(s.compliance().accountsFailed().size()));
    files.stream()
        .filter(f -> f.name().equals(ReportFiles.JSON))
        .findFirst()
        .ifPresent(f -> attributes.put("report_uri", f.uri()));
    return new Notification(subject, body.toString(), attributes);
  }
}
