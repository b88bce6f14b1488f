package dev.keyrotator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code rotate-now --deactivate after:N}: what rotate-now plans and records, and what ordinary
 * runs do with the deadline (replace if not yet, keep until the deadline, deactivate after it even
 * if in use), and how far a deadline nobody can vouch for is believed.
 */
class DeferredDeactivationTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final String OLD = "AKIAOLD0000000000001";
  static final String NEW = "AKIANEW0000000000002";
  static final RotationPolicy POLICY =
      new RotationPolicy(Mode.ENFORCE, Thresholds.DEFAULTS, List.of());

  static AccessKey key(String id, KeyStatus s, Instant created, boolean usedNow) {
    return new AccessKey(
        id, s, created, usedNow ? Optional.of(NOW.minus(Duration.ofMinutes(5))) : Optional.empty());
  }

  static UserState user(List<AccessKey> keys, Set<String> stored, Map<String, KeyHistory> h) {
    return new UserState(
        new IamUser("alice", "/", Map.of(), Set.of()), keys, stored, Optional.empty(), h);
  }

  static KeyHistory deadline(Instant by) {
    return KeyHistory.NONE.withDeactivateBy(by);
  }

  static List<String> actions(UserPlan p) {
    return p.decisions().stream()
        .map(d -> d.action() + d.keyId().map(k -> " " + k).orElse(""))
        .toList();
  }

  static ForcedRotation.Request after(int n) {
    return new ForcedRotation.Request(Optional.of(OLD), "manual", OptionalInt.of(n));
  }

  // ---------------------------------------------------------------- rotate-now

  @Test
  void afterNCreatesNowKeepsTheOldKeyActiveAndRecordsTheDeadline() {
    UserState s =
        user(
            List.of(key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true)),
            Set.of(),
            Map.of());

    ForcedRotation.Result r = ForcedRotation.plan(s, POLICY, after(3), NOW);

    assertThat(r.refused()).isFalse();
    assertThat(actions(r.plan())).containsExactly("CREATE_KEY", "NOTHING " + OLD);
    assertThat(r.deactivateBy()).contains(NOW.plus(Duration.ofDays(3)));
    assertThat(r.recordDeadline()).isTrue();
    assertThat(r.plan().decisions().get(1).reason())
        .contains("scheduled for " + NOW.plus(Duration.ofDays(3)))
        .contains("even if it is in use");
  }

  @Test
  void aSecondOrReplayedAfterNNeverExtendsTheRecordedDeadlineNorCreatesAgain() {
    Instant recorded = NOW.plus(Duration.ofDays(2));
    UserState s =
        user(
            List.of(
                key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true),
                key(NEW, KeyStatus.ACTIVE, NOW.minus(Duration.ofHours(1)), false)),
            Set.of(NEW),
            Map.of(OLD, deadline(recorded)));

    ForcedRotation.Result later = ForcedRotation.plan(s, POLICY, after(10), NOW);
    ForcedRotation.Result sooner = ForcedRotation.plan(s, POLICY, after(1), NOW);

    assertThat(actions(later.plan())).containsExactly("NOTHING " + OLD);
    assertThat(later.deactivateBy()).contains(recorded);
    assertThat(later.recordDeadline()).isFalse();
    assertThat(actions(sooner.plan())).containsExactly("NOTHING " + OLD);
    assertThat(sooner.deactivateBy()).contains(NOW.plus(Duration.ofDays(1)));
    assertThat(sooner.recordDeadline()).isTrue();
  }

  @Test
  void aLaterDeactivateNowShortensTheDeadlineToNow() {
    UserState s =
        user(
            List.of(
                key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true),
                key(NEW, KeyStatus.ACTIVE, NOW.minus(Duration.ofHours(1)), false)),
            Set.of(NEW),
            Map.of(OLD, deadline(NOW.plus(Duration.ofDays(5)))));

    ForcedRotation.Result r =
        ForcedRotation.plan(s, POLICY, new ForcedRotation.Request(Optional.of(OLD), "manual"), NOW);

    assertThat(actions(r.plan())).containsExactly("DEACTIVATE_KEY " + OLD);
  }

  @Test
  void nOutsideOneToThirtyIsRefusedByTheRequest() {
    assertThatThrownBy(() -> after(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> after(31)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- ordinary runs

  @Test
  void anOrdinaryRunKeepsTheKeyUntilTheDeadlineAndDeactivatesItAfterEvenInUse() {
    Instant by = NOW.plus(Duration.ofDays(3));
    UserState s =
        user(
            List.of(
                key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true),
                key(NEW, KeyStatus.ACTIVE, NOW.minus(Duration.ofHours(1)), false)),
            Set.of(),
            Map.of(OLD, deadline(by)));
    Planner planner = new Planner();

    UserPlan before = planner.plan(s, POLICY, by.minus(Duration.ofMinutes(1)));
    UserPlan at = planner.plan(s, POLICY, by);

    assertThat(actions(before)).doesNotContain("DEACTIVATE_KEY " + OLD);
    assertThat(before.notes()).anySatisfy(n -> assertThat(n).contains("stays active until " + by));
    assertThat(actions(at)).contains("DEACTIVATE_KEY " + OLD);
    assertThat(at.decisions().get(0).reason()).contains("even if in use");
  }

  @Test
  void aDeadlineWithoutAReplacementMakesTheRunCreateOneFirst() {
    // a rotate-now stopped after writing its deadline and before (or while) creating the key
    Instant by = NOW.plus(Duration.ofDays(3));
    UserState s =
        user(
            List.of(key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true)),
            Set.of(),
            Map.of(OLD, deadline(by)));
    Planner planner = new Planner();

    assertThat(actions(planner.plan(s, POLICY, NOW))).containsExactly("CREATE_KEY");
    // a run first seen after the deadline creates and deactivates in one plan: the safe side
    assertThat(actions(planner.plan(s, POLICY, by.plus(Duration.ofDays(1)))))
        .containsExactly("CREATE_KEY", "DEACTIVATE_KEY " + OLD);
  }

  @Test
  void aForgedOrExtendedDeadlineEndsThirtyDaysAfterTheReplacementWasCreated() {
    Instant replacementCreated = NOW.minus(Duration.ofHours(1));
    UserState s =
        user(
            List.of(
                key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true),
                key(NEW, KeyStatus.ACTIVE, replacementCreated, false)),
            Set.of(),
            Map.of(OLD, deadline(NOW.plus(Duration.ofDays(3650)))));
    Instant cap =
        replacementCreated
            .plus(Duration.ofDays(DeferredDeactivation.MAX_DAYS))
            .plus(Planner.IN_FLIGHT);

    assertThat(DeferredDeactivation.deadline(s, s.keys().get(0))).contains(cap);
    assertThat(actions(new Planner().plan(s, POLICY, cap))).contains("DEACTIVATE_KEY " + OLD);
  }

  @Test
  void aKeyDeactivatedAtItsDeadlineAndSwitchedOnAgainIsDeactivatedAgain() {
    UserState s =
        user(
            List.of(
                key(OLD, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(40)), true),
                key(NEW, KeyStatus.ACTIVE, NOW.minus(Duration.ofDays(5)), true)),
            Set.of(),
            Map.of(
                OLD,
                deadline(NOW.minus(Duration.ofDays(2)))
                    .withDeactivated(NOW.minus(Duration.ofDays(2)))));

    assertThat(actions(new Planner().plan(s, POLICY, NOW))).contains("DEACTIVATE_KEY " + OLD);
  }
}
