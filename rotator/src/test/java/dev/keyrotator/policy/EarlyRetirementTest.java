package dev.keyrotator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The opt-in early-retirement rule (retireOldKeyEarly), case by case: an old key (at or past
 * createAfterDays, below deactivateAfterDays) with a newer active key. unusedForDays is 10.
 */
class EarlyRetirementTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final RotationPolicy ON =
      new RotationPolicy(Mode.ENFORCE, Thresholds.DEFAULTS.withRetireOldKeyEarly(true), List.of());
  static final RotationPolicy OFF = RotationPolicy.DEFAULT;

  static Instant daysAgo(double d) {
    return NOW.minus(Duration.ofMinutes(Math.round(d * 24 * 60)));
  }

  /**
   * @param oldAge the old key's age in days
   * @param oldUsed days since the old key's last use (null: never)
   * @param newAge the new key's age in days
   * @param newUsed days since the new key's last use (null: never); negative: in the future
   */
  static UserState state(int oldAge, Integer oldUsed, double newAge, Double newUsed) {
    List<AccessKey> keys = new ArrayList<>();
    keys.add(
        new AccessKey(
            "AKIAOLD",
            KeyStatus.ACTIVE,
            daysAgo(oldAge),
            oldUsed == null ? Optional.empty() : Optional.of(daysAgo(oldUsed)),
            "s3",
            "eu-west-1"));
    keys.add(
        new AccessKey(
            "AKIANEW",
            KeyStatus.ACTIVE,
            daysAgo(newAge),
            newUsed == null ? Optional.empty() : Optional.of(daysAgo(newUsed)),
            "sts",
            "us-east-1"));
    return new UserState(IamUser.named("app"), keys, Set.of("AKIANEW"), Optional.empty(), Map.of());
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // name, old age, old last used, new age, new last used, rule on, retired early
        Arguments.of("switched, old idle 10 days: retired", 175, 10, 10.0, 0.5, true, true),
        Arguments.of("switched, old idle 9 days: kept", 174, 9, 9.0, 0.5, true, false),
        Arguments.of("rule off: kept (deactivated at 180)", 175, 10, 10.0, 0.5, false, false),
        Arguments.of("new key never used: kept", 175, 10, 10.0, null, true, false),
        Arguments.of(
            "old never used, new made 10 days ago: retired", 175, null, 10.0, 1.0, true, true),
        Arguments.of("old never used, new made 9 days ago: kept", 174, null, 9.0, 1.0, true, false),
        Arguments.of(
            "monthly job on the old key (used 5 days ago): kept", 175, 5, 10.0, 0.5, true, false),
        Arguments.of(
            "new key's last use before its creation: not confirmed",
            175,
            12,
            10.0,
            11.0,
            true,
            false),
        Arguments.of(
            "new key's last use in the future: not confirmed", 175, 12, 10.0, -1.0, true, false),
        Arguments.of(
            "old key below createAfterDays (a hand-made second key): kept",
            60,
            20,
            15.0,
            0.5,
            true,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void table(
      String name,
      int oldAge,
      Integer oldUsed,
      double newAge,
      Double newUsed,
      boolean on,
      boolean retired) {
    UserPlan plan = new Planner().plan(state(oldAge, oldUsed, newAge, newUsed), on ? ON : OFF, NOW);
    Optional<Decision> deactivate =
        plan.decisions().stream()
            .filter(d -> d.action() == Action.DEACTIVATE_KEY)
            .filter(d -> d.keyId().orElse("").equals("AKIAOLD"))
            .findFirst();
    assertThat(deactivate.isPresent()).as(plan.decisions() + " " + plan.notes()).isEqualTo(retired);
    assertThat(plan.decisions())
        .noneMatch(
            d -> d.action() == Action.DEACTIVATE_KEY && d.keyId().orElse("").equals("AKIANEW"));
    if (retired) {
      String reason = deactivate.get().reason();
      assertThat(reason)
          .startsWith("retired-early:")
          .contains("AKIANEW")
          .contains("sts in us-east-1")
          .contains("unusedForDays 10")
          .contains("days before deactivateAfterDays 180");
    } else if (on && oldAge >= 165) {
      assertThat(plan.notes()).anyMatch(n -> n.startsWith("not retired early"));
    }
  }

  @Test
  void pastDeactivateAfterDaysTheOrdinaryRuleAppliesAndNamesWhereTheOldKeyIsStillUsed() {
    UserPlan plan = new Planner().plan(state(181, 2, 16.0, 0.5), ON, NOW);
    assertThat(plan.decisions())
        .anySatisfy(
            d -> {
              assertThat(d.warning()).contains(WarningKind.STILL_IN_USE);
              assertThat(d.reason()).contains("last used 2 days ago (s3 in eu-west-1)");
            });
  }

  @Test
  void earlyRetirementNeedsUnusedForDaysOfAtLeastOne() {
    assertThatThrownBy(
            () -> new Thresholds(165, 180, 185, 0, OptionalInt.empty(), List.of(15, 7), 7, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retireOldKeyEarly needs unusedForDays of at least 1");
  }

  @Test
  void userTagsThatShortenThresholdsKeepTheRule() {
    IamUser user =
        new IamUser("app", "/", Map.of(RotationPolicy.TAG_DEACTIVATE_AFTER, "90"), Set.of());
    Thresholds t = ON.thresholdsFor(user, new ArrayList<>());
    assertThat(t.deactivateAfterDays()).isEqualTo(90);
    assertThat(t.retireOldKeyEarly()).isTrue();
  }
}
