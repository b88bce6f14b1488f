package dev.keyrotator.report;

/** What a run did about an account's lease (README "Two runs at once: the account lease"). */
public enum LeaseState {
  /** The account was not worked (left out, not reached, failed before its lease was asked for). */
  NOT_TAKEN,
  /** A dry run or a plan: nothing is changed, so no lease is taken. */
  NOT_NEEDED,
  /** Worked without a lease: {@code leases.bucket} is not set. */
  NOT_CONFIGURED,
  /** This run held the lease while it worked the account. */
  HELD,
  /** This run took over an expired lease of another run (dead or stalled) and held it. */
  TAKEN_OVER,
  /** Another run holds the lease: the account was skipped, nothing in it was changed. */
  BUSY,
  /** The lease could not be renewed: this run stopped working the account there. */
  LOST,
  /** The lease store could not be read or written: the account failed, nothing was changed. */
  UNAVAILABLE
}
