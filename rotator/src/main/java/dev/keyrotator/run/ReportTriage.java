package dev.keyrotator.run;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.DeferredDeactivation;
import dev.keyrotator.policy.FirstUse;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.policy.Thresholds;
import dev.keyrotator.policy.UserPlan;
import dev.keyrotator.policy.UserState;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.CredentialReport.ReportedKey;
import dev.keyrotator.ports.CredentialReport.ReportedUser;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.KeyReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.UserReport;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from the account's credential report and its bulk user listing
 * (GetAccountAuthorizationDetails), which users certainly need nothing today, so that only the
 * others are read one by one ({@code UserKeys.read} and the vault, fresh, right before acting).
 *
 * <h2>Why a user that is settled here needs nothing</h2>
 *
 * A settled user's plan is made by the real {@link Planner} from a provisional state. That state
 * differs from what a per-user read would give in the keys only: user facts (path, tags, groups),
 * the marker and the per-key history come from GetAccountAuthorizationDetails, read moments ago.
 * The keys come from the report, which IAM generated up to four hours ago, without key ids and with
 * times to the second. A user is settled only when none of the following holds; each rule closes
 * one way the provisional plan could be quieter than the real one:
 *
 * <ol>
 *   <li><b>A marker</b>, or a state tag of the rotator's that does not parse: repair needs the key
 *       ids and the vault. Read. (Per-key history alone is not a reason: see below.) So is a
 *       <b>deadline of {@code rotate-now --deactivate after:N}</b> in any key's history: it acts on
 *       a key of any age.
 *   <li><b>More history entries than the report has keys</b>: at least one names a key that no
 *       longer exists, and the per-user run removes such tags (they must not pile up against IAM's
 *       50 tags per user). Read.
 *   <li><b>Not in the report, or created at another time</b> than the report says: the user was
 *       created (or deleted and created again) after the report. Read.
 *   <li><b>Exempt</b> (by facts read just now): the planner looks at nothing else, so the plan is
 *       exact. Settled.
 *   <li><b>An inactive key</b>: it may have been switched on again since the report, which would
 *       make it due for rotation; and the planner deletes old inactive keys. Read.
 *   <li><b>A key created within the last day</b> (the marker window, clock skew, and a report that
 *       was generated moments after a create). Read.
 *   <li><b>An active key at or past the first age at which the planner acts on any key</b>: the
 *       smallest of {@code createAfterDays}, {@code deactivateAfterDays} minus the longest reminder
 *       and {@code forceDeactivateAfterDays}, computed with the user's own (tag-shortened)
 *       thresholds. A key created after the report would make such a key "older than the newest"
 *       and due for a reminder or deactivation although the provisional plan sees it as the newest
 *       key. Read.
 *   <li><b>The provisional plan has any decision other than NOTHING or EXEMPT</b>. Read.
 * </ol>
 *
 * <p>"Read" in rules 3 and 5 to 8 means: judged again from the report with history, when the report
 * was generated during this run and every history names its key's creation time ({@link
 * #fromFreshReport}); otherwise (or when that plan is not quiet) the keys are listed first, one
 * ListAccessKeys, and judged again ({@link #judgeListed}); only a user that still needs something
 * is read one by one. A run that writes also reads a user holding two active keys whose newest key
 * was used and whose first use is not recorded yet, and a user whose history does not name its
 * key's creation (once: the run then writes it).
 *
 * <p>What remains: every key is active, younger than any age the policy acts on, and older than a
 * day. Changes since the report can only be: a key deleted (fewer keys, fewer actions), a key
 * created (it is younger; the others stay below every threshold, rule 7), a key deactivated (an
 * inactive key below {@code deleteAfterDays} with no history is not acted on unless a create is
 * due, which rule 7 excludes), last use moving later (last use matters only from {@code
 * deactivateAfterDays} on, excluded by rule 7). Report times are truncated to the second, which
 * makes keys look older, never younger. So a settled user's real plan is NOTHING too, apart from
 * the key ids in its text.
 *
 * <h2>Why history does not need key ids here</h2>
 *
 * The planner reads a key's history (warned, deactivated) in three places only: the recovery window
 * of an <em>inactive</em> key (at or past {@code deleteAfterDays}, or in the way of a due create);
 * the warning interval of an active key at or past {@code deactivateAfterDays} (or the newest key
 * when a create is due and two active keys block it); and reminders, from {@code
 * deactivateAfterDays} minus the longest reminder on. For the keys in the report, rules 5 and 7
 * exclude all three (no inactive key; every key below the first action age, which is at most {@code
 * createAfterDays} &lt; {@code deactivateAfterDays} &le; {@code deleteAfterDays}). A key created
 * since the report is under a day old; a key deactivated since is below {@code deleteAfterDays}
 * while no create is due. So the history of a settled user is never consulted, and it does not
 * matter which report slot it belongs to: the report's slots are <em>not</em> mapped to key ids
 * (they could only be guessed), the provisional state carries no history, and the plan is the same
 * as with it. History of keys that no longer exist is never consulted either (key ids are not
 * reused); it is removed when the user is next read, which rule 2 forces as soon as it outnumbers
 * the keys, so a settled user carries at most two history tags. The key ids themselves are not
 * known: the report names keys {@code access_key_1} and {@code access_key_2}.
 */
final class ReportTriage {

  /** A report older than this is not used (IAM regenerates one that is four hours old). */
  static final Duration MAX_REPORT_AGE = Duration.ofHours(12);

  /** Keys created this recently are always read (rule 6). */
  static final Duration RECENT_KEY = Duration.ofDays(1);

  /**
   * Either a finished report entry, or a reason to read the user one by one. With {@code known},
   * the user's keys are listed first (ListAccessKeys, one call) and judged again by {@link
   * #judgeListed}; the per-user read then reuses what the bulk read gave (facts, marker, history).
   */
  record Verdict(
      String user,
      Optional<UserReport> settled,
      String readBecause,
      Optional<UserDetails> known,
      Optional<FirstUseRecord> record) {
    Verdict(
        String user,
        Optional<UserReport> settled,
        String readBecause,
        Optional<UserDetails> known) {
      this(user, settled, readBecause, known, Optional.empty());
    }

    boolean needsRead() {
      return settled.isEmpty();
    }

    boolean listFirst() {
      return settled.isEmpty() && known.isPresent();
    }

    /** Read one by one, or settled with a tag to write first. */
    boolean needsTurn() {
      return needsRead() || record.isPresent();
    }
  }

  /**
   * The first use of a settled user's new key, to be written (one TagUser) before its report entry
   * counts: {@code recorded} is that entry once written ({@code settled} stays the entry when the
   * write fails).
   */
  record FirstUseRecord(String keyId, KeyHistory history, UserReport recorded) {}

  private final Planner planner;
  private final RotationPolicy policy;
  private final CredentialReport report;
  private final Instant now;
  private final Owners owners;
  private final dev.keyrotator.ports.Account account;

  /** Whether the report was generated during this run (see {@link #FRESH_SKEW}). */
  private final boolean fresh;

  /** Whether this run writes (the first use of a new key, history tied to its key). */
  private final boolean writes;

  /**
   * A report generated at most this long before the run started still counts as generated during
   * it: the tolerated difference between IAM's clock and this one.
   */
  static final Duration FRESH_SKEW = Duration.ofMinutes(5);

  ReportTriage(Planner planner, RotationPolicy policy, CredentialReport report, Instant now)
      throws ScanUnavailableException {
    this(
        planner,
        policy,
        report,
        now,
        Owners.DEFAULT,
        dev.keyrotator.ports.Account.standalone(""),
        now);
  }

  /**
   * @param owners who a settled user's report names as owner
   * @param account the account, for its default owner tag
   * @param runStarted when the run began: a report generated since (or {@link #FRESH_SKEW} before)
   *     is as good as a read of every user during this run
   * @throws ScanUnavailableException when the report is too old to judge from
   */
  ReportTriage(
      Planner planner,
      RotationPolicy policy,
      CredentialReport report,
      Instant now,
      Owners owners,
      dev.keyrotator.ports.Account account,
      Instant runStarted)
      throws ScanUnavailableException {
    if (report.generated().isBefore(now.minus(MAX_REPORT_AGE))) {
      throw new ScanUnavailableException(
          "the credential report was generated at "
              + report.generated()
              + ", more than "
              + MAX_REPORT_AGE.toHours()
              + " hours ago",
          null);
    }
    this.planner = planner;
    this.policy = policy;
    this.report = report;
    this.now = now;
    this.owners = owners;
    this.account = account;
    this.fresh = !report.generated().isBefore(runStarted.minus(FRESH_SKEW));
    this.writes = policy.mode().mutatesKeys();
  }

  /** Whether the report was generated during this run, so that its keys stand for a fresh list. */
  boolean fresh() {
    return fresh;
  }

  Verdict judge(UserDetails details) {
    String name = details.user().name();
    if (details.marker().isPresent()) {
      return read(name, "carries the rotator's marker");
    }
    if (DeferredDeactivation.anyRecorded(details.history())) {
      return read(name, "has a deactivation scheduled by rotate-now --deactivate after:N");
    }
    if (details.stateTags() && details.history().isEmpty()) {
      return read(name, "carries a state tag of the rotator's that does not parse");
    }
    ReportedUser row = report.users().get(name);
    if (row == null) {
      return list(details, "not in the credential report of " + report.generated());
    }
    if (!sameUser(row, details)) {
      return list(
          details,
          "created at "
              + details.created()
              + ", not at "
              + row.created()
              + " as the credential report says");
    }
    if (details.history().size() > row.keys().size()) {
      return list(
          details,
          "has history for "
              + details.history().size()
              + " keys but "
              + row.keys().size()
              + " keys: stale history is removed");
    }
    List<AccessKey> keys = keysOf(row, Map.of());
    UserState state = new UserState(details.user(), keys, Set.of(), Optional.empty(), Map.of());
    UserPlan plan = planner.plan(state, policy, now);
    if (isOnly(plan, Action.EXEMPT)) {
      return settled(state, plan);
    }
    String because = notQuiet(details, keys, plan);
    if (because.isEmpty()) {
      if (row.keys().size() < 2
          || !firstUseDue(
              keysOf(row, tiedTo(details.history(), row).orElse(Map.of())), details.history())) {
        return settled(state, plan);
      }
      because = "its new key was used: the first use is recorded";
    }
    return fromFreshReport(details, row, because);
  }

  /**
   * Why the provisional state (report keys, no history) cannot settle the user: rules 5 to 8; empty
   * when it can.
   */
  private String notQuiet(UserDetails details, List<AccessKey> keys, UserPlan plan) {
    Thresholds t = policy.thresholdsFor(details.user(), new ArrayList<>());
    long horizon = firstActionAge(t);
    for (AccessKey k : keys) {
      if (!k.isActive()) {
        return "has an inactive key";
      }
      if (k.created().isAfter(now.minus(RECENT_KEY))) {
        return "has a key created less than a day ago";
      }
      if (Planner.ageDays(k, now) >= horizon) {
        return "has a key "
            + Planner.ageDays(k, now)
            + " days old (the policy acts from "
            + horizon
            + " days)";
      }
    }
    return isOnly(plan, Action.NOTHING) ? "" : "its plan has actions";
  }

  /**
   * A user the provisional state cannot settle, judged from the report with its history tied to the
   * report's slots by each key's creation time ({@code created=} in the history tag), when the
   * report was generated during this run. Otherwise, or when a history cannot be tied, its keys are
   * listed first ({@link #judgeListed}).
   *
   * <p>Why that is exact: a report generated during this run is a read of every user's keys made
   * during this run (ids aside), as a ListAccessKeys moments later would be: the account lease
   * keeps other runs of the rotator out, and a change by anyone else after that moment is missed by
   * either read alike (and found by the next run). Each history is tied to exactly one slot, the
   * one created in the same second; any doubt (a history without its key's creation time, one that
   * ties to no slot or to a slot another history or key shares the second of) lists the keys
   * instead. A slot with no history is a key without history, as in a per-user read. So the state
   * differs from a per-user read's only in last use (never later than the truth) and in the ids of
   * keys without history, which no decision reads; the argument of {@link #judgeListed} then
   * applies unchanged. A history carrying a creation time that someone else wrote is no more than a
   * forged history under the key's real id (key ids are not secret): the guardrails SCP keeps both
   * out, and the planner believes no warning dated in the future.
   */
  private Verdict fromFreshReport(UserDetails details, ReportedUser row, String because) {
    if (!fresh) {
      return list(details, because);
    }
    Optional<Map<Integer, String>> tied = tiedTo(details.history(), row);
    if (tied.isEmpty()) {
      return list(details, because);
    }
    List<AccessKey> keys = keysOf(row, tied.get());
    UserState state =
        new UserState(details.user(), keys, Set.of(), Optional.empty(), details.history());
    if (policy.thresholdsFor(details.user(), new ArrayList<>()).retireOldKeyEarly()
        && keys.stream().filter(AccessKey::isActive).count() > 1) {
      return list(details, "two active keys and retireOldKeyEarly: the newer key's use is read");
    }
    UserPlan plan = planner.plan(state, policy, now);
    if (!isQuiet(plan)) {
      return list(details, because);
    }
    if (firstUseDue(keys, details.history())) {
      AccessKey newest = UserRotation.firstUseToRecord(keys, details.history()).orElseThrow();
      if (!tied.get().containsValue(newest.id())) {
        // the new key has no history yet, so no id: its key list names it
        return list(details, "its new key was used: the first use is recorded");
      }
      return withFirstUse(state, plan, newest);
    }
    return settled(state, plan);
  }

  /** The report's keys, each named by the id {@code tied} gives its slot, else by its label. */
  private static List<AccessKey> keysOf(ReportedUser row, Map<Integer, String> tied) {
    List<AccessKey> keys = new ArrayList<>();
    for (ReportedKey k : row.keys()) {
      keys.add(reportedKey(k, tied.getOrDefault(k.slot(), k.label())));
    }
    return keys;
  }

  /**
   * A quiet user whose new key's first use is to be recorded from the report: the report's last use
   * of it (date, service, region) is IAM's as read during this run, as a per-user read would give
   * it, so no call is needed but the TagUser that writes it.
   */
  private Verdict withFirstUse(UserState state, UserPlan plan, AccessKey newest) {
    KeyHistory written =
        state
            .historyOf(newest.id())
            .withFirstUse(FirstUse.of(newest, now))
            .withKeyCreated(newest.created());
    Map<String, KeyHistory> history = new java.util.HashMap<>(state.history());
    history.put(newest.id(), written);
    UserState after =
        new UserState(state.user(), state.keys(), state.storedKeyIds(), state.marker(), history);
    UserReport recorded =
        settled(after, plan).settled().orElseThrow().withNote(UserRotation.firstUseNote(newest));
    Verdict plain = settled(state, plan);
    return new Verdict(
        plain.user(),
        plain.settled(),
        "",
        Optional.empty(),
        Optional.of(new FirstUseRecord(newest.id(), written, recorded)));
  }

  /**
   * Each history's report slot (slot to key id), matched by the key's creation second; empty when
   * any history cannot be tied to exactly one slot.
   */
  static Optional<Map<Integer, String>> tiedTo(Map<String, KeyHistory> history, ReportedUser row) {
    Map<Integer, String> out = new java.util.HashMap<>();
    for (Map.Entry<String, KeyHistory> e : history.entrySet()) {
      Optional<Instant> created = e.getValue().keyCreated();
      if (created.isEmpty()) {
        return Optional.empty();
      }
      Instant second = created.get().truncatedTo(ChronoUnit.SECONDS);
      List<ReportedKey> same =
          row.keys().stream()
              .filter(k -> k.created().truncatedTo(ChronoUnit.SECONDS).equals(second))
              .toList();
      if (same.size() != 1 || out.put(same.get(0).slot(), e.getKey()) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  /**
   * Whether a run that writes must look at this user to record its new key's first use, as {@code
   * UserRotation} does for a user holding two active keys whose newest was used after its creation:
   * the newest key's history has none yet. A key named only by its report label has no history.
   */
  private boolean firstUseDue(List<AccessKey> keys, Map<String, KeyHistory> history) {
    return writes && UserRotation.firstUseToRecord(keys, history).isPresent();
  }

  /** Whether a history names its key's creation time (to the second), as it must to be tied. */
  static boolean tiedToKey(KeyHistory h, AccessKey k) {
    return h.keyCreated().isPresent()
        && h.keyCreated()
            .get()
            .truncatedTo(ChronoUnit.SECONDS)
            .equals(k.created().truncatedTo(ChronoUnit.SECONDS));
  }

  private static AccessKey reportedKey(ReportedKey k, String id) {
    return new AccessKey(
        id,
        k.active() ? KeyStatus.ACTIVE : KeyStatus.INACTIVE,
        k.created(),
        k.lastUsed(),
        k.lastUsedService(),
        k.lastUsedRegion());
  }

  /**
   * A user judged {@link Verdict#listFirst}, again, with its keys just listed (ListAccessKeys: ids,
   * status and creation are fresh) and each key's last use taken from the report's slot created in
   * the same second (none for a key the report does not have). Settled when that state's plan is
   * NOTHING or EXEMPT only; otherwise read one by one (fresh last use, the vault) and acted on.
   *
   * <p>Why that is exact: the state differs from a per-user read only in last use, and the report's
   * last use is never later than the truth (an older report, or a key it does not have: never
   * used). The planner only ever acts <em>more</em> on an earlier last use: an unused key is
   * deactivated where a used one is warned about (both warnings obey the same interval), and an
   * inactive key used recently is kept where an unused one is deleted. So a plan of NOTHING made
   * with earlier last uses is also the plan with the real ones. History is matched by key id,
   * exactly; a history tag of a key that no longer exists sends the user to a per-user read, which
   * removes it. The marker was absent moments ago (else {@link #judge} reads the user), and another
   * run cannot write one meanwhile: the account lease keeps runs apart.
   *
   * <p>One rule acts more on a <em>later</em> last use: early retirement ({@code
   * retireOldKeyEarly}) deactivates an old key once the newer key has been used. So with that rule
   * on, a user holding two active keys is never settled here: it is read fresh. (Early retirement
   * needs an old key at or past {@code createAfterDays}, which {@link #judge} already sends here.)
   */
  Verdict judgeListed(UserDetails details, List<AccessKey> listed) {
    String name = details.user().name();
    ReportedUser row = report.users().get(name);
    List<ReportedKey> reported = row == null || !sameUser(row, details) ? List.of() : row.keys();
    Set<String> ids = new java.util.HashSet<>();
    List<AccessKey> keys = new ArrayList<>();
    for (AccessKey k : listed) {
      ids.add(k.id());
      Instant second = k.created().truncatedTo(ChronoUnit.SECONDS);
      List<ReportedKey> same =
          reported.stream()
              .filter(r -> r.created().truncatedTo(ChronoUnit.SECONDS).equals(second))
              .toList();
      long listedSame =
          listed.stream()
              .filter(o -> o.created().truncatedTo(ChronoUnit.SECONDS).equals(second))
              .count();
      if (same.size() > 1 || (same.size() == 1 && listedSame > 1)) {
        return new Verdict(
            name,
            Optional.empty(),
            "two keys created in the same second: the report's last use cannot be told apart",
            Optional.of(details));
      }
      Optional<ReportedKey> slot = same.isEmpty() ? Optional.empty() : Optional.of(same.get(0));
      keys.add(
          new AccessKey(
              k.id(),
              k.status(),
              k.created(),
              slot.flatMap(ReportedKey::lastUsed),
              slot.map(ReportedKey::lastUsedService).orElse(""),
              slot.map(ReportedKey::lastUsedRegion).orElse("")));
    }
    if (policy.thresholdsFor(details.user(), new ArrayList<>()).retireOldKeyEarly()
        && keys.stream().filter(AccessKey::isActive).count() > 1) {
      // early retirement acts on a LATER last use of the newer key, which the report may not have
      // yet: a two-key window is read with fresh last use
      return new Verdict(
          name,
          Optional.empty(),
          "two active keys and retireOldKeyEarly: the newer key's use is read fresh",
          Optional.of(details));
    }
    for (String keyId : details.history().keySet()) {
      if (!ids.contains(keyId)) {
        return new Verdict(
            name,
            Optional.empty(),
            "has history of key " + keyId + ", which no longer exists",
            Optional.of(details));
      }
    }
    if (writes
        && listed.stream()
            .anyMatch(
                k -> {
                  KeyHistory h = details.history().get(k.id());
                  return h != null && !h.isEmpty() && !tiedToKey(h, k);
                })) {
      // written by a version before history named its key's creation (or naming another time):
      // read once, and the run ties it (one TagUser per history), so that later runs judge this
      // user from the report alone
      return new Verdict(
          name,
          Optional.empty(),
          "its history is tied to its keys' creation once",
          Optional.of(details));
    }
    UserState state =
        new UserState(details.user(), keys, Set.of(), Optional.empty(), details.history());
    UserPlan plan = planner.plan(state, policy, now);
    if (isQuiet(plan)) {
      if (firstUseDue(keys, details.history())) {
        return withFirstUse(
            state, plan, UserRotation.firstUseToRecord(keys, details.history()).orElseThrow());
      }
      return settled(state, plan);
    }
    return new Verdict(name, Optional.empty(), "its plan has actions", Optional.of(details));
  }

  private static boolean isQuiet(UserPlan plan) {
    return !plan.decisions().isEmpty()
        && plan.decisions().stream()
            .allMatch(d -> d.action() == Action.NOTHING || d.action() == Action.EXEMPT);
  }

  private static boolean sameUser(ReportedUser row, UserDetails details) {
    return Duration.between(row.created(), details.created()).abs().getSeconds() <= 1;
  }

  /** The smallest key age at which the planner may decide anything about an active key. */
  static long firstActionAge(Thresholds t) {
    long age = t.createAfterDays();
    int longestReminder = t.reminderDays().stream().mapToInt(Integer::intValue).max().orElse(0);
    age = Math.min(age, t.deactivateAfterDays() - (long) longestReminder);
    if (t.forceDeactivateAfterDays().isPresent()) {
      age = Math.min(age, t.forceDeactivateAfterDays().getAsInt());
    }
    return Math.max(0, age);
  }

  private static boolean isOnly(UserPlan plan, Action action) {
    return !plan.decisions().isEmpty()
        && plan.decisions().stream().allMatch(d -> d.action() == action);
  }

  private static Verdict read(String user, String why) {
    return new Verdict(user, Optional.empty(), why, Optional.empty());
  }

  private static Verdict list(UserDetails details, String why) {
    return new Verdict(details.user().name(), Optional.empty(), why, Optional.of(details));
  }

  private Verdict settled(UserState state, UserPlan plan) {
    List<KeyReport> keys =
        state.keys().stream()
            .map(k -> UserRotation.keyReport(k, state.historyOf(k.id()), now))
            .toList();
    List<DecisionReport> decisions = new ArrayList<>();
    for (Decision d : plan.decisions()) {
      decisions.add(
          new DecisionReport(
              d.action(), d.keyId().orElse(""), d.warning(), d.reason(), Outcome.NONE, "", ""));
    }
    return new Verdict(
        state.user().name(),
        Optional.of(
            new UserReport(
                state.user().name(),
                owners.ownerOf(state.user(), account),
                keys,
                decisions,
                plan.notes(),
                0,
                0)),
        "",
        Optional.empty());
  }
}
