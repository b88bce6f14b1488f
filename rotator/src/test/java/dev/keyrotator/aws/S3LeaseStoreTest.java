package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Lease;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.LeaseStore;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.SandboxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;

/** The S3 lease adapter over HTTP against the sandbox's S3 with conditional requests. */
class S3LeaseStoreTest {
  static final String CENTRAL = "111111111111";
  static final String ACCOUNT = "333333333333";
  static final String BUCKET = "key-rotator-leases-111111111111";
  static final Duration TTL = Duration.ofMinutes(10);
  static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  static Fixture fixture() {
    Fixture f = Fixture.create("o-leases00001", CENTRAL);
    f.accounts.get(0).bucket(BUCKET);
    f.account(ACCOUNT, "member");
    f.account("444444444444", "stranger").bucket("stranger-bucket", CENTRAL);
    return f;
  }

  private AwsClientFactory clients;
  private S3LeaseStore store;

  @BeforeEach
  void setUp() {
    clients =
        new AwsClientFactory(
            TestOrg.settings(SANDBOX),
            new CallMetrics(),
            TestOrg.credentials(SANDBOX.credentialsFor(CENTRAL)));
    store = new S3LeaseStore(clients.s3(), BUCKET, "leases/", Optional.of(CENTRAL));
  }

  @AfterEach
  void tearDown() {
    clients.close();
  }

  static LeaseRecord wanted(String runId, Instant now) {
    return LeaseRecord.fresh(ACCOUNT, runId, "cli test@host", now, TTL);
  }

  @Test
  void theFirstRunTakesAFreeLeaseAndTheSecondSeesWhoHoldsItUntilWhen() {
    LeaseStore.Acquisition first = store.acquire(wanted("run-a", T0), T0);
    assertThat(first).isInstanceOf(LeaseStore.Granted.class);
    assertThat(((LeaseStore.Granted) first).tookOverFrom()).isEmpty();
    String object =
        new String(
            SANDBOX.sandbox().s3Object(BUCKET, "leases/" + ACCOUNT + ".json").orElseThrow(),
            StandardCharsets.UTF_8);
    assertThat(object)
        .contains("\"runId\":\"run-a\"")
        .contains("\"holder\":\"cli test@host\"")
        .contains("\"expiresAt\":\"" + T0.plus(TTL) + "\"");

    Instant later = T0.plusSeconds(60);
    LeaseStore.Acquisition second = store.acquire(wanted("run-b", later), later);
    assertThat(second)
        .isInstanceOfSatisfying(
            LeaseStore.Held.class,
            h -> {
              assertThat(h.holder().runId()).isEqualTo("run-a");
              assertThat(h.holder().holder()).isEqualTo("cli test@host");
              assertThat(h.holder().expiresAt()).isEqualTo(T0.plus(TTL));
            });
  }

  @Test
  void anExpiredLeaseIsTakenOverAndItsOldHolderCanNeitherRenewNorReleaseIt() {
    Lease dead = ((LeaseStore.Granted) store.acquire(wanted("run-dead", T0), T0)).lease();
    Instant after = T0.plus(TTL).plusSeconds(1);
    LeaseStore.Acquisition taken = store.acquire(wanted("run-next", after), after);
    assertThat(taken)
        .isInstanceOfSatisfying(
            LeaseStore.Granted.class,
            g -> {
              assertThat(g.tookOverFrom())
                  .get()
                  .extracting(LeaseRecord::runId)
                  .isEqualTo("run-dead");
              assertThat(g.lease().record().runId()).isEqualTo("run-next");
            });
    assertThat(store.renew(dead, after.plus(TTL))).isEmpty();
    assertThat(store.release(dead)).isFalse();
    // the new holder's lease is untouched by the old holder's attempts
    Lease mine = ((LeaseStore.Granted) taken).lease();
    Optional<Lease> renewed = store.renew(mine, after.plus(TTL).plusSeconds(30));
    assertThat(renewed).get().extracting(Lease::version).isNotEqualTo(mine.version());
    assertThat(store.release(mine)).isFalse(); // that version was replaced by the renewal
    assertThat(store.release(renewed.get())).isTrue();
    assertThat(SANDBOX.sandbox().s3Object(BUCKET, "leases/" + ACCOUNT + ".json")).isEmpty();
    // released: the next run takes a fresh lease
    assertThat(store.acquire(wanted("run-3", after), after))
        .isInstanceOfSatisfying(
            LeaseStore.Granted.class, g -> assertThat(g.tookOverFrom()).isEmpty());
  }

  @Test
  void ofEightRunsTakingOneExpiredLeaseAtOnceExactlyOneWins() throws Exception {
    store.acquire(wanted("run-dead", T0), T0);
    Instant after = T0.plus(TTL).plusSeconds(5);
    int takers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(takers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<LeaseStore.Acquisition>> results = new ArrayList<>();
      for (int i = 0; i < takers; i++) {
        String run = "taker-" + i;
        Callable<LeaseStore.Acquisition> c =
            () -> {
              go.await();
              return store.acquire(wanted(run, after), after);
            };
        results.add(pool.submit(c));
      }
      go.countDown();
      List<String> winners = new ArrayList<>();
      List<String> heldBy = new ArrayList<>();
      for (Future<LeaseStore.Acquisition> f : results) {
        LeaseStore.Acquisition a = f.get(30, TimeUnit.SECONDS);
        if (a instanceof LeaseStore.Granted g) {
          winners.add(g.lease().record().runId());
          assertThat(g.tookOverFrom()).get().extracting(LeaseRecord::runId).isEqualTo("run-dead");
        } else {
          heldBy.add(((LeaseStore.Held) a).holder().runId());
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(heldBy).hasSize(takers - 1).containsOnly(winners.get(0));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLeaseObjectThatSaysNothingReadableCountsAsHeldForOneLeaseTime() {
    clients
        .s3()
        .putObject(
            r -> r.bucket(BUCKET).key("leases/" + ACCOUNT + ".json"),
            RequestBody.fromString("not a lease"));
    Instant written = SANDBOX.sandbox().clock().now();
    assertThat(store.acquire(wanted("run-a", written.plusSeconds(1)), written.plusSeconds(1)))
        .isInstanceOfSatisfying(
            LeaseStore.Held.class,
            h -> {
              assertThat(h.holder().runId()).isEqualTo("unknown");
              assertThat(h.holder().holder()).isEqualTo("unreadable lease object");
            });
    Instant later = written.plus(TTL).plusSeconds(2);
    assertThat(store.acquire(wanted("run-b", later), later)).isInstanceOf(LeaseStore.Granted.class);
  }

  @Test
  void aLeaseBucketOwnedByAnotherAccountIsRefusedNotWrittenTo() {
    S3LeaseStore squatted =
        new S3LeaseStore(clients.s3(), "stranger-bucket", "leases/", Optional.of(CENTRAL));
    assertThatThrownBy(() -> squatted.acquire(wanted("run-a", T0), T0))
        .isInstanceOf(AwsCallException.class)
        .hasMessageContaining("AccessDenied");
    assertThat(SANDBOX.sandbox().s3Object("stranger-bucket", "leases/" + ACCOUNT + ".json"))
        .isEmpty();
  }

  @Test
  void aMissingBucketIsAnErrorNotAGrantedLease() {
    S3LeaseStore missing =
        new S3LeaseStore(clients.s3(), "no-such-lease-bucket", "leases/", Optional.of(CENTRAL));
    assertThatThrownBy(() -> missing.acquire(wanted("run-a", T0), T0))
        .isInstanceOf(AwsCallException.class)
        .hasMessageContaining("NoSuchBucket");
  }
}
