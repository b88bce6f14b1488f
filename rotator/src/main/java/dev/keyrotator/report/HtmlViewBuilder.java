package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.report.HtmlView.AccountDetail;
import dev.keyrotator.report.HtmlView.AccountRow;
import dev.keyrotator.report.HtmlView.ChaseLine;
import dev.keyrotator.report.HtmlView.DecisionLine;
import dev.keyrotator.report.HtmlView.DecisionRow;
import dev.keyrotator.report.HtmlView.FailureRow;
import dev.keyrotator.report.HtmlView.KeyAges;
import dev.keyrotator.report.HtmlView.KeyLine;
import dev.keyrotator.report.HtmlView.NextActionRow;
import dev.keyrotator.report.HtmlView.OuRow;
import dev.keyrotator.report.HtmlView.OwnerRow;
import dev.keyrotator.report.HtmlView.Page;
import dev.keyrotator.report.HtmlView.PolicyValue;
import dev.keyrotator.report.HtmlView.Rows;
import dev.keyrotator.report.HtmlView.Tile;
import dev.keyrotator.report.HtmlView.Trend;
import dev.keyrotator.report.HtmlView.TrendRow;
import dev.keyrotator.report.HtmlView.UserRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Makes the HTML report's {@link HtmlView} from a run. The one place that reads the report model
 * for the page: the templates see only the view.
 */
final class HtmlViewBuilder {
  private HtmlViewBuilder() {}

  static Page page(RunReport r, ReportSummary s) {
    return page(r, s, PreviousReport.none());
  }

  static Page page(RunReport r, ReportSummary s, PreviousReport previous) {
    return new Page(
        r.runId(),
        r.mode(),
        r.startedAt().toString(),
        r.finishedAt().toString(),
        r.policySource(),
        shortSha(r.policySha256()),
        tiles(s),
        accountRows(r, s),
        trend(r, s, previous),
        ous(r, s),
        owners(r),
        keyAges(r),
        changes(r, Outcome.DONE),
        changes(r, Outcome.PLANNED),
        failures(r),
        s.nextActionsHorizonDays(),
        nextActions(s),
        accounts(r));
  }

  // ------------------------------------------------------------------ at a glance

  private static List<Tile> tiles(ReportSummary s) {
    ReportSummary.Totals t = s.totals();
    ReportSummary.Compliance c = s.compliance();
    List<Tile> tiles = new ArrayList<>();
    tiles.add(
        new Tile(
            "Accounts", String.valueOf(t.accounts()), statusBreakdown(t.accountsByStatus()), ""));
    tiles.add(
        new Tile(
            "Accounts failed",
            String.valueOf(c.accountsFailed().size()),
            c.accountsFailed().isEmpty() ? "none" : String.join(", ", c.accountsFailed()),
            c.accountsFailed().isEmpty() ? "" : "bad"));
    tiles.add(
        new Tile(
            "Users scanned",
            String.valueOf(t.usersScanned()),
            t.usersFailed()
                + " failed, "
                + t.usersExempt()
                + " exempt, "
                + t.usersNotReached()
                + " not reached",
            t.usersFailed() > 0 ? "bad" : ""));
    tiles.add(
        new Tile(
            "Keys after the run",
            String.valueOf(c.activeKeys() + c.inactiveKeys()),
            c.activeKeys() + " active, " + c.inactiveKeys() + " inactive",
            ""));
    tiles.add(
        new Tile(
            "Active keys past deactivate age",
            String.valueOf(c.keysPastDeactivateAgeActive()),
            c.keysPastDeactivateAgeActiveExempt() + " of them exempt",
            c.keysPastDeactivateAgeActive() > c.keysPastDeactivateAgeActiveExempt() ? "warn" : ""));
    tiles.add(
        new Tile(
            "Keys never used",
            String.valueOf(c.keysNeverUsed()),
            "active or inactive",
            c.keysNeverUsed() > 0 ? "warn" : ""));
    tiles.add(
        new Tile(
            "Oldest active key",
            c.oldestActiveKeyAgeDays() < 0 ? "-" : c.oldestActiveKeyAgeDays() + " d",
            "in days",
            ""));
    tiles.add(
        new Tile(
            "Changes made", String.valueOf(sum(t.actionsDone())), actions(t.actionsDone()), ""));
    tiles.add(
        new Tile(
            "Planned only",
            String.valueOf(sum(t.actionsPlanned())),
            actions(t.actionsPlanned()),
            ""));
    tiles.add(
        new Tile(
            "Actions failed",
            String.valueOf(t.actionsFailed()),
            t.actionsSkipped() + " skipped after a failure",
            t.actionsFailed() > 0 ? "bad" : ""));
    tiles.add(
        new Tile(
            "AWS calls",
            String.valueOf(t.awsCalls()),
            t.awsRetries()
                + " retries, "
                + t.awsThrottled()
                + " throttled, "
                + t.awsFailed()
                + " failed",
            t.awsThrottled() > 0 ? "warn" : ""));
    return tiles;
  }

  private static Rows<AccountRow> accountRows(RunReport r, ReportSummary s) {
    return Rows.perAccount(
        r.accounts(), (i, a) -> List.of(accountRow(a, s.compliance().accounts().get(i))));
  }

  private static AccountRow accountRow(AccountReport a, ReportSummary.AccountCompliance ac) {
    return new AccountRow(
        a.accountId(),
        a.accountName(),
        a.ouPath(),
        a.status().name(),
        a.usersScanned(),
        ac.keys(),
        ac.keysPastDeactivateAgeActive(),
        ac.keysNeverUsed(),
        ac.oldestKeyAgeDays(),
        ac.oldestKeyUser(),
        ac.oldestKeyId(),
        a.reason());
  }

  // ------------------------------------------------------------------ trend

  /** The headline figures the trend compares, each read from a run's summary. */
  private record Figure(String name, ToLongFunction<ReportSummary> value, boolean lowerIsBetter) {}

  private static final List<Figure> TREND_FIGURES =
      List.of(
          new Figure("Accounts failed", x -> x.compliance().accountsFailed().size(), true),
          new Figure(
              "Active keys past deactivate age",
              x -> x.compliance().keysPastDeactivateAgeActive(),
              true),
          new Figure("Keys never used", x -> x.compliance().keysNeverUsed(), true),
          new Figure(
              "Oldest active key (days)", x -> x.compliance().oldestActiveKeyAgeDays(), true),
          new Figure("Changes made", x -> sum(x.totals().actionsDone()), false));

  static Trend trend(RunReport r, ReportSummary s, PreviousReport previous) {
    if (previous.report().isEmpty()) {
      return new Trend(false, "", "", 0, previous.source(), previous.note(), false, List.of());
    }
    RunReport p = previous.report().get();
    ReportSummary ps = ReportSummary.of(p);
    List<TrendRow> rows = new ArrayList<>();
    for (Figure f : TREND_FIGURES) {
      long then = f.value().applyAsLong(ps);
      long now = f.value().applyAsLong(s);
      // the oldest active key age is -1 when a run saw no active key: no comparison then
      boolean comparable = then >= 0 && now >= 0;
      long delta = now - then;
      String tone =
          !comparable || delta == 0 || !f.lowerIsBetter() ? "" : delta > 0 ? "bad" : "good";
      rows.add(
          new TrendRow(
              f.name(),
              then < 0 ? "-" : String.valueOf(then),
              now < 0 ? "-" : String.valueOf(now),
              comparable ? (delta > 0 ? "+" + delta : String.valueOf(delta)) : "-",
              tone));
    }
    return new Trend(
        true,
        p.runId(),
        p.startedAt().toString(),
        Duration.between(p.startedAt(), r.startedAt()).toDays(),
        previous.source(),
        previous.note(),
        p.policySha256() != null
            && r.policySha256() != null
            && !p.policySha256().equals(r.policySha256()),
        rows);
  }

  // ------------------------------------------------------------------ OU roll-up

  /**
   * One row per OU that holds an account, and per OU above it, in tree order; each counts every
   * account at or below it, so the first row ({@code /}) is the whole organization.
   */
  static List<OuRow> ous(RunReport r, ReportSummary s) {
    Map<List<String>, long[]> sums = new TreeMap<>(HtmlViewBuilder::compareSegments);
    for (int i = 0; i < r.accounts().size(); i++) {
      AccountReport a = r.accounts().get(i);
      ReportSummary.AccountCompliance ac = s.compliance().accounts().get(i);
      long failedActions = 0;
      long done = 0;
      long planned = 0;
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          switch (d.outcome()) {
            case FAILED -> failedActions++;
            case DONE -> done++;
            case PLANNED -> planned++;
            default -> {}
          }
        }
      }
      long[] figures = {
        1,
        a.status() == AccountStatus.FAILED ? 1 : 0,
        a.usersScanned(),
        ac.keys(),
        ac.keysPastDeactivateAgeActive(),
        failedActions,
        done,
        planned
      };
      List<String> segments = segments(a.ouPath());
      for (int depth = 0; depth <= segments.size(); depth++) {
        long[] sum = sums.computeIfAbsent(segments.subList(0, depth), k -> new long[8]);
        for (int f = 0; f < figures.length; f++) {
          sum[f] += figures[f];
        }
      }
    }
    List<OuRow> rows = new ArrayList<>();
    sums.forEach(
        (path, f) ->
            rows.add(
                new OuRow(
                    "/" + String.join("/", path),
                    (int) f[0],
                    (int) f[1],
                    (int) f[2],
                    (int) f[3],
                    (int) f[4],
                    f[5],
                    f[6],
                    f[7])));
    return rows;
  }

  /** An OU path's names, {@code /Workloads/Prod} or {@code Workloads/Prod}; none at the root. */
  private static List<String> segments(String ouPath) {
    return Arrays.stream(ouPath.split("/")).filter(x -> !x.isBlank()).toList();
  }

  /** Tree order: a parent before its children, siblings by name. */
  private static int compareSegments(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  // ------------------------------------------------------------------ owners to chase

  /** Why an owner is chased for a key, most urgent first. */
  private enum Urgency {
    FAILED,
    PAST_DEACTIVATE,
    WARNED
  }

  private record Reason(Urgency urgency, String text) {}

  /** A key being chased while its reasons are collected. */
  private static final class Chase {
    final String accountId;
    final String user;
    final String keyId;
    final List<Reason> reasons = new ArrayList<>();

    /** Days past the deactivate age, -1 when it is not. */
    long daysOver = -1;

    Chase(String accountId, String user, String keyId) {
      this.accountId = accountId;
      this.user = user;
      this.keyId = keyId;
    }

    void add(Urgency u, String text) {
      reasons.add(new Reason(u, text));
    }

    Urgency urgency() {
      return reasons.stream().map(Reason::urgency).min(Comparator.naturalOrder()).orElseThrow();
    }

    boolean has(Urgency u) {
      return reasons.stream().anyMatch(x -> x.urgency() == u);
    }

    ChaseLine line() {
      return new ChaseLine(
          accountId,
          user,
          keyId,
          reasons.stream()
              .sorted(Comparator.comparing(Reason::urgency))
              .map(Reason::text)
              .toList());
    }
  }

  /** An owner's keys, most urgent first. */
  private record OwnerKeys(String owner, List<Chase> keys) {
    int count(Urgency u) {
      return (int) keys.stream().filter(c -> c.has(u)).count();
    }
  }

  /** How urgent a key is: failed first, then the furthest past the deactivate age. */
  private static final Comparator<Chase> URGENCY =
      Comparator.comparing(Chase::urgency)
          .thenComparing(Comparator.comparingLong((Chase c) -> c.daysOver).reversed());

  /** An owner's keys in order: by {@link #URGENCY}, then by account, user and key. */
  private static final Comparator<Chase> BY_URGENCY =
      URGENCY
          .thenComparing(c -> c.accountId)
          .thenComparing(c -> c.user)
          .thenComparing(c -> c.keyId);

  /**
   * The owners (the user's owner, or {@code (no owner)}) of keys that need a person: a rotation
   * that failed this run, a key still active past its account's deactivate age (exempt users left
   * out: their keys are rotated by hand on purpose), a warning sent this run. Owners come in the
   * order of their most urgent key (see {@link #URGENCY}), then by how many keys, then by name.
   */
  static List<OwnerRow> owners(RunReport r) {
    Map<String, Map<String, Chase>> byOwner = new TreeMap<>();
    for (AccountReport a : r.accounts()) {
      int deactivate = ReportSummary.Thresholds.of(a).deactivate();
      List<PostRun.Key> after = PostRun.keys(a);
      for (UserReport u : a.users()) {
        String owner = u.owner() == null || u.owner().isBlank() ? "(no owner)" : u.owner();
        Function<String, Chase> chase =
            keyId ->
                byOwner
                    .computeIfAbsent(owner, o -> new LinkedHashMap<>())
                    .computeIfAbsent(
                        a.accountId() + " " + u.userName() + " " + keyId,
                        x -> new Chase(a.accountId(), u.userName(), keyId));
        for (DecisionReport d : u.decisions()) {
          if (d.outcome() == Outcome.FAILED) {
            chase
                .apply(d.keyId())
                .add(
                    Urgency.FAILED,
                    label(d) + " failed" + (d.error().isEmpty() ? "" : ": " + d.error()));
          } else if (d.action() == Action.WARN && d.outcome() == Outcome.DONE) {
            chase.apply(d.keyId()).add(Urgency.WARNED, "warned this run: " + label(d));
          }
        }
        if (deactivate < 0 || PostRun.exempt(u)) {
          continue;
        }
        for (PostRun.Key k : after) {
          if (k.userName().equals(u.userName()) && k.active() && k.ageDays() >= deactivate) {
            Chase c = chase.apply(k.keyId());
            c.daysOver = k.ageDays() - deactivate;
            c.add(
                Urgency.PAST_DEACTIVATE,
                "still active at "
                    + k.ageDays()
                    + " days, past the deactivate age "
                    + deactivate
                    + " ("
                    + lastUsed(u, k.keyId())
                    + ")");
          }
        }
      }
    }
    return byOwner.entrySet().stream()
        .map(
            e ->
                new OwnerKeys(
                    e.getKey(), e.getValue().values().stream().sorted(BY_URGENCY).toList()))
        .sorted(
            Comparator.comparing((OwnerKeys o) -> o.keys().get(0), URGENCY)
                .thenComparing(Comparator.comparingInt((OwnerKeys o) -> o.keys().size()).reversed())
                .thenComparing(OwnerKeys::owner))
        .map(
            o ->
                new OwnerRow(
                    o.owner(),
                    o.count(Urgency.FAILED),
                    o.count(Urgency.PAST_DEACTIVATE),
                    o.count(Urgency.WARNED),
                    o.keys().stream().map(Chase::line).toList()))
        .toList();
  }

  private static String lastUsed(UserReport u, String keyId) {
    return u.keys().stream()
        .filter(k -> k.keyId().equals(keyId))
        .findFirst()
        .map(k -> k.lastUsed().map(t -> "last used " + t).orElse("never used"))
        .orElse("created this run");
  }

  // ------------------------------------------------------------------ key ages

  private static Rows<KeyAges> keyAges(RunReport r) {
    return Rows.perAccount(r.accounts(), (i, a) -> List.of(keyAges(a)));
  }

  private static KeyAges keyAges(AccountReport a) {
    List<PostRun.Key> keys =
        PostRun.keys(a).stream()
            .sorted(
                Comparator.comparingLong(PostRun.Key::ageDays)
                    .reversed()
                    .thenComparing(PostRun.Key::userName)
                    .thenComparing(PostRun.Key::keyId))
            .toList();
    boolean notScanned =
        a.users().isEmpty()
            && (a.status() == AccountStatus.FAILED
                || a.status() == AccountStatus.SKIPPED
                || a.status() == AccountStatus.NOT_REACHED);
    ChartGeometry.Chart chart = null;
    int shown = Math.min(keys.size(), HtmlReport.MAX_CHART_KEYS);
    if (!notScanned && !keys.isEmpty()) {
      ReportSummary.Thresholds t = ReportSummary.Thresholds.of(a);
      List<ChartGeometry.Bar> bars =
          keys.subList(0, shown).stream()
              .map(
                  k ->
                      new ChartGeometry.Bar(
                          trim(k.userName(), 22)
                              + " "
                              + k.keyId()
                              + (k.exempt() ? " (exempt)" : ""),
                          k.userName()
                              + " "
                              + k.keyId()
                              + ": "
                              + k.ageDays()
                              + " days, "
                              + (k.active() ? "active" : "inactive")
                              + (k.neverUsed() ? ", never used" : ""),
                          k.ageDays(),
                          k.active()))
              .toList();
      chart =
          ChartGeometry.layout(bars, keys.get(0).ageDays(), t.create(), t.deactivate(), t.delete());
    }
    return new KeyAges(
        a.accountId(),
        a.accountName(),
        a.status().name(),
        notScanned,
        a.reason(),
        chart,
        shown,
        keys.size());
  }

  // ------------------------------------------------------------------ changes and failures

  /** The decisions with {@code outcome} (carried out, or planned only), account by account. */
  private static Rows<DecisionRow> changes(RunReport r, Outcome outcome) {
    return Rows.perAccount(
        r.accounts(),
        (i, a) -> {
          List<DecisionRow> rows = new ArrayList<>();
          for (UserReport u : a.users()) {
            for (DecisionReport d : u.decisions()) {
              if (d.outcome() == outcome) {
                rows.add(
                    new DecisionRow(
                        a.accountId(),
                        u.userName(),
                        label(d),
                        d.keyId(),
                        d.reason(),
                        d.secretArn()));
              }
            }
          }
          return rows;
        });
  }

  private static Rows<FailureRow> failures(RunReport r) {
    return Rows.perAccount(r.accounts(), (i, a) -> failures(a));
  }

  private static List<FailureRow> failures(AccountReport a) {
    List<FailureRow> rows = new ArrayList<>();
    if (a.status() == AccountStatus.FAILED || a.status() == AccountStatus.NOT_REACHED) {
      rows.add(new FailureRow(a.accountId(), "", a.status().name(), a.reason()));
    }
    if (!a.usersNotReached().isEmpty()) {
      rows.add(
          new FailureRow(
              a.accountId(),
              String.join(", ", a.usersNotReached()),
              AccountStatus.NOT_REACHED.name(),
              "left for the next run: the deadline came"));
    }
    for (UserReport u : a.users()) {
      for (DecisionReport d : u.decisions()) {
        if (d.outcome() == Outcome.FAILED || d.outcome() == Outcome.SKIPPED) {
          rows.add(
              new FailureRow(
                  a.accountId(),
                  u.userName(),
                  label(d) + " " + d.outcome().name(),
                  d.error().isEmpty() ? d.reason() : d.error()));
        }
      }
      for (String note : u.notes()) {
        rows.add(new FailureRow(a.accountId(), u.userName(), "note", note));
      }
      if (u.notificationsLost() > 0) {
        rows.add(
            new FailureRow(
                a.accountId(),
                u.userName(),
                "notifications lost",
                u.notificationsLost() + " message(s) SNS refused after retries"));
      }
    }
    return rows;
  }

  private static List<NextActionRow> nextActions(ReportSummary s) {
    return s.nextActions().stream()
        .map(
            n ->
                new NextActionRow(
                    n.dueInDays(),
                    n.dueOn(),
                    n.accountId(),
                    n.userName(),
                    n.keyId(),
                    n.action().name(),
                    n.reason()))
        .toList();
  }

  // ------------------------------------------------------------------ accounts in detail

  private static Rows<AccountDetail> accounts(RunReport r) {
    return Rows.perAccount(r.accounts(), (i, a) -> List.of(account(a)));
  }

  private static AccountDetail account(AccountReport a) {
    List<PolicyValue> policy = new ArrayList<>();
    for (Map.Entry<String, String> e :
        new TreeMap<>(a.policy().map(ReportText::policyValues).orElse(Map.of())).entrySet()) {
      policy.add(
          new PolicyValue(
              e.getKey(), e.getValue(), a.policySources().getOrDefault(e.getKey(), "?")));
    }
    List<UserRow> users =
        a.users().stream().limit(HtmlReport.MAX_DETAIL_USERS).map(HtmlViewBuilder::user).toList();
    return new AccountDetail(
        a.accountId(),
        a.accountName(),
        a.status().name(),
        a.ouPath().isEmpty() ? "-" : a.ouPath(),
        a.mode().map(Mode::label).orElse("-"),
        a.usersScanned(),
        a.reason(),
        policy,
        users,
        a.users().size());
  }

  private static UserRow user(UserReport u) {
    List<KeyLine> keys =
        u.keys().stream()
            .map(
                k ->
                    new KeyLine(
                        k.keyId(),
                        k.status().iamName(),
                        k.ageDays(),
                        k.lastUsed()
                            .map(
                                t ->
                                    "used "
                                        + t
                                        + where(k)
                                        + k.firstUseSeen()
                                            .map(f -> ", first seen used " + f.seenAt())
                                            .orElse(""))
                            .orElse("never used")))
            .toList();
    List<DecisionLine> decisions =
        u.decisions().stream()
            .map(
                d ->
                    new DecisionLine(
                        d.outcome().name(), label(d), d.keyId(), d.reason(), d.error()))
            .toList();
    return new UserRow(
        u.userName(),
        u.owner(),
        keys,
        decisions,
        u.notes(),
        u.incident().map(IncidentReport::line).orElse(""));
  }

  // ------------------------------------------------------------------ wording

  private static String statusBreakdown(Map<String, Integer> byStatus) {
    List<String> parts = new ArrayList<>();
    byStatus.forEach(
        (k, v) -> {
          if (v > 0) {
            parts.add(v + " " + k.toLowerCase(Locale.ROOT).replace('_', '-'));
          }
        });
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String actions(Map<String, Long> m) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(m).forEach((k, v) -> parts.add(v + " " + k.toLowerCase(Locale.ROOT)));
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static String label(DecisionReport d) {
    return ReportText.action(d);
  }

  private static String shortSha(String sha) {
    return sha == null ? "" : sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
  }

  /** {@code (sts, us-east-1)} for a key whose last use's service or region is known. */
  private static String where(KeyReport k) {
    List<String> parts = new ArrayList<>();
    if (!k.lastUsedService().isEmpty()) {
      parts.add(k.lastUsedService());
    }
    if (!k.lastUsedRegion().isEmpty()) {
      parts.add(k.lastUsedRegion());
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }
}
