package dev.keyrotator.aws;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Counts AWS calls per {@code service:Operation} (service as the sandbox and IAM policies spell it:
 * {@code iam}, {@code sts}, {@code organizations}, {@code secretsmanager}, {@code sns}, {@code
 * s3}): API calls, HTTP attempts (so retries = attempts - calls), throttled attempts and calls that
 * failed in the end. Thread-safe; one instance is shared by every client.
 *
 * <p>Calls and attempts are counted by an {@link ExecutionInterceptor} ({@link #interceptor}); the
 * SDK does not show an interceptor the error code of a failed attempt, so throttled attempts are
 * counted from the SDK's own per-attempt classification ({@code ErrorType=Throttling}) by a {@link
 * MetricPublisher} ({@link #publisher}). {@link AwsClientFactory} attaches both to every client it
 * builds.
 */
public final class CallMetrics {

  /** Counts for one operation, or a total. */
  public record Stats(long calls, long attempts, long throttled, long failed) {
    public static final Stats ZERO = new Stats(0, 0, 0, 0);

    /** HTTP attempts beyond the first, i.e. what the SDK's retry strategy added. */
    public long retries() {
      return Math.max(0, attempts - calls);
    }

    Stats plus(Stats o) {
      return new Stats(
          calls + o.calls, attempts + o.attempts, throttled + o.throttled, failed + o.failed);
    }
  }

  /** A consistent-enough copy of the counters at one moment. */
  public record Snapshot(Map<String, Stats> byOperation) {
    public Snapshot {
      byOperation = Map.copyOf(byOperation);
    }

    /** Counts of one operation, e.g. {@code of("iam", "ListUsers")}; zero when never called. */
    public Stats of(String service, String operation) {
      return byOperation.getOrDefault(service + ":" + operation, Stats.ZERO);
    }

    /** Totals of one service. */
    public Stats service(String service) {
      return byOperation.entrySet().stream()
          .filter(e -> e.getKey().startsWith(service + ":"))
          .map(Map.Entry::getValue)
          .reduce(Stats.ZERO, Stats::plus);
    }

    public Stats total() {
      return byOperation.values().stream().reduce(Stats.ZERO, Stats::plus);
    }

    /** The difference to an earlier snapshot (what happened in between). */
    public Snapshot minus(Snapshot earlier) {
      Map<String, Stats> out = new TreeMap<>();
      byOperation.forEach(
          (k, v) -> {
            Stats e = earlier.byOperation.getOrDefault(k, Stats.ZERO);
            Stats d =
                new Stats(
                    v.calls - e.calls,
                    v.attempts - e.attempts,
                    v.throttled - e.throttled,
                    v.failed - e.failed);
            if (!d.equals(Stats.ZERO)) {
              out.put(k, d);
            }
          });
      return new Snapshot(out);
    }
  }

  private static final class Counters {
    final LongAdder calls = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder failed = new LongAdder();

    Stats stats() {
      return new Stats(calls.sum(), attempts.sum(), throttled.sum(), failed.sum());
    }
  }

  /** The SDK's per-attempt error type for a throttled attempt (SdkErrorType.THROTTLING). */
  private static final String THROTTLING = "Throttling";

  private final Map<String, Counters> counters = new ConcurrentHashMap<>();

  private Counters counters(String service, String operation) {
    return counters.computeIfAbsent(
        service + ":" + (operation == null ? "Unknown" : operation), k -> new Counters());
  }

  /** The interceptor for the clients of {@code service} (the label the counters use). */
  public ExecutionInterceptor interceptor(String service) {
    Objects.requireNonNull(service, "service");
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attrs) {
        counters(service, op(attrs)).calls.increment();
      }

      @Override
      public void beforeTransmission(
          Context.BeforeTransmission context, ExecutionAttributes attrs) {
        counters(service, op(attrs)).attempts.increment();
      }

      @Override
      public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attrs) {
        counters(service, op(attrs)).failed.increment();
      }
    };
  }

  /** The metric publisher for the clients of {@code service}: counts throttled attempts. */
  public MetricPublisher publisher(String service) {
    Objects.requireNonNull(service, "service");
    return new MetricPublisher() {
      @Override
      public void publish(MetricCollection call) {
        try {
          String op =
              call.metricValues(CoreMetric.OPERATION_NAME).stream().findFirst().orElse("Unknown");
          long throttled =
              call.children().stream()
                  .filter(c -> c.name().equals("ApiCallAttempt"))
                  .filter(c -> c.metricValues(CoreMetric.ERROR_TYPE).contains(THROTTLING))
                  .count();
          if (throttled > 0) {
            counters(service, op).throttled.add(throttled);
          }
        } catch (RuntimeException e) {
          // metrics must never break a call
        }
      }

      @Override
      public void close() {}
    };
  }

  private static String op(ExecutionAttributes attrs) {
    return attrs.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
  }

  public Snapshot snapshot() {
    Map<String, Stats> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.stats()));
    return new Snapshot(out);
  }

  public void reset() {
    counters.clear();
  }
}
