package dev.keyrotator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.ReportFile;
import dev.keyrotator.ports.ReportLocation;
import dev.keyrotator.ports.ReportReader;
import dev.keyrotator.ports.ReportSink;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.ReportMerge;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxOptions;
import dev.keyrotator.wiring.Injectors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The fan-out simulated in-process ({@code scripts/bench fan-out}, README "Performance"): the
 * {@code list} step, then W rotate workers in parallel threads (each one a warm Lambda container:
 * its own injector, SDK clients and call counters, taking batches off the list's output), then the
 * {@code merge} step, each through {@link RotationService} as the Lambda handler calls it, against
 * an in-process sandbox. Prints per phase: wall time, AWS calls by service, peak used heap; the
 * list step's payload in bytes; and the limits AWS sets on the workers.
 *
 * <p>Modes (first argument):
 *
 * <ul>
 *   <li>{@code run}: the whole fan-out; {@code --parts-out DIR} copies the report parts there;
 *   <li>{@code replicate --parts DIR --to DIR2 --accounts N}: the first part in DIR as a template,
 *       written again for N accounts (account ids renumbered), one part file at a time;
 *   <li>{@code merge --parts DIR --accounts N}: the merge step alone over the part files in DIR (a
 *       local folder stands for the report bucket; the organization of N accounts is a fixed list),
 *       for a child JVM whose {@code -Xmx} is the bound being shown.
 * </ul>
 *
 * Heap figures: the sum of the heap pools' peak usage since the phase started (after a GC), an
 * upper bound of the peak used heap; the sandbox (which holds the whole organization) is included
 * in {@code run}.
 */
public final class FanOutBench {
  static final String CENTRAL = "111111111111";
  static final String ROLE = "OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-demo";
  static final String BUCKET = "bench-reports";
  static final String RUN_ID = "bench-fan-out";

  record Options(
      String mode,
      int accounts,
      int users,
      int batchSize,
      int workers,
      int concurrency,
      Optional<Path> parts,
      Optional<Path> to) {}

  public static void main(String[] args) throws Exception {
    Options o = parse(args);
    switch (o.mode()) {
      case "run" -> run(o);
      case "replicate" -> replicate(o);
      case "merge" -> mergeOnly(o);
      default -> throw new IllegalArgumentException("unknown mode " + o.mode());
    }
  }

  // ------------------------------------------------------------------ run: list, rotate, merge

  static void run(Options o) throws Exception {
    System.out.printf(
        "fan-out bench: %d accounts x %d users, batches of %d, %d rotate workers (each %d accounts"
            + " at once), in-process sandbox, no added latency; max heap %d MB%n",
        o.accounts(),
        o.users(),
        o.batchSize(),
        o.workers(),
        o.concurrency(),
        Runtime.getRuntime().maxMemory() >> 20);
    long t0 = System.nanoTime();
    Fixture fixture = fixture(o.accounts(), o.users(), 0.10, 7);
    try (Sandbox sb = Sandbox.start(fixture, SandboxOptions.defaults().withQuiet(true))) {
      System.out.printf("seeded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      PolicyFile policy = policy(o.concurrency());
      Phase whole = Phase.start();

      // list
      sb.calls().clear();
      Phase list = Phase.start();
      RotationService.Batches batches;
      Injector listInjector = injector(sb, policy);
      try {
        batches = listInjector.getInstance(RotationService.class).list(RUN_ID, o.batchSize());
      } finally {
        Injectors.close(listInjector);
      }
      list.end("list", sb);
      payload(batches);

      // rotate: W workers, each a warm container taking the next batch
      sb.calls().clear();
      Phase rotate = Phase.start();
      ConcurrentLinkedQueue<RotationService.Batch> queue =
          new ConcurrentLinkedQueue<>(batches.batches());
      AtomicLong failed = new AtomicLong();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < o.workers(); w++) {
        Thread t =
            new Thread(
                () -> {
                  Injector in = injector(sb, policy);
                  try {
                    RotationService service = in.getInstance(RotationService.class);
                    for (RotationService.Batch b = queue.poll(); b != null; b = queue.poll()) {
                      try {
                        service.rotate(
                            RUN_ID,
                            b.accounts(),
                            Optional.of(b.accountsSha256()),
                            Optional.empty(),
                            Deadline.none());
                      } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        System.out.println("batch " + b.accounts().get(0) + " failed: " + e);
                      }
                    }
                  } finally {
                    Injectors.close(in);
                  }
                },
                "rotate-worker-" + w);
        t.start();
        workers.add(t);
      }
      for (Thread t : workers) {
        t.join();
      }
      rotate.end("rotate", sb);
      System.out.printf(
          "   %d batches, %d failed; Organizations calls of the rotate steps: %d%n",
          batches.batches().size(),
          failed.get(),
          sb.calls().matching(c -> c.service().equals("organizations")).size());

      // merge
      sb.calls().clear();
      Phase merge = Phase.start();
      Injector mergeInjector = injector(sb, policy);
      RotationService.MergeResult merged;
      try {
        merged =
            mergeInjector
                .getInstance(RotationService.class)
                .merge(
                    RUN_ID,
                    batches.batches().stream().map(RotationService.Batch::accounts).toList());
      } finally {
        Injectors.close(mergeInjector);
      }
      merge.end("merge", sb);
      RunReport r = merged.run().report();
      System.out.printf(
          "   merged %d parts: %d accounts, %d users scanned, %d problems%n",
          merged.parts(),
          r.accounts().size(),
          merged.run().summary().totals().usersScanned(),
          merged.run().problems().size());
      files(sb);
      whole.endWhole();

      if (o.parts().isPresent()) {
        Path dir = o.parts().get();
        Files.createDirectories(dir);
        String folder = "reports/parts/" + RUN_ID + "/";
        long bytes = 0;
        int n = 0;
        for (String key : sb.s3Keys(BUCKET)) {
          String name = key.substring(Math.min(key.length(), folder.length()));
          if (key.startsWith(folder) && !name.contains("/")) {
            byte[] content = sb.s3Object(BUCKET, key).orElseThrow();
            Files.write(dir.resolve(name), content);
            bytes += content.length;
            n++;
          }
        }
        System.out.printf(
            "parts copied to %s: %d files, %.1f MB, %d bytes per user%n",
            dir, n, bytes / 1e6, bytes / Math.max(1L, (long) o.accounts() * o.users()));
      }
    }
    limits(o);
  }

  /** The list step's answer as the state machine holds it, and its size against 256 KB. */
  static void payload(RotationService.Batches b) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RotationService.Batch batch : b.batches()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("runId", b.runId());
      m.put("accounts", batch.accounts());
      m.put("accountsSha256", batch.accountsSha256());
      out.add(m);
    }
    Map<String, Object> listed = new LinkedHashMap<>();
    listed.put("runId", b.runId());
    listed.put("batches", out);
    ObjectMapper json = new ObjectMapper();
    int bytes = json.writeValueAsBytes(listed).length;
    int accounts = b.batches().stream().mapToInt(x -> x.accounts().size()).sum();
    int item = out.isEmpty() ? 0 : json.writeValueAsBytes(out.get(0)).length;
    System.out.printf(
        "   list output (the state the Map reads): %,d bytes for %d accounts in %d batches"
            + " (%.1f bytes per account); one batch item %,d bytes; Step Functions' limit"
            + " 262,144 bytes%n",
        bytes, accounts, b.batches().size(), (double) bytes / Math.max(1, accounts), item);
  }

  static void files(Sandbox sb) {
    for (String key : sb.s3Keys(BUCKET)) {
      if (key.contains("/" + RUN_ID + "/") && !key.contains("/parts/")) {
        System.out.printf(
            "   %s: %.1f MB%n",
            key.substring(key.lastIndexOf('/') + 1),
            sb.s3Object(BUCKET, key).orElseThrow().length / 1e6);
      }
    }
  }

  /** What AWS allows the rotate workers (README "Performance" gives the sources). */
  static void limits(Options o) {
    int batches = (o.accounts() + o.batchSize() - 1) / o.batchSize();
    System.out.println();
    System.out.printf(
        "AWS limits on the workers for %d batches: Step Functions Distributed Map runs up to"
            + " 10,000 child executions at once (MaxConcurrency; the template sets 10); Lambda's"
            + " account concurrency is 1,000 by default, shared by every function of the Region"
            + " (the template reserves 10 for this one); Organizations' and IAM's APIs throttle per"
            + " account (the rotate steps no longer call Organizations; IAM calls are spread over"
            + " the member accounts, each its own quota), STS AssumeRole is throttled per account"
            + " and Region of the caller: one AssumeRole per member account per run.%n",
        batches);
  }

  // ------------------------------------------------------------------ replicate and merge alone

  /** The first part in --parts written again for --accounts accounts, ids renumbered. */
  static void replicate(Options o) throws IOException {
    Path from = o.parts().orElseThrow(() -> new IllegalArgumentException("--parts DIR"));
    Path to = o.to().orElseThrow(() -> new IllegalArgumentException("--to DIR"));
    Path template;
    try (Stream<Path> files = Files.list(from)) {
      template =
          files.filter(p -> p.toString().endsWith(".json")).sorted().findFirst().orElseThrow();
    }
    RunReport t = ReportMerge.parse(Files.readAllBytes(template), template.toString());
    List<AccountReport> members =
        t.accounts().stream().filter(a -> !a.accountId().equals(CENTRAL)).toList();
    Files.createDirectories(to);
    long bytes = 0;
    long users = 0;
    int parts = 0;
    for (int first = 1; first < o.accounts(); first += members.size()) {
      List<AccountReport> batch = new ArrayList<>();
      for (int i = 0; i < members.size() && first + i < o.accounts(); i++) {
        AccountReport a = members.get(i);
        String id = memberId(first + i);
        batch.add(
            new AccountReport(
                id,
                "member-" + (first + i),
                a.ouPath(),
                a.status(),
                a.reason(),
                a.mode(),
                a.policy(),
                a.usersScanned(),
                a.users(),
                a.usersNotReached(),
                a.scan(),
                a.scanNote(),
                a.lease(),
                a.rootAccessKeys()));
        users += a.users().size();
      }
      byte[] content = ReportMerge.render(t.withAccounts(batch));
      Files.write(to.resolve(ReportMerge.partName(batch.get(0).accountId())), content);
      bytes += content.length;
      parts++;
    }
    System.out.printf(
        "replicated %s to %d parts in %s: %d member accounts, %d users, %.1f MB, %d bytes per"
            + " user%n",
        template.getFileName(), parts, to, o.accounts() - 1, users, bytes / 1e6, bytes / users);
  }

  /** The merge step alone over the part files in --parts; the report files go beside them. */
  static void mergeOnly(Options o) throws IOException {
    Path dir = o.parts().orElseThrow(() -> new IllegalArgumentException("--parts DIR"));
    LocalBucket bucket = new LocalBucket(dir);
    PolicyFile policy = policy(o.concurrency());
    List<Account> org = new ArrayList<>();
    org.add(new Account(CENTRAL, "management", List.of(), List.of(), Map.of()));
    for (int i = 1; i < o.accounts(); i++) {
      org.add(
          new Account(
              memberId(i), "member-" + i, List.of("ou-" + i % 3), List.of(OUS[i % 3]), Map.of()));
    }
    AccountDirectory directory = () -> org;
    Notifier notifier = (topic, n) -> {};
    Orchestrator orchestrator =
        Orchestrator.create(
            policy,
            directory,
            (id, run) -> {
              throw new UnsupportedOperationException("the merge opens no account");
            },
            notifier,
            Optional.empty(),
            new Planner(),
            Clock.systemUTC(),
            Map::of,
            line -> {});
    RotationService service =
        new RotationService(
            policy,
            orchestrator,
            new ReportDelivery(bucket, notifier),
            bucket,
            bucket,
            line -> {},
            notifier);
    System.out.printf(
        "merge step alone: %d accounts, parts in %s; max heap %d MB%n",
        o.accounts(), dir, Runtime.getRuntime().maxMemory() >> 20);
    Phase merge = Phase.start();
    RotationService.MergeResult r = service.merge(RUN_ID, List.of());
    merge.end("merge", null);
    System.out.printf(
        "   merged %d parts: %d accounts, %d users scanned; report files:%n",
        r.parts(), r.run().report().accounts().size(), r.run().summary().totals().usersScanned());
    bucket.written.forEach((k, v) -> System.out.printf("   %s: %.1f MB%n", k, v / 1e6));
  }

  /** A local folder standing for the report bucket: the parts are its {@code .json} files. */
  static final class LocalBucket implements ReportReader, ReportSink {
    final Path dir;
    final Map<String, Long> written = new TreeMap<>();

    LocalBucket(Path dir) {
      this.dir = dir;
    }

    @Override
    public List<String> keys(String bucket, Optional<String> owner, String prefix) {
      String folder = ReportMerge.partsFolder(policyPrefix(), RUN_ID);
      if (!prefix.equals(folder)) {
        return List.of(); // the previous reports' folders: none
      }
      try (Stream<Path> files = Files.list(dir)) {
        return files
            .map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".json"))
            .sorted()
            .map(n -> folder + n)
            .toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public byte[] read(String bucket, Optional<String> owner, String key) {
      try {
        return Files.readAllBytes(dir.resolve(key.substring(key.lastIndexOf('/') + 1)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public List<ReportLocation> write(
        String bucket, Optional<String> owner, String folder, List<ReportFile> files) {
      List<ReportLocation> out = new ArrayList<>();
      for (ReportFile f : files) {
        written.put(
            f.name(), f.file().map(p -> p.toFile().length()).orElse((long) f.content().length));
        String uri = "file://" + dir.resolve("out").resolve(f.name());
        out.add(new ReportLocation(f.name(), bucket, folder + f.name(), uri, ""));
      }
      return out;
    }
  }

  // ------------------------------------------------------------------ heap per phase

  static final List<MemoryPoolMXBean> HEAP =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .toList();

  /** A phase's wall time and peak used heap (pools' peaks reset after a GC at its start). */
  record Phase(long startNanos, long baseBytes) {
    static Phase start() {
      System.gc();
      HEAP.forEach(MemoryPoolMXBean::resetPeakUsage);
      LIVE_PEAK.set(0);
      return new Phase(System.nanoTime(), used());
    }

    void end(String name, Sandbox sb) {
      double s = (System.nanoTime() - startNanos) / 1e9;
      long peak = HEAP.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      WHOLE_PEAK.accumulateAndGet(peak, Math::max);
      String calls = "";
      if (sb != null) {
        Map<String, Long> byService = new TreeMap<>();
        sb.calls().all().forEach(c -> byService.merge(c.service(), 1L, Long::sum));
        calls = "; " + sb.calls().size() + " AWS calls " + byService;
      }
      System.out.printf(
          "%s: %.1f s%s; peak heap %d MB (pools' peaks), live after GC at most %d MB (at its"
              + " start %d MB)%n",
          name, s, calls, peak >> 20, LIVE_PEAK.get() >> 20, baseBytes >> 20);
    }

    /** The whole run's peak: every phase's (the peaks were reset per phase; the max is kept). */
    void endWhole() {
      System.out.printf(
          "whole fan-out: %.1f s; peak heap of the whole run %d MB (max of the phases' peaks,"
              + " the sandbox included), live after GC at most %d MB%n",
          (System.nanoTime() - startNanos) / 1e9,
          WHOLE_PEAK.get() >> 20,
          WHOLE_LIVE_PEAK.get() >> 20);
    }
  }

  static final AtomicLong WHOLE_PEAK = new AtomicLong();

  /** The most heap in use right after a collection since the phase started: the live set's peak. */
  static final AtomicLong LIVE_PEAK = new AtomicLong();

  static final AtomicLong WHOLE_LIVE_PEAK = new AtomicLong();

  static {
    java.util.Set<String> heapPools =
        HEAP.stream().map(MemoryPoolMXBean::getName).collect(java.util.stream.Collectors.toSet());
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((javax.management.NotificationEmitter) gc)
          .addNotificationListener(
              (n, h) -> {
                if (!n.getType()
                    .equals(
                        com.sun.management.GarbageCollectionNotificationInfo
                            .GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                var info =
                    com.sun.management.GarbageCollectionNotificationInfo.from(
                        (javax.management.openmbean.CompositeData) n.getUserData());
                long after =
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey()))
                        .mapToLong(e -> e.getValue().getUsed())
                        .sum();
                LIVE_PEAK.accumulateAndGet(after, Math::max);
                WHOLE_LIVE_PEAK.accumulateAndGet(after, Math::max);
              },
              null,
              null);
    }
  }

  static long used() {
    long u = HEAP.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
    WHOLE_PEAK.accumulateAndGet(u, Math::max);
    return u;
  }

  // ------------------------------------------------------------------ the organization

  static final String[] OUS = {"Prod", "Dev", "Sandbox"};

  static String memberId(int i) {
    return String.format("%012d", 200000000000L + i);
  }

  static String policyPrefix() {
    return "reports/";
  }

  static PolicyFile policy(int concurrency) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: %s
          externalId: %s
          centralAccountId: "%s"
          includeCentralAccount: true
          maxConcurrentAccounts: %d
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        reporting:
          bucket: %s
          prefix: %s
        """
            .formatted(ROLE, EXTERNAL_ID, CENTRAL, concurrency, BUCKET, policyPrefix());
    return PolicyFileLoader.parse("bench.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  static Injector injector(Sandbox sb, PolicyFile policy) {
    SandboxCredentials c = sb.credentialsFor(CENTRAL);
    AwsModule aws =
        AwsModule.withCredentials(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
    return Injectors.forRun(policy, sb.clock(), line -> {}, Optional.of(sb.endpoint()), aws);
  }

  /**
   * N accounts (management + members in three OUs), U users each: 8% without a key, about {@code
   * actionShare} with a key due for an action, the rest with one or two recent keys. The management
   * account holds the report bucket.
   */
  static Fixture fixture(int accounts, int users, double actionShare, long seed) {
    Random r = new Random(seed);
    Fixture f = Fixture.create("o-fanoutbench1", CENTRAL);
    Fixture.Account mgmt = f.accounts.get(0);
    mgmt.memberRole(ROLE, EXTERNAL_ID).topic("key-rotation-events").bucket(BUCKET, CENTRAL);
    Fixture.Ou[] ous = {f.ou(OUS[0]), f.ou(OUS[1]), f.ou(OUS[2])};
    List<Fixture.Account> all = new ArrayList<>();
    all.add(mgmt);
    for (int i = 1; i < accounts; i++) {
      String id = memberId(i);
      all.add(f.account(id, "member-" + i).memberRole(ROLE, EXTERNAL_ID));
      ous[i % ous.length].account(id);
    }
    for (Fixture.Account a : all) {
      for (int u = 0; u < users; u++) {
        Fixture.User user = a.user(String.format("user-%04d", u));
        double p = r.nextDouble();
        if (p < 0.08) {
          continue;
        }
        if (p < 0.08 + actionShare) {
          user.key(165 + r.nextInt(200), r.nextInt(3));
          continue;
        }
        int age = 2 + r.nextInt(148);
        user.key(age, r.nextInt(10) == 0 ? null : r.nextInt(Math.min(age, 5) + 1));
      }
    }
    return f.validate();
  }

  static Options parse(String[] args) {
    String mode = args.length > 0 && !args[0].startsWith("--") ? args[0] : "run";
    Map<String, String> v = new HashMap<>();
    for (int i = mode.equals("run") && (args.length == 0 || args[0].startsWith("--")) ? 0 : 1;
        i < args.length;
        i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value at " + args[i]);
      }
      v.put(args[i].substring(2), args[++i]);
    }
    for (String k : v.keySet()) {
      if (!List.of("accounts", "users", "batch-size", "workers", "concurrency", "parts", "to")
          .contains(k)) {
        throw new IllegalArgumentException("unknown option --" + k);
      }
    }
    return new Options(
        mode,
        Integer.parseInt(v.getOrDefault("accounts", "10000")),
        Integer.parseInt(v.getOrDefault("users", "5")),
        Integer.parseInt(v.getOrDefault("batch-size", "200")),
        Integer.parseInt(v.getOrDefault("workers", "10")),
        Integer.parseInt(v.getOrDefault("concurrency", "32")),
        Optional.ofNullable(v.get("parts")).map(Path::of),
        Optional.ofNullable(v.get("to")).map(Path::of));
  }
}
