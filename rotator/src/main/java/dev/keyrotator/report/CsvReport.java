package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Mode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The run report as CSV (RFC 4180: CRLF line ends, a header row, fields with a comma, quote or line
 * break quoted, quotes doubled), for spreadsheets and Athena.
 *
 * <p>One row per key ({@code row_type} {@code key}; a key this run created is {@code new_key}). So
 * that nothing disappears, a user without keys gets one {@code user} row, and an account without
 * users (failed, skipped, not reached, or empty) one {@code account} row. Decisions about a key are
 * on its row; several are joined with {@code " | "}. A user's decisions about no key (a failed
 * read, a marker cleared) go on that user's first row.
 *
 * <p>Text that a spreadsheet would run as a formula (starting with {@code = + - @}, a tab or a
 * carriage return) is prefixed with a single quote; numbers are left as they are.
 */
public final class CsvReport {

  public static final List<String> COLUMNS =
      List.of(
          "run_id",
          "run_started_at",
          "run_mode",
          "row_type",
          "account_id",
          "account_name",
          "ou_path",
          "account_status",
          "account_mode",
          "account_reason",
          "create_after_days",
          "deactivate_after_days",
          "delete_after_days",
          "user_name",
          "owner",
          "exempt",
          "key_id",
          "key_status",
          "key_age_days",
          "key_created",
          "key_last_used",
          "actions",
          "warnings",
          "outcomes",
          "reasons",
          "secret_arn",
          "errors",
          "notes",
          "incident_reason",
          "incident_event_id",
          "incident_reported_at",
          "incident_new_key_stored_at",
          "incident_key_inactive_at",
          "incident_deactivation_scheduled_at",
          "incident_quarantine_policy_attached",
          "key_last_used_service",
          "key_last_used_region",
          "key_first_seen_used_at");

  private static final String SEP = " | ";

  private CsvReport() {}

  public static String render(RunReport r) {
    StringWriter out = new StringWriter(16_384);
    try {
      write(r, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render report", e);
    }
    return out.toString();
  }

  /** Writes the rows to {@code out} account by account, user by user. Does not close it. */
  public static void write(RunReport r, Writer out) throws IOException {
    row(out, COLUMNS);
    for (AccountReport a : r.accounts()) {
      ReportSummary.Thresholds t = ReportSummary.Thresholds.of(a);
      List<String> account =
          List.of(
              r.runId(),
              r.startedAt().toString(),
              r.mode(),
              "",
              a.accountId(),
              a.accountName(),
              a.ouPath(),
              a.status().name(),
              a.mode().map(Mode::label).orElse(""),
              a.reason(),
              num(t.create()),
              num(t.deactivate()),
              num(t.delete()));
      if (a.users().isEmpty()) {
        List<String> cells = new ArrayList<>(account);
        cells.set(3, "account");
        cells.addAll(blank(COLUMNS.size() - cells.size()));
        row(out, cells);
        continue;
      }
      for (UserReport u : a.users()) {
        List<String> user = new ArrayList<>(account);
        user.add(u.userName());
        user.add(u.owner());
        user.add(String.valueOf(PostRun.exempt(u)));
        userRows(out, user, u);
      }
    }
  }

  private static void userRows(Writer out, List<String> user, UserReport u) throws IOException {
    Set<String> keyIds =
        u.keys().stream()
            .map(KeyReport::keyId)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    List<DecisionReport> unattached =
        u.decisions().stream().filter(d -> d.keyId().isEmpty()).toList();
    List<DecisionReport> newKeys =
        u.decisions().stream()
            .filter(d -> !d.keyId().isEmpty() && !keyIds.contains(d.keyId()))
            .toList();
    boolean first = true;
    for (KeyReport k : u.keys()) {
      List<DecisionReport> mine =
          new ArrayList<>(u.decisions().stream().filter(d -> d.keyId().equals(k.keyId())).toList());
      if (first) {
        mine.addAll(unattached);
      }
      List<String> cells = new ArrayList<>(user);
      cells.set(3, "key");
      cells.addAll(
          List.of(
              k.keyId(),
              k.status().iamName(),
              String.valueOf(k.ageDays()),
              k.created().toString(),
              k.lastUsed().map(Instant::toString).orElse("")));
      decisions(cells, mine, first ? u.notes() : List.of(), k.secretArn());
      incident(cells, u, k.keyId());
      cells.addAll(
          List.of(
              k.lastUsedService(),
              k.lastUsedRegion(),
              k.firstUseSeen().map(f -> f.seenAt().toString()).orElse("")));
      row(out, cells);
      first = false;
    }
    for (DecisionReport d : newKeys) {
      List<String> cells = new ArrayList<>(user);
      boolean created = d.is(Action.CREATE_KEY, Outcome.DONE);
      cells.set(3, created ? "new_key" : "key");
      cells.addAll(List.of(d.keyId(), created ? "Active" : "", created ? "0" : "", "", ""));
      List<DecisionReport> mine = new ArrayList<>(List.of(d));
      if (first) {
        mine.addAll(unattached);
      }
      decisions(cells, mine, first ? u.notes() : List.of(), "");
      incident(cells, u, "");
      cells.addAll(blank(3));
      row(out, cells);
      first = false;
    }
    if (first) {
      List<String> cells = new ArrayList<>(user);
      cells.set(3, "user");
      cells.addAll(blank(5));
      decisions(cells, unattached, u.notes(), "");
      incident(cells, u, "");
      cells.addAll(blank(3));
      row(out, cells);
    }
  }

  private static void decisions(
      List<String> cells, List<DecisionReport> ds, List<String> notes, String keySecretArn) {
    cells.add(join(ds.stream().map(d -> d.action().name()).toList()));
    cells.add(join(ds.stream().flatMap(d -> d.warning().stream()).map(Enum::name).toList()));
    cells.add(join(ds.stream().map(d -> d.outcome().name()).toList()));
    cells.add(join(ds.stream().map(DecisionReport::reason).filter(s -> !s.isEmpty()).toList()));
    List<String> arns = new ArrayList<>();
    if (!keySecretArn.isEmpty()) {
      arns.add(keySecretArn);
    }
    ds.stream().map(DecisionReport::secretArn).filter(s -> !s.isEmpty()).forEach(arns::add);
    cells.add(join(arns));
    cells.add(join(ds.stream().map(DecisionReport::error).filter(s -> !s.isEmpty()).toList()));
    cells.add(join(notes));
  }

  /** The incident columns, filled on the row of the incident's key only. */
  private static void incident(List<String> cells, UserReport u, String keyId) {
    if (u.incident().isEmpty() || !u.incident().get().keyId().equals(keyId) || keyId.isEmpty()) {
      cells.addAll(blank(7));
      return;
    }
    IncidentReport i = u.incident().get();
    cells.add(i.reason());
    cells.add(i.eventId().orElse(""));
    cells.add(i.reportedAt().map(Instant::toString).orElse(""));
    cells.add(i.newKeyStoredAt().map(Instant::toString).orElse(""));
    cells.add(i.keyInactiveAt().map(Instant::toString).orElse(""));
    cells.add(i.deactivationScheduledAt().map(Instant::toString).orElse(""));
    cells.add(i.quarantinePolicyAttached().map(String::valueOf).orElse(""));
  }

  private static String join(List<String> parts) {
    return String.join(SEP, parts);
  }

  private static String num(int n) {
    return n < 0 ? "" : String.valueOf(n);
  }

  private static List<String> blank(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("");
    }
    return out;
  }

  private static void row(Writer out, List<String> cells) throws IOException {
    if (cells.size() != COLUMNS.size()) {
      throw new IllegalStateException(
          "row of " + cells.size() + " cells, expected " + COLUMNS.size());
    }
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(field(cells.get(i)));
    }
    out.write("\r\n");
  }

  /** One field: neutralised against formula injection, then quoted if RFC 4180 needs it. */
  static String field(String raw) {
    String s = raw == null ? "" : raw;
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !s.matches("[+-]?\\d+")) {
      s = "'" + s;
    }
    if (s.indexOf(',') >= 0
        || s.indexOf('"') >= 0
        || s.indexOf('\n') >= 0
        || s.indexOf('\r') >= 0) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
    return s;
  }
}
