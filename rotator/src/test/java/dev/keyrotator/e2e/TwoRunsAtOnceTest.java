package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.S3LeaseStore;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.Action;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.LeaseStore;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.LeaseState;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.sandbox.SnsMessage;
import dev.keyrotator.wiring.Injectors;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Two runs of the rotator at the same time (a manual CLI run during the scheduled Lambda, two
 * fan-out workers), each with its own SDK clients as two processes would have, against one sandbox:
 * the account lease keeps them out of each other's accounts, and the rotation protocol's promises
 * hold at the end. README "Two runs at once: the account lease".
 */
class TwoRunsAtOnceTest {
  static final String CENTRAL = "111111111111";
  static final List<String> MEMBERS =
      List.of("333333333333", "444444444444", "555555555555", "666666666666");
  static final String REGION = "us-east-1";
  static final String LEASES = "key-rotator-leases-111111111111";
  static final String ROLE = "OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-demo";
  static final int USERS_PER_ACCOUNT = 10;

  /** The real time (assumed-role credentials are judged by the SDK against it). */
  static final Instant START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  /**
   * 40 users in four member accounts: in each account users due for a new key (170 days, in use),
   * users whose old key is due for deactivation (181 days, never used, a newer key in use) and
   * users whose inactive key is due for deletion before a new key (190 days inactive, 170 days
   * active).
   */
  static Fixture fixture() {
    Fixture f = Fixture.create("o-tworuns0001", CENTRAL).clock(START);
    f.account(CENTRAL, "central").topic("key-rotation-events").bucket(LEASES);
    for (String id : MEMBERS) {
      Fixture.Account a = f.account(id, "member-" + id).memberRole(ROLE, EXTERNAL_ID);
      for (int i = 0; i < USERS_PER_ACCOUNT; i++) {
        Fixture.User u =
            a.user(String.format("app-%02d", i)).tag("owner", "u" + i + "@example.com");
        switch (i % 3) {
          case 0 -> u.key(170, 1);
          case 1 -> u.key(181, null).key(20, 2);
          default -> u.key(Fixture.Key.of(190, null).inactive()).key(170, 1);
        }
      }
    }
    return f;
  }

  static PolicyFile policy(boolean leases) {
    return policy(leases, "");
  }

  /** {@code ttl}: more lines of the {@code leases} section. */
  static PolicyFile policy(boolean leases, String ttl) {
    return policy(leases, ttl, 4);
  }

  static PolicyFile policy(boolean leases, String ttl, int usersInParallel) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "111111111111"
          maxConcurrentAccounts: 4
          maxConcurrentUsers: %d
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        """
                .formatted(usersInParallel)
            + (leases ? "leases:\n  bucket: " + LEASES + "\n" + ttl : "");
    return PolicyFileLoader.parse("two-runs.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  /** One run in this JVM with its own injector and SDK clients, as a second process would be. */
  static RunReport run(Sandbox sb, PolicyFile policy, String runId) {
    return run(sb, policy, runId, Set.of());
  }

  static RunReport run(Sandbox sb, PolicyFile policy, String runId, Set<String> accounts) {
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Injector injector =
        Injectors.forRun(policy, sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws);
    try {
      return injector
          .getInstance(Orchestrator.class)
          .run(new RunRequest(runId, Optional.empty(), accounts, false, Deadline.none()));
    } finally {
      Injectors.close(injector);
    }
  }

  /** Two runs started at the same moment; their reports in start order. */
  static List<RunReport> together(Sandbox sb, PolicyFile policy, String a, String b)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<RunReport> first =
        CompletableFuture.supplyAsync(() -> await(go, () -> run(sb, policy, a)));
    CompletableFuture<RunReport> second =
        CompletableFuture.supplyAsync(() -> await(go, () -> run(sb, policy, b)));
    go.countDown();
    return List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS));
  }

  private static <T> T await(CountDownLatch go, java.util.function.Supplier<T> s) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return s.get();
  }

  @RepeatedTest(3)
  void twoRunsStartedTogetherOverFortyUsersKeepEveryPromise(RepetitionInfo rep) throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    // Random delays of 0-40 ms on every Secrets Manager write, a different draw each round.
    for (String op :
        List.of("CreateSecret", "PutSecretValue", "PutResourcePolicy", "TagResource")) {
      sb.faults()
          .add(
              FaultRule.on("secretsmanager", op)
                  .latencyJitterMs(40)
                  .seed(1000L * rep.getCurrentRepetition() + op.hashCode()));
    }
    List<RunReport> reports =
        together(
            sb,
            policy(true),
            "run-a-" + rep.getCurrentRepetition(),
            "run-b-" + rep.getCurrentRepetition());

    // Every account was worked by exactly one run; the other found it held (or found it done).
    for (String account : MEMBERS) {
      List<AccountReport> both = reports.stream().map(r -> account(r, account)).toList();
      assertThat(both)
          .as("account %s: %s", account, both)
          .filteredOn(a -> changed(a) > 0)
          .hasSize(1);
      for (AccountReport a : both) {
        assertThat(a.status()).as("%s", a).isIn(AccountStatus.DONE, AccountStatus.SKIPPED);
        if (a.status() == AccountStatus.SKIPPED) {
          assertThat(a.lease().state()).isEqualTo(LeaseState.BUSY);
          assertThat(a.reason()).startsWith("held by run run-").contains(" until ");
        } else {
          assertThat(a.lease().state()).isEqualTo(LeaseState.HELD);
        }
      }
    }
    assertThat(reports).allSatisfy(r -> assertThat(r.failedUsers()).isZero());
    assertProtocolHeld(sb, reports);
    // Released at the end of every account.
    assertThat(sb.s3Keys(LEASES)).isEmpty();
  }

  /**
   * The promises: every user ends with at most 2 keys; its secret's AWSCURRENT value is a key that
   * exists and is active; every key created got exactly one {@code key-created} message, and no key
   * that was not created got one; no {@code rotation-failed} message (no rotation failed).
   */
  static void assertProtocolHeld(Sandbox sb, List<RunReport> reports) {
    assertProtocolHeld(sb, reports, MEMBERS.size());
  }

  /** The same, when {@code accountsRun} of the member accounts were run. */
  static void assertProtocolHeld(Sandbox sb, List<RunReport> reports, int accountsRun) {
    Map<String, Long> createdByUser = new TreeMap<>();
    for (RunReport r : reports) {
      for (AccountReport a : r.accounts()) {
        for (UserReport u : a.users()) {
          long n =
              u.decisions().stream().filter(d -> d.is(Action.CREATE_KEY, Outcome.DONE)).count();
          if (n > 0) {
            createdByUser.merge(a.accountId() + "/" + u.userName(), n, Long::sum);
          }
        }
      }
    }
    List<SnsMessage> messages = sb.snsMessages();
    Map<String, Long> keyCreatedMessages =
        messages.stream()
            .filter(m -> "key-created".equals(m.attributes().get("event")))
            .collect(
                Collectors.groupingBy(
                    m -> m.attributes().get("account_id") + "/" + m.attributes().get("user_name"),
                    TreeMap::new,
                    Collectors.counting()));
    assertThat(messages)
        .as("rotation-failed messages")
        .noneMatch(m -> "rotation-failed".equals(m.attributes().get("event")));
    assertThat(keyCreatedMessages).isEqualTo(createdByUser);
    int users = 0;
    for (String account : MEMBERS) {
      for (String user : sb.users(account)) {
        users++;
        List<AccessKeyInfo> keys = sb.iamKeys(account, user);
        assertThat(keys).as("%s/%s keys", account, user).hasSizeLessThanOrEqualTo(2);
        assertThat(createdByUser.getOrDefault(account + "/" + user, 0L))
            .as("%s/%s keys created", account, user)
            .isLessThanOrEqualTo(1);
        Optional<SecretInfo> secret =
            sb.secret(account, REGION, "key-rotator/" + account + "/" + user);
        if (createdByUser.containsKey(account + "/" + user)) {
          assertThat(secret).as("%s/%s secret", account, user).isPresent();
        }
        if (secret.isPresent()) {
          String current = RotatorHarness.keyIdOf(secret.get().currentValue());
          assertThat(keys)
              .as("%s/%s: AWSCURRENT holds %s", account, user, current)
              .anySatisfy(
                  k -> {
                    assertThat(k.accessKeyId()).isEqualTo(current);
                    assertThat(k.status()).isEqualTo("Active");
                  });
        }
      }
    }
    assertThat(users).isEqualTo(MEMBERS.size() * USERS_PER_ACCOUNT);
    // Every user due for a new key got exactly one (users 0, 2, 3, 5, ... of each account: the
    // 170-day key ones, with or without an inactive key to delete first).
    assertThat(createdByUser).hasSize(accountsRun * (USERS_PER_ACCOUNT - USERS_PER_ACCOUNT / 3));
  }

  @Test
  void aRunFindsAnAccountHeldByALiveRunAndSkipsItSayingWhoHoldsItUntilWhen() throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    String member = MEMBERS.get(0);
    // Run A is alive in the member account, held inside its first CreateAccessKey there.
    sb.faults().add(FaultRule.on("iam", "CreateAccessKey").account(member).stallAfterNth(1));
    PolicyFile policy = policy(true);
    CompletableFuture<RunReport> a =
        CompletableFuture.supplyAsync(() -> run(sb, policy, "run-alive"));
    assertThat(sb.faults().awaitStall(Duration.ofSeconds(30))).isTrue();
    int callsBefore = sb.calls().size();

    RunReport b = run(sb, policy, "run-second");

    AccountReport skipped = account(b, member);
    assertThat(skipped.status()).isEqualTo(AccountStatus.SKIPPED);
    Instant until = account(b, member).lease().until().orElseThrow();
    assertThat(until).isAfter(sb.clock().now());
    assertThat(skipped.reason())
        .isEqualTo(
            "held by run run-alive ("
                + Orchestrator.thisProcess()
                + ") until "
                + until
                + ": another run is working this account; this run changed nothing in it");
    assertThat(skipped.lease().state()).isEqualTo(LeaseState.BUSY);
    assertThat(skipped.lease().holder()).startsWith("run run-alive (");
    assertThat(skipped.users()).isEmpty();
    // The second run made no call at all into the held account: not even the role was assumed.
    List<CallRecord> during = sb.calls().all().subList(callsBefore, sb.calls().all().size());
    // (Run A's other users go on meanwhile: its workers are not all held.)
    assertThat(during)
        .noneMatch(
            c ->
                member.equals(c.accountId())
                    && (c.principalArn() == null || !c.principalArn().endsWith("run-alive")));

    sb.faults().clear();
    RunReport first = a.get(60, TimeUnit.SECONDS);
    assertThat(account(first, member).status()).isEqualTo(AccountStatus.DONE);
    assertThat(account(first, member).lease().state()).isEqualTo(LeaseState.HELD);
    assertProtocolHeld(sb, List.of(first, b));
    assertThat(sb.s3Keys(LEASES)).isEmpty();
  }

  @Test
  void aCrashedRunsLeaseHoldsTheAccountUntilItExpiresThenExactlyOneOfTwoRunsTakesItOver()
      throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    String member = MEMBERS.get(1);
    // A run that died in the account: its lease object was never released.
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    try (var s3 =
        software.amazon.awssdk.services.s3.S3Client.builder()
            .endpointOverride(sb.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .forcePathStyle(true)
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
            .build()) {
      LeaseStore store = new S3LeaseStore(s3, LEASES, "leases/", Optional.of(CENTRAL));
      Instant now = sb.clock().now();
      assertThat(
              store.acquire(
                  LeaseRecord.fresh(
                      member, "run-dead", "lambda org-key-rotator", now, Duration.ofMinutes(10)),
                  now))
          .isInstanceOf(LeaseStore.Granted.class);
    }
    PolicyFile policy = policy(true);

    // Before it expires: the account is left alone, the others are worked.
    RunReport early = run(sb, policy, "run-early");
    assertThat(account(early, member).status()).isEqualTo(AccountStatus.SKIPPED);
    assertThat(account(early, member).reason())
        .startsWith("held by run run-dead (lambda org-key-rotator) until ");
    assertThat(sb.iamKeys(member, "app-00")).hasSize(1);

    // Past its expiry (by the sandbox clock, which the rotator reads): two runs at once, one wins.
    sb.clock().advance(Duration.ofMinutes(11));
    List<RunReport> reports = together(sb, policy, "run-x", "run-y");
    List<AccountReport> both = reports.stream().map(r -> account(r, member)).toList();
    assertThat(both).filteredOn(a -> a.lease().state() == LeaseState.TAKEN_OVER).hasSize(1);
    AccountReport winner =
        both.stream().filter(a -> a.lease().state() == LeaseState.TAKEN_OVER).findFirst().get();
    assertThat(winner.status()).isEqualTo(AccountStatus.DONE);
    assertThat(winner.lease().note())
        .startsWith("took over the expired lease of run run-dead (lambda org-key-rotator)");
    assertThat(changed(winner)).isPositive();
    // The loser either found the winner's lease or came after the winner had released it (then
    // it found nothing left to do): it changed nothing.
    AccountReport loser = both.stream().filter(a -> a != winner).findFirst().get();
    assertThat(changed(loser)).isZero();
    List<RunReport> all = new ArrayList<>(reports);
    all.add(early);
    assertProtocolHeld(sb, all);
    assertThat(sb.s3Keys(LEASES)).isEmpty();
  }

  @Test
  void aLongAccountRenewsItsLeaseSoASecondRunStillFindsItHeldAfterTheFirstTermWouldHaveRunOut()
      throws Exception {
    Sandbox sb = SANDBOX.sandbox();
    String member = MEMBERS.get(2);
    // One user at a time, so that the account outlasts a lease term (the renewal is the point).
    PolicyFile policy = policy(true, "  ttlMinutes: 2\n", 1);
    // The sandbox clock moves with the work, 2 s for every AWS call the sandbox answers: the
    // account takes several lease terms of 2 minutes while each user (some 10 calls) stays well
    // under half a term, however loaded the machine is (a starved run makes no calls, so its
    // clock does not run away from it).
    for (String op :
        List.of("CreateSecret", "PutSecretValue", "PutResourcePolicy", "TagResource")) {
      sb.faults().add(FaultRule.on("secretsmanager", op).latencyMs(50));
    }
    // The per-user reads too: they are few (a key list, last use per key) since the bulk scan.
    for (String op : List.of("ListAccessKeys", "GetAccessKeyLastUsed")) {
      sb.faults().add(FaultRule.on("iam", op).latencyMs(80));
    }
    Instant started = sb.clock().now();
    AtomicBoolean ticking = new AtomicBoolean(true);
    int callsBefore = sb.calls().size();
    Thread ticker =
        new Thread(
            () -> {
              int seen = callsBefore;
              while (ticking.get()) {
                int now = sb.calls().size();
                if (now > seen) {
                  sb.clock().advance(Duration.ofSeconds(2L * (now - seen)));
                  seen = now;
                }
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    ticker.setDaemon(true);
    ticker.start();
    try {
      CompletableFuture<RunReport> a =
          CompletableFuture.supplyAsync(() -> run(sb, policy, "run-long", Set.of(member)));
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (sb.clock().now().isBefore(started.plus(Duration.ofSeconds(130)))
          && System.nanoTime() < giveUp) {
        Thread.sleep(10);
      }
      assertThat(a).as("the first run is still working the account").isNotDone();
      RunReport b = run(sb, policy, "run-meanwhile", Set.of(member));
      assertThat(account(b, member).status()).isEqualTo(AccountStatus.SKIPPED);
      assertThat(account(b, member).reason()).startsWith("held by run run-long (");
      RunReport first = a.get(60, TimeUnit.SECONDS);
      AccountReport done = account(first, member);
      assertThat(done.status()).as("%s", done).isEqualTo(AccountStatus.DONE);
      assertThat(done.lease().state()).isEqualTo(LeaseState.HELD);
      assertThat(done.lease().note()).isEmpty();
      assertThat(done.lease().until().orElseThrow())
          .as("renewed past the first term")
          .isAfter(started.plus(Duration.ofMinutes(2)));
      assertProtocolHeld(sb, List.of(first, b), 1);
    } finally {
      ticking.set(false);
      ticker.join();
    }
    assertThat(sb.s3Keys(LEASES)).isEmpty();
  }

  @Test
  void withoutALeaseBucketTheRunSaysEveryAccountItWorkedHadNoLease() {
    Sandbox sb = SANDBOX.sandbox();
    RunReport r = run(sb, policy(false), "run-nolease");
    for (String member : MEMBERS) {
      AccountReport a = account(r, member);
      assertThat(a.status()).isEqualTo(AccountStatus.DONE);
      assertThat(a.lease().state()).isEqualTo(LeaseState.NOT_CONFIGURED);
      assertThat(a.lease().note()).contains("leases.bucket is not set");
    }
    assertThat(sb.s3Keys(LEASES)).isEmpty();
  }

  @Test
  void aLeaseBucketThatCannotBeWrittenFailsTheAccountsAndChangesNothing() {
    Sandbox sb = SANDBOX.sandbox();
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "111111111111"
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        leases:
          bucket: no-such-lease-bucket
        """;
    RunReport r =
        run(
            sb,
            PolicyFileLoader.parse("bad-lease.yaml", yaml.getBytes(StandardCharsets.UTF_8)),
            "run-nobucket");
    for (String member : MEMBERS) {
      AccountReport a = account(r, member);
      assertThat(a.status()).isEqualTo(AccountStatus.FAILED);
      assertThat(a.reason())
          .startsWith("account lease not taken (s3 PutObject failed: NoSuchBucket")
          .endsWith("; nothing was changed in this account");
      assertThat(a.lease().state()).isEqualTo(LeaseState.UNAVAILABLE);
    }
    assertThat(sb.calls().all()).noneMatch(c -> c.mutating() && MEMBERS.contains(c.accountId()));
  }

  @Test
  void aDryRunTakesNoLease() {
    Sandbox sb = SANDBOX.sandbox();
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Injector injector =
        Injectors.forRun(policy(true), sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws);
    RunReport r =
        injector
            .getInstance(Orchestrator.class)
            .run(new RunRequest("run-plan", Optional.empty(), Set.of(), true, Deadline.none()));
    Injectors.close(injector);
    assertThat(r.accounts())
        .filteredOn(a -> MEMBERS.contains(a.accountId()))
        .allSatisfy(a -> assertThat(a.lease().state()).isEqualTo(LeaseState.NOT_NEEDED));
    assertThat(sb.calls().all()).noneMatch(x -> "s3".equals(x.service()));
  }

  static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }

  /** Changes a run made in an account: mutating decisions carried out. */
  static long changed(AccountReport a) {
    return a.users().stream()
        .flatMap(u -> u.decisions().stream())
        .filter(d -> d.outcome() == Outcome.DONE)
        .map(DecisionReport::action)
        .filter(Action::mutating)
        .count();
  }
}
