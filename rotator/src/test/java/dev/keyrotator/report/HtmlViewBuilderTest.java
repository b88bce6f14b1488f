package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.report.HtmlView.OuRow;
import dev.keyrotator.report.HtmlView.OwnerRow;
import dev.keyrotator.report.HtmlView.Trend;
import dev.keyrotator.report.HtmlView.TrendRow;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTML report's trend, OU roll-up and owners to chase, as {@link HtmlViewBuilder} makes them.
 */
class HtmlViewBuilderTest {
  final RunReport run = ReportFixtures.run();
  final ReportSummary summary = ReportSummary.of(run);

  @Test
  void theTrendComparesTheHeadlineFiguresWithThePreviousRun() {
    Trend t =
        HtmlViewBuilder.trend(
            run,
            summary,
            PreviousReport.of(ReportFixtures.previous(), ReportFixtures.PREVIOUS_URI));

    assertThat(t.found()).isTrue();
    assertThat(t.previousRunId()).isEqualTo(ReportFixtures.PREVIOUS_RUN_ID);
    assertThat(t.daysBefore()).isEqualTo(7);
    assertThat(t.source()).isEqualTo(ReportFixtures.PREVIOUS_URI);
    assertThat(t.policyChanged()).isTrue();
    assertThat(t.rows())
        .containsExactly(
            new TrendRow("Accounts failed", "0", "1", "+1", "bad"),
            new TrendRow("Active keys past deactivate age", "2", "2", "0", ""),
            new TrendRow("Keys never used", "10", "4", "-6", "good"),
            new TrendRow("Oldest active key (days)", "293", "300", "+7", "bad"),
            // more changes is neither better nor worse
            new TrendRow("Changes made", "0", "4", "+4", ""));
  }

  @Test
  void aRunWithoutActiveKeysHasNoOldestKeyToCompare() {
    Trend t =
        HtmlViewBuilder.trend(
            ReportFixtures.empty(),
            ReportSummary.of(ReportFixtures.empty()),
            PreviousReport.of(run, "out/report.json"));
    assertThat(t.rows())
        .filteredOn(r -> r.figure().startsWith("Oldest"))
        .containsExactly(new TrendRow("Oldest active key (days)", "300", "-", "-", ""));
    assertThat(t.rows())
        .filteredOn(r -> r.figure().equals("Accounts failed"))
        .containsExactly(new TrendRow("Accounts failed", "1", "0", "-1", "good"));
  }

  @Test
  void withoutAPreviousReportTheTrendSaysWhereItLookedOrWhatWentWrong() {
    Trend none = HtmlViewBuilder.trend(run, summary, PreviousReport.none());
    assertThat(none.found()).isFalse();
    assertThat(none.rows()).isEmpty();
    assertThat(none.source()).isEmpty();

    Trend notFound =
        HtmlViewBuilder.trend(run, summary, PreviousReport.notFound("s3://b/reports/"));
    assertThat(notFound.found()).isFalse();
    assertThat(notFound.source()).isEqualTo("s3://b/reports/");
    assertThat(notFound.note()).isEmpty();

    Trend unusable =
        HtmlViewBuilder.trend(run, summary, PreviousReport.unusable("x", "x could not be read"));
    assertThat(unusable.found()).isFalse();
    assertThat(unusable.note()).isEqualTo("x could not be read");

    String html = HtmlReport.render(run, summary, PreviousReport.notFound("s3://b/reports/"));
    assertThat(html)
        .contains("No earlier report was found in <code class=\"path\">s3://b/reports/");
  }

  @Test
  void theOuRollUpCountsEveryAccountAtOrBelowEachOuInTreeOrder() {
    List<OuRow> rows = HtmlViewBuilder.ous(run, summary);
    assertThat(rows)
        .extracting(OuRow::path)
        .containsExactly(
            "/", "/Sandbox", "/Security", "/Workloads", "/Workloads/Dev", "/Workloads/Prod");
    // path, accounts, failed, users, keys, past deactivate, actions failed, done, planned
    assertThat(rows.get(0)).isEqualTo(new OuRow("/", 5, 1, 10, 10, 2, 1, 4, 1));
    assertThat(rows.get(1)).isEqualTo(new OuRow("/Sandbox", 1, 1, 0, 0, 0, 0, 0, 0));
    assertThat(rows.get(3)).isEqualTo(new OuRow("/Workloads", 2, 0, 9, 9, 2, 1, 4, 1));
    assertThat(rows.get(4)).isEqualTo(new OuRow("/Workloads/Dev", 1, 0, 1, 1, 0, 0, 0, 1));
    assertThat(rows.get(5)).isEqualTo(new OuRow("/Workloads/Prod", 1, 0, 8, 8, 2, 1, 4, 0));
    assertThat(
            HtmlViewBuilder.ous(ReportFixtures.empty(), ReportSummary.of(ReportFixtures.empty())))
        .isEmpty();
  }

  @Test
  void ouPathsWithAndWithoutTheLeadingSlashAreOneOu() {
    RunReport mixed =
        run.withAccounts(
            List.of(
                AccountReport.unprocessed("101010101010", "a", "/A/B", AccountStatus.FAILED, "x"),
                AccountReport.unprocessed("202020202020", "b", "A/B", AccountStatus.SKIPPED, ""),
                AccountReport.unprocessed("303030303030", "c", "/A-B", AccountStatus.SKIPPED, ""),
                AccountReport.unprocessed("404040404040", "d", "/", AccountStatus.SKIPPED, "")));
    assertThat(HtmlViewBuilder.ous(mixed, ReportSummary.of(mixed)))
        .extracting(OuRow::path, OuRow::accounts, OuRow::accountsFailed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("/", 4, 1),
            org.assertj.core.groups.Tuple.tuple("/A", 2, 1),
            org.assertj.core.groups.Tuple.tuple("/A/B", 2, 1),
            org.assertj.core.groups.Tuple.tuple("/A-B", 1, 0));
  }

  @Test
  void ownersToChaseComeMostUrgentFirstWithEveryReasonPerKey() {
    List<OwnerRow> owners = HtmlViewBuilder.owners(run);

    // the failed deletion first; the exempt break-glass key (300 days) is left out; dev-ci (170
    // days, planned) is not past the deactivate age; old-integration's key was deleted
    assertThat(owners)
        .extracting(OwnerRow::owner)
        .containsExactly("platform-team@example.com", "data-team@example.com");
    OwnerRow platform = owners.get(0);
    assertThat(platform.failed()).isEqualTo(1);
    assertThat(platform.keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.keyId()).isEqualTo("AKIASANDBOX333000008");
              assertThat(k.user()).isEqualTo("ci-legacy");
              assertThat(k.why())
                  .containsExactly(
                      "DELETE_KEY failed: iam DeleteAccessKey failed: Throttling (Rate exceeded)");
            });
    OwnerRow data = owners.get(1);
    assertThat(data.failed()).isZero();
    assertThat(data.pastDeactivate()).isEqualTo(1);
    assertThat(data.warned()).isEqualTo(1);
    assertThat(data.keys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.keyId()).isEqualTo("AKIASANDBOX333000005");
              assertThat(k.why())
                  .containsExactly(
                      "still active at 181 days, past the deactivate age 180 (last used"
                          + " 2025-05-29T02:00:00Z)",
                      "warned this run: WARN(STILL_IN_USE)");
            });
  }

  @Test
  void ownersWithoutAnOwnerTagAreChasedAsNoOwnerAndSortedByHowFarPastTheAgeTheirKeysAre() {
    List<OwnerRow> owners = HtmlViewBuilder.owners(ReportFixtures.edges());
    assertThat(owners)
        .extracting(OwnerRow::owner)
        .containsExactly("(no owner)", "team-20@example.com", "team-18@example.com");
    assertThat(owners.get(0).failed()).isEqualTo(1);
    assertThat(owners.get(0).keys().get(0).keyId()).isEqualTo("AKIAEDGE000000000002");
    // then the key furthest past the deactivate age
    assertThat(owners.get(0).keys().get(1).why().get(0)).contains("195 days");
    assertThat(HtmlViewBuilder.owners(ReportFixtures.empty())).isEmpty();
  }
}
