package dev.keyrotator.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The active fault-injection rules. Thread-safe. */
public final class Faults {
    /** What the rules decided for one call. */
    static final class Decision {
        long latencyMs;
        FaultRule.Kind fail;          // null = do not fail
        boolean stallBefore;          // hold before applying
        boolean stallAfter;           // apply, then hold the response
    }

    private static final class Active {
        final FaultRule rule;
        final Random random;
        int calls;
        int injected;

        Active(FaultRule rule) {
            this.rule = rule;
            this.random = new Random(rule.seed);
        }
    }

    private final List<Active> rules = new ArrayList<>();
    private CountDownLatch release = new CountDownLatch(1);
    private int stalled;

    /** Adds a rule; returns this for chaining. */
    public synchronized Faults add(FaultRule rule) {
        rules.add(new Active(rule));
        return this;
    }

    public synchronized List<FaultRule> rules() {
        return rules.stream().map(a -> a.rule).toList();
    }

    /** Removes every rule and releases stalled responses. */
    public synchronized void clear() {
        rules.clear();
        release.countDown();
        release = new CountDownLatch(1);
        stalled = 0;
    }

    /** Number of requests currently held by a stall rule. */
    public synchronized int stalledCount() { return stalled; }

    /** Waits until at least one request is held by a stall rule. */
    public boolean awaitStall(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (stalledCount() > 0) return true;
            Thread.sleep(10);
        }
        return stalledCount() > 0;
    }

    synchronized Decision decide(String service, String op, String account) {
        Decision d = new Decision();
        for (Active a : rules) {
            FaultRule r = a.rule;
            if (!r.matches(service, op, account)) continue;
            int n = ++a.calls;
            d.latencyMs += r.latencyMs;
            if (r.stallAfterNth > 0) {
                if (n == r.stallAfterNth) d.stallAfter = true;
                else if (n > r.stallAfterNth) d.stallBefore = true;
            }
            boolean mayFail = r.maxFaults <= 0 || a.injected < r.maxFaults;
            if (d.fail == null && mayFail) {
                FaultRule.Kind k = null;
                if (r.failNth > 0 && n == r.failNth) k = r.failNthWith;
                else if (r.throttleRate > 0 && a.random.nextDouble() < r.throttleRate) k = FaultRule.Kind.THROTTLE;
                else if (r.errorRate > 0 && a.random.nextDouble() < r.errorRate) k = FaultRule.Kind.ERROR;
                if (k != null) {
                    a.injected++;
                    d.fail = k;
                }
            }
        }
        return d;
    }

    /** Blocks the calling request thread until {@link #clear()}. */
    void stall() {
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
