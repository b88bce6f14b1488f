package dev.keyrotator.config;

import dev.keyrotator.policy.Exemption;
import dev.keyrotator.policy.Mode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings one part of the policy file sets (defaults or one override); empty fields are not
 * set there and come from a less specific part.
 */
public record PolicyLayer(
    Optional<Mode> mode,
    OptionalInt createAfterDays,
    OptionalInt deactivateAfterDays,
    OptionalInt deleteAfterDays,
    OptionalInt unusedForDays,
    OptionalInt forceDeactivateAfterDays,
    Optional<List<Integer>> reminderDays,
    OptionalInt warningIntervalDays,
    Optional<Boolean> retireOldKeyEarly,
    List<Exemption> exemptions) {

  public static final PolicyLayer EMPTY =
      new PolicyLayer(
          Optional.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          List.of());

  public PolicyLayer {
    java.util.Objects.requireNonNull(retireOldKeyEarly, "retireOldKeyEarly");
    exemptions = List.copyOf(exemptions);
  }

  /** A layer that does not set {@code retireOldKeyEarly}. */
  public PolicyLayer(
      Optional<Mode> mode,
      OptionalInt createAfterDays,
      OptionalInt deactivateAfterDays,
      OptionalInt deleteAfterDays,
      OptionalInt unusedForDays,
      OptionalInt forceDeactivateAfterDays,
      Optional<List<Integer>> reminderDays,
      OptionalInt warningIntervalDays,
      List<Exemption> exemptions) {
    this(
        mode,
        createAfterDays,
        deactivateAfterDays,
        deleteAfterDays,
        unusedForDays,
        forceDeactivateAfterDays,
        reminderDays,
        warningIntervalDays,
        Optional.empty(),
        exemptions);
  }
}
