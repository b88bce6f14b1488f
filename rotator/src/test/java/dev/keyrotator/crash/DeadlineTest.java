package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A run whose Lambda time runs short stops starting users and accounts, leaves no half-done
 * rotation, reports what it did not reach, and the next run finishes the job.
 */
class DeadlineTest {

  /** Three member accounts, each with a user due for a new key among others. */
  static Fixture organization() {
    Fixture f = Fixture.create("o-deadline0001", CrashLab.CENTRAL).clock(CrashLab.START);
    f.account(CrashLab.CENTRAL, "central").topic("key-rotation-events");
    for (String id : new String[] {"333333333333", "444444444444", "555555555555"}) {
      Fixture.Account a =
          f.account(id, "member-" + id.charAt(0)).memberRole(CrashLab.ROLE, CrashLab.EXTERNAL_ID);
      a.user("app-a").key(170, 1);
      a.user("app-b").key(181, null).key(20, 2);
      a.user("app-c").key(170, 3);
      a.user("app-d").key(Fixture.Key.of(190, null).inactive()).key(30, 1);
    }
    return f;
  }

  @Test
  void aShortDeadlineLeavesNoHalfDoneRotationReportsWhatWasLeftAndTheNextRunFinishes() {
    Map<String, String> expected;
    try (Sandbox calm = Sandbox.start(organization())) {
      Map<String, AccessKeyInfo> initial = ThrottlingStormTest.allKeys(calm);
      CrashLab.runInProcess(calm, serial(), Set.of(), Deadline.none());
      expected = CrashLab.normalized(calm, initial);
    }
    try (Sandbox sb = Sandbox.start(organization())) {
      Map<String, AccessKeyInfo> initial = ThrottlingStormTest.allKeys(sb);
      // Lambda's remaining time, as getRemainingTimeInMillis() would give it: each check of the
      // deadline (one per account and per user started) takes 20 s of a 180 s budget; the
      // handler's reserve is 90 s, so 4 checks pass: the first member and three of its users
      AtomicLong remaining = new AtomicLong(Duration.ofSeconds(180).toMillis());
      Deadline lambda =
          Deadline.fromRemaining(() -> remaining.addAndGet(-20_000), Duration.ofSeconds(90));

      RunReport short1 = CrashLab.runInProcess(sb, serial(), Set.of(), lambda);

      AccountReport first = account(short1, "333333333333");
      assertThat(first.status()).isEqualTo(AccountStatus.DONE);
      assertThat(first.usersNotReached()).containsExactly("app-d");
      assertThat(first.usersScanned()).isEqualTo(3);
      assertThat(account(short1, "444444444444").status()).isEqualTo(AccountStatus.NOT_REACHED);
      assertThat(account(short1, "555555555555").status()).isEqualTo(AccountStatus.NOT_REACHED);
      assertThat(short1.anyNotReached()).isTrue();
      assertThat(sb.calls().all())
          .noneMatch(
              c ->
                  c.accountId() != null
                      && (c.accountId().equals("444444444444")
                          || c.accountId().equals("555555555555")));
      // no half-done rotation: no marker, no key without its stored secret
      assertThat(CrashLab.invariantViolations(sb, initial)).isEmpty();
      assertThat(sb.iamKeys("333333333333", "app-d")).hasSize(2); // not touched yet

      RunReport next = CrashLab.runInProcess(sb, serial(), Set.of(), Deadline.none());

      assertThat(next.anyNotReached()).isFalse();
      assertThat(next.failedUsers()).isZero();
      assertThat(CrashLab.normalized(sb, initial)).isEqualTo(expected);
      assertThat(CrashLab.invariantViolations(sb, initial)).isEmpty();
    }
  }

  /** One account at a time, so the accounts after the deadline are never started. */
  static dev.keyrotator.config.PolicyFile serial() {
    return dev.keyrotator.config.PolicyFileLoader.parse(
        "serial.yaml",
        CrashLab.POLICY
            .replace(
                "  centralAccountId: \"111111111111\"\n",
                "  centralAccountId: \"111111111111\"\n  maxConcurrentAccounts: 1\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }
}
