package dev.keyrotator.report;

import dev.keyrotator.policy.Mode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run report as one self-contained HTML page for people: inline CSS, inline SVG charts, no
 * script, no external resource (a Content-Security-Policy forbids any). Every text from the report
 * is HTML-escaped. Sections (by id): {@code at-a-glance}, {@code key-ages}, {@code changes},
 * {@code failures}, {@code next-actions}, {@code accounts}.
 */
public final class HtmlReport {

  /** The ids of the page's sections, in order. */
  public static final List<String> SECTIONS = List.of(
      "at-a-glance", "key-ages", "changes", "failures", "next-actions", "accounts");

  /** At most this many keys are drawn per account chart (the oldest). */
  static final int MAX_CHART_KEYS = 40;
  /** At most this many users are listed per account in the details. */
  static final int MAX_DETAIL_USERS = 500;

  private static final String CSS = """
      :root{--ok:#2e7d32;--due:#f9a825;--late:#c62828;--off:#9e9e9e;--ink:#1f2933;--line:#d9dee3}
      *{box-sizing:border-box}
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
        color:var(--ink);margin:0;background:#f5f7f9}
      header{background:#233044;color:#fff;padding:18px 28px}
      header h1{margin:0 0 4px;font-size:22px}
      header p{margin:0;opacity:.85}
      main{padding:8px 28px 40px;max-width:1240px}
      section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;
        margin:16px 0}
      h2{font-size:18px;margin:0 0 10px}
      h3{font-size:15px;margin:14px 0 6px}
      .tiles{display:flex;flex-wrap:wrap;gap:10px}
      .tile{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:150px}
      .tile b{display:block;font-size:22px}
      .tile.bad b{color:var(--late)}
      .tile.warn b{color:#b26a00}
      table{border-collapse:collapse;width:100%;margin:6px 0}
      th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
      th{background:#eef1f4;font-weight:600}
      td.num,th.num{text-align:right}
      code{font:12px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
      td:first-child code{white-space:nowrap;word-break:normal}
      .st{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;font-weight:600}
      .st-DONE{background:#e3f2e5;color:var(--ok)}
      .st-DRY_RUN,.st-REPORT_ONLY,.st-PLANNED{background:#e8eefc;color:#2a4aa8}
      .st-SKIPPED,.st-NOT_REACHED,.st-NONE{background:#eee;color:#555}
      .st-FAILED{background:#fde7e7;color:var(--late)}
      .muted{color:#667}
      .legend span{margin-right:14px}
      .sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
      svg{display:block;max-width:100%;height:auto}
      svg text{font:11px system-ui,sans-serif;fill:#1f2933}
      """;

  private HtmlReport() {}

  public static String render(RunReport r) {
    return render(r, ReportSummary.of(r));
  }

  /** The page for {@code r}, whose summary {@code s} the caller computed once. */
  public static String render(RunReport r, ReportSummary s) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
        .append("style-src 'unsafe-inline'; img-src data:\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>Access key rotation report ").append(esc(r.runId())).append("</title>\n")
        .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
    h.append("<header><h1>Access key rotation report</h1><p>Run <code>").append(esc(r.runId()))
        .append("</code> &middot; mode ").append(esc(r.mode())).append(" &middot; ")
        .append(esc(r.startedAt().toString())).append(" to ").append(esc(r.finishedAt().toString()))
        .append(" &middot; policy ").append(esc(r.policySource())).append(" (sha256 <code>")
        .append(esc(shortSha(r.policySha256()))).append("</code>)</p></header>\n<main>\n");
    glance(h, r, s);
    keyAges(h, r);
    changes(h, r);
    failures(h, r);
    nextActions(h, s);
    accounts(h, r);
    h.append("</main>\n</body>\n</html>\n");
    return h.toString();
  }

  // ------------------------------------------------------------------ sections

  private static void glance(StringBuilder h, RunReport r, ReportSummary s) {
    ReportSummary.Totals t = s.totals();
    ReportSummary.Compliance c = s.compliance();
    h.append("<section id=\"at-a-glance\"><h2>Organization at a glance</h2>\n<div class=\"tiles\">");
    tile(h, "Accounts", String.valueOf(t.accounts()), statusBreakdown(t.accountsByStatus()), "");
    tile(h, "Accounts failed", String.valueOf(c.accountsFailed().size()),
        c.accountsFailed().isEmpty() ? "none" : String.join(", ", c.accountsFailed()),
        c.accountsFailed().isEmpty() ? "" : "bad");
    tile(h, "Users scanned", String.valueOf(t.usersScanned()),
        t.usersFailed() + " failed, " + t.usersExempt() + " exempt, " + t.usersNotReached()
            + " not reached", t.usersFailed() > 0 ? "bad" : "");
    tile(h, "Keys after the run", String.valueOf(c.activeKeys() + c.inactiveKeys()),
        c.activeKeys() + " active, " + c.inactiveKeys() + " inactive", "");
    tile(h, "Active keys past deactivate age", String.valueOf(c.keysPastDeactivateAgeActive()),
        c.keysPastDeactivateAgeActiveExempt() + " of them exempt",
        c.keysPastDeactivateAgeActive() > c.keysPastDeactivateAgeActiveExempt() ? "warn" : "");
    tile(h, "Keys never used", String.valueOf(c.keysNeverUsed()), "active or inactive",
        c.keysNeverUsed() > 0 ? "warn" : "");
    tile(h, "Oldest active key",
        c.oldestActiveKeyAgeDays() < 0 ? "-" : c.oldestActiveKeyAgeDays() + " d", "in days", "");
    tile(h, "Changes made", String.valueOf(sum(t.actionsDone())), actions(t.actionsDone()), "");
    tile(h, "Planned only", String.valueOf(sum(t.actionsPlanned())), actions(t.actionsPlanned()),
        "");
    tile(h, "Actions failed", String.valueOf(t.actionsFailed()),
        t.actionsSkipped() + " skipped after a failure", t.actionsFailed() > 0 ? "bad" : "");
    tile(h, "AWS calls", String.valueOf(t.awsCalls()), t.awsRetries() + " retries, "
        + t.awsThrottled() + " throttled, " + t.awsFailed() + " failed",
        t.awsThrottled() > 0 ? "warn" : "");
    h.append("</div>\n<h3>Per account</h3>\n<table><thead><tr><th>Account</th><th>Name</th>")
        .append("<th>OU path</th><th>Status</th><th class=\"num\">Users</th>")
        .append("<th class=\"num\">Keys</th><th class=\"num\">Past deactivate age, active</th>")
        .append("<th class=\"num\">Never used</th><th>Oldest key</th><th>Reason</th></tr>")
        .append("</thead><tbody>\n");
    for (int i = 0; i < r.accounts().size(); i++) {
      AccountReport a = r.accounts().get(i);
      ReportSummary.AccountCompliance ac = c.accounts().get(i);
      h.append("<tr><td><code>").append(esc(a.accountId())).append("</code></td><td>")
          .append(esc(a.accountName())).append("</td><td>").append(esc(a.ouPath()))
          .append("</td><td>").append(status(a.status().name())).append("</td><td class=\"num\">")
          .append(a.usersScanned()).append("</td><td class=\"num\">").append(ac.keys())
          .append("</td><td class=\"num\">").append(ac.keysPastDeactivateAgeActive())
          .append("</td><td class=\"num\">").append(ac.keysNeverUsed()).append("</td><td>")
          .append(ac.oldestKeyAgeDays() < 0 ? "-" : ac.oldestKeyAgeDays() + " d, "
              + esc(ac.oldestKeyUser()) + " <code>" + esc(ac.oldestKeyId()) + "</code>")
          .append("</td><td>").append(esc(a.reason())).append("</td></tr>\n");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void keyAges(StringBuilder h, RunReport r) {
    h.append("<section id=\"key-ages\"><h2>Key ages against the policy</h2>\n")
        .append("<p class=\"legend muted\"><span><i class=\"sw\" style=\"background:#2e7d32\">")
        .append("</i>active, young</span><span><i class=\"sw\" style=\"background:#f9a825\"></i>")
        .append("active, rotation due</span><span><i class=\"sw\" style=\"background:#c62828\">")
        .append("</i>active, past deactivate age</span><span><i class=\"sw\" ")
        .append("style=\"background:#9e9e9e\"></i>inactive</span><span>dashed lines: create, ")
        .append("deactivate and delete ages of the account's policy</span></p>\n");
    List<PostRun.Key> all = PostRun.keys(r);
    for (AccountReport a : r.accounts()) {
      h.append("<h3>").append(esc(a.accountId())).append(" ").append(esc(a.accountName()))
          .append(" ").append(status(a.status().name())).append("</h3>\n");
      ReportSummary.Thresholds t = ReportSummary.Thresholds.of(a);
      List<PostRun.Key> keys = all.stream().filter(k -> k.account() == a)
          .sorted(Comparator.comparingLong(PostRun.Key::ageDays).reversed()
              .thenComparing(PostRun.Key::userName).thenComparing(PostRun.Key::keyId))
          .toList();
      if (a.users().isEmpty() && (a.status() == AccountStatus.FAILED
          || a.status() == AccountStatus.SKIPPED || a.status() == AccountStatus.NOT_REACHED)) {
        h.append("<p class=\"muted\">Not scanned: ").append(esc(a.reason())).append("</p>\n");
        continue;
      }
      if (keys.isEmpty()) {
        h.append("<p class=\"muted\">No access keys.</p>\n");
        continue;
      }
      chart(h, a, t, keys);
    }
    h.append("</section>\n");
  }

  private static void chart(StringBuilder h, AccountReport a, ReportSummary.Thresholds t,
      List<PostRun.Key> keys) {
    List<PostRun.Key> shown = keys.size() > MAX_CHART_KEYS ? keys.subList(0, MAX_CHART_KEYS)
        : keys;
    long maxAge = keys.get(0).ageDays();
    long top = Math.max(maxAge, Math.max(t.delete(), Math.max(t.deactivate(), t.create())));
    long scaleMax = Math.max(30, ((top * 11 / 10) / 30 + 1) * 30);
    int labelW = 310;
    int plotW = 560;
    int rowH = 18;
    int topPad = 26;
    int height = topPad + shown.size() * rowH + 24;
    int width = labelW + plotW + 20;
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width)
        .append(' ').append(height).append("\" role=\"img\" aria-label=\"Key ages in account ")
        .append(esc(a.accountId())).append("\">\n<title>Key ages in account ")
        .append(esc(a.accountId())).append("</title>\n");
    // axis ticks every 30 days
    for (long d = 0; d <= scaleMax; d += 30) {
      double x = labelW + plotW * (double) d / scaleMax;
      h.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(topPad - 4)
          .append("\" x2=\"").append(fmt(x)).append("\" y2=\"").append(height - 20)
          .append("\" stroke=\"#eceff1\"/>")
          .append("<text x=\"").append(fmt(x)).append("\" y=\"").append(height - 6)
          .append("\" text-anchor=\"middle\">").append(d).append("</text>\n");
    }
    for (int i = 0; i < shown.size(); i++) {
      PostRun.Key k = shown.get(i);
      int y = topPad + i * rowH;
      double w = Math.max(1, plotW * (double) Math.min(k.ageDays(), scaleMax) / scaleMax);
      String color = !k.active() ? "#9e9e9e"
          : t.deactivate() >= 0 && k.ageDays() >= t.deactivate() ? "#c62828"
          : t.create() >= 0 && k.ageDays() >= t.create() ? "#f9a825" : "#2e7d32";
      String label = trim(k.userName(), 22) + " " + k.keyId() + (k.exempt() ? " (exempt)" : "");
      h.append("<text x=\"").append(labelW - 6).append("\" y=\"").append(y + 13)
          .append("\" text-anchor=\"end\">").append(esc(label)).append("</text>")
          .append("<rect x=\"").append(labelW).append("\" y=\"").append(y + 3)
          .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(rowH - 6)
          .append("\" fill=\"").append(color).append("\"><title>")
          .append(esc(k.userName() + " " + k.keyId() + ": " + k.ageDays() + " days, "
              + (k.active() ? "active" : "inactive") + (k.neverUsed() ? ", never used" : "")))
          .append("</title></rect>")
          .append("<text x=\"").append(fmt(labelW + w + 4)).append("\" y=\"").append(y + 13)
          .append("\">").append(k.ageDays()).append("</text>\n");
    }
    threshold(h, "create", t.create(), scaleMax, labelW, plotW, topPad, height, "#b26a00");
    threshold(h, "deactivate", t.deactivate(), scaleMax, labelW, plotW, topPad, height,
        "#c62828");
    threshold(h, "delete", t.delete(), scaleMax, labelW, plotW, topPad, height, "#6d1b1b");
    h.append("</svg>\n");
    if (shown.size() < keys.size()) {
      h.append("<p class=\"muted\">The ").append(shown.size()).append(" oldest of ")
          .append(keys.size()).append(" keys are drawn; report.csv lists them all.</p>\n");
    }
  }

  private static void threshold(StringBuilder h, String name, int days, long scaleMax,
      int labelW, int plotW, int topPad, int height, String color) {
    if (days < 0) {
      return;
    }
    double x = labelW + plotW * (double) days / scaleMax;
    int labelY = switch (name) {
      case "create" -> 10;
      case "deactivate" -> 21;
      default -> 10;
    };
    String anchor = name.equals("delete") ? "start" : "end";
    double labelX = name.equals("delete") ? x + 3 : x - 3;
    h.append("<line x1=\"").append(fmt(x)).append("\" y1=\"").append(topPad - 4)
        .append("\" x2=\"").append(fmt(x)).append("\" y2=\"").append(height - 20)
        .append("\" stroke=\"").append(color).append("\" stroke-width=\"1.5\" ")
        .append("stroke-dasharray=\"5 3\"/>")
        .append("<text x=\"").append(fmt(labelX)).append("\" y=\"").append(labelY)
        .append("\" text-anchor=\"").append(anchor).append("\" style=\"fill:").append(color)
        .append("\">").append(name).append(' ').append(days).append("</text>\n");
  }

  private static void changes(StringBuilder h, RunReport r) {
    h.append("<section id=\"changes\"><h2>What changed this run</h2>\n");
    List<String[]> done = new ArrayList<>();
    List<String[]> planned = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          String[] row = {a.accountId(), u.userName(), label(d), d.keyId(), d.reason(),
              d.secretArn()};
          if (d.outcome() == Outcome.DONE) {
            done.add(row);
          } else if (d.outcome() == Outcome.PLANNED) {
            planned.add(row);
          }
        }
      }
    }
    if (done.isEmpty()) {
      h.append("<p>No key or owner was changed or warned.</p>\n");
    } else {
      decisionTable(h, done, "Secret (ARN, never the secret)");
    }
    if (!planned.isEmpty()) {
      h.append("<h3>Planned, not carried out (dry-run, report-only or plan)</h3>\n");
      decisionTable(h, planned, "");
    }
    h.append("</section>\n");
  }

  private static void decisionTable(StringBuilder h, List<String[]> rows, String lastHeader) {
    h.append("<table><thead><tr><th>Account</th><th>User</th><th>Action</th><th>Key</th>")
        .append("<th>Reason</th>");
    if (!lastHeader.isEmpty()) {
      h.append("<th>").append(esc(lastHeader)).append("</th>");
    }
    h.append("</tr></thead><tbody>\n");
    for (String[] row : rows) {
      h.append("<tr><td><code>").append(esc(row[0])).append("</code></td><td>")
          .append(esc(row[1])).append("</td><td>").append(esc(row[2])).append("</td><td><code>")
          .append(esc(row[3])).append("</code></td><td>").append(esc(row[4])).append("</td>");
      if (!lastHeader.isEmpty()) {
        h.append("<td><code>").append(esc(row[5])).append("</code></td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void failures(StringBuilder h, RunReport r) {
    h.append("<section id=\"failures\"><h2>What failed</h2>\n");
    List<String[]> rows = new ArrayList<>();
    for (AccountReport a : r.accounts()) {
      if (a.status() == AccountStatus.FAILED || a.status() == AccountStatus.NOT_REACHED) {
        rows.add(new String[] {a.accountId(), "", a.status().name(), a.reason()});
      }
      if (!a.usersNotReached().isEmpty()) {
        rows.add(new String[] {a.accountId(), String.join(", ", a.usersNotReached()),
            "NOT_REACHED", "left for the next run: the deadline came"});
      }
      for (UserReport u : a.users()) {
        for (DecisionReport d : u.decisions()) {
          if (d.outcome() == Outcome.FAILED) {
            rows.add(new String[] {a.accountId(), u.userName(), label(d) + " FAILED",
                d.error().isEmpty() ? d.reason() : d.error()});
          } else if (d.outcome() == Outcome.SKIPPED) {
            rows.add(new String[] {a.accountId(), u.userName(), label(d) + " SKIPPED",
                d.error().isEmpty() ? d.reason() : d.error()});
          }
        }
        for (String note : u.notes()) {
          rows.add(new String[] {a.accountId(), u.userName(), "note", note});
        }
        if (u.notificationsLost() > 0) {
          rows.add(new String[] {a.accountId(), u.userName(), "notifications lost",
              u.notificationsLost() + " message(s) SNS refused after retries"});
        }
      }
    }
    if (rows.isEmpty()) {
      h.append("<p>Nothing failed.</p>\n");
    } else {
      h.append("<table><thead><tr><th>Account</th><th>User</th><th>What</th><th>Why</th></tr>")
          .append("</thead><tbody>\n");
      for (String[] row : rows) {
        h.append("<tr><td><code>").append(esc(row[0])).append("</code></td><td>")
            .append(esc(row[1])).append("</td><td>").append(esc(row[2])).append("</td><td>")
            .append(esc(row[3])).append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("</section>\n");
  }

  private static void nextActions(StringBuilder h, ReportSummary s) {
    h.append("<section id=\"next-actions\"><h2>Next actions due</h2>\n<p class=\"muted\">")
        .append("Due within ").append(s.nextActionsHorizonDays())
        .append(" days, from key ages and each account's thresholds; exempt users are left out. ")
        .append("A key still in use gets a warning instead of a deactivation.</p>\n");
    if (s.nextActions().isEmpty()) {
      h.append("<p>No action due.</p>\n");
    } else {
      h.append("<table><thead><tr><th class=\"num\">In days</th><th>Due on</th><th>Account</th>")
          .append("<th>User</th><th>Key</th><th>Action</th><th>Why</th></tr></thead><tbody>\n");
      for (ReportSummary.NextAction n : s.nextActions()) {
        h.append("<tr><td class=\"num\">").append(n.dueInDays()).append("</td><td>")
            .append(esc(n.dueOn())).append("</td><td><code>").append(esc(n.accountId()))
            .append("</code></td><td>").append(esc(n.userName())).append("</td><td><code>")
            .append(esc(n.keyId())).append("</code></td><td>").append(esc(n.action().name()))
            .append("</td><td>").append(esc(n.reason())).append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("</section>\n");
  }

  private static void accounts(StringBuilder h, RunReport r) {
    h.append("<section id=\"accounts\"><h2>Accounts in detail</h2>\n");
    for (AccountReport a : r.accounts()) {
      h.append("<h3 id=\"account-").append(esc(a.accountId())).append("\">")
          .append(esc(a.accountId())).append(" ").append(esc(a.accountName())).append(" ")
          .append(status(a.status().name())).append("</h3>\n<p>OU path ")
          .append(esc(a.ouPath().isEmpty() ? "-" : a.ouPath())).append(" &middot; mode ")
          .append(esc(a.mode().map(Mode::label).orElse("-"))).append(" &middot; ")
          .append(a.usersScanned()).append(" users scanned")
          .append(a.reason().isEmpty() ? "" : " &middot; " + esc(a.reason())).append("</p>\n");
      if (a.policy().isPresent()) {
        h.append("<p class=\"muted\">Policy: ");
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(a.policy().map(ReportText::policyValues).orElse(Map.of())).entrySet()) {
          h.append(first ? "" : "; ").append(esc(e.getKey())).append(" <b>")
              .append(esc(e.getValue())).append("</b> (")
              .append(esc(a.policy().map(PolicyInForce::sources).orElse(Map.of())
                  .getOrDefault(e.getKey(), "?"))).append(')');
          first = false;
        }
        h.append("</p>\n");
      }
      if (a.users().isEmpty()) {
        continue;
      }
      h.append("<table><thead><tr><th>User</th><th>Owner</th><th>Keys (status, age, last used)")
          .append("</th><th>Decisions</th></tr></thead><tbody>\n");
      int n = 0;
      for (UserReport u : a.users()) {
        if (n++ >= MAX_DETAIL_USERS) {
          break;
        }
        h.append("<tr><td>").append(esc(u.userName())).append("</td><td>").append(esc(u.owner()))
            .append("</td><td>");
        if (u.keys().isEmpty()) {
          h.append("<span class=\"muted\">none</span>");
        }
        for (KeyReport k : u.keys()) {
          h.append("<code>").append(esc(k.keyId())).append("</code> ").append(esc(k.status().iamName()))
              .append(", ").append(k.ageDays()).append(" d, ")
              .append(esc(k.lastUsed().map(t -> "used " + t).orElse("never used")))
              .append("<br>");
        }
        h.append("</td><td>");
        for (DecisionReport d : u.decisions()) {
          h.append(status(d.outcome().name())).append(' ').append(esc(label(d)))
              .append(d.keyId().isEmpty() ? "" : " <code>" + esc(d.keyId()) + "</code>")
              .append(": ").append(esc(d.reason()))
              .append(d.error().isEmpty() ? "" : " &mdash; " + esc(d.error())).append("<br>");
        }
        for (String note : u.notes()) {
          h.append("<span class=\"muted\">").append(esc(note)).append("</span><br>");
        }
        h.append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
      if (a.users().size() > MAX_DETAIL_USERS) {
        h.append("<p class=\"muted\">").append(MAX_DETAIL_USERS).append(" of ")
            .append(a.users().size()).append(" users shown; report.csv lists them all.</p>\n");
      }
    }
    h.append("</section>\n");
  }

  // ------------------------------------------------------------------ helpers

  private static void tile(StringBuilder h, String name, String value, String detail,
      String cls) {
    h.append("<div class=\"tile").append(cls.isEmpty() ? "" : " " + cls).append("\"><b>")
        .append(esc(value)).append("</b>").append(esc(name)).append("<br><span class=\"muted\">")
        .append(esc(detail)).append("</span></div>");
  }

  private static String statusBreakdown(Map<String, Integer> byStatus) {
    List<String> parts = new ArrayList<>();
    byStatus.forEach((k, v) -> {
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

  private static String status(String s) {
    return "<span class=\"st st-" + esc(s) + "\">" + esc(s) + "</span>";
  }

  private static String shortSha(String sha) {
    return sha == null ? "" : sha.length() > 12 ? sha.substring(0, 12) : sha;
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  /** HTML-escapes text for element content and quoted attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t') {
            out.append(' ');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
