package dev.keyrotator.ports;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Who holds an account's lease, as the lease object says.
 *
 * @param runId the holding run's id
 * @param holder what runs it: {@code cli <user>@<host>} or {@code lambda <function> <request id>}
 * @param acquiredAt when the holder first took the lease
 * @param expiresAt until when the lease is the holder's; a lease past it may be taken over
 */
public record LeaseRecord(
    String accountId, String runId, String holder, Instant acquiredAt, Instant expiresAt) {
  public LeaseRecord {
    Objects.requireNonNull(accountId, "accountId");
    if (!accountId.matches("\\d{12}")) {
      throw new IllegalArgumentException("not an account id: '" + accountId + "'");
    }
    Objects.requireNonNull(runId, "runId");
    holder = holder == null ? "" : holder;
    Objects.requireNonNull(acquiredAt, "acquiredAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A fresh record for {@code runId} taking the lease at {@code now} for {@code ttl}. */
  public static LeaseRecord fresh(
      String accountId, String runId, String holder, Instant now, Duration ttl) {
    return new LeaseRecord(accountId, runId, holder, now, now.plus(ttl));
  }

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  public LeaseRecord until(Instant newExpiry) {
    return new LeaseRecord(accountId, runId, holder, acquiredAt, newExpiry);
  }

  /** {@code run <id> (<holder>)}, for reports and messages. */
  public String describeHolder() {
    return "run " + runId + (holder.isEmpty() ? "" : " (" + holder + ")");
  }
}
