package dev.keyrotator.wiring;

import dev.keyrotator.aws.CallMetrics;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flattens the SDK call metrics into the report's {@code awsCalls} map: per {@code
 * service:Operation} its API calls, and {@code service:Operation.throttled} its throttled HTTP
 * attempts (only where there were some), then {@code total.calls}, {@code total.retries}, {@code
 * total.throttled} and {@code total.failed}.
 *
 * <p>The map is of the process's calls so far; a run reports the difference between two of them,
 * taken before it lists the organization's accounts (and, for the CLI, before its topic and policy
 * checks) and when it ends ({@code Orchestrator.run(request, accounts, callsBefore)}). Only the
 * report's delivery, after it, is not in the run's report.
 */
final class CallCounts {
  private CallCounts() {}

  /** Suffix of the per-operation throttled-attempt entries. */
  static final String THROTTLED = ".throttled";

  static Map<String, Long> of(CallMetrics.Snapshot s) {
    Map<String, Long> out = new TreeMap<>();
    s.byOperation()
        .forEach(
            (op, stats) -> {
              out.put(op, stats.calls());
              if (stats.throttled() > 0) {
                out.put(op + THROTTLED, stats.throttled());
              }
            });
    CallMetrics.Stats total = s.total();
    out.put("total.calls", total.calls());
    out.put("total.retries", total.retries());
    out.put("total.throttled", total.throttled());
    out.put("total.failed", total.failed());
    return out;
  }
}
