package dev.keyrotator.sandbox.faults;

import java.util.regex.Pattern;

/**
 * One fault-injection rule as the injector applies it (the public {@code FaultRule} is copied into
 * this when added). {@code service}, {@code operation} and {@code account} are globs: {@code *}
 * matches any run of characters, case-insensitively.
 */
public record Rule(
    String service,
    String operation,
    String account,
    long latencyMs,
    long latencyJitterMs,
    double throttleRate,
    double errorRate,
    int failNth,
    Fault failNthWith,
    int stallAfterNth,
    int maxFaults,
    long seed) {

  boolean matches(String svc, String op, String acct) {
    return glob(service, svc) && glob(operation, op) && glob(account, acct == null ? "" : acct);
  }

  static boolean glob(String pattern, String value) {
    if (pattern == null || pattern.equals("*")) return true;
    if (value == null) return false;
    StringBuilder re = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      if (c == '*') re.append(".*");
      else re.append(Pattern.quote(String.valueOf(c)));
    }
    return value.matches("(?i)" + re);
  }
}
