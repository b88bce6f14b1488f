package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserScan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Reports requested ahead of the accounts' turns: bounded, taken over once, never leaked. */
class ReportPrefetchTest {

  /** Counts sessions opened, closed and reports requested, by account. */
  static final class Roles implements RoleAssumer {
    final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> requested = new ConcurrentHashMap<>();
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public AccountSession open(String accountId, String runId) {
      opened.computeIfAbsent(accountId, k -> new AtomicInteger()).incrementAndGet();
      return new AccountSession() {
        @Override
        public String accountId() {
          return accountId;
        }

        @Override
        public UserKeys keys() {
          throw new UnsupportedOperationException();
        }

        @Override
        public UserScan scan() {
          return new UserScan() {
            @Override
            public boolean requestCredentialReport() {
              requested.computeIfAbsent(accountId, k -> new AtomicInteger()).incrementAndGet();
              return false;
            }

            @Override
            public CredentialReport credentialReport(Duration maxWait) {
              throw new UnsupportedOperationException();
            }

            @Override
            public List<UserDetails> userDetails() {
              return List.of();
            }
          };
        }

        @Override
        public SecretVault vault() {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
          closed.incrementAndGet();
        }
      };
    }

    int opened(String id) {
      return opened.getOrDefault(id, new AtomicInteger()).get();
    }

    int requested(String id) {
      return requested.getOrDefault(id, new AtomicInteger()).get();
    }
  }

  static List<String> ids(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("%012d", 200000000000L + i));
    }
    return out;
  }

  static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 500 && !done.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(done.getAsBoolean()).isTrue();
  }

  @Test
  void theAccountsAheadAreOpenedOnceTheirReportRequestedOnceAndTakenOver() throws Exception {
    Roles roles = new Roles();
    List<String> q = ids(6);
    try (ReportPrefetch p = new ReportPrefetch(roles, "r", q, 2, 6).start()) {
      await(() -> p.held() == 4);
      assertThat(roles.opened(q.get(0))).as("the first turns open their own").isZero();

      AccountSession s = p.open(q.get(3), "r");
      assertThat(s.scan().requestCredentialReport()).isFalse();
      s.scan().requestCredentialReport();
      assertThat(roles.opened(q.get(3))).isEqualTo(1);
      assertThat(roles.requested(q.get(3)))
          .as("the turn's first request is the prefetch's")
          .isEqualTo(2);

      p.open(q.get(0), "r").close();
      assertThat(roles.opened(q.get(0))).isEqualTo(1);
      s.close();
    }
    // q3 and q0 closed by their turns; q2, q4, q5 (never taken) by close()
    assertThat(roles.closed.get()).isEqualTo(5);
  }

  @Test
  void noAccountIsOpenedMoreThanTheLookaheadAheadOfTheTurnsBegun() throws Exception {
    Roles roles = new Roles();
    List<String> q = ids(20);
    try (ReportPrefetch p = new ReportPrefetch(roles, "r", q, 0, 3).start()) {
      await(() -> p.held() == 3);
      Thread.sleep(100);
      assertThat(roles.opened).hasSize(3);

      p.turnBegins();
      p.turnBegins();
      await(() -> roles.opened.size() == 5);
      Thread.sleep(100);
      assertThat(roles.opened).hasSize(5);

      p.turnEnds(q.get(0));
      assertThat(p.held()).isEqualTo(4);
    }
    assertThat(roles.closed.get()).isEqualTo(5);
  }

  @Test
  void nothingMoreIsPrefetchedOnceStopped() throws Exception {
    Roles roles = new Roles();
    List<String> q = ids(10);
    try (ReportPrefetch p = new ReportPrefetch(roles, "r", q, 0, 2).start()) {
      await(() -> p.held() == 2);
      p.stop();
      p.turnBegins();
      p.turnBegins();
      Thread.sleep(100);
      assertThat(roles.opened).hasSize(2);
    }
    assertThat(roles.closed.get()).isEqualTo(2);
  }
}
