package dev.keyrotator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The forced rotation's rules, one row per case: what is decided, or why it is refused. */
class ForcedRotationTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final String OLD = "AKIAOLD0000000000001";
  static final String NEW = "AKIANEW0000000000002";

  static AccessKey key(String id, KeyStatus s, int ageDays, boolean used) {
    return new AccessKey(
        id,
        s,
        NOW.minus(Duration.ofDays(ageDays)),
        used ? Optional.of(NOW.minus(Duration.ofHours(1))) : Optional.empty());
  }

  static UserState user(Map<String, String> tags, List<AccessKey> keys, Set<String> stored) {
    return user(tags, keys, stored, Optional.empty(), Map.of());
  }

  static UserState user(
      Map<String, String> tags,
      List<AccessKey> keys,
      Set<String> stored,
      Optional<RotationMarker> marker,
      Map<String, KeyHistory> history) {
    return new UserState(new IamUser("alice", "/", tags, Set.of()), keys, stored, marker, history);
  }

  static final RotationPolicy POLICY =
      new RotationPolicy(
          Mode.ENFORCE,
          Thresholds.DEFAULTS,
          List.of(
              new Exemption(
                  new UserMatch.Tag("KeyRotation", "exempt"),
                  "secops",
                  "break-glass",
                  LocalDate.parse("2099-01-01"))));

  static Stream<Arguments> cases() {
    AccessKey oldInUse = key(OLD, KeyStatus.ACTIVE, 40, true);
    return Stream.of(
        Arguments.of(
            "one key in use: create, then deactivate it at once",
            user(Map.of(), List.of(oldInUse), Set.of(OLD)),
            Optional.of(OLD),
            List.of("CREATE_KEY", "DEACTIVATE_KEY " + OLD),
            ""),
        Arguments.of(
            "no key named: the newest active key",
            user(Map.of(), List.of(oldInUse), Set.of()),
            Optional.empty(),
            List.of("CREATE_KEY", "DEACTIVATE_KEY " + OLD),
            ""),
        Arguments.of(
            "exempt user: nothing but an exempt decision",
            user(Map.of("KeyRotation", "exempt"), List.of(oldInUse), Set.of()),
            Optional.of(OLD),
            List.of("EXEMPT"),
            ""),
        Arguments.of(
            "a key that is not the user's: refused",
            user(Map.of(), List.of(oldInUse), Set.of()),
            Optional.of("AKIAFOREIGN000000009"),
            List.of(),
            "key AKIAFOREIGN000000009 does not belong to user alice"),
        Arguments.of(
            "two active keys: refused, neither may be removed",
            user(Map.of(), List.of(oldInUse, key(NEW, KeyStatus.ACTIVE, 100, true)), Set.of()),
            Optional.of(OLD),
            List.of(),
            "user alice already holds two keys and neither may be removed: key "
                + NEW
                + " is active"),
        Arguments.of(
            "an inactive second key in its recovery window: refused",
            user(
                Map.of(),
                List.of(oldInUse, key(NEW, KeyStatus.INACTIVE, 100, false)),
                Set.of(),
                Optional.empty(),
                Map.of(
                    NEW,
                    new KeyHistory(Optional.empty(), Optional.of(NOW.minus(Duration.ofDays(1)))))),
            Optional.of(OLD),
            List.of(),
            "user alice already holds two keys and neither may be removed: inactive key "
                + NEW
                + " is in its recovery window until"),
        Arguments.of(
            "an inactive second key out of its window: deleted first to make room",
            user(Map.of(), List.of(oldInUse, key(NEW, KeyStatus.INACTIVE, 100, false)), Set.of()),
            Optional.of(OLD),
            List.of("DELETE_KEY " + NEW, "CREATE_KEY", "DEACTIVATE_KEY " + OLD),
            ""),
        Arguments.of(
            "a newer stored active key already replaces it (replay): only the deactivation",
            user(
                Map.of(),
                List.of(key(OLD, KeyStatus.ACTIVE, 40, true), key(NEW, KeyStatus.ACTIVE, 0, false)),
                Set.of(NEW)),
            Optional.of(OLD),
            List.of("DEACTIVATE_KEY " + OLD),
            ""),
        Arguments.of(
            "already inactive (replay after the whole rotation): nothing",
            user(
                Map.of(),
                List.of(
                    key(OLD, KeyStatus.INACTIVE, 40, true), key(NEW, KeyStatus.ACTIVE, 0, false)),
                Set.of(NEW)),
            Optional.of(OLD),
            List.of("NOTHING " + OLD),
            ""),
        Arguments.of(
            "a marker: refused until a run repairs it",
            user(
                Map.of(),
                List.of(oldInUse),
                Set.of(),
                Optional.of(new RotationMarker("r1", NOW.minus(Duration.ofMinutes(3)))),
                Map.of()),
            Optional.of(OLD),
            List.of(),
            "user alice has a rotation marker of run r1"),
        Arguments.of(
            "no key at all: refused",
            user(Map.of(), List.of(), Set.of()),
            Optional.empty(),
            List.of(),
            "user alice has no active key to rotate"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesOrRefuses(
      String name,
      UserState state,
      Optional<String> keyId,
      List<String> decisions,
      String refusal) {
    ForcedRotation.Result r =
        ForcedRotation.plan(state, POLICY, new ForcedRotation.Request(keyId, "exposed"), NOW);

    List<String> labels = new ArrayList<>();
    r.plan().decisions().forEach(d -> labels.add(d.label()));
    assertThat(labels).as(name).isEqualTo(decisions);
    if (refusal.isEmpty()) {
      assertThat(r.refusal()).as(name).isEmpty();
      r.plan()
          .decisions()
          .forEach(d -> assertThat(d.reason()).contains("rotate-now (reason: exposed)"));
    } else {
      assertThat(r.refusal()).as(name).hasValueSatisfying(v -> assertThat(v).startsWith(refusal));
    }
    assertThat(r.exempt()).isEqualTo(decisions.equals(List.of("EXEMPT")));
  }
}
