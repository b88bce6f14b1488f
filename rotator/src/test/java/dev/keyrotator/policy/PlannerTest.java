package dev.keyrotator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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

/** The planner's decisions, case by case, under the default (seed) policy unless said otherwise. */
class PlannerTest {

  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  final Planner planner = new Planner();

  /** A user's keys written compactly, with what the rotator knows of them. */
  static final class Given {
    final List<AccessKey> keys = new ArrayList<>();
    final Set<String> stored = new HashSet<>();
    final Map<String, KeyHistory> history = new HashMap<>();
    Map<String, String> tags = Map.of();
    Set<String> groups = Set.of();
    String name = "alice";
    Optional<RotationMarker> marker = Optional.empty();

    Given active(String id, int ageDays, Integer lastUsedDaysAgo) {
      keys.add(key(id, KeyStatus.ACTIVE, ageDays, lastUsedDaysAgo));
      return this;
    }

    Given inactive(String id, int ageDays) {
      keys.add(key(id, KeyStatus.INACTIVE, ageDays, null));
      return this;
    }

    Given inactiveUsed(String id, int ageDays, int lastUsedDaysAgo) {
      keys.add(key(id, KeyStatus.INACTIVE, ageDays, lastUsedDaysAgo));
      return this;
    }

    Given markerAt(Instant at) {
      marker = Optional.of(new RotationMarker("run-1", at));
      return this;
    }

    Given activeCreatedAt(String id, Instant created, Integer lastUsedDaysAgo) {
      keys.add(
          new AccessKey(
              id,
              KeyStatus.ACTIVE,
              created,
              lastUsedDaysAgo == null
                  ? Optional.empty()
                  : Optional.of(NOW.minus(Duration.ofDays(lastUsedDaysAgo)))));
      return this;
    }

    Given stored(String id) {
      stored.add(id);
      return this;
    }

    Given warned(String id, int daysAgo) {
      history.put(id, KeyHistory.NONE.withWarned(NOW.minus(Duration.ofDays(daysAgo))));
      return this;
    }

    Given deactivatedByRotator(String id, int daysAgo) {
      history.put(id, KeyHistory.NONE.withDeactivated(NOW.minus(Duration.ofDays(daysAgo))));
      return this;
    }

    Given marker(int daysAgo) {
      marker = Optional.of(new RotationMarker("run-1", NOW.minus(Duration.ofDays(daysAgo))));
      return this;
    }

    Given user(String userName, Map<String, String> userTags, Set<String> userGroups) {
      name = userName;
      tags = userTags;
      groups = userGroups;
      return this;
    }

    UserState state() {
      return new UserState(new IamUser(name, "/", tags, groups), keys, stored, marker, history);
    }

    static AccessKey key(String id, KeyStatus status, int ageDays, Integer lastUsedDaysAgo) {
      return new AccessKey(
          id,
          status,
          NOW.minus(Duration.ofDays(ageDays)),
          Optional.ofNullable(lastUsedDaysAgo).map(d -> NOW.minus(Duration.ofDays(d))));
    }
  }

  static Given given() {
    return new Given();
  }

  static final LocalDate NEXT_YEAR = LocalDate.of(2027, 1, 1);
  static final RotationPolicy WITH_EXEMPTIONS =
      new RotationPolicy(
          Mode.ENFORCE,
          Thresholds.DEFAULTS,
          List.of(
              new Exemption(
                  new UserMatch.Tag("break-glass", "true"),
                  "sec@example.com",
                  "emergency access",
                  NEXT_YEAR),
              new Exemption(
                  new UserMatch.Group("legacy-vendors"),
                  "vendor-mgmt@example.com",
                  "vendor integration cannot rotate",
                  NEXT_YEAR),
              new Exemption(
                  new UserMatch.NamePattern("svc-ci-*"),
                  "platform@example.com",
                  "CI keys rotated by the CI system",
                  NEXT_YEAR)));

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "one active key at 100 days: nothing",
            given().active("K1", 100, 1),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "one active key at exactly 165 days: create, remind",
            given().active("K1", 165, 1),
            RotationPolicy.DEFAULT,
            List.of("CREATE_KEY", "WARN(EXPIRING) K1")),
        Arguments.of(
            "one active key at 170 days (a missed run still rotates)",
            given().active("K1", 170, 1),
            RotationPolicy.DEFAULT,
            List.of("CREATE_KEY", "WARN(EXPIRING) K1")),
        Arguments.of(
            "old active 181 never used, newer stored key: deactivate old",
            given().active("K1", 181, null).active("K2", 16, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("DEACTIVATE_KEY K1")),
        Arguments.of(
            "old active 181 last used 3 days ago: warn, keep active",
            given().active("K1", 181, 3).active("K2", 16, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("WARN(STILL_IN_USE) K1")),
        Arguments.of(
            "old active 181 last used 12 days ago: deactivate",
            given().active("K1", 181, 12).active("K2", 16, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("DEACTIVATE_KEY K1")),
        Arguments.of(
            "inactive 183: kept",
            given().inactive("K1", 183).active("K2", 18, 1),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "inactive 185: deleted",
            given().inactive("K1", 185).active("K2", 20, 1),
            RotationPolicy.DEFAULT,
            List.of("DELETE_KEY K1")),
        Arguments.of(
            "inactive 186 deactivated by the rotator 2 days ago: kept for recovery",
            given().inactive("K1", 186).deactivatedByRotator("K1", 2).active("K2", 21, 1),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "two active keys both past 165: cannot create, warn",
            given().active("K1", 170, 1).active("K2", 166, 1),
            RotationPolicy.DEFAULT,
            List.of("WARN(EXPIRING) K1", "WARN(CANNOT_ROTATE) K2")),
        Arguments.of(
            "active past 165 plus inactive at 20: delete the blocker, then create",
            given().inactive("K0", 20).active("K1", 170, 1),
            RotationPolicy.DEFAULT,
            List.of("DELETE_KEY K0", "CREATE_KEY", "WARN(EXPIRING) K1")),
        Arguments.of(
            "no keys: no key is created", given(), RotationPolicy.DEFAULT, List.of("NOTHING")),
        Arguments.of(
            "exempt by tag",
            given()
                .user("root-bg", Map.of("break-glass", "true"), Set.of())
                .active("K1", 400, null),
            WITH_EXEMPTIONS,
            List.of("EXEMPT")),
        Arguments.of(
            "exempt by group",
            given().user("vendor-x", Map.of(), Set.of("legacy-vendors")).active("K1", 400, 1),
            WITH_EXEMPTIONS,
            List.of("EXEMPT")),
        Arguments.of(
            "exempt by name pattern",
            given().user("svc-ci-deploy", Map.of(), Set.of()).active("K1", 400, 1),
            WITH_EXEMPTIONS,
            List.of("EXEMPT")),
        Arguments.of(
            "only key at 181 never used, no newer key: create, then deactivate",
            given().active("K1", 181, null),
            RotationPolicy.DEFAULT,
            List.of("CREATE_KEY", "DEACTIVATE_KEY K1")),
        Arguments.of(
            "only key at 181 used yesterday: create, warn, keep active",
            given().active("K1", 181, 1),
            RotationPolicy.DEFAULT,
            List.of("CREATE_KEY", "WARN(STILL_IN_USE) K1")),
        Arguments.of(
            "key created in the future (clock skew): treated as new",
            given().active("K1", -3, null),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "forceDeactivateAfterDays reached while in use",
            given().active("K1", 200, 1),
            new RotationPolicy(
                Mode.ENFORCE,
                Thresholds.DEFAULTS.withForceDeactivateAfterDays(OptionalInt.of(195)),
                List.of()),
            List.of("CREATE_KEY", "DEACTIVATE_KEY K1")),
        Arguments.of(
            "orphan: a key the rotator created whose secret was never stored",
            given().active("K1", 170, 1).marker(1).active("K9", 1, null),
            RotationPolicy.DEFAULT,
            List.of(
                "REPAIR_DELETE_ORPHAN K9",
                "REPAIR_CLEAR_MARKER",
                "CREATE_KEY",
                "WARN(EXPIRING) K1")),
        Arguments.of(
            "stale marker whose key was stored: only the marker is cleared",
            given().active("K1", 166, 1).marker(1).active("K9", 1, null).stored("K9"),
            RotationPolicy.DEFAULT,
            List.of("REPAIR_CLEAR_MARKER", "WARN(EXPIRING) K1")),
        Arguments.of(
            "still-in-use warning not repeated within the interval",
            given().active("K1", 185, 2).warned("K1", 3).active("K2", 20, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "still-in-use warning repeated after the interval",
            given().active("K1", 190, 2).warned("K1", 8).active("K2", 25, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("WARN(STILL_IN_USE) K1")),
        Arguments.of(
            "second reminder at 7 days before deactivation",
            given().active("K1", 173, 1).warned("K1", 8).active("K2", 8, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("WARN(EXPIRING) K1")),
        Arguments.of(
            "no third reminder between the 7-day one and deactivation",
            given().active("K1", 176, 1).warned("K1", 3).active("K2", 11, 1).stored("K2"),
            RotationPolicy.DEFAULT,
            List.of("NOTHING")),
        Arguments.of(
            "user tag shortens the rotation age",
            given()
                .user("bob", Map.of(RotationPolicy.TAG_CREATE_AFTER, "90"), Set.of())
                .active("K1", 95, 1),
            RotationPolicy.DEFAULT,
            List.of("CREATE_KEY")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesAsExpected(String name, Given given, RotationPolicy policy, List<String> expected) {
    UserPlan plan = planner.plan(given.state(), policy, NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactlyElementsOf(expected);
    assertThat(plan.decisions()).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
  }

  @Test
  void anExpiredExemptionNoLongerAppliesAndSaysSo() {
    RotationPolicy policy =
        new RotationPolicy(
            Mode.ENFORCE,
            Thresholds.DEFAULTS,
            List.of(
                new Exemption(
                    new UserMatch.NamePattern("alice"),
                    "sec@example.com",
                    "migration",
                    LocalDate.of(2026, 5, 1))));

    UserPlan plan = planner.plan(given().active("K1", 170, 1).state(), policy, NOW);

    assertThat(plan.decisions()).extracting(Decision::label).startsWith("CREATE_KEY");
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("expired on 2026-05-01"));
  }

  @Test
  void theBlockingDeleteSaysWhy() {
    UserPlan plan =
        planner.plan(
            given().inactive("K0", 20).active("K1", 170, 1).state(), RotationPolicy.DEFAULT, NOW);

    assertThat(plan.decisions().get(0).reason()).contains("make room").contains("two keys");
  }

  @Test
  void clockSkewIsNoted() {
    UserPlan plan =
        planner.plan(given().active("K1", -3, null).state(), RotationPolicy.DEFAULT, NOW);

    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("clock skew"));
  }

  @Test
  void aKeyOutsideTheMarkerWindowIsNeverTakenForAnOrphan() {
    // The marker is 3 days old; the unstored key was created yesterday by someone else.
    UserPlan plan =
        planner.plan(
            given().active("K1", 30, 1).marker(3).active("K2", 1, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("REPAIR_CLEAR_MARKER");
  }

  @Test
  void aTagThatWouldLengthenAThresholdIsIgnored() {
    UserPlan plan =
        planner.plan(
            given()
                .user("bob", Map.of(RotationPolicy.TAG_CREATE_AFTER, "400"), Set.of())
                .active("K1", 170, 1)
                .state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).startsWith("CREATE_KEY");
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("may only shorten"));
  }

  @Test
  void aMarkerYoungerThanTheWindowPlusTheLongestRunIsARotationInFlightAndTheUserIsSkipped() {
    Instant at = NOW.minus(Duration.ofMinutes(20));
    UserPlan plan =
        planner.plan(
            given().active("K1", 170, 1).markerAt(at).activeCreatedAt("K9", at, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("SKIP_IN_FLIGHT");
    assertThat(plan.decisions().get(0).reason()).contains("in flight").contains("30 minutes");
  }

  @Test
  void aMarkerOlderThanTheWindowPlusTheLongestRunIsRepaired() {
    Instant at = NOW.minus(Duration.ofMinutes(31));
    UserPlan plan =
        planner.plan(
            given().active("K1", 170, 1).markerAt(at).activeCreatedAt("K9", at, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions())
        .extracting(Decision::label)
        .startsWith("REPAIR_DELETE_ORPHAN K9", "REPAIR_CLEAR_MARKER");
  }

  @Test
  void aMarkerDatedInTheFutureIsClearedAndTakesNoKeyForAnOrphan() {
    Instant at = NOW.plus(Duration.ofDays(3));
    UserPlan plan =
        planner.plan(
            given().active("K1", 30, 1).markerAt(at).active("K2", 0, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("REPAIR_CLEAR_MARKER");
  }

  @Test
  void aKeyThatHasSignedARequestIsNeverAnOrphan() {
    // a forged marker dated when the owner made their second key, which they use
    UserPlan plan =
        planner.plan(
            given().active("K1", 30, 1).marker(1).active("K2", 1, 0).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("REPAIR_CLEAR_MARKER");
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("has signed requests"));
  }

  @Test
  void aKeyCreatedBeforeTheMarkersTimeIsNeverAnOrphan() {
    Instant at = NOW.minus(Duration.ofHours(2));
    UserPlan plan =
        planner.plan(
            given()
                .active("K1", 30, 1)
                .markerAt(at)
                .activeCreatedAt("K2", at.minusSeconds(1), null)
                .state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("REPAIR_CLEAR_MARKER");
  }

  @Test
  void repairNeverDeletesTheLastActiveKey() {
    UserPlan plan =
        planner.plan(
            given().inactive("K1", 30).marker(1).active("K2", 1, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions())
        .extracting(Decision::label)
        .doesNotContain("REPAIR_DELETE_ORPHAN K2")
        .contains("REPAIR_CLEAR_MARKER");
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("last active key"));
  }

  @Test
  void anUnusedKeyPastItsAgeThatIsNotTheOnlyWorkingKeyIsDeactivatedSoRotationCanGoOn() {
    // key A 200 days old used daily, key B 190 days old never used
    UserPlan plan =
        planner.plan(
            given().active("A", 200, 0).active("B", 190, null).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions())
        .extracting(Decision::label)
        .containsExactly("DEACTIVATE_KEY B", "WARN(STILL_IN_USE) A");
  }

  @Test
  void removingTheHistoryTagNeverHastensTheDeletionOfARecentlyUsedKey() {
    // deactivated by the rotator yesterday after its last use 11 days ago; history tag removed
    UserPlan plan =
        planner.plan(
            given().inactiveUsed("K1", 200, 11).active("K2", 30, 0).state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).containsExactly("NOTHING");
    assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("unused for unusedForDays"));
  }

  @Test
  void aWarningDatedInTheFutureDoesNotSilenceWarnings() {
    Given g = given().active("K1", 190, 2).active("K2", 25, 1).stored("K2");
    g.history.put("K1", KeyHistory.NONE.withWarned(NOW.plus(Duration.ofDays(300))));

    UserPlan plan = planner.plan(g.state(), RotationPolicy.DEFAULT, NOW);

    assertThat(plan.decisions())
        .extracting(Decision::label)
        .containsExactly("WARN(STILL_IN_USE) K1");
  }

  @Test
  void aSingleDeactivateTagShortensConsistentlyTheCreateAgeFollows() {
    UserPlan plan =
        planner.plan(
            given()
                .user("bob", Map.of(RotationPolicy.TAG_DEACTIVATE_AFTER, "30"), Set.of())
                .active("K1", 20, 1)
                .state(),
            RotationPolicy.DEFAULT,
            NOW);

    assertThat(plan.decisions()).extracting(Decision::label).startsWith("CREATE_KEY");
    assertThat(plan.notes())
        .anySatisfy(
            n ->
                assertThat(n)
                    .contains("create 15, deactivate 30, delete 185")
                    .contains("15-day lead"));
  }

  @Test
  void aDeleteTagKeepsTheAccountsRecoveryWindow() {
    List<String> notes = new ArrayList<>();
    Thresholds t =
        RotationPolicy.DEFAULT.thresholdsFor(
            new IamUser("bob", "/", Map.of(RotationPolicy.TAG_DELETE_AFTER, "100"), Set.of()),
            notes);

    assertThat(t.createAfterDays()).isEqualTo(80);
    assertThat(t.deactivateAfterDays()).isEqualTo(95);
    assertThat(t.deleteAfterDays()).isEqualTo(100);
    assertThat(t.recoveryWindowDays()).isEqualTo(5);
  }

  @Test
  void tagsThatCannotBeShortenedConsistentlyAreRefusedWithANote() {
    List<String> notes = new ArrayList<>();
    Thresholds t =
        RotationPolicy.DEFAULT.thresholdsFor(
            new IamUser("bob", "/", Map.of(RotationPolicy.TAG_DELETE_AFTER, "6"), Set.of()), notes);

    assertThat(t).isEqualTo(Thresholds.DEFAULTS);
    assertThat(notes).anySatisfy(n -> assertThat(n).contains("user tags refused"));
  }
}
