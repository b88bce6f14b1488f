package dev.keyrotator.policy;

/** How far the rotator may act in an account. */
public enum Mode {
  /** Create, store, deactivate, delete and notify. */
  ENFORCE("enforce"),
  /** Plan and report only: no mutating call and no notification. */
  DRY_RUN("dry-run"),
  /** Report and send warnings to owners, but change no key. */
  REPORT_ONLY("report-only");

  private final String label;

  Mode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean mutatesKeys() {
    return this == ENFORCE;
  }

  public boolean notifies() {
    return this != DRY_RUN;
  }

  /** How much the mode lets the rotator do: dry-run 0, report-only 1 (notifies), enforce 2. */
  private int reach() {
    return switch (this) {
      case DRY_RUN -> 0;
      case REPORT_ONLY -> 1;
      case ENFORCE -> 2;
    };
  }

  /**
   * The narrower of the two: what an invocation's mode may do to the policy's. An invocation can
   * turn an enforcing account into a dry run, never a dry-run account into an enforcing one.
   */
  public Mode narrowedBy(Mode requested) {
    return requested.reach() < reach() ? requested : this;
  }

  public static Mode fromLabel(String label) {
    for (Mode m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown mode '" + label + "' (expected enforce, dry-run or report-only)");
  }

  @Override
  public String toString() {
    return label;
  }
}
