package dev.keyrotator.sandbox;

import dev.keyrotator.sandbox.faults.Fault;
import dev.keyrotator.sandbox.faults.FaultInjector;
import dev.keyrotator.sandbox.faults.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The active fault-injection rules. Thread-safe. */
public final class Faults {
  private final List<FaultRule> rules = new ArrayList<>();
  private final FaultInjector injector = new FaultInjector();

  /** Adds a rule; returns this for chaining. */
  public synchronized Faults add(FaultRule rule) {
    rules.add(rule);
    injector.add(
        new Rule(
            rule.service,
            rule.operation,
            rule.account,
            rule.latencyMs,
            rule.latencyJitterMs,
            rule.throttleRate,
            rule.errorRate,
            rule.failNth,
            fault(rule.failNthWith),
            rule.stallAfterNth,
            rule.maxFaults,
            rule.seed));
    return this;
  }

  public synchronized List<FaultRule> rules() {
    return List.copyOf(rules);
  }

  /** Removes every rule and releases stalled responses. */
  public synchronized void clear() {
    rules.clear();
    injector.clear();
  }

  /** Number of requests currently held by a stall rule. */
  public int stalledCount() {
    return injector.stalledCount();
  }

  /** Waits until at least one request is held by a stall rule. */
  public boolean awaitStall(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (stalledCount() > 0) return true;
      Thread.sleep(10);
    }
    return stalledCount() > 0;
  }

  FaultInjector injector() {
    return injector;
  }

  private static Fault fault(FaultRule.Kind kind) {
    if (kind == null) return null;
    return kind == FaultRule.Kind.THROTTLE ? Fault.THROTTLE : Fault.ERROR;
  }
}
