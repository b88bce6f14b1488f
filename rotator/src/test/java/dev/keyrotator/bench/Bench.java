package dev.keyrotator.bench;

import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxOptions;
import dev.keyrotator.wiring.Injectors;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The benchmark behind {@code scripts/bench}: seeds an in-process sandbox with N accounts x U users
 * and a fixed latency on every call, then runs (a) the seed article's strategy (one account after
 * another: AssumeRole, ListUsers, ListAccessKeys per user, GetAccessKeyLastUsed per key, raw SDK
 * clients) and (b) the rotator's real {@code plan} over the same organization, and prints wall
 * time, calls by operation, calls per user, calls per user needing no action, heap, and b/a.
 *
 * <pre>
 * Bench [--accounts N] [--users U] [--latency-ms L] [--concurrency C] [--seed-accounts S]
 *       [--action-share P] [--skip-seed] [--scan credential-report|per-user]
 *       [--seed-concurrency SC] [--report-ms R] [--gaad-page-ms G]
 * </pre>
 *
 * {@code --seed-concurrency SC} also runs (c) the seed's per-account sequence SC accounts at once
 * (default: the rotator's concurrency) and prints b/c; {@code --report-ms} / {@code --gaad-page-ms}
 * turn on the bulk-latency model (a credential report ready R ms after it is asked for, G ms more
 * per GetAccountAuthorizationDetails page). TCP connections are counted by the sandbox.
 *
 * <p>{@code --seed-accounts S} runs (a) on the first S accounts only and extrapolates linearly to N
 * (it is strictly sequential, so time and calls scale with the number of accounts).
 */
public final class Bench {
  static final String CENTRAL = "111111111111";
  static final String ROLE = "OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-demo";

  record Options(
      int accounts,
      int users,
      long latencyMs,
      int concurrency,
      int seedAccounts,
      double actionShare,
      boolean skipSeed,
      ScanMode scan,
      int days,
      int usersInParallel,
      boolean actionPath,
      int seedConcurrency,
      long reportMs,
      long gaadPageMs) {

    /** True when the bulk-latency model is on. */
    boolean bulkLatency() {
      return reportMs > 0 || gaadPageMs > 0;
    }
  }

  record Result(
      String name,
      Duration wall,
      Map<String, Long> calls,
      long peakHeap,
      long retainedHeap,
      int connections) {
    long total() {
      return calls.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    if (o.actionPath()) {
      actionPath(o);
      return;
    }
    if (o.days() > 0) {
      days(o);
      return;
    }
    System.out.printf(
        "bench: %d accounts x %d users, %d ms latency per call, rotator "
            + "maxConcurrentAccounts %d, maxConcurrentUsers %d, %s scan, ~%.0f%% of users needing"
            + " action%s%n",
        o.accounts(),
        o.users(),
        o.latencyMs(),
        o.concurrency(),
        o.usersInParallel(),
        o.scan().label(),
        o.actionShare() * 100,
        o.bulkLatency()
            ? String.format(
                "; bulk-latency model: credential report ready %d ms after"
                    + " GenerateCredentialReport, +%d ms per GetAccountAuthorizationDetails page",
                o.reportMs(), o.gaadPageMs())
            : "; no bulk-latency model");
    long t0 = System.nanoTime();
    Fixture fixture = fixture(o.accounts(), o.users(), o.actionShare(), 7);
    // The sandbox clock runs in real time: the SDK refreshes assumed-role credentials by the
    // real clock, so a clock set in the past would make it assume the role again on every call.
    try (Sandbox sb = Sandbox.start(fixture, sandboxOptions(o))) {
      latency(sb, o);
      System.out.printf(
          "seeded in %.1f s; sandbox at %s%n", (System.nanoTime() - t0) / 1e9, sb.endpoint());

      // Warm up both (class loading, SDK and Guice set-up) on one account, so neither pays the
      // JVM's start-up inside its measurement (cold start is measured separately).
      rotatorPlan(sb, o, Set.of(CENTRAL));
      if (!o.skipSeed()) {
        seedStrategy(sb, 1);
      }

      // (b) first: its report tells which users need an action (the truth for both).
      sb.calls().clear();
      RunReport[] holder = new RunReport[1];
      Result b = measure("b) rotator plan", sb, () -> holder[0] = rotatorPlan(sb, o, Set.of()));
      RunReport report = holder[0];

      Result a = null;
      Result c = null;
      int seedAccounts = Math.min(o.seedAccounts(), o.accounts());
      if (!o.skipSeed()) {
        sb.calls().clear();
        a = measure("a) seed strategy", sb, () -> seedStrategy(sb, seedAccounts));
        if (o.seedConcurrency() > 1) {
          sb.calls().clear();
          c =
              measure(
                  "c) seed strategy, " + o.seedConcurrency() + " accounts at once",
                  sb,
                  () -> seedStrategy(sb, o.accounts(), o.seedConcurrency()));
        }
      }

      Stats s = Stats.of(report);
      System.out.println();
      System.out.printf(
          "organization: %d accounts, %d users, %d keys; %d users need an action "
              + "(%.1f%%), %d need none%n",
          o.accounts(),
          s.users,
          s.keys,
          s.actionUsers,
          100.0 * s.actionUsers / Math.max(1, s.users),
          s.users - s.actionUsers);
      System.out.printf(
          "rotator accounts by scan: %s; failed accounts: %d%n",
          s.scans,
          report.accounts().stream().filter(x -> x.status().name().equals("FAILED")).count());
      System.out.println();
      double scale = 1;
      if (a != null) {
        scale = (double) o.accounts() / seedAccounts;
        long seedUsers = (long) seedAccounts * o.users();
        print(
            a,
            seedUsers,
            seedNoActionCalls(a, report, seedAccounts),
            s.noActionUsers(report, seedAccounts));
        if (scale != 1) {
          System.out.printf(
              "   extrapolated to %d accounts (x%.2f, the strategy is strictly "
                  + "sequential): wall %s, %d calls%n",
              o.accounts(),
              scale,
              fmt(Duration.ofNanos((long) (a.wall().toNanos() * scale))),
              Math.round(a.total() * scale));
        }
      }
      if (c != null) {
        print(
            c,
            s.users,
            seedNoActionCalls(c, report, o.accounts()),
            s.noActionUsers(report, o.accounts()));
      }
      print(b, s.users, b.total() - s.actionUserCalls, s.users - s.actionUsers);
      if (c != null) {
        System.out.println();
        System.out.printf(
            "ratio b/c (against the seed at %d accounts at once): wall %.4f (%.2fx faster), calls"
                + " %.4f (%.1fx fewer), connections %d against %d%n",
            o.seedConcurrency(),
            (double) b.wall().toNanos() / c.wall().toNanos(),
            (double) c.wall().toNanos() / b.wall().toNanos(),
            (double) b.total() / c.total(),
            (double) c.total() / b.total(),
            b.connections(),
            c.connections());
      }
      if (a != null) {
        double aWall = a.wall().toNanos() * scale;
        double aCalls = a.total() * scale;
        System.out.println();
        System.out.printf(
            "ratio b/a%s: wall %.4f (%.1fx faster), calls %.4f (%.1fx fewer)%n",
            scale != 1 ? " (a extrapolated)" : "",
            b.wall().toNanos() / aWall,
            aWall / b.wall().toNanos(),
            b.total() / aCalls,
            aCalls / b.total());
      }
    }
  }

  // ------------------------------------------------------------------ the organization

  /**
   * N accounts (management 111111111111 + members in three OUs), U users each. Per user: 8% no key;
   * about {@code actionShare} hold a key at or past 165 days (due for rotation, or old and unused
   * next to a newer key, or inactive and due for deletion); the rest hold one or two active keys
   * 2..149 days old, mostly used recently. Same seed, same organization.
   */
  static Fixture fixture(int accounts, int users, double actionShare, long seed) {
    Random r = new Random(seed);
    Fixture f = Fixture.create("o-benchmark001", CENTRAL);
    Fixture.Account mgmt = f.accounts.get(0);
    mgmt.memberRole(ROLE, EXTERNAL_ID).topic("key-rotation-events");
    Fixture.Ou[] ous = {f.ou("Prod"), f.ou("Dev"), f.ou("Sandbox")};
    List<Fixture.Account> all = new ArrayList<>();
    all.add(mgmt);
    for (int i = 1; i < accounts; i++) {
      String id = String.format("%012d", 200000000000L + i);
      all.add(f.account(id, "member-" + i).memberRole(ROLE, EXTERNAL_ID));
      ous[i % ous.length].account(id);
    }
    for (Fixture.Account a : all) {
      for (int u = 0; u < users; u++) {
        Fixture.User user = a.user(String.format("user-%04d", u));
        double p = r.nextDouble();
        if (p < 0.08) {
          continue; // no key
        }
        if (p < 0.08 + actionShare) {
          int kind = r.nextInt(3);
          if (kind == 0) { // due for rotation, in use
            user.key(165 + r.nextInt(200), r.nextInt(3));
          } else if (kind == 1) { // rotated: old key unused next to a newer one
            user.key(181 + r.nextInt(100), 20 + r.nextInt(30));
            user.key(10 + r.nextInt(5), r.nextInt(3));
          } else { // inactive and old, next to a working key
            user.key(Fixture.Key.of(186 + r.nextInt(100), null).inactive());
            user.key(20 + r.nextInt(100), r.nextInt(3));
          }
          continue;
        }
        int age = 2 + r.nextInt(148);
        user.key(age, r.nextInt(10) == 0 ? null : r.nextInt(Math.min(age, 5) + 1));
        if (r.nextInt(10) == 0) {
          int age2 = 2 + r.nextInt(148);
          user.key(age2, r.nextInt(Math.min(age2, 5) + 1));
        }
      }
    }
    return f.validate();
  }

  // ------------------------------------------------------------------ (a) the seed's strategy

  static void seedStrategy(Sandbox sb, int accounts) {
    seedStrategy(sb, accounts, 1);
  }

  /**
   * The seed's exact per-account sequence (AssumeRole, its own IAM client, ListUsers,
   * ListAccessKeys per user, GetAccessKeyLastUsed per key), {@code concurrency} accounts at a time:
   * what parallelism alone buys the seed.
   */
  static void seedStrategy(Sandbox sb, int accounts, int concurrency) {
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    StaticCredentialsProvider central =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
    List<String> ids = new ArrayList<>();
    try (OrganizationsClient org =
        OrganizationsClient.builder()
            .endpointOverride(sb.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(central)
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      org.listAccountsPaginator(r -> {}).stream()
          .flatMap(p -> p.accounts().stream())
          .forEach(a -> ids.add(a.id()));
    }
    ids.sort(null);
    try (StsClient sts =
        StsClient.builder()
            .endpointOverride(sb.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(central)
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      List<String> todo = ids.subList(0, accounts);
      if (concurrency <= 1) {
        for (String id : todo) {
          seedAccount(sb, sts, id);
        }
        return;
      }
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(concurrency);
      try {
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (String id : todo) {
          futures.add(pool.submit(() -> seedAccount(sb, sts, id)));
        }
        for (var f : futures) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static void seedAccount(Sandbox sb, StsClient sts, String id) {
    Credentials k =
        sts.assumeRole(
                r ->
                    r.roleArn("arn:aws:iam::" + id + ":role/" + ROLE)
                        .roleSessionName("seed")
                        .externalId(EXTERNAL_ID))
            .credentials();
    try (IamClient iam =
        IamClient.builder()
            .endpointOverride(sb.endpoint())
            .region(Region.AWS_GLOBAL)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(
                        k.accessKeyId(), k.secretAccessKey(), k.sessionToken())))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      for (User u : iam.listUsersPaginator(r -> {}).users()) {
        for (AccessKeyMetadata m :
            iam.listAccessKeys(r -> r.userName(u.userName())).accessKeyMetadata()) {
          iam.getAccessKeyLastUsed(r -> r.accessKeyId(m.accessKeyId()));
        }
      }
    }
  }

  /** The sandbox the benchmark runs: quiet, with the bulk-latency model's report time. */
  static SandboxOptions sandboxOptions(Options o) {
    return SandboxOptions.defaults().withQuiet(true).withCredentialReportMs(o.reportMs());
  }

  /** The latency on every call, and the bulk-latency model's on each authorization-details page. */
  static void latency(Sandbox sb, Options o) {
    sb.faults().add(FaultRule.on("*", "*").latencyMs(o.latencyMs()));
    if (o.gaadPageMs() > 0) {
      sb.faults()
          .add(FaultRule.on("iam", "GetAccountAuthorizationDetails").latencyMs(o.gaadPageMs()));
    }
  }

  // ------------------------------------------------------------------ (b) the rotator

  static RunReport rotatorPlan(Sandbox sb, Options o, Set<String> only) {
    return rotator(sb, o, only, false);
  }

  static RunReport rotator(Sandbox sb, Options o, Set<String> only, boolean enforce) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: %s
          externalId: %s
          centralAccountId: "%s"
          includeCentralAccount: true
          maxConcurrentAccounts: %d
          maxConcurrentUsers: %d
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        """
            .formatted(ROLE, EXTERNAL_ID, CENTRAL, o.concurrency(), o.usersInParallel());
    PolicyFile policy = PolicyFileLoader.parse("bench.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    Orchestrator orchestrator =
        Injectors.forRun(policy, sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws)
            .getInstance(Orchestrator.class)
            .withScan(o.scan());
    return orchestrator.run(
        new RunRequest("bench", Optional.empty(), only, !enforce, Deadline.none()));
  }

  // ------------------------------------------------------------------ steady state (--days)

  /** Calls no single user causes: the organization, roles, leases, the bulk scan. */
  static final Set<String> SHARED =
      Set.of(
          "GenerateCredentialReport",
          "GetCredentialReport",
          "GetAccountAuthorizationDetails",
          "ListUsers",
          "ListAccounts",
          "ListParents",
          "ListRoots",
          "ListOrganizationalUnitsForParent",
          "ListAccountsForParent",
          "ListTagsForResource",
          "DescribeOrganization",
          "DescribeOrganizationalUnit",
          "AssumeRole",
          "GetCallerIdentity",
          "GetObject",
          "PutObject",
          "DeleteObject",
          "HeadObject",
          "ListObjectsV2");

  /**
   * {@code run} (enforce) on day 0, then once per simulated day with the sandbox clock a day
   * further each time; prints calls per user per day. Each IAM call about one user (the sandbox
   * logs its UserName) is charged to that user; calls no user causes (SHARED) are all charged to
   * the users needing no action (an upper bound), and spread over every user (the fair share).
   * Users whose only write was their new key's first use are counted apart. The seed's strategy
   * reads everyone every day: its figure is measured once and is flat.
   */
  static void days(Options o) throws Exception {
    System.out.printf(
        "bench --days %d: %d accounts x %d users, %d ms latency, maxConcurrentUsers %d, rotator"
            + " run (enforce) daily%n",
        o.days(), o.accounts(), o.users(), o.latencyMs(), o.usersInParallel());
    Fixture fixture = fixture(o.accounts(), o.users(), o.actionShare(), 7);
    try (Sandbox sb = Sandbox.start(fixture, SandboxOptions.defaults().withQuiet(true))) {
      sb.faults().add(FaultRule.on("*", "*").latencyMs(o.latencyMs()));
      if (!o.skipSeed()) {
        sb.calls().clear();
        seedStrategy(sb, o.accounts());
        long seedCalls = sb.calls().size();
        System.out.printf(
            "a) seed strategy, any day: %d calls, %.3f calls per user%n",
            seedCalls, (double) seedCalls / (o.accounts() * (long) o.users()));
      }
      for (int day = 0; day <= o.days(); day++) {
        if (day > 0) {
          sb.clock().advanceDays(1);
        }
        sb.calls().clear();
        long t0 = System.nanoTime();
        RunReport r = rotator(sb, o, Set.of(), true);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Map<String, Long> ops = new TreeMap<>(sb.calls().countsByOperation());
        long total = ops.values().stream().mapToLong(Long::longValue).sum();
        long shared =
            ops.entrySet().stream()
                .filter(e -> SHARED.contains(op(e.getKey())))
                .mapToLong(Map.Entry::getValue)
                .sum();
        Stats s = Stats.of(r);
        // Every IAM call about one user names it (UserName): charge it to that user exactly.
        Map<String, Long> perUser = new java.util.HashMap<>();
        for (var c : sb.calls().all()) {
          if (c.userName() != null && !SHARED.contains(c.operation())) {
            perUser.merge(c.accountId() + "/" + c.userName(), 1L, Long::sum);
          }
        }
        long noAction = 0;
        long noActionUserCalls = 0;
        long recorded = 0;
        long recordedCalls = 0;
        for (AccountReport a : r.accounts()) {
          for (UserReport u : a.users()) {
            long calls = perUser.getOrDefault(a.accountId() + "/" + u.userName(), 0L);
            if (needsAction(u)) {
              continue;
            }
            if (u.notes().stream().anyMatch(n -> n.contains("seen used for the first time"))) {
              recorded++;
              recordedCalls += calls;
            } else {
              noAction++;
              noActionUserCalls += calls;
            }
          }
        }
        long noActionCalls = shared + noActionUserCalls;
        long actionCalls = total - noActionCalls - recordedCalls;
        System.out.printf(
            "b) day %d: %.1f s, %d calls, %.3f calls per user; %d users need an action (%d calls"
                + " on them, %.1f each); %d had their new key's first use recorded (%d calls);"
                + " %d need none: %.3f calls each (%d of their own, the %d shared calls all charged"
                + " to them; %.3f with the shared calls spread over every user)%n",
            day,
            ms / 1000.0,
            total,
            (double) total / s.users,
            s.actionUsers,
            actionCalls,
            (double) actionCalls / Math.max(1, s.actionUsers),
            recorded,
            recordedCalls,
            noAction,
            (double) noActionCalls / Math.max(1, noAction),
            noActionUserCalls,
            shared,
            ((double) shared / s.users) + (double) noActionUserCalls / Math.max(1, noAction));
        if (day == 0 || day == 1 || day == o.days()) {
          System.out.printf("   calls: %s%n", ops);
        }
      }
    }
  }

  /** "iam:ListAccessKeys" to "ListAccessKeys". */
  static String op(String serviceAndOperation) {
    return serviceAndOperation.substring(serviceAndOperation.indexOf(':') + 1);
  }

  // ------------------------------------------------------------------ the action path

  /**
   * One account per action (a user whose key is due for rotation, in use; a user whose old key is
   * unused next to a newer one; a user whose old inactive key is due for deletion), each run once
   * in enforce mode: the calls the user caused, by operation, against the written minimum.
   */
  static void actionPath(Options o) throws Exception {
    record Case(String name, int minimum, java.util.function.Consumer<Fixture.User> keys) {}
    List<Case> cases =
        List.of(
            new Case("create (and remind about the old key)", 10, u -> u.key(170, 0)),
            new Case(
                "deactivate",
                5,
                u -> {
                  u.key(190, 30);
                  u.key(20, 0);
                }),
            new Case(
                "delete",
                4,
                u -> {
                  u.key(Fixture.Key.of(200, null).inactive());
                  u.key(20, 0);
                }));
    System.out.printf(
        "bench --action-path: one user per account, %d ms latency per call%n", o.latencyMs());
    for (Case c : cases) {
      Fixture f = Fixture.create("o-benchmark001", CENTRAL);
      Fixture.Account mgmt = f.accounts.get(0);
      mgmt.memberRole(ROLE, EXTERNAL_ID).topic("key-rotation-events");
      c.keys().accept(mgmt.user("user-0000"));
      try (Sandbox sb = Sandbox.start(f.validate(), SandboxOptions.defaults().withQuiet(true))) {
        sb.faults().add(FaultRule.on("*", "*").latencyMs(o.latencyMs()));
        sb.calls().clear();
        RunReport r = rotator(sb, o, Set.of(), true);
        Map<String, Long> perUser = new TreeMap<>();
        sb.calls().countsByOperation().entrySet().stream()
            .filter(e -> !SHARED.contains(op(e.getKey())))
            .forEach(e -> perUser.put(e.getKey(), e.getValue()));
        long calls = perUser.values().stream().mapToLong(Long::longValue).sum();
        List<String> done =
            r.accounts().stream()
                .flatMap(a -> a.users().stream())
                .flatMap(u -> u.decisions().stream())
                .map(d -> d.action() + ":" + d.outcome())
                .toList();
        System.out.printf(
            "%s: %d calls for the user (written minimum %d), SNS messages %d; decisions %s%n"
                + "   %s%n",
            c.name(), calls, c.minimum(), perUser.getOrDefault("sns:Publish", 0L), done, perUser);
      }
    }
  }

  // ------------------------------------------------------------------ measuring

  static Result measure(String name, Sandbox sb, Runnable work) throws InterruptedException {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    long base = mem.getHeapMemoryUsage().getUsed();
    AtomicLong peak = new AtomicLong(base);
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler =
        new Thread(
            () -> {
              while (!done.get()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();
    long start = System.nanoTime();
    work.run();
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    done.set(true);
    sampler.join();
    System.gc();
    long retained = mem.getHeapMemoryUsage().getUsed() - base;
    System.out.printf("%s: done in %s%n", name, fmt(wall));
    return new Result(
        name,
        wall,
        new TreeMap<>(sb.calls().countsByOperation()),
        peak.get(),
        retained,
        sb.calls().connections());
  }

  static void print(Result r, long users, long noActionCalls, long noActionUsers) {
    System.out.printf(
        "%s%n   wall %s; %d AWS calls; %.3f calls per user; %.3f calls per user "
            + "needing no action; %d TCP connections opened; peak heap %d MB (in-process sandbox"
            + " included), retained %d MB%n",
        r.name(),
        fmt(r.wall()),
        r.total(),
        (double) r.total() / users,
        (double) noActionCalls / Math.max(1, noActionUsers),
        r.connections(),
        r.peakHeap() >> 20,
        Math.max(0, r.retainedHeap()) >> 20);
    System.out.printf("   calls: %s%n", r.calls());
  }

  /** The seed's calls minus what it spends on users that need an action (1 + keys each). */
  static long seedNoActionCalls(Result a, RunReport report, int seedAccounts) {
    long spent = 0;
    List<AccountReport> first = firstAccounts(report, seedAccounts);
    for (AccountReport acc : first) {
      for (UserReport u : acc.users()) {
        if (needsAction(u)) {
          spent += 1 + u.keys().size();
        }
      }
    }
    return a.total() - spent;
  }

  static List<AccountReport> firstAccounts(RunReport report, int n) {
    return report.accounts().stream()
        .sorted((x, y) -> x.accountId().compareTo(y.accountId()))
        .limit(n)
        .toList();
  }

  static boolean needsAction(UserReport u) {
    return u.decisions().stream()
        .anyMatch(d -> d.action() != Action.NOTHING && d.action() != Action.EXEMPT);
  }

  /** Figures from the rotator's report. */
  static final class Stats {
    long users;
    long keys;
    long actionUsers;

    /** Per-user read calls the rotator spent on users needing an action. */
    long actionUserCalls;

    Map<String, Long> scans = new TreeMap<>();

    static Stats of(RunReport report) {
      Stats s = new Stats();
      for (AccountReport a : report.accounts()) {
        s.scans.merge(a.scan().map(ScanMode::label).orElse("none"), 1L, Long::sum);
        for (UserReport u : a.users()) {
          s.users++;
          s.keys += u.keys().size();
          if (needsAction(u)) {
            s.actionUsers++;
            // ListAccessKeys, then GetAccessKeyLastUsed per key (facts, tags and groups come from
            // the bulk read; the vault is asked only to repair a marker)
            s.actionUserCalls += 1 + u.keys().size();
          }
        }
      }
      return s;
    }

    long noActionUsers(RunReport report, int accounts) {
      return firstAccounts(report, accounts).stream()
          .flatMap(a -> a.users().stream())
          .filter(u -> !needsAction(u))
          .count();
    }
  }

  static String fmt(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }

  static Options parse(String[] args) {
    int accounts = 100;
    int users = 50;
    long latency = 20;
    int concurrency = 32; // the policy default (PolicyFileLoader)
    int seedAccounts = Integer.MAX_VALUE;
    double share = 0.10;
    boolean skipSeed = false;
    ScanMode scan = ScanMode.CREDENTIAL_REPORT;
    int days = 0;
    int usersInParallel = PolicyFile.OrganizationSettings.DEFAULT_MAX_CONCURRENT_USERS;
    boolean actionPath = false;
    Integer seedConcurrency = null;
    long reportMs = 0;
    long gaadPageMs = 0;
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--accounts" -> {
          accounts = Integer.parseInt(v);
          i++;
        }
        case "--users" -> {
          users = Integer.parseInt(v);
          i++;
        }
        case "--latency-ms" -> {
          latency = Long.parseLong(v);
          i++;
        }
        case "--concurrency" -> {
          concurrency = Integer.parseInt(v);
          i++;
        }
        case "--seed-accounts" -> {
          seedAccounts = Integer.parseInt(v);
          i++;
        }
        case "--action-share" -> {
          share = Double.parseDouble(v);
          i++;
        }
        case "--skip-seed" -> skipSeed = true;
        case "--days" -> {
          days = Integer.parseInt(v);
          i++;
        }
        case "--users-in-parallel" -> {
          usersInParallel = Integer.parseInt(v);
          i++;
        }
        case "--action-path" -> actionPath = true;
        case "--seed-concurrency" -> {
          seedConcurrency = Integer.parseInt(v);
          i++;
        }
        case "--report-ms" -> {
          reportMs = Long.parseLong(v);
          i++;
        }
        case "--gaad-page-ms" -> {
          gaadPageMs = Long.parseLong(v);
          i++;
        }
        case "--scan" -> {
          scan = v.equals("per-user") ? ScanMode.PER_USER : ScanMode.CREDENTIAL_REPORT;
          i++;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new Options(
        accounts,
        users,
        latency,
        concurrency,
        seedAccounts,
        share,
        skipSeed,
        scan,
        days,
        usersInParallel,
        actionPath,
        seedConcurrency == null ? concurrency : seedConcurrency,
        reportMs,
        gaadPageMs);
  }
}
