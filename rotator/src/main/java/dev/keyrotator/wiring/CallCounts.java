package dev.keyrotator.wiring;

import dev.keyrotator.aws.CallMetrics;
import java.util.Map;
import java.util.TreeMap;

/** Flattens the SDK call metrics into the report's {@code awsCalls} map. */
final class CallCounts {
  private CallCounts() {}

  static Map<String, Long> of(CallMetrics.Snapshot s) {
    Map<String, Long> out = new TreeMap<>();
    s.byOperation().forEach((op, stats) -> out.put(op, stats.calls()));
    CallMetrics.Stats total = s.total();
    out.put("total.calls", total.calls());
    out.put("total.retries", total.retries());
    out.put("total.throttled", total.throttled());
    out.put("total.failed", total.failed());
    return out;
  }
}
