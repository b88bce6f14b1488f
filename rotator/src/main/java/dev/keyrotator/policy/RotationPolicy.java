package dev.keyrotator.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/** The policy in force for one account, after overrides are resolved. */
public record RotationPolicy(Mode mode, Thresholds thresholds, List<Exemption> exemptions) {

  /** User tags that can shorten a user's thresholds (never lengthen them). */
  public static final String TAG_CREATE_AFTER = "key-rotator:create-after-days";

  public static final String TAG_DEACTIVATE_AFTER = "key-rotator:deactivate-after-days";
  public static final String TAG_DELETE_AFTER = "key-rotator:delete-after-days";

  public static final RotationPolicy DEFAULT =
      new RotationPolicy(Mode.ENFORCE, Thresholds.DEFAULTS, List.of());

  public RotationPolicy {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(thresholds, "thresholds");
    exemptions = List.copyOf(exemptions);
  }

  public RotationPolicy withMode(Mode newMode) {
    return new RotationPolicy(newMode, thresholds, exemptions);
  }

  /**
   * The thresholds for one user: the account's, shortened by the user's {@code
   * key-rotator:*-after-days} tags. The rule:
   *
   * <ul>
   *   <li>a tag may only shorten its threshold; a tag that would lengthen it, is not a whole number
   *       or is below 1 is ignored and said so in {@code notes};
   *   <li>the thresholds below a shortened one follow it down so that the account's gaps are kept:
   *       {@code deactivateAfterDays} stays at least the account's recovery window ({@code
   *       deleteAfterDays - deactivateAfterDays}) below {@code deleteAfterDays}, and {@code
   *       createAfterDays} the account's lead ({@code deactivateAfterDays - createAfterDays}) below
   *       {@code deactivateAfterDays} (at least 1); thresholds above it are never moved, so a tag
   *       never makes a deletion come sooner than it says, and never shortens the recovery window;
   *   <li>when that cannot be done (a deactivate age below 2, or a delete age with no room for the
   *       recovery window and a create before deactivation) every user tag is refused with a note,
   *       and the account's thresholds apply.
   * </ul>
   */
  public Thresholds thresholdsFor(IamUser user, List<String> notes) {
    Thresholds t = thresholds;
    int create = shortened(user, TAG_CREATE_AFTER, t.createAfterDays(), notes);
    int deactivate = shortened(user, TAG_DEACTIVATE_AFTER, t.deactivateAfterDays(), notes);
    int delete = shortened(user, TAG_DELETE_AFTER, t.deleteAfterDays(), notes);
    if (create == t.createAfterDays()
        && deactivate == t.deactivateAfterDays()
        && delete == t.deleteAfterDays()) {
      return t;
    }
    int window = t.deleteAfterDays() - t.deactivateAfterDays();
    int lead = t.deactivateAfterDays() - t.createAfterDays();
    List<String> followed = new ArrayList<>();
    if (delete - window < deactivate) {
      deactivate = delete - window;
      followed.add("deactivate follows delete to keep the account's " + window + "-day window");
    }
    if (deactivate - lead < create) {
      create = Math.max(1, deactivate - lead);
      followed.add("create follows deactivate to keep the account's " + lead + "-day lead");
    }
    List<Integer> reminders = new ArrayList<>();
    for (int d : t.reminderDays()) {
      if (d < deactivate) {
        reminders.add(d);
      }
    }
    OptionalInt force = t.forceDeactivateAfterDays();
    if (force.isPresent() && force.getAsInt() < deactivate) {
      force = OptionalInt.of(deactivate);
    }
    List<String> problems =
        Thresholds.problems(
            create,
            deactivate,
            delete,
            t.unusedForDays(),
            force,
            reminders,
            t.warningIntervalDays());
    if (!problems.isEmpty()) {
      notes.add(
          "user tags refused: shortened consistently they give "
              + String.join("; ", problems)
              + "; the account's thresholds apply");
      return t;
    }
    notes.add(
        "thresholds shortened by user tags: create "
            + create
            + ", deactivate "
            + deactivate
            + ", delete "
            + delete
            + " days"
            + (followed.isEmpty() ? "" : " (" + String.join("; ", followed) + ")"));
    return new Thresholds(
        create,
        deactivate,
        delete,
        t.unusedForDays(),
        force,
        reminders,
        t.warningIntervalDays(),
        t.retireOldKeyEarly());
  }

  private static int shortened(IamUser user, String tag, int current, List<String> notes) {
    String raw = user.tags().get(tag);
    if (raw == null) {
      return current;
    }
    try {
      int v = Integer.parseInt(raw.trim());
      if (v >= current) {
        notes.add(
            "user tag "
                + tag
                + "="
                + raw
                + " ignored: tags may only shorten a threshold ("
                + current
                + ")");
        return current;
      }
      if (v < 1) {
        notes.add("user tag " + tag + "=" + raw + " ignored: must be at least 1");
        return current;
      }
      return v;
    } catch (NumberFormatException e) {
      notes.add("user tag " + tag + "=" + raw + " ignored: not a whole number of days");
      return current;
    }
  }
}
