package dev.keyrotator.policy;

import java.util.List;
import java.util.OptionalInt;

/**
 * The lifecycle of a key in days. All thresholds mean "at or past", never "exactly on the day".
 *
 * @param createAfterDays a new key is created once the newest active key is this old (seed: 165)
 * @param deactivateAfterDays an older key is deactivated from this age on, if unused (seed: 180)
 * @param deleteAfterDays an inactive key is deleted from this age on (seed: 185), and never sooner
 *     than {@code deleteAfterDays - deactivateAfterDays} days after the rotator deactivated it, so
 *     a deactivated key can always be switched back on for a while
 * @param unusedForDays a key counts as unused when its last use is at least this long ago (seed:
 *     10)
 * @param forceDeactivateAfterDays from this age on a key is deactivated even if in use and even if
 *     it is the user's only key; empty means never
 * @param reminderDays owners are reminded this many days before deactivation, once per entry
 * @param warningIntervalDays a "still in use" warning about the same key is not repeated sooner
 * @param retireOldKeyEarly opt-in (default off): a replaced key is deactivated before {@code
 *     deactivateAfterDays} once the newer key has been used and the old key has been idle for
 *     {@code unusedForDays} (see {@link Planner}); {@code unusedForDays} must then be at least 1
 *     and should exceed the longest interval between a workload's runs
 */
public record Thresholds(
    int createAfterDays,
    int deactivateAfterDays,
    int deleteAfterDays,
    int unusedForDays,
    OptionalInt forceDeactivateAfterDays,
    List<Integer> reminderDays,
    int warningIntervalDays,
    boolean retireOldKeyEarly) {

  /** The seed article's lifecycle. */
  public static final Thresholds DEFAULTS =
      new Thresholds(165, 180, 185, 10, OptionalInt.empty(), List.of(15, 7), 7, false);

  /** Thresholds without early retirement. */
  public Thresholds(
      int createAfterDays,
      int deactivateAfterDays,
      int deleteAfterDays,
      int unusedForDays,
      OptionalInt forceDeactivateAfterDays,
      List<Integer> reminderDays,
      int warningIntervalDays) {
    this(
        createAfterDays,
        deactivateAfterDays,
        deleteAfterDays,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        false);
  }

  public Thresholds {
    reminderDays = reminderDays.stream().sorted((a, b) -> b - a).distinct().toList();
    List<String> problems =
        problems(
            createAfterDays,
            deactivateAfterDays,
            deleteAfterDays,
            unusedForDays,
            forceDeactivateAfterDays,
            reminderDays,
            warningIntervalDays);
    if (retireOldKeyEarly && unusedForDays < 1) {
      problems = new java.util.ArrayList<>(problems);
      problems.add(
          "retireOldKeyEarly needs unusedForDays of at least 1 (longer than the longest interval"
              + " between a workload's runs), got "
              + unusedForDays);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** What is wrong with a set of values, empty if they make valid thresholds. */
  public static List<String> problems(
      int createAfterDays,
      int deactivateAfterDays,
      int deleteAfterDays,
      int unusedForDays,
      OptionalInt forceDeactivateAfterDays,
      List<Integer> reminderDays,
      int warningIntervalDays) {
    var out = new java.util.ArrayList<String>();
    if (createAfterDays < 1) {
      out.add("createAfterDays must be at least 1, got " + createAfterDays);
    }
    if (createAfterDays >= deactivateAfterDays) {
      out.add(
          "thresholds must be ordered createAfterDays < deactivateAfterDays, got "
              + createAfterDays
              + " and "
              + deactivateAfterDays);
    }
    if (deactivateAfterDays > deleteAfterDays) {
      out.add(
          "thresholds must be ordered deactivateAfterDays <= deleteAfterDays, got "
              + deactivateAfterDays
              + " and "
              + deleteAfterDays);
    }
    if (unusedForDays < 0) {
      out.add("unusedForDays must not be negative, got " + unusedForDays);
    }
    if (forceDeactivateAfterDays.isPresent()
        && forceDeactivateAfterDays.getAsInt() < deactivateAfterDays) {
      out.add(
          "forceDeactivateAfterDays must be at least deactivateAfterDays ("
              + deactivateAfterDays
              + "), got "
              + forceDeactivateAfterDays.getAsInt());
    }
    for (int d : reminderDays) {
      if (d < 1 || d >= deactivateAfterDays) {
        out.add("reminderDays entries must be between 1 and deactivateAfterDays - 1, got " + d);
      }
    }
    if (warningIntervalDays < 1) {
      out.add("warningIntervalDays must be at least 1, got " + warningIntervalDays);
    }
    return out;
  }

  /** Days an inactive key is kept after the rotator deactivated it: at least one. */
  public int recoveryWindowDays() {
    return Math.max(1, deleteAfterDays - deactivateAfterDays);
  }

  public Thresholds withCreateAfterDays(int v) {
    return new Thresholds(
        v,
        deactivateAfterDays,
        deleteAfterDays,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        retireOldKeyEarly);
  }

  public Thresholds withDeactivateAfterDays(int v) {
    return new Thresholds(
        createAfterDays,
        v,
        deleteAfterDays,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        retireOldKeyEarly);
  }

  public Thresholds withDeleteAfterDays(int v) {
    return new Thresholds(
        createAfterDays,
        deactivateAfterDays,
        v,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        retireOldKeyEarly);
  }

  public Thresholds withForceDeactivateAfterDays(OptionalInt v) {
    return new Thresholds(
        createAfterDays,
        deactivateAfterDays,
        deleteAfterDays,
        unusedForDays,
        v,
        reminderDays,
        warningIntervalDays,
        retireOldKeyEarly);
  }

  public Thresholds withRetireOldKeyEarly(boolean v) {
    return new Thresholds(
        createAfterDays,
        deactivateAfterDays,
        deleteAfterDays,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        v);
  }
}
