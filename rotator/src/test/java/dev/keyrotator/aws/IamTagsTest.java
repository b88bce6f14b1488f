package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.FirstUse;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.RotationMarker;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IamTagsTest {
  private static final String IAM_ALLOWED = "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";

  @Test
  void markerValueUsesOnlyCharactersIamAllowsEvenForAnOddRunId() {
    String v =
        IamTags.markerValue(
            new RotationMarker(
                "run;with*odd#chars=and spaces", Instant.parse("2026-01-01T00:00:00Z")));

    assertThat(v).matches(IAM_ALLOWED).startsWith("run=run_with_odd_chars_and_spaces at=");
    assertThat(IamTags.parseMarker(v))
        .get()
        .satisfies(m -> assertThat(m.startedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void markerValueFitsIn256CharactersForAHugeRunId() {
    String v = IamTags.markerValue(new RotationMarker("r".repeat(1000), Instant.EPOCH));

    assertThat(v).hasSizeLessThanOrEqualTo(256).endsWith("at=1970-01-01T00:00:00Z");
    assertThat(IamTags.parseMarker(v))
        .get()
        .satisfies(m -> assertThat(m.startedAt()).isEqualTo(Instant.EPOCH));
  }

  @Test
  void readsTheSemicolonFormToo() {
    assertThat(IamTags.parseMarker("run=r1;at=2026-01-01T00:00:00Z"))
        .contains(new RotationMarker("r1", Instant.parse("2026-01-01T00:00:00Z")));
    assertThat(IamTags.parseHistory("warned=2026-01-01T00:00:00Z;deactivated=bad"))
        .isEqualTo(KeyHistory.NONE.withWarned(Instant.parse("2026-01-01T00:00:00Z")));
  }

  @Test
  void malformedValuesReadAsAbsent() {
    assertThat(IamTags.parseMarker("")).isEmpty();
    assertThat(IamTags.parseMarker("run=x")).isEmpty();
    assertThat(IamTags.parseMarker("at=tomorrow")).isEmpty();
    assertThat(IamTags.parseHistory("nonsense")).isEqualTo(KeyHistory.NONE);
  }

  @Test
  void historyLeavesOutEmptyParts() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    assertThat(IamTags.historyValue(KeyHistory.NONE.withDeactivated(t)))
        .isEqualTo("deactivated=2026-01-02T03:04:05Z");
    assertThat(IamTags.historyValue(KeyHistory.NONE.withWarned(t).withDeactivated(t)))
        .isEqualTo("warned=2026-01-02T03:04:05Z deactivated=2026-01-02T03:04:05Z")
        .matches(IAM_ALLOWED);
    assertThat(IamTags.historyKey("AKIAIOSFODNN7EXAMPLE"))
        .isEqualTo("key-rotator:key:AKIAIOSFODNN7EXAMPLE")
        .hasSizeLessThanOrEqualTo(128);
  }

  @Test
  void theFirstUseSeenRoundTripsAndFitsWithEveryOtherPart() {
    Instant t = Instant.parse("2026-01-02T03:04:05.123456789Z");
    FirstUse use =
        new FirstUse(t, Instant.parse("2026-01-02T03:00:00Z"), "execute-api", "ap-southeast-2");
    KeyHistory h =
        KeyHistory.NONE.withWarned(t).withDeactivated(t).withExposed(t).withFirstUse(use);
    String value = IamTags.historyValue(h);
    assertThat(value)
        .contains(
            "seen=2026-01-02T03:04:05Z used=2026-01-02T03:00:00Z via=execute-api/ap-southeast-2")
        .matches(IAM_ALLOWED)
        .hasSizeLessThanOrEqualTo(256);
    FirstUse back = IamTags.parseHistory(value).firstUse().orElseThrow();
    assertThat(back.seenAt()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(back.lastUsed()).isEqualTo(use.lastUsed());
    assertThat(back.service()).isEqualTo("execute-api");
    assertThat(back.region()).isEqualTo("ap-southeast-2");
    // characters IAM would refuse in a tag value are dropped, never written
    FirstUse odd = new FirstUse(t, t, "s3 ; evil", "us-east-1");
    assertThat(IamTags.historyValue(KeyHistory.NONE.withFirstUse(odd)))
        .contains("via=s3evil/us-east-1")
        .matches(IAM_ALLOWED);
    // a forged, half-written first use reads as absent
    assertThat(IamTags.parseHistory("seen=yesterday used=2026-01-02T03:00:00Z").firstUse())
        .isEmpty();
  }

  @Test
  void historyNamesItsKeysCreationAndFitsWithEveryPartPresent() {
    Instant t = Instant.parse("2026-01-02T03:04:05.123456789Z");
    FirstUse use =
        new FirstUse(t, t, "a-very-long-service-name-indeed", "a-very-long-region-name-too");
    KeyHistory all =
        KeyHistory.NONE
            .withWarned(t)
            .withDeactivated(t)
            .withExposed(t)
            .withDeactivateBy(t)
            .withFirstUse(use)
            .withKeyCreated(t);
    String value = IamTags.historyValue(all);
    assertThat(value).hasSizeLessThanOrEqualTo(256).contains("created=2026-01-02T03:04:05Z");
    KeyHistory back = IamTags.parseHistory(value);
    assertThat(back.keyCreated()).contains(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(back.lastWarned()).contains(Instant.parse("2026-01-02T03:04:05Z"));
    assertThat(back.firstUse()).isPresent();
    // created alone is not a history: nothing to remember about the key
    assertThat(KeyHistory.NONE.withKeyCreated(t).isEmpty()).isTrue();
  }

  @Test
  void aValueTooLongForIamDropsTheFirstUseNeverADecisionsPart() {
    // dates far in the future (forged, then written back) are longer than four-digit years
    Instant far = Instant.parse("+99999-01-01T00:00:00Z");
    KeyHistory h =
        KeyHistory.NONE
            .withWarned(far)
            .withDeactivated(far)
            .withExposed(far)
            .withDeactivateBy(far)
            .withKeyCreated(far)
            .withFirstUse(new FirstUse(far, far, "s".repeat(30), "r".repeat(30)));
    String value = IamTags.historyValue(h);
    assertThat(value).hasSizeLessThanOrEqualTo(256).doesNotContain("seen=");
    KeyHistory back = IamTags.parseHistory(value);
    assertThat(back.deactivateBy()).contains(far);
    assertThat(back.keyCreated()).contains(far);
  }
}
