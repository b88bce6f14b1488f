package dev.keyrotator.run;

import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Lease;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.LeaseStore;
import dev.keyrotator.report.LeaseReport;
import dev.keyrotator.report.LeaseState;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The account lease as one run uses it: taken before the first call into an account that may change
 * something, renewed between users whenever less than half of it is left, released when the account
 * is done. README "Two runs at once: the account lease".
 */
final class AccountLeasing {
  private final Optional<LeaseStore> store;
  private final Duration ttl;
  private final String holder;
  private final Clock clock;
  private final Progress progress;

  /**
   * @param store empty when {@code leases.bucket} is not set: accounts are worked without a lease
   * @param holder what runs this process (see {@link #thisProcess})
   */
  AccountLeasing(
      Optional<LeaseStore> store, Duration ttl, String holder, Clock clock, Progress progress) {
    this.store = Objects.requireNonNull(store, "store");
    if (ttl.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("a lease lasts at least a minute: " + ttl);
    }
    this.ttl = ttl;
    this.holder = Objects.requireNonNull(holder, "holder");
    this.clock = clock;
    this.progress = progress;
  }

  static AccountLeasing none(Clock clock, Progress progress) {
    return new AccountLeasing(Optional.empty(), Duration.ofMinutes(10), "", clock, progress);
  }

  /**
   * What runs this process, for the lease record: {@code lambda <function name>} in Lambda, else
   * {@code cli <user>@<host>}.
   */
  static String thisProcess(Map<String, String> env) {
    String function = env.get("AWS_LAMBDA_FUNCTION_NAME");
    if (function != null && !function.isBlank()) {
      return "lambda " + function;
    }
    String user = System.getProperty("user.name", "unknown");
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = env.getOrDefault("HOSTNAME", "unknown-host");
    }
    return "cli " + user + "@" + host;
  }

  boolean configured() {
    return store.isPresent();
  }

  /** The guard of an account that changes nothing (a dry run or a plan). */
  Guard notNeeded() {
    return new Guard(
        new LeaseReport(
            LeaseState.NOT_NEEDED, "", Optional.empty(), "dry run: nothing is changed"));
  }

  /**
   * Takes the account's lease for {@code runId}.
   *
   * @throws AwsCallException when the lease store cannot be read or written
   */
  Guard take(String accountId, String runId) {
    if (store.isEmpty()) {
      return new Guard(
          new LeaseReport(
              LeaseState.NOT_CONFIGURED,
              "",
              Optional.empty(),
              "worked without an account lease (leases.bucket is not set): another run at the"
                  + " same time could work this account too"));
    }
    Instant now = clock.instant();
    LeaseRecord wanted = LeaseRecord.fresh(accountId, runId, holder, now, ttl);
    LeaseStore.Acquisition got = store.get().acquire(wanted, now);
    if (got instanceof LeaseStore.Held held) {
      LeaseRecord other = held.holder();
      return new Guard(
          new LeaseReport(
              LeaseState.BUSY, other.describeHolder(), Optional.of(other.expiresAt()), ""),
          other);
    }
    LeaseStore.Granted granted = (LeaseStore.Granted) got;
    String note =
        granted
            .tookOverFrom()
            .map(
                old ->
                    "took over the expired lease of "
                        + old.describeHolder()
                        + " (expired "
                        + old.expiresAt()
                        + ")")
            .orElse("");
    if (!note.isEmpty()) {
      progress.report("account " + accountId + ": lease " + note);
    }
    return new Guard(
        granted.lease(),
        granted.tookOverFrom().isPresent() ? LeaseState.TAKEN_OVER : LeaseState.HELD,
        note);
  }

  /** One account's lease while it is worked. Not thread-safe: one account, one thread. */
  final class Guard {
    /** For a guard without a lease of this run's: what the report says, once and for all. */
    private final Optional<LeaseReport> fixed;

    private final Optional<LeaseRecord> heldBy;

    /** The newest version of this run's lease; {@link #holding} says whether it still is. */
    private Optional<Lease> last = Optional.empty();

    private boolean holding;
    private LeaseState state;
    private String note;

    private Guard(LeaseReport fixed) {
      this(fixed, null);
    }

    private Guard(LeaseReport fixed, LeaseRecord heldBy) {
      this.fixed = Optional.of(fixed);
      this.heldBy = Optional.ofNullable(heldBy);
      this.state = fixed.state();
      this.note = fixed.note();
    }

    private Guard(Lease lease, LeaseState state, String note) {
      this.fixed = Optional.empty();
      this.heldBy = Optional.empty();
      this.last = Optional.of(lease);
      this.holding = true;
      this.state = state;
      this.note = note;
    }

    /** Another run holds the lease: the account must not be worked. */
    Optional<LeaseRecord> heldByAnother() {
      return heldBy;
    }

    /**
     * Before the next user: renews the lease when less than half of it is left.
     *
     * @return false when the lease is no longer this run's (or cannot be renewed): stop working the
     *     account
     */
    boolean keepAlive() {
      if (fixed.isPresent()) {
        return true;
      }
      if (!holding) {
        return false;
      }
      Instant now = clock.instant();
      Lease l = last.get();
      if (Duration.between(now, l.record().expiresAt()).compareTo(ttl.dividedBy(2)) > 0) {
        return true;
      }
      String account = l.record().accountId();
      try {
        Optional<Lease> renewed = store.get().renew(l, now.plus(ttl));
        if (renewed.isPresent()) {
          last = renewed;
          return true;
        }
        lost(account, "the lease was taken over by another run after it expired");
      } catch (AwsCallException e) {
        lost(account, "the lease could not be renewed: " + e.getMessage());
      }
      return false;
    }

    private void lost(String account, String why) {
      progress.report("account " + account + ": lease lost (" + why + "); stopping here");
      holding = false;
      state = LeaseState.LOST;
      note = append(note, why + "; the users not yet started were left for the next run");
    }

    /** Gives the lease up (the account is done, or failed). */
    void release() {
      if (!holding) {
        return;
      }
      holding = false;
      Lease l = last.get();
      try {
        if (!store.get().release(l)) {
          note = append(note, "at release the lease was no longer this run's");
        }
      } catch (AwsCallException e) {
        note =
            append(
                note,
                "the lease could not be released ("
                    + e.getMessage()
                    + "); it expires at "
                    + l.record().expiresAt());
        progress.report(
            "account " + l.record().accountId() + ": lease not released: " + e.getMessage());
      }
    }

    LeaseReport report() {
      return fixed.orElseGet(
          () ->
              new LeaseReport(
                  state,
                  last.map(l -> l.record().describeHolder()).orElse(""),
                  last.map(l -> l.record().expiresAt()),
                  note));
    }
  }

  private static String append(String a, String b) {
    return a.isEmpty() ? b : a + "; " + b;
  }
}
