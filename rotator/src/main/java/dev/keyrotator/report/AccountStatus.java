package dev.keyrotator.report;

/** How an account's part of a run ended. */
public enum AccountStatus {
  /** Processed in enforce mode; every planned action was attempted. */
  DONE,
  /** Planned only: no mutating call, no notification (dry-run mode or the plan command). */
  DRY_RUN,
  /** Owners warned and the state reported; no key changed. */
  REPORT_ONLY,
  /** Left out by the policy file (excluded OU or account). */
  SKIPPED,
  /** The account could not be processed (role missing, API failing); see the reason. */
  FAILED,
  /** Not started before the deadline; the next run picks it up. */
  NOT_REACHED
}
