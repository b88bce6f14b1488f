package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Planner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForecastTest {

  final Clock clock = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  final FakeOrg org = new FakeOrg(clock);

  @Test
  void forecastsTheWholeLifecycleOfAnInUseKeyDayByDayWithoutChangingAnything() {
    org.account("222222222222", "prod", List.of(), Map.of());
    FakeOrg.User alice = org.user("222222222222", "alice", Map.of());
    org.key(alice, KeyStatus.ACTIVE, 160, 1);
    List<String> errors = new ArrayList<>();

    List<Forecast.Entry> entries =
        new Forecast(
                PolicyFileLoader.parse(
                    "p",
                    "version: 1\norganization: {memberRoleName: R}\n"
                        .getBytes(StandardCharsets.UTF_8)),
                org,
                org,
                new Planner(),
                clock)
            .run(30, errors);

    assertThat(errors).isEmpty();
    assertThat(entries)
        .extracting(e -> e.day() + " " + e.decision().label().replaceAll(" AKIA\\w+", ""))
        .containsExactly(
            "2026-06-06 CREATE_KEY",
            "2026-06-06 WARN(EXPIRING)",
            "2026-06-14 WARN(EXPIRING)",
            "2026-06-21 DEACTIVATE_KEY",
            "2026-06-26 DELETE_KEY");
    assertThat(org.mutatingCalls).isEmpty();
    assertThat(alice.keys).hasSize(1);
  }
}
