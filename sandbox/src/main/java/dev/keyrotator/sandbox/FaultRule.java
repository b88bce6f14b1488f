package dev.keyrotator.sandbox;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One fault-injection rule. {@code service}, {@code operation} and {@code account} are globs
 * ({@code *} matches any run of characters). A rule counts the calls it matches (1-based) and, per
 * call:
 *
 * <ol>
 *   <li>{@code stallAfterNth = N}: call N is applied, then its response is held until the faults
 *       are cleared or the sandbox reset; later matching calls are held before being applied;
 *   <li>{@code latencyMs}: the response is delayed; {@code latencyJitterMs} adds a random delay of
 *       0 to that many ms per call (drawn from a Random seeded with {@code seed});
 *   <li>{@code failNth = N}: call N fails ({@code failNthWith} ERROR = the service's 500, THROTTLE
 *       = its throttling error) without being applied;
 *   <li>{@code throttleRate} / {@code errorRate} (0..1): that share of calls fails with the
 *       service's throttling error / 500, drawn from a Random seeded with {@code seed};
 *   <li>{@code maxFaults}: once the rule has injected that many failures it stops failing (0 = no
 *       limit).
 * </ol>
 *
 * JSON form for {@code POST /_sandbox/faults}: the same field names.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class FaultRule {
  public enum Kind {
    ERROR,
    THROTTLE
  }

  public String service = "*";
  public String operation = "*";
  public String account = "*";
  public long latencyMs;
  public long latencyJitterMs;
  public double throttleRate;
  public double errorRate;
  public int failNth;
  public Kind failNthWith = Kind.ERROR;
  public int stallAfterNth;
  public int maxFaults;
  public long seed = 42;

  public FaultRule() {}

  public static FaultRule on(String service, String operation) {
    FaultRule r = new FaultRule();
    r.service = service;
    r.operation = operation;
    return r;
  }

  public FaultRule account(String glob) {
    this.account = glob;
    return this;
  }

  public FaultRule latencyMs(long ms) {
    this.latencyMs = ms;
    return this;
  }

  /** Each matching call is delayed by a random 0..{@code ms} more (seeded, see {@link #seed}). */
  public FaultRule latencyJitterMs(long ms) {
    this.latencyJitterMs = ms;
    return this;
  }

  public FaultRule throttleRate(double rate) {
    this.throttleRate = rate;
    return this;
  }

  public FaultRule errorRate(double rate) {
    this.errorRate = rate;
    return this;
  }

  public FaultRule failNth(int n) {
    this.failNth = n;
    return this;
  }

  public FaultRule failNth(int n, Kind with) {
    this.failNth = n;
    this.failNthWith = with;
    return this;
  }

  public FaultRule stallAfterNth(int n) {
    this.stallAfterNth = n;
    return this;
  }

  public FaultRule maxFaults(int n) {
    this.maxFaults = n;
    return this;
  }

  public FaultRule seed(long s) {
    this.seed = s;
    return this;
  }

  @Override
  public String toString() {
    return "FaultRule{"
        + service
        + ":"
        + operation
        + " account="
        + account
        + " latencyMs="
        + latencyMs
        + (latencyJitterMs > 0 ? "+0.." + latencyJitterMs : "")
        + " throttleRate="
        + throttleRate
        + " errorRate="
        + errorRate
        + " failNth="
        + failNth
        + "/"
        + failNthWith
        + " stallAfterNth="
        + stallAfterNth
        + " maxFaults="
        + maxFaults
        + " seed="
        + seed
        + "}";
  }
}
