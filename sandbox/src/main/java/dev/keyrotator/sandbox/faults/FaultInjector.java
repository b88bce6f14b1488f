package dev.keyrotator.sandbox.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Applies the active fault-injection rules to each call and holds stalled calls. Thread-safe. */
public final class FaultInjector {
  private static final class Active {
    final Rule rule;
    final Random random;
    int calls;
    int injected;

    Active(Rule rule) {
      this.rule = rule;
      this.random = new Random(rule.seed());
    }
  }

  private final List<Active> rules = new ArrayList<>();
  private CountDownLatch release = new CountDownLatch(1);
  private int stalled;

  public synchronized void add(Rule rule) {
    rules.add(new Active(rule));
  }

  /** Removes every rule and releases stalled calls. */
  public synchronized void clear() {
    rules.clear();
    release.countDown();
    release = new CountDownLatch(1);
    stalled = 0;
  }

  /** Number of calls currently held by a stall rule. */
  public synchronized int stalledCount() {
    return stalled;
  }

  /** Counts the call against every matching rule and decides what happens to it. */
  public synchronized Decision decide(String service, String op, String account) {
    Decision d = new Decision();
    for (Active a : rules) {
      Rule r = a.rule;
      if (!r.matches(service, op, account)) continue;
      int n = ++a.calls;
      d.latencyMs += r.latencyMs();
      if (r.latencyJitterMs() > 0) d.latencyMs += a.random.nextLong(r.latencyJitterMs() + 1);
      if (r.stallAfterNth() > 0) {
        if (n == r.stallAfterNth()) d.stallAfter = true;
        else if (n > r.stallAfterNth()) d.stallBefore = true;
      }
      boolean mayFail = r.maxFaults() <= 0 || a.injected < r.maxFaults();
      if (d.fail == null && mayFail) {
        Fault k = null;
        if (r.failNth() > 0 && n == r.failNth()) k = r.failNthWith();
        else if (r.throttleRate() > 0 && a.random.nextDouble() < r.throttleRate())
          k = Fault.THROTTLE;
        else if (r.errorRate() > 0 && a.random.nextDouble() < r.errorRate()) k = Fault.ERROR;
        if (k != null) {
          a.injected++;
          d.fail = k;
        }
      }
    }
    return d;
  }

  /** Blocks the calling request thread until {@link #clear()}. */
  public void stall() {
    CountDownLatch latch;
    synchronized (this) {
      latch = release;
      stalled++;
    }
    try {
      latch.await(1, TimeUnit.HOURS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (this) {
        if (latch == release) stalled = Math.max(0, stalled - 1);
      }
    }
  }
}
