package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.Action;
import dev.keyrotator.report.ReportViews;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The credential-report scan over real SDK clients against the sandbox: the same plan as the
 * per-user scan, with per-user reads only for users that need an action, and the per-user scan when
 * IAM will not give the bulk reads.
 */
class CredentialReportScanEndToEndTest {

  static Map<String, List<String>> decisions(RunReport r) {
    return ReportViews.decisions(r);
  }

  static long perUserReads(Sandbox sb) {
    return sb.calls().count("iam", "ListAccessKeys");
  }

  @Test
  void aGeneratedOrganizationIsPlannedTheSameWayByBothScans() {
    try (Sandbox sb = Sandbox.start(Fixture.generated(4, 60, 11))) {
      RotatorHarness h = new RotatorHarness(sb);
      h.scan = ScanMode.PER_USER;
      RunReport perUser = h.run(RotatorHarness.policy(""), true, Set.of());
      long perUserCalls = sb.calls().all().size();
      sb.calls().clear();
      h.scan = ScanMode.CREDENTIAL_REPORT;
      RunReport byReport = h.run(RotatorHarness.policy(""), true, Set.of());

      assertThat(decisions(byReport)).isEqualTo(decisions(perUser));
      assertThat(byReport.accounts())
          .filteredOn(a -> !a.status().name().equals("SKIPPED"))
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a.scan()).contains(ScanMode.CREDENTIAL_REPORT));
      long needing =
          byReport.accounts().stream()
              .flatMap(a -> a.users().stream())
              .filter(
                  u ->
                      u.decisions().stream()
                          .anyMatch(
                              d -> d.action() != Action.NOTHING && d.action() != Action.EXEMPT))
              .count();
      assertThat(perUserReads(sb)).isGreaterThanOrEqualTo(needing).isLessThan(4 * 60);
      assertThat(sb.calls().count("iam", "GetAccountAuthorizationDetails")).isEqualTo(3);
      assertThat((long) sb.calls().all().size()).isLessThan(perUserCalls);
      assertThat(sb.calls().mutating()).isEmpty();
    }
  }

  @Test
  void theDemoOrganizationIsRotatedTheSameWayByBothScans() {
    RunReport perUser;
    try (Sandbox sb = Sandbox.start(Fixture.demo())) {
      RotatorHarness h = new RotatorHarness(sb);
      h.scan = ScanMode.PER_USER;
      perUser = h.run(RotatorHarness.policy(""));
    }
    try (Sandbox sb = Sandbox.start(Fixture.demo())) {
      RotatorHarness h = new RotatorHarness(sb);
      RunReport byReport = h.run(RotatorHarness.policy(""));
      // Created keys get new ids in each sandbox: compare without key ids.
      assertThat(withoutKeyIds(decisions(byReport))).isEqualTo(withoutKeyIds(decisions(perUser)));
      // A second run at the same instant changes nothing, whatever the (now stale) report says.
      sb.calls().clear();
      h.run(RotatorHarness.policy(""));
      assertThat(sb.calls().mutating()).filteredOn(c -> !c.operation().equals("Publish")).isEmpty();
    }
  }

  static Map<String, List<String>> withoutKeyIds(Map<String, List<String>> m) {
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.stream().map(s -> s.replaceAll(" AKIA\\w+", "")).toList()));
    return out;
  }

  @Test
  void whenIamRefusesTheBulkReadsTheAccountIsReadUserByUser() {
    try (Sandbox sb = Sandbox.start(Fixture.generated(2, 20, 5))) {
      sb.faults().add(FaultRule.on("iam", "GetAccountAuthorizationDetails").errorRate(1.0));
      RotatorHarness h = new RotatorHarness(sb);
      RunReport r = h.run(RotatorHarness.policy(""), true, Set.of());

      assertThat(r.accounts())
          .filteredOn(a -> !a.status().name().equals("SKIPPED"))
          .isNotEmpty()
          .allSatisfy(
              a -> {
                assertThat(a.scan()).contains(ScanMode.PER_USER);
                assertThat(a.scanNote())
                    .contains("credential report not used")
                    .contains("GetAccountAuthorizationDetails");
                assertThat(a.usersScanned()).isEqualTo(20);
              });
    }
  }
}
