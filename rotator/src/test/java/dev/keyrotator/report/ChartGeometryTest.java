package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.report.ChartGeometry.Bar;
import dev.keyrotator.report.ChartGeometry.Chart;
import dev.keyrotator.report.ChartGeometry.PlacedBar;
import dev.keyrotator.report.ChartGeometry.Threshold;
import dev.keyrotator.report.ChartGeometry.Tick;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartGeometryTest {

  @Test
  void theScaleEndsInWholeTicksTenPercentPastTheOldestKeyOrThreshold() {
    // 185 (delete) * 1.1 = 203 -> next whole 30 days past it
    assertThat(ChartGeometry.scaleMax(40, 165, 180, 185)).isEqualTo(210);
    // a key older than every threshold sets the scale
    assertThat(ChartGeometry.scaleMax(300, 165, 180, 185)).isEqualTo(360);
    // nothing to show still draws one tick's width
    assertThat(ChartGeometry.scaleMax(0, -1, -1, -1)).isEqualTo(30);
  }

  @Test
  void barsArePlacedOnePerRowWithWidthsInProportionToAge() {
    Chart c =
        ChartGeometry.layout(
            List.of(
                new Bar("old", "old: 105 days", 105, true), new Bar("new", "new: 0 days", 0, true)),
            105,
            165,
            180,
            185);

    assertThat(c.width()).isEqualTo(310 + 560 + 20);
    assertThat(c.height()).isEqualTo(26 + 2 * 18 + 24);
    assertThat(c.lineTop()).isEqualTo(22);
    assertThat(c.lineBottom()).isEqualTo(c.height() - 20);
    assertThat(c.tickLabelY()).isEqualTo(c.height() - 6);

    PlacedBar old = c.bars().get(0);
    assertThat(old.label()).isEqualTo("old");
    assertThat(old.title()).isEqualTo("old: 105 days");
    assertThat(old.x()).isEqualTo(310);
    assertThat(old.y()).isEqualTo(29);
    assertThat(old.textY()).isEqualTo(39);
    assertThat(old.labelX()).isEqualTo(304);
    assertThat(old.height()).isEqualTo(12);
    assertThat(old.width()).isEqualTo(280.0); // half of the 210-day scale
    assertThat(old.ageX()).isEqualTo(310 + 280.0 + 4);

    PlacedBar young = c.bars().get(1);
    assertThat(young.y()).isEqualTo(29 + 18);
    assertThat(young.width()).as("a new key still shows").isEqualTo(1.0);
  }

  @Test
  void aTickEveryThirtyDaysFromZeroToTheScaleEnd() {
    Chart c = ChartGeometry.layout(List.of(new Bar("k", "k", 10, true)), 10, 165, 180, 185);

    assertThat(c.ticks())
        .extracting(Tick::days)
        .containsExactly(0L, 30L, 60L, 90L, 120L, 150L, 180L, 210L);
    assertThat(c.ticks().get(0).x()).isEqualTo(310.0);
    assertThat(c.ticks().get(7).x()).isEqualTo(870.0);
    assertThat(ChartGeometry.fmt(c.ticks().get(1).x())).isEqualTo("390.0");
  }

  @Test
  void thresholdLinesForThePolicyAgesItHas() {
    Chart c = ChartGeometry.layout(List.of(new Bar("k", "k", 10, true)), 10, 165, 180, -1);

    assertThat(c.thresholds()).extracting(Threshold::name).containsExactly("create", "deactivate");
    Threshold create = c.thresholds().get(0);
    assertThat(create.x()).isEqualTo(310 + 560 * 165 / 210.0);
    assertThat(create.labelX()).isEqualTo(create.x() - 3);
    assertThat(create.anchor()).isEqualTo("end");
    assertThat(create.labelY()).isEqualTo(10);
    assertThat(c.thresholds().get(1).labelY()).as("below the create label").isEqualTo(21);

    Threshold delete = ChartGeometry.layout(List.of(), 0, 165, 180, 185).thresholds().get(2);
    assertThat(delete.anchor()).as("right of its line").isEqualTo("start");
    assertThat(delete.labelX()).isEqualTo(delete.x() + 3);
  }

  @Test
  void barsAreColouredByStateAndAgeAgainstThePolicy() {
    assertThat(ChartGeometry.fill(new Bar("", "", 200, false), 165, 180))
        .isEqualTo(ChartGeometry.INACTIVE);
    assertThat(ChartGeometry.fill(new Bar("", "", 180, true), 165, 180))
        .isEqualTo(ChartGeometry.LATE);
    assertThat(ChartGeometry.fill(new Bar("", "", 165, true), 165, 180))
        .isEqualTo(ChartGeometry.DUE);
    assertThat(ChartGeometry.fill(new Bar("", "", 164, true), 165, 180))
        .isEqualTo(ChartGeometry.YOUNG);
    assertThat(ChartGeometry.fill(new Bar("", "", 500, true), -1, -1))
        .as("no policy ages: never late")
        .isEqualTo(ChartGeometry.YOUNG);
  }

  @Test
  void coordinatesHaveOneDecimalWhateverTheLocale() {
    assertThat(ChartGeometry.fmt(563.3333)).isEqualTo("563.3");
    assertThat(ChartGeometry.fmt(1)).isEqualTo("1.0");
  }
}
