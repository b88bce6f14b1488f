package dev.keyrotator.policy;

/** What the planner can decide for a user or one of its keys. */
public enum Action {
  /** Delete a key that a previous run created but whose secret was never stored. */
  REPAIR_DELETE_ORPHAN(true),
  /** Remove the marker a previous run left behind. */
  REPAIR_CLEAR_MARKER(true),
  DELETE_KEY(true),
  CREATE_KEY(true),
  DEACTIVATE_KEY(true),
  WARN(false),
  NOTHING(false),
  /**
   * Another run's rotation of this user is in flight (its marker is younger than the marker window
   * plus the longest run): the user is skipped, neither repaired nor rotated.
   */
  SKIP_IN_FLIGHT(false),
  EXEMPT(false),
  /**
   * Not a planner decision: the report's entry for a user whose keys could not be read, so that
   * nothing was planned or changed for it.
   */
  READ_USER(false);

  private final boolean mutating;

  Action(boolean mutating) {
    this.mutating = mutating;
  }

  /** Whether carrying out this decision changes IAM or the vault. */
  public boolean mutating() {
    return mutating;
  }
}
