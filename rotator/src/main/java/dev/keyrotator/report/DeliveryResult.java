package dev.keyrotator.report;

import dev.keyrotator.ports.ReportLocation;
import java.util.List;

/**
 * What {@link ReportDelivery#deliver} achieved.
 *
 * @param attempted false when the policy names neither a report bucket nor a topic
 * @param files where the files went (fewer than three when a write failed)
 * @param summarySent whether the SNS summary was published
 * @param problems what went wrong, one line each; empty when everything was delivered
 */
public record DeliveryResult(
    boolean attempted, List<ReportLocation> files, boolean summarySent, List<String> problems) {
  public DeliveryResult {
    files = List.copyOf(files);
    problems = List.copyOf(problems);
  }

  static DeliveryResult nothingConfigured() {
    return new DeliveryResult(false, List.of(), false, List.of());
  }

  /** True when nothing went wrong (including when nothing was configured). */
  public boolean ok() {
    return problems.isEmpty();
  }
}
