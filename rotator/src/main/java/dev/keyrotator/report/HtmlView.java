package dev.keyrotator.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;

/**
 * What the HTML report's templates (src/main/jte) show: texts and numbers, already worded and
 * ordered, and no report type. {@link HtmlViewBuilder} makes them from a run; the templates only
 * place them, and jte escapes every one (see {@link HtmlOutput}).
 */
final class HtmlView {
  private HtmlView() {}

  /** The whole page. */
  record Page(
      String runId,
      String mode,
      String startedAt,
      String finishedAt,
      String policySource,
      String policySha,
      List<Tile> tiles,
      Rows<AccountRow> accountRows,
      Trend trend,
      List<OuRow> ous,
      List<OwnerRow> owners,
      Rows<KeyAges> keyAges,
      Rows<DecisionRow> done,
      Rows<DecisionRow> planned,
      Rows<FailureRow> failures,
      int horizonDays,
      List<NextActionRow> nextActions,
      Rows<AccountDetail> accounts) {}

  /**
   * Rows that grow with the run (one or more per account, user or decision), made one account at a
   * time while the template writes them and dropped once written: the page of a run of any size
   * never holds them all. Each iteration is a new pass over the run's accounts.
   */
  static final class Rows<T> implements Iterable<T> {
    private final List<AccountReport> accounts;
    private final BiFunction<Integer, AccountReport, List<T>> rowsOf;

    private Rows(List<AccountReport> accounts, BiFunction<Integer, AccountReport, List<T>> rowsOf) {
      this.accounts = accounts;
      this.rowsOf = rowsOf;
    }

    /** The rows of each account in turn; {@code rowsOf} gets the account's index and report. */
    static <T> Rows<T> perAccount(
        List<AccountReport> accounts, BiFunction<Integer, AccountReport, List<T>> rowsOf) {
      return new Rows<>(accounts, rowsOf);
    }

    /** No row at all (a pass that stops at the first account with one). */
    boolean isEmpty() {
      return !iterator().hasNext();
    }

    /** Every row in a list (tests, small runs). */
    List<T> toList() {
      List<T> out = new ArrayList<>();
      forEach(out::add);
      return out;
    }

    @Override
    public Iterator<T> iterator() {
      return new Iterator<>() {
        private final Iterator<AccountReport> next = accounts.iterator();
        private int index = -1;
        private Iterator<T> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && next.hasNext()) {
            index++;
            current = rowsOf.apply(index, next.next()).iterator();
          }
          return current.hasNext();
        }

        @Override
        public T next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }
  }

  /** One figure at a glance; {@code tone} is empty, {@code bad} or {@code warn}. */
  record Tile(String name, String value, String detail, String tone) {}

  /** An account's line in the at-a-glance table; {@code oldestAgeDays} -1 when it has no key. */
  record AccountRow(
      String accountId,
      String name,
      String ouPath,
      String status,
      int users,
      int keys,
      int pastDeactivateActive,
      int neverUsed,
      long oldestAgeDays,
      String oldestUser,
      String oldestKeyId,
      String reason) {}

  /**
   * The headline figures against the previous run. {@code found} false: no trend, and {@code note}
   * (or {@code source}, where it was looked for) says why.
   *
   * @param daysBefore whole days between the previous run's start and this one's
   */
  record Trend(
      boolean found,
      String previousRunId,
      String previousStartedAt,
      long daysBefore,
      String source,
      String note,
      boolean policyChanged,
      List<TrendRow> rows) {}

  /**
   * One figure then and now; {@code change} is signed ({@code +2}, {@code -1}, {@code 0}) or {@code
   * -} when either side has no value; {@code tone} is empty, {@code bad} (worse) or {@code good}
   * (better).
   */
  record TrendRow(String figure, String previous, String current, String change, String tone) {}

  /** An OU with the figures of every account at or below it; {@code /} is the organization. */
  record OuRow(
      String path,
      int accounts,
      int accountsFailed,
      int users,
      int keys,
      int pastDeactivateActive,
      long actionsFailed,
      long actionsDone,
      long actionsPlanned) {}

  /**
   * An owner and the keys that need them, most urgent first.
   *
   * @param failed keys whose rotation failed this run
   * @param pastDeactivate keys still active past the deactivate age (exempt users left out)
   * @param warned keys whose owner was warned this run
   */
  record OwnerRow(String owner, int failed, int pastDeactivate, int warned, List<ChaseLine> keys) {}

  /** One key an owner is chased for; {@code why} lists every reason, most urgent first. */
  record ChaseLine(String accountId, String user, String keyId, List<String> why) {}

  /**
   * An account's key-age chart: {@code notScanned} (with its reason), no keys (empty {@code chart})
   * or the chart, of which {@code shownKeys} of {@code totalKeys} are drawn.
   */
  record KeyAges(
      String accountId,
      String name,
      String status,
      boolean notScanned,
      String reason,
      ChartGeometry.Chart chart,
      int shownKeys,
      int totalKeys) {}

  /** A decision carried out or planned; {@code secretArn} only shown for carried-out ones. */
  record DecisionRow(
      String accountId,
      String user,
      String action,
      String keyId,
      String reason,
      String secretArn) {}

  record FailureRow(String accountId, String user, String what, String why) {}

  record NextActionRow(
      long dueInDays,
      String dueOn,
      String accountId,
      String user,
      String keyId,
      String action,
      String reason) {}

  /** An account in detail; {@code users} holds at most {@link HtmlReport#MAX_DETAIL_USERS}. */
  record AccountDetail(
      String accountId,
      String name,
      String status,
      String ouPath,
      String mode,
      int usersScanned,
      String reason,
      List<PolicyValue> policy,
      List<UserRow> users,
      int totalUsers) {}

  /** One effective policy value and the rule that set it. */
  record PolicyValue(String field, String value, String source) {}

  /** {@code incident} is the incident's one line (rotate-now), empty when there is none. */
  record UserRow(
      String name,
      String owner,
      List<KeyLine> keys,
      List<DecisionLine> decisions,
      List<String> notes,
      String incident) {}

  /** {@code lastUsed} reads "never used" or "used" and the time. */
  record KeyLine(String keyId, String status, long ageDays, String lastUsed) {}

  /** {@code keyId} and {@code error} are empty when there is none. */
  record DecisionLine(String outcome, String action, String keyId, String reason, String error) {}
}
