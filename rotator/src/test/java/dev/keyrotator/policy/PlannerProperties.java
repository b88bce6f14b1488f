package dev.keyrotator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of the planner over random users, keys, histories and policies. */
class PlannerProperties {

  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  final Planner planner = new Planner();

  record Scenario(UserState state, RotationPolicy policy) {}

  @Property(tries = 2000)
  void applyingAPlanNeverLeavesMoreThanTwoKeys(@ForAll("scenarios") Scenario s) {
    UserState after = apply(s, plan(s));

    assertThat(after.keys()).hasSizeLessThanOrEqualTo(2);
  }

  @Property(tries = 2000)
  void neverDeletesAnActiveKeyExceptAnOrphan(@ForAll("scenarios") Scenario s) {
    UserPlan plan = plan(s);

    for (Decision d : plan.decisions()) {
      if (d.action() == Action.DELETE_KEY) {
        AccessKey k = s.state().key(d.keyId().orElseThrow()).orElseThrow();
        assertThat(k.isActive()).as("deleted key %s is active", k.id()).isFalse();
      }
      if (d.action() == Action.REPAIR_DELETE_ORPHAN) {
        assertThat(s.state().isStored(d.keyId().orElseThrow())).isFalse();
        assertThat(s.state().marker()).isPresent();
      }
    }
  }

  @Property(tries = 2000)
  void withoutForceNoUserLosesTheirLastWorkingKey(@ForAll("scenarios") Scenario s) {
    UserPlan plan = plan(s);
    boolean hadWorkingKey =
        s.state().keys().stream().anyMatch(k -> k.isActive() && !isOrphan(s, k, plan));
    UserState after = apply(s, plan);

    if (hadWorkingKey && s.policy().thresholds().forceDeactivateAfterDays().isEmpty()) {
      assertThat(after.keys()).anyMatch(AccessKey::isActive);
    }
  }

  @Property(tries = 2000)
  void neverDeactivatesTheNewestUsableKeyUnlessReplacedOrForced(@ForAll("scenarios") Scenario s) {
    UserPlan plan = plan(s);
    Optional<AccessKey> newest =
        s.state().keys().stream()
            .filter(k -> k.isActive() && !isOrphan(s, k, plan))
            .reduce((a, b) -> b);
    if (newest.isEmpty() || s.policy().thresholds().forceDeactivateAfterDays().isPresent()) {
      return;
    }
    boolean created = false;
    for (Decision d : plan.decisions()) {
      if (d.action() == Action.CREATE_KEY) {
        created = true;
      }
      if (d.action() == Action.DEACTIVATE_KEY && d.keyId().get().equals(newest.get().id())) {
        // issue 12: an unused newest key past its age may go when another active key stays
        boolean unusedPastAge =
            Planner.ageDays(newest.get(), NOW) >= s.policy().thresholds().deactivateAfterDays()
                && newest
                    .get()
                    .lastUsed()
                    .map(u -> Duration.between(u, NOW).toDays())
                    .map(days -> days >= s.policy().thresholds().unusedForDays())
                    .orElse(true);
        boolean anotherStaysActive = apply(s, plan).keys().stream().anyMatch(AccessKey::isActive);
        assertThat(created || (unusedPastAge && anotherStaysActive))
            .as("deactivated newest key without a replacement or another working key")
            .isTrue();
      }
    }
  }

  @Property(tries = 1000)
  void exemptUsersAreNeverTouched(@ForAll("scenarios") Scenario s) {
    RotationPolicy exempting =
        new RotationPolicy(
            s.policy().mode(),
            s.policy().thresholds(),
            List.of(
                new Exemption(
                    new UserMatch.NamePattern("*"),
                    "sec@example.com",
                    "test",
                    LocalDate.of(2099, 1, 1))));

    UserPlan plan = planner.plan(s.state(), exempting, NOW);

    assertThat(plan.decisions()).extracting(Decision::action).containsExactly(Action.EXEMPT);
  }

  @Property(tries = 2000)
  void planningAgainRightAfterApplyingChangesNothing(@ForAll("scenarios") Scenario s) {
    UserState after = apply(s, plan(s));

    UserPlan again = planner.plan(after, s.policy(), NOW);

    assertThat(again.decisions())
        .as("second plan %s", again.decisions())
        .allMatch(d -> !d.action().mutating() && d.action() != Action.WARN);
  }

  @Property(tries = 2000)
  void decisionsComeInTheSafeOrder(@ForAll("scenarios") Scenario s) {
    List<Action> order =
        List.of(
            Action.REPAIR_DELETE_ORPHAN,
            Action.REPAIR_CLEAR_MARKER,
            Action.DELETE_KEY,
            Action.CREATE_KEY,
            Action.DEACTIVATE_KEY,
            Action.WARN,
            Action.NOTHING,
            Action.SKIP_IN_FLIGHT,
            Action.EXEMPT);
    List<Integer> ranks = plan(s).decisions().stream().map(d -> order.indexOf(d.action())).toList();

    assertThat(ranks).isSorted();
  }

  @Property(tries = 1000)
  void aWholeLifecycleNeverExceedsTwoKeysOrStrandsTheUser(
      @ForAll("scenarios") Scenario s, @ForAll("usage") List<Boolean> usedEachDay) {
    UserState state = s.state();
    Supplier<String> ids = ids();
    for (int day = 0; day < usedEachDay.size(); day++) {
      Instant now = NOW.plus(Duration.ofDays(day));
      UserPlan plan = planner.plan(state, s.policy(), now);
      UserState before = state;
      boolean hadWorking =
          before.keys().stream().anyMatch(k -> k.isActive() && !isOrphan(before, k, plan));
      state = PlanEffects.apply(state, plan, now, ids);
      assertThat(state.keys()).hasSizeLessThanOrEqualTo(2);
      if (hadWorking && s.policy().thresholds().forceDeactivateAfterDays().isEmpty()) {
        assertThat(state.keys()).anyMatch(AccessKey::isActive);
      }
      if (usedEachDay.get(day)) {
        state = state.withNewestActiveKeyUsedAt(now);
      }
    }
  }

  /**
   * Whatever markers and tags exist (forged, stale, in flight, dated in the future, history of any
   * date), repair never deletes a key that has signed a request, nor the user's last active key.
   */
  @Property(tries = 3000)
  void repairNeverDeletesAKeyWithALastUseNorTheLastActiveKey(@ForAll("forgeries") Scenario s) {
    UserPlan plan = plan(s);
    List<AccessKey> left = new ArrayList<>(s.state().keys());
    for (Decision d : plan.decisions()) {
      if (d.action() == Action.REPAIR_DELETE_ORPHAN) {
        AccessKey k = s.state().key(d.keyId().orElseThrow()).orElseThrow();
        assertThat(k.lastUsed()).as("orphan %s has a last use", k.id()).isEmpty();
        assertThat(k.created())
            .isAfterOrEqualTo(
                s.state().marker().orElseThrow().startedAt().truncatedTo(ChronoUnit.SECONDS));
        left.remove(k);
      }
    }
    if (s.state().keys().stream().anyMatch(AccessKey::isActive)) {
      assertThat(left).as("keys left by repair").anyMatch(AccessKey::isActive);
    }
  }

  /**
   * Whatever the history tags say (removed, backdated, in the future), a key that signed a request
   * less than unusedForDays plus the recovery window ago is never deleted.
   */
  @Property(tries = 3000)
  void forgedHistoryNeverHastensTheDeletionOfARecentlyUsedKey(@ForAll("forgeries") Scenario s) {
    Thresholds t = s.policy().thresholds();
    for (Decision d : plan(s).decisions()) {
      if (d.action() == Action.DELETE_KEY || d.action() == Action.REPAIR_DELETE_ORPHAN) {
        AccessKey k = s.state().key(d.keyId().orElseThrow()).orElseThrow();
        k.lastUsed()
            .ifPresent(
                u ->
                    assertThat(Duration.between(u, NOW).toDays())
                        .as("deleted %s last used %s", k.id(), u)
                        .isGreaterThanOrEqualTo((long) t.unusedForDays() + t.recoveryWindowDays()));
      }
    }
  }

  /** Keys, markers and history as anyone with iam:TagUser could leave them, minutes apart. */
  @Provide
  Arbitrary<Scenario> forgeries() {
    Arbitrary<Long> minutesAgo =
        Arbitraries.oneOf(
            Arbitraries.longs().between(-60, 120),
            Arbitraries.longs().between(-3 * 1440, 400L * 1440));
    Arbitrary<AccessKey> key =
        Combinators.combine(
                Arbitraries.of(KeyStatus.values()),
                minutesAgo,
                Arbitraries.longs().between(-1, 400L * 1440),
                Arbitraries.integers().between(0, 999_999))
            .as(
                (status, createdAgo, usedAgo, id) ->
                    new AccessKey(
                        "K" + id,
                        status,
                        NOW.minus(Duration.ofMinutes(createdAgo)),
                        usedAgo < 0
                            ? Optional.empty()
                            : Optional.of(
                                NOW.minus(
                                    Duration.ofMinutes(
                                        Math.min(usedAgo, Math.max(createdAgo, 0)))))));
    Arbitrary<List<AccessKey>> keys = key.list().ofMaxSize(2).uniqueElements(AccessKey::id);
    Arbitrary<Optional<Instant>> when =
        minutesAgo.map(m -> NOW.minus(Duration.ofMinutes(m))).optional();
    Arbitrary<UserState> states =
        Combinators.combine(
                keys,
                Arbitraries.of(true, false).list().ofSize(2),
                when,
                when.list().ofSize(2),
                when.list().ofSize(2),
                Arbitraries.of(
                    Map.<String, String>of(),
                    Map.of(RotationPolicy.TAG_DEACTIVATE_AFTER, "30"),
                    Map.of(RotationPolicy.TAG_DELETE_AFTER, "20"),
                    Map.of(
                        RotationPolicy.TAG_CREATE_AFTER,
                        "1",
                        RotationPolicy.TAG_DELETE_AFTER,
                        "2")))
            .as(
                (ks, storedFlags, markerAt, warned, deactivated, tags) -> {
                  Set<String> stored = new HashSet<>();
                  Map<String, KeyHistory> history = new HashMap<>();
                  for (int i = 0; i < ks.size(); i++) {
                    if (storedFlags.get(i)) {
                      stored.add(ks.get(i).id());
                    }
                    KeyHistory h = new KeyHistory(warned.get(i), deactivated.get(i));
                    if (!h.isEmpty()) {
                      history.put(ks.get(i).id(), h);
                    }
                  }
                  return new UserState(
                      new IamUser("u", "/", tags, Set.of()),
                      ks,
                      stored,
                      markerAt.map(at -> new RotationMarker("forged", at)),
                      history);
                });
    return Combinators.combine(states, policies()).as(Scenario::new);
  }

  // ---------------------------------------------------------------- helpers

  private UserPlan plan(Scenario s) {
    return planner.plan(s.state(), s.policy(), NOW);
  }

  private UserState apply(Scenario s, UserPlan plan) {
    return PlanEffects.apply(s.state(), plan, NOW, ids());
  }

  private static Supplier<String> ids() {
    AtomicInteger n = new AtomicInteger();
    return () -> "NEW" + n.incrementAndGet();
  }

  private static boolean isOrphan(Scenario s, AccessKey k, UserPlan plan) {
    return isOrphan(s.state(), k, plan);
  }

  private static boolean isOrphan(UserState state, AccessKey k, UserPlan plan) {
    return plan.decisions().stream()
        .anyMatch(d -> d.action() == Action.REPAIR_DELETE_ORPHAN && d.keyId().get().equals(k.id()));
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<List<Boolean>> usage() {
    return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(400);
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Combinators.combine(states(), policies()).as(Scenario::new);
  }

  Arbitrary<RotationPolicy> policies() {
    Arbitrary<Integer> create = Arbitraries.integers().between(2, 200);
    Arbitrary<Integer> gap = Arbitraries.integers().between(1, 60);
    Arbitrary<Integer> deleteGap = Arbitraries.integers().between(0, 30);
    Arbitrary<Integer> unused = Arbitraries.integers().between(0, 30);
    Arbitrary<Integer> force = Arbitraries.integers().between(-1, 60);
    Arbitrary<Integer> interval = Arbitraries.integers().between(1, 14);
    return Combinators.combine(create, gap, deleteGap, unused, force, interval)
        .as(
            (c, g, dg, u, f, i) -> {
              int deactivate = c + g;
              List<Integer> reminders = new ArrayList<>();
              for (int d : List.of(15, 7, 1)) {
                if (d < deactivate) {
                  reminders.add(d);
                }
              }
              Thresholds t =
                  new Thresholds(
                      c,
                      deactivate,
                      deactivate + dg,
                      u,
                      f < 0 ? OptionalInt.empty() : OptionalInt.of(deactivate + f),
                      reminders,
                      i,
                      // early retirement on for about half of the policies (it needs u >= 1)
                      c % 2 == 0 && u >= 1);
              return new RotationPolicy(Mode.ENFORCE, t, List.of());
            });
  }

  Arbitrary<UserState> states() {
    Arbitrary<AccessKey> key =
        Combinators.combine(
                Arbitraries.of(KeyStatus.values()),
                Arbitraries.integers().between(-5, 400),
                Arbitraries.integers().between(-1, 400),
                Arbitraries.integers().between(0, 999_999))
            .as(
                (status, age, usedAgo, id) ->
                    new AccessKey(
                        "K" + id,
                        status,
                        NOW.minus(Duration.ofDays(age)),
                        usedAgo < 0
                            ? Optional.empty()
                            : Optional.of(
                                NOW.minus(Duration.ofDays(Math.min(usedAgo, Math.max(age, 0)))))));
    Arbitrary<List<AccessKey>> keys = key.list().ofMaxSize(2).uniqueElements(AccessKey::id);
    return Combinators.combine(
            keys,
            Arbitraries.of(true, false).list().ofSize(2),
            Arbitraries.integers().between(-1, 3),
            Arbitraries.integers().between(-1, 30).list().ofSize(2),
            Arbitraries.integers().between(-1, 30).list().ofSize(2))
        .as(
            (ks, storedFlags, markerDaysAgo, warnedAgo, deactivatedAgo) -> {
              Set<String> stored = new HashSet<>();
              Map<String, KeyHistory> history = new HashMap<>();
              for (int i = 0; i < ks.size(); i++) {
                AccessKey k = ks.get(i);
                if (storedFlags.get(i)) {
                  stored.add(k.id());
                }
                KeyHistory h = KeyHistory.NONE;
                if (warnedAgo.get(i) >= 0) {
                  h = h.withWarned(NOW.minus(Duration.ofDays(warnedAgo.get(i))));
                }
                if (deactivatedAgo.get(i) >= 0 && !k.isActive()) {
                  h = h.withDeactivated(NOW.minus(Duration.ofDays(deactivatedAgo.get(i))));
                }
                if (!h.isEmpty()) {
                  history.put(k.id(), h);
                }
              }
              Optional<RotationMarker> marker =
                  markerDaysAgo < 0
                      ? Optional.empty()
                      : Optional.of(
                          new RotationMarker("run-x", NOW.minus(Duration.ofDays(markerDaysAgo))));
              return new UserState(IamUser.named("u"), ks, stored, marker, history);
            });
  }
}
