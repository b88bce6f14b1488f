package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.Action;
import dev.keyrotator.report.ReportViews;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import java.time.temporal.ChronoUnit;
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

  /**
   * Ten days of enforce runs over HTTP, one sandbox scanned user by user, one from the report: the
   * same decisions every day, and in the second no call names a user who needs nothing (the sandbox
   * logs each IAM call's UserName), though many hold an old key in its rotation window, because
   * every history tag the real adapter wrote names its key's creation time.
   */
  @Test
  void dayAfterDayAUserNeedingNothingCostsNoCallOfItsOwn() {
    try (Sandbox perUserSb = Sandbox.start(Fixture.generated(3, 40, 17));
        Sandbox sb = Sandbox.start(Fixture.generated(3, 40, 17))) {
      RotatorHarness perUser = new RotatorHarness(perUserSb);
      perUser.scan = ScanMode.PER_USER;
      RotatorHarness byReport = new RotatorHarness(sb);
      long inWindow = 0;
      for (int day = 0; day < 10; day++) {
        if (day > 0) {
          perUserSb.clock().advanceDays(1);
          sb.clock().advanceDays(1);
        }
        sb.calls().clear();
        RunReport expected = perUser.run(RotatorHarness.policy(""));
        RunReport r = byReport.run(RotatorHarness.policy(""));

        assertThat(withoutKeyIds(decisions(r)))
            .as("day %d", day)
            .isEqualTo(withoutKeyIds(decisions(expected)));
        if (day == 0) {
          continue; // the first run also records first uses of hand-made second keys
        }
        Map<String, List<String>> named = new TreeMap<>();
        sb.calls().all().stream()
            .filter(c -> c.userName() != null)
            .forEach(
                c ->
                    named
                        .computeIfAbsent(
                            c.accountId() + "/" + c.userName(), x -> new java.util.ArrayList<>())
                        .add(c.operation()));
        for (var a : r.accounts()) {
          for (var u : a.users()) {
            boolean nothing =
                u.decisions().stream()
                    .allMatch(d -> d.action() == Action.NOTHING || d.action() == Action.EXEMPT);
            if (nothing && u.keys().size() > 1) {
              inWindow++;
            }
            boolean twins =
                u.keys().size() == 2 && u.keys().get(0).created().equals(u.keys().get(1).created());
            if (nothing && twins) {
              // two keys made in the same second: no history can be tied to one of them
              assertThat(named.get(a.accountId() + "/" + u.userName()))
                  .as("day %d: %s", day, u.userName())
                  .containsExactly("ListAccessKeys");
            } else if (nothing) {
              assertThat(named.get(a.accountId() + "/" + u.userName()))
                  .as("day %d: calls naming %s, who needs nothing (%s)", day, u.userName(), u)
                  .isNull();
            }
          }
        }
      }
      assertThat(inWindow).as("user-days with two keys and nothing to do").isGreaterThan(20);
      // every history tag the rotator wrote names its key's creation, as IAM gives it
      long tied = 0;
      dev.keyrotator.sandbox.SandboxCredentials admin = sb.credentialsFor("200000000001");
      try (var iam =
          software.amazon.awssdk.services.iam.IamClient.builder()
              .endpointOverride(sb.endpoint())
              .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
              .httpClient(
                  software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
              .credentialsProvider(
                  software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                      software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                          admin.accessKeyId(), admin.secretAccessKey())))
              .build()) {
        for (var user : iam.listUsersPaginator().users()) {
          var keys =
              iam.listAccessKeys(k -> k.userName(user.userName())).accessKeyMetadata().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          k -> k.accessKeyId(),
                          k -> k.createDate().truncatedTo(ChronoUnit.SECONDS)));
          for (var tag : iam.listUserTags(t -> t.userName(user.userName())).tags()) {
            if (!tag.key().startsWith("key-rotator:key:")) {
              continue;
            }
            String keyId = tag.key().substring("key-rotator:key:".length());
            assertThat(tag.value()).contains("created=" + keys.get(keyId));
            tied++;
          }
        }
      }
      assertThat(tied).isGreaterThan(5);
    }
  }
}
