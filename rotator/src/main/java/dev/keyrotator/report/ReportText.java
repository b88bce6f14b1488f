package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.Thresholds;
import dev.keyrotator.policy.WarningKind;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** How the report's writers (JSON, CSV, HTML, the CLI's tables) spell the report's values. */
public final class ReportText {
  private ReportText() {}

  /** The value of each field of {@link PolicyInForce#FIELDS}, as text. */
  public static Map<String, String> policyValues(PolicyInForce p) {
    Thresholds t = p.thresholds();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("mode", p.mode().label());
    values.put("createAfterDays", String.valueOf(t.createAfterDays()));
    values.put("deactivateAfterDays", String.valueOf(t.deactivateAfterDays()));
    values.put("deleteAfterDays", String.valueOf(t.deleteAfterDays()));
    values.put("unusedForDays", String.valueOf(t.unusedForDays()));
    values.put(
        "forceDeactivateAfterDays",
        t.forceDeactivateAfterDays().isPresent()
            ? String.valueOf(t.forceDeactivateAfterDays().getAsInt())
            : "never");
    values.put("reminderDays", t.reminderDays().toString());
    values.put("warningIntervalDays", String.valueOf(t.warningIntervalDays()));
    values.put("retireOldKeyEarly", String.valueOf(t.retireOldKeyEarly()));
    return values;
  }

  /** A decision's action, with the warning kind for a warning: {@code WARN(STILL_IN_USE)}. */
  public static String action(DecisionReport d) {
    return action(d.action(), d.warning());
  }

  /** A planner decision's label as {@link #action(DecisionReport)} spells it. */
  public static String action(Decision d) {
    return action(d.action(), d.warning());
  }

  private static String action(Action action, Optional<WarningKind> warning) {
    return warning.map(w -> action.name() + "(" + w.name() + ")").orElse(action.name());
  }
}
