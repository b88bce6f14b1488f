package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Lease;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.LeaseStore;
import dev.keyrotator.report.LeaseReport;
import dev.keyrotator.report.LeaseState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a run renews, gives up and reports an account's lease, over an in-memory lease store. */
class AccountLeasingTest {
  static final String ACCOUNT = "333333333333";
  static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");
  static final Duration TTL = Duration.ofMinutes(10);

  /** One lease object with a version counter, the semantics S3LeaseStore gives. */
  static final class MemoryStore implements LeaseStore {
    Optional<Lease> current = Optional.empty();
    int version;
    final List<String> calls = new ArrayList<>();
    boolean failWrites;

    @Override
    public Acquisition acquire(LeaseRecord wanted, Instant now) {
      calls.add("acquire");
      if (current.isPresent() && !current.get().record().expiredAt(now)) {
        return new Held(current.get().record());
      }
      Optional<LeaseRecord> old = current.map(Lease::record);
      current = Optional.of(new Lease(wanted, "v" + ++version));
      return new Granted(current.get(), old);
    }

    @Override
    public Optional<Lease> renew(Lease lease, Instant newExpiry) {
      calls.add("renew");
      if (failWrites) {
        throw new AwsCallException("s3", "PutObject", "InternalError", 500, "boom", null);
      }
      if (current.isEmpty() || !current.get().version().equals(lease.version())) {
        return Optional.empty();
      }
      current = Optional.of(new Lease(lease.record().until(newExpiry), "v" + ++version));
      return current;
    }

    @Override
    public boolean release(Lease lease) {
      calls.add("release");
      if (current.isEmpty() || !current.get().version().equals(lease.version())) {
        return false;
      }
      current = Optional.empty();
      return true;
    }

    @Override
    public String location() {
      return "memory://leases/";
    }
  }

  final MemoryStore store = new MemoryStore();
  final MovableClock clock = new MovableClock(T0);
  final List<String> progress = new ArrayList<>();
  final AccountLeasing leasing =
      new AccountLeasing(Optional.of(store), TTL, "cli ops@bastion", clock, progress::add);

  @Test
  void aLeaseIsRenewedOnlyOnceLessThanHalfOfItIsLeftAndReleasedAtTheEnd() {
    AccountLeasing.Guard g = leasing.take(ACCOUNT, "run-a");
    assertThat(g.heldByAnother()).isEmpty();
    clock.set(T0.plus(Duration.ofMinutes(4)));
    assertThat(g.keepAlive()).isTrue();
    assertThat(store.calls).containsExactly("acquire");
    clock.set(T0.plus(Duration.ofMinutes(6)));
    assertThat(g.keepAlive()).isTrue();
    assertThat(store.calls).containsExactly("acquire", "renew");
    assertThat(store.current.get().record().expiresAt()).isEqualTo(clock.instant().plus(TTL));
    g.release();
    assertThat(store.current).isEmpty();
    LeaseReport r = g.report();
    assertThat(r.state()).isEqualTo(LeaseState.HELD);
    assertThat(r.holder()).isEqualTo("run run-a (cli ops@bastion)");
    assertThat(r.until()).hasValue(T0.plus(Duration.ofMinutes(16)));
    assertThat(r.note()).isEmpty();
  }

  @Test
  void aLeaseTakenOverWhileTheHolderStalledStopsTheHolderAtItsNextUser() {
    AccountLeasing.Guard stalled = leasing.take(ACCOUNT, "run-a");
    clock.set(T0.plus(Duration.ofMinutes(11))); // the holder stalled past its expiry
    AccountLeasing other =
        new AccountLeasing(Optional.of(store), TTL, "lambda org-key-rotator", clock, line -> {});
    AccountLeasing.Guard taker = other.take(ACCOUNT, "run-b");
    assertThat(taker.report().state()).isEqualTo(LeaseState.TAKEN_OVER);
    assertThat(taker.report().note())
        .isEqualTo(
            "took over the expired lease of run run-a (cli ops@bastion) (expired "
                + T0.plus(TTL)
                + ")");

    assertThat(stalled.keepAlive()).isFalse();
    assertThat(stalled.keepAlive()).isFalse();
    stalled.release();
    assertThat(store.current.get().record().runId()).isEqualTo("run-b");
    assertThat(stalled.report().state()).isEqualTo(LeaseState.LOST);
    assertThat(stalled.report().note())
        .isEqualTo(
            "the lease was taken over by another run after it expired; the users not yet started"
                + " were left for the next run");
    assertThat(store.calls).containsExactly("acquire", "acquire", "renew");
  }

  @Test
  void aRenewalThatFailsStopsTheAccountRatherThanWorkOnWithoutALease() {
    AccountLeasing.Guard g = leasing.take(ACCOUNT, "run-a");
    clock.set(T0.plus(Duration.ofMinutes(6)));
    store.failWrites = true;
    assertThat(g.keepAlive()).isFalse();
    assertThat(g.report().state()).isEqualTo(LeaseState.LOST);
    assertThat(g.report().note()).startsWith("the lease could not be renewed: s3 PutObject failed");
  }

  @Test
  void aSecondRunSeesTheHolderAndTheExpiryAndHoldsNothing() {
    leasing.take(ACCOUNT, "run-a");
    AccountLeasing.Guard second =
        new AccountLeasing(Optional.of(store), TTL, "cli other@laptop", clock, line -> {})
            .take(ACCOUNT, "run-b");
    assertThat(second.heldByAnother()).get().extracting(LeaseRecord::runId).isEqualTo("run-a");
    assertThat(second.report())
        .isEqualTo(
            new LeaseReport(
                LeaseState.BUSY, "run run-a (cli ops@bastion)", Optional.of(T0.plus(TTL)), ""));
    second.release();
    assertThat(store.current.get().record().runId()).isEqualTo("run-a");
  }

  @Test
  void withoutAStoreTheAccountIsWorkedAndTheReportSaysItHadNoLease() {
    AccountLeasing.Guard g = AccountLeasing.none(clock, line -> {}).take(ACCOUNT, "run-a");
    assertThat(g.keepAlive()).isTrue();
    assertThat(g.report().state()).isEqualTo(LeaseState.NOT_CONFIGURED);
  }

  @Test
  void theHolderNamesTheLambdaFunctionOrTheCliUserAndHost() {
    assertThat(AccountLeasing.thisProcess(Map.of("AWS_LAMBDA_FUNCTION_NAME", "org-key-rotator")))
        .isEqualTo("lambda org-key-rotator");
    assertThat(AccountLeasing.thisProcess(Map.of())).startsWith("cli ").contains("@");
  }
}
