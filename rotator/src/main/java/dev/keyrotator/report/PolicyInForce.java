package dev.keyrotator.report;

import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Thresholds;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The policy an account was processed under: its mode and thresholds, and for each field the rule
 * of the policy file that set it.
 *
 * @param sources by field name ({@link #FIELDS}), the rule that set it, e.g. {@code defaults (line
 *     32)}
 */
public record PolicyInForce(Mode mode, Thresholds thresholds, Map<String, String> sources) {

  /** The fields, in the order the policy file and the report list them. */
  public static final List<String> FIELDS =
      List.of(
          "mode",
          "createAfterDays",
          "deactivateAfterDays",
          "deleteAfterDays",
          "unusedForDays",
          "forceDeactivateAfterDays",
          "reminderDays",
          "warningIntervalDays",
          "retireOldKeyEarly");

  public PolicyInForce {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(thresholds, "thresholds");
    sources = Map.copyOf(sources);
  }
}
