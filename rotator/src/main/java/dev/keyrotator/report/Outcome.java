package dev.keyrotator.report;

/** What became of one decision. */
public enum Outcome {
  /** Carried out. */
  DONE,
  /** Would be carried out in enforce mode (dry-run, report-only or plan). */
  PLANNED,
  /** Not attempted because an earlier step for the same user failed or time ran out. */
  SKIPPED,
  /** Attempted and failed; see the error. */
  FAILED,
  /** Nothing to carry out (NOTHING, EXEMPT). */
  NONE
}
