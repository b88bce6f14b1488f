package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The orchestrator over an in-memory organization. */
class OrchestratorTest {

  final Clock clock = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
  final FakeOrg org = new FakeOrg(clock);
  FakeOrg.User alice;
  AccessKey aliceOld;

  static PolicyFile policy(String extra) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: test
          maxConcurrentAccounts: 2
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        """
            + extra;
    return PolicyFileLoader.parse("test.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  @BeforeEach
  void org() {
    org.account("222222222222", "prod", List.of("ou-prod-11111111"), Map.of());
    org.account("333333333333", "dev", List.of("ou-devv-22222222"), Map.of());
    alice = org.user("222222222222", "alice", Map.of("owner", "alice@example.com"));
    aliceOld = org.key(alice, KeyStatus.ACTIVE, 170, 1);
    FakeOrg.User bob = org.user("333333333333", "bob", Map.of());
    org.key(bob, KeyStatus.ACTIVE, 20, 1);
  }

  Orchestrator orchestrator(PolicyFile policy) {
    return Orchestrator.create(
        policy, org, org, org, Optional.empty(), new Planner(), clock, Map::of, Progress.silent());
  }

  RunRequest request() {
    return new RunRequest("run-1", Optional.empty(), Set.of(), false, Deadline.none());
  }

  static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aNewKeyAndTheReminderAboutTheOldOneAreOneMessage() {
    RunReport report = orchestrator(policy("")).run(request());

    UserReport a = account(report, "222222222222").users().get(0);
    assertThat(a.decisions())
        .extracting(DecisionReport::action, DecisionReport::outcome)
        .containsExactly(tuple(Action.CREATE_KEY, Outcome.DONE), tuple(Action.WARN, Outcome.DONE));
    assertThat(org.published)
        .filteredOn(n -> "alice".equals(n.attributes().get("user_name")))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.attributes())
                  .containsEntry("event", "key-created")
                  .containsEntry("also", "key-warning");
              assertThat(n.body()).contains("Also in this run:").contains(aliceOld.id());
            });
    assertThat(alice.history.get(aliceOld.id()).lastWarned()).contains(clock.instant());
  }

  @Test
  void createsStoresAndNotifiesWithALinkButNeverTheSecret() {
    RunReport report = orchestrator(policy("")).run(request());

    assertThat(alice.keys).hasSize(2);
    AccessKey created = alice.keys.get(1);
    assertThat(alice.vault).containsOnlyKeys(created.id());
    assertThat(alice.marker).isEmpty();
    DecisionReport create = account(report, "222222222222").users().get(0).decisions().get(0);
    assertThat(create.action()).isEqualTo(Action.CREATE_KEY);
    assertThat(create.outcome()).isEqualTo(Outcome.DONE);
    assertThat(create.keyId()).isEqualTo(created.id());
    assertThat(create.secretArn()).contains(":secret:key-rotator/222222222222/alice");
    assertThat(org.published)
        .anySatisfy(
            n -> {
              assertThat(n.attributes())
                  .containsEntry("event", "key-created")
                  .containsEntry("account_id", "222222222222")
                  .containsEntry("user_name", "alice")
                  .containsEntry("owner", "alice@example.com");
              assertThat(n.body())
                  .contains(created.id())
                  .contains("get-secret-value")
                  .contains("console.aws.amazon.com");
            });
    String everything = org.published.toString() + report;
    org.issuedSecrets.forEach(s -> assertThat(everything).doesNotContain(s));
  }

  @Test
  void aStoreThatFailsLeavesNoNewKeyAndTheOldKeyActive() {
    org.vaultFails = true;

    RunReport report = orchestrator(policy("")).run(request());

    assertThat(alice.keys).extracting(AccessKey::id).containsExactly(aliceOld.id());
    assertThat(alice.keys.get(0).status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(alice.marker).isEmpty();
    var decisions = account(report, "222222222222").users().get(0).decisions();
    assertThat(decisions.get(0).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(decisions.get(0).error()).contains("vault down");
    assertThat(decisions.subList(1, decisions.size()))
        .allSatisfy(d -> assertThat(d.outcome()).isEqualTo(Outcome.SKIPPED));
    assertThat(org.published)
        .anySatisfy(n -> assertThat(n.attributes()).containsEntry("event", "rotation-failed"));
  }

  @Test
  void anAccountWithoutTheRoleFailsWithItsReasonAndTheOthersGoOn() {
    org.accounts.get("333333333333").roleDeployed = false;

    RunReport report = orchestrator(policy("")).run(request());

    assertThat(account(report, "333333333333").status()).isEqualTo(AccountStatus.FAILED);
    assertThat(account(report, "333333333333").reason()).contains("AccessDenied");
    assertThat(account(report, "222222222222").status()).isEqualTo(AccountStatus.DONE);
    assertThat(alice.keys).hasSize(2);
  }

  @Test
  void anAccountWhoseIamFailsIsReportedAndTheOthersGoOn() {
    org.accounts.get("333333333333").iamFails = true;

    RunReport report = orchestrator(policy("")).run(request());

    assertThat(account(report, "333333333333").status()).isEqualTo(AccountStatus.FAILED);
    assertThat(account(report, "333333333333").reason()).contains("ServiceFailure");
    assertThat(alice.keys).hasSize(2);
  }

  @Test
  void planOnlyMakesNoMutatingCallAndSendsNothing() {
    RunReport report =
        orchestrator(policy(""))
            .run(new RunRequest("run-1", Optional.empty(), Set.of(), true, Deadline.none()));

    assertThat(org.mutatingCalls).isEmpty();
    assertThat(org.published).isEmpty();
    assertThat(account(report, "222222222222").status()).isEqualTo(AccountStatus.DRY_RUN);
    assertThat(account(report, "222222222222").users().get(0).decisions().get(0).outcome())
        .isEqualTo(Outcome.PLANNED);
  }

  @Test
  void aPerAccountDryRunOverrideTakesEffect() {
    RunReport report =
        orchestrator(
                policy(
                    """
        overrides:
          - account: "222222222222"
            mode: dry-run
        """))
            .run(request());

    assertThat(org.mutatingCalls).isEmpty();
    assertThat(account(report, "222222222222").status()).isEqualTo(AccountStatus.DRY_RUN);
    assertThat(account(report, "222222222222").policySources().get("mode"))
        .contains("account 222222222222");
  }

  @Test
  void reportOnlyWarnsButChangesNoKey() {
    orchestrator(policy(""))
        .run(
            new RunRequest(
                "run-1", Optional.of(Mode.REPORT_ONLY), Set.of(), false, Deadline.none()));

    assertThat(alice.keys).hasSize(1);
    assertThat(org.mutatingCalls).allMatch(c -> c.contains("history"));
    assertThat(org.published)
        .anySatisfy(n -> assertThat(n.attributes()).containsEntry("event", "key-warning"));
  }

  @Test
  void reportOnlyWarningsSayNothingWasChangedAndWhatThePolicyWouldDo() {
    orchestrator(policy(""))
        .run(
            new RunRequest(
                "run-1", Optional.of(Mode.REPORT_ONLY), Set.of(), false, Deadline.none()));

    assertThat(org.published)
        .filteredOn(n -> "key-warning".equals(n.attributes().get("event")))
        .isNotEmpty()
        .allSatisfy(
            n ->
                assertThat(n.body())
                    .contains(
                        "report-only mode: the rotator changed nothing and created no new key")
                    .contains("Under the policy it would now: create a new access key")
                    .doesNotContain("switch to the new key")
                    .doesNotContain("switch to the newer key"));
  }

  @Test
  void anExcludedAccountIsNeverCalled() {
    RunReport report = orchestrator(policyWithExcludedDev()).run(request());

    assertThat(org.opened).doesNotContain("333333333333");
    assertThat(account(report, "333333333333").status()).isEqualTo(AccountStatus.SKIPPED);
    assertThat(account(report, "333333333333").reason()).contains("excludeOus");
  }

  static PolicyFile policyWithExcludedDev() {
    return PolicyFileLoader.parse(
        "test.yaml",
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          excludeOus: [ou-devv-22222222]
        """
            .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anUnknownAccountInTheRequestChangesNothing() {
    assertThatThrownBy(
            () ->
                orchestrator(policy(""))
                    .run(
                        new RunRequest(
                            "run-1",
                            Optional.empty(),
                            Set.of("999999999999"),
                            false,
                            Deadline.none())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("999999999999");

    assertThat(org.opened).isEmpty();
    assertThat(org.mutatingCalls).isEmpty();
  }

  @Test
  void aSecondRunAtTheSameInstantMakesNoMutatingCall() {
    orchestrator(policy("")).run(request());
    org.mutatingCalls.clear();

    orchestrator(policy("")).run(request());

    assertThat(org.mutatingCalls).isEmpty();
  }

  @Test
  void snsFailuresNeverBlockARotationAndAreCounted() {
    org.snsFails = true;

    RunReport report = orchestrator(policy("")).run(request());

    assertThat(alice.keys).hasSize(2);
    assertThat(alice.vault).hasSize(1);
    var user = account(report, "222222222222").users().get(0);
    assertThat(user.notificationsLost()).isPositive();
    assertThat(user.decisions().get(0).outcome()).isEqualTo(Outcome.DONE);
  }

  @Test
  void whenTheDeadlineComesNoNewAccountIsStarted() {
    AtomicInteger budget = new AtomicInteger(1);
    Deadline oneUser = () -> budget.getAndDecrement() > 0;

    RunReport report =
        orchestrator(policy(""))
            .run(new RunRequest("run-1", Optional.empty(), Set.of(), false, oneUser));

    assertThat(report.anyNotReached()).isTrue();
    assertThat(report.accounts())
        .anyMatch(a -> a.status() == AccountStatus.NOT_REACHED || !a.usersNotReached().isEmpty());
  }
}
