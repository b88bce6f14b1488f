package dev.keyrotator.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the report parts of a fanned-out run (one part per batch of accounts, each a {@link
 * RunReport} of that batch written by {@link JsonReport}) into the one report of the run: accounts
 * concatenated in account id order, AWS calls summed, started at the earliest part's start,
 * finished at the latest part's end. Mode and policy come from the parts; parts that disagree are
 * told in {@link Result#problems()} and in the merged report's field itself.
 */
public final class ReportMerge {
  private ReportMerge() {}

  /** A part as read: its name (where it came from) and its report. */
  public record Part(String name, RunReport report) {}

  /** The merged report and what did not add up (empty when the parts agree). */
  public record Result(RunReport report, List<String> problems) {
    public Result {
      problems = List.copyOf(problems);
    }
  }

  /**
   * The folder (key prefix) of a run's parts: {@code <prefix>parts/<runId>/}, beside the dated
   * folders of whole reports.
   */
  public static String partsFolder(String prefix, String runId) {
    String p = prefix == null ? "" : prefix.replaceAll("^/+", "");
    if (!p.isEmpty() && !p.endsWith("/")) {
      p = p + "/";
    }
    return p + "parts/" + runId.replaceAll("[^A-Za-z0-9._-]", "_") + "/";
  }

  /** A part's file name: the first account id of its batch. */
  public static String partName(String firstAccountId) {
    return firstAccountId + ".json";
  }

  /** A part's content, as {@link JsonReport} renders it. */
  public static byte[] render(RunReport part) {
    return JsonReport.render(part).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a part, account by account (see {@link JsonReport#parse(java.io.InputStream, String)}).
   *
   * @throws IllegalArgumentException when it is not a run report
   */
  public static RunReport parse(byte[] content, String source) {
    return JsonReport.parse(new ByteArrayInputStream(content), source);
  }

  /**
   * Merges {@code parts} (at least one) into the report of run {@code runId}. An account in more
   * than one part is kept from the first part (by name) and told as a problem.
   */
  public static Result merge(String runId, List<Part> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("no report parts to merge for run " + runId);
    }
    List<Part> ordered = new ArrayList<>(parts);
    ordered.sort(Comparator.comparing(Part::name));
    try (Merger m = new Merger(runId)) {
      ordered.forEach(p -> m.add(p.name(), p.report()));
      return m.result();
    }
  }

  /**
   * A merge that takes the parts one at a time, in name order, so that only one part is read at a
   * time: each part's accounts go into a {@link SpilledAccounts.Builder} (to a temporary file once
   * they hold more than {@link SpilledAccounts#DEFAULT_MEMORY_USERS} users) and the part is
   * dropped; the merged report reads them back account by account. Close it when the result is not
   * taken.
   */
  public static final class Merger implements AutoCloseable {
    private final String runId;
    private final SpilledAccounts.Builder<String> accounts;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> foundIn = new HashMap<>();
    private final Map<String, Long> calls = new TreeMap<>();
    private final Set<String> modes = new LinkedHashSet<>();
    private final Set<String> policies = new LinkedHashSet<>();
    private final Set<String> sources = new LinkedHashSet<>();
    private Instant started;
    private Instant finished;
    private int parts;

    public Merger(String runId) {
      this(runId, SpilledAccounts.DEFAULT_MEMORY_USERS);
    }

    /** With up to {@code memoryUsers} users kept in memory before the accounts go to disk. */
    public Merger(String runId, int memoryUsers) {
      this.runId = runId;
      this.accounts = new SpilledAccounts.Builder<>(memoryUsers);
    }

    /** Adds part {@code name}; parts come in name order (the first holding an account wins). */
    public void add(String name, RunReport r) {
      parts++;
      if (!runId.equals(r.runId())) {
        problems.add("part " + name + " belongs to run " + r.runId() + ", not " + runId);
      }
      for (AccountReport a : r.accounts()) {
        if (accounts.put(a.accountId(), a)) {
          foundIn.put(a.accountId(), name);
        } else {
          problems.add(
              "account "
                  + a.accountId()
                  + " is in parts "
                  + foundIn.get(a.accountId())
                  + " and "
                  + name
                  + "; kept the first");
        }
      }
      r.awsCalls().forEach((k, v) -> calls.merge(k, v, Long::sum));
      Instant s = r.startedAt();
      Instant f = r.finishedAt();
      started = started == null || s.isBefore(started) ? s : started;
      finished = finished == null || f.isAfter(finished) ? f : finished;
      modes.add(r.mode());
      policies.add(r.policySha256());
      sources.add(r.policySource());
    }

    /** Whether a part added so far holds {@code accountId}. */
    public boolean contains(String accountId) {
      return accounts.contains(accountId);
    }

    /** Adds accounts no part holds (left out by the policy, not reached); the parts' win. */
    public void addAccounts(List<AccountReport> extra) {
      extra.forEach(a -> accounts.put(a.accountId(), a));
    }

    /** The merged report, accounts in account id order, and what did not add up. */
    public Result result() {
      if (parts == 0) {
        throw new IllegalArgumentException("no report parts to merge for run " + runId);
      }
      List<String> problems = new ArrayList<>(this.problems);
      String policySha = policies.iterator().next();
      if (policies.size() > 1) {
        problems.add(
            "the parts ran with different policy files (sha256 "
                + policies
                + "): the policy changed during the run");
        policySha = "mixed: " + String.join(", ", policies);
      }
      String mode = modes.iterator().next();
      if (modes.size() > 1) {
        problems.add("the parts ran in different modes " + modes);
        mode = "mixed: " + String.join(", ", modes);
      }
      String source = String.join(", ", sources);
      return new Result(
          new RunReport(runId, started, finished, mode, source, policySha, accounts.build(), calls),
          problems);
    }

    @Override
    public void close() {
      accounts.close();
    }
  }

  /** {@code report} with {@code extra} accounts added, all in account id order. */
  public static RunReport withAccounts(RunReport report, List<AccountReport> extra) {
    Map<String, AccountReport> all = new TreeMap<>();
    report.accounts().forEach(a -> all.put(a.accountId(), a));
    extra.forEach(a -> all.putIfAbsent(a.accountId(), a));
    return report.withAccounts(new ArrayList<>(all.values()));
  }
}
