package dev.keyrotator.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns one user's state, the policy in force and the current instant into ordered decisions.
 *
 * <p>Pure: no I/O, no clock. The rules, in the order they are applied:
 *
 * <ol>
 *   <li>An exempt user (unexpired exemption) is left alone.
 *   <li>A marker younger than {@link #IN_FLIGHT} is a rotation in flight (another run is making a
 *       key right now): the user is skipped, never repaired.
 *   <li>Repair: a marker left by a run that died means a key created in the marker's window whose
 *       secret is not stored is an orphan; delete it, then clear the marker. A key that has ever
 *       signed a request, was created before the marker's time, or is the user's last active key is
 *       never an orphan, whoever wrote the marker.
 *   <li>Delete inactive keys at or past {@code deleteAfterDays}, and at least the recovery window
 *       after the rotator deactivated them.
 *   <li>Create a key when the newest active key is at or past {@code createAfterDays}. IAM allows
 *       two keys: an inactive key in the way is deleted first; two active keys block the create and
 *       the owner is warned.
 *   <li>Deactivate an active key at or past {@code deactivateAfterDays} that is unused (never used,
 *       or not for {@code unusedForDays}) when a newer usable key exists or is created in this
 *       plan; a key still in use is warned about instead, naming the service and region of its last
 *       use. With {@code retireOldKeyEarly} a replaced key is deactivated sooner, once the newest
 *       key was used and the old one has been idle for {@code unusedForDays}. The newest key, when
 *       two active keys block rotation, is deactivated if it is unused and past that age while the
 *       other stays active. Past {@code forceDeactivateAfterDays} a key is deactivated regardless.
 *   <li>Remind owners {@code reminderDays} before deactivation, once per reminder day; repeat a
 *       "still in use" warning at most every {@code warningIntervalDays}.
 *   <li>A deadline left by {@code rotate-now --deactivate after:N} ({@link DeferredDeactivation}):
 *       the key is replaced if it is not yet (a rotate-now stopped before its create), kept active
 *       until the deadline and deactivated by the first run after it, even if in use.
 * </ol>
 */
public final class Planner {

  /**
   * How long after a marker was written the rotator's CreateAccessKey can have happened. Keys
   * created outside this window are never taken for orphans: they were made by someone else.
   */
  public static final Duration MARKER_WINDOW = Duration.ofMinutes(15);

  /**
   * The longest one run can take, from a CreateAccessKey inside {@link #MARKER_WINDOW} to its
   * stored secret and cleared marker: a Lambda invocation's maximum (15 minutes). A run checks its
   * deadline between users, never inside one user's rotation, and an SDK call gives up after its
   * retries well within it.
   */
  public static final Duration LONGEST_RUN = Duration.ofMinutes(15);

  /**
   * A marker younger than this is a rotation in flight, never a dead run's leftover: the marker
   * window plus the longest run.
   */
  public static final Duration IN_FLIGHT = MARKER_WINDOW.plus(LONGEST_RUN);

  /** Tolerated difference between the rotator's clock and IAM's before a key is "in the future". */
  private static final Duration SKEW = Duration.ofMinutes(5);

  public UserPlan plan(UserState state, RotationPolicy policy, Instant now) {
    Planning p = new Planning(state, now);
    if (p.exempt(policy)) {
      return p.plan();
    }
    p.thresholds(policy);
    if (p.rotationInFlight()) {
      return p.plan();
    }
    p.repairWhatADeadRunLeft();
    p.noteKeysFromTheFuture();
    p.deleteInactiveKeysPastTheirAge();
    if (p.noActiveKeyLeft()) {
      return p.plan();
    }
    p.createWhenTheNewestKeyIsDue();
    p.deactivateReplacedUnusedKeysWarnAboutTheRest();
    p.warnWhenTwoActiveKeysBlockRotation();
    p.sayWhenNothingIsDue();
    return p.plan();
  }

  /** One user's planning: the rules of the class comment, one method each, in their order. */
  private static final class Planning {
    final UserState state;
    final Instant now;
    final IamUser user;
    final List<Decision> out = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<AccessKey> remaining;
    Thresholds t;
    List<AccessKey> active = List.of();
    AccessKey newest;
    long newestAge;
    boolean createPlanned;
    boolean blockedByTwoActive;
    boolean blockedByRecovery;
    boolean newestDeactivated;

    Planning(UserState state, Instant now) {
      this.state = state;
      this.now = now;
      this.user = state.user();
      this.remaining = new ArrayList<>(state.keys());
    }

    UserPlan plan() {
      return new UserPlan(user.name(), out, notes);
    }

    /** An unexpired exemption leaves the user alone; an expired one is noted. */
    boolean exempt(RotationPolicy policy) {
      for (Exemption e : policy.exemptions()) {
        if (!e.match().matches(user)) {
          continue;
        }
        if (e.isExpired(now)) {
          notes.add(
              "exemption by "
                  + e.match().describe()
                  + " expired on "
                  + e.expires()
                  + " (owner "
                  + e.owner()
                  + "); the user is rotated normally");
        } else {
          out.add(Decision.onUser(Action.EXEMPT, "exempt by " + e.describe()));
          return true;
        }
      }
      return false;
    }

    /** The user's thresholds: the account's, shortened by the user's own tags. */
    void thresholds(RotationPolicy policy) {
      t = policy.thresholdsFor(user, notes);
    }

    /**
     * A marker younger than {@link #IN_FLIGHT} (or dated up to the tolerated skew in the future) is
     * another run's rotation in progress: its key may exist and its secret not be stored yet. The
     * user is skipped: repairing now would delete a key that run is about to hand out.
     */
    boolean rotationInFlight() {
      Optional<RotationMarker> m = state.marker();
      if (m.isEmpty()) {
        return false;
      }
      Instant at = m.get().startedAt();
      if (at.isAfter(now.plus(SKEW)) || !at.plus(IN_FLIGHT).isAfter(now)) {
        return false;
      }
      out.add(
          Decision.onUser(
              Action.SKIP_IN_FLIGHT,
              "run "
                  + m.get().runId()
                  + " began a rotation of this user at "
                  + at
                  + "; a marker younger than "
                  + IN_FLIGHT.toMinutes()
                  + " minutes (the marker window plus the longest run) is a rotation in flight,"
                  + " so this user is skipped, not repaired; a marker still there after "
                  + at.plus(IN_FLIGHT)
                  + " is repaired by the next run"));
      notes.add("skipped: a rotation by run " + m.get().runId() + " is in flight");
      return true;
    }

    /**
     * A marker left by a run that died: a key created in its window whose secret is not stored is
     * an orphan and deleted; then the marker is cleared. The marker is only a claim (anyone allowed
     * iam:TagUser can write one), so a key is an orphan only when it also has never signed a
     * request (nobody holds its secret), was created at or after the marker's time, and is not the
     * user's last active key.
     */
    void repairWhatADeadRunLeft() {
      if (state.marker().isEmpty()) {
        return;
      }
      RotationMarker m = state.marker().get();
      if (m.startedAt().isAfter(now.plus(SKEW))) {
        out.add(
            Decision.onUser(
                Action.REPAIR_CLEAR_MARKER,
                "a marker of run "
                    + m.runId()
                    + " dated "
                    + m.startedAt()
                    + ", in the future, was not written by a run of the rotator; no key is taken for"
                    + " an orphan"));
        return;
      }
      for (AccessKey k : state.keys()) {
        if (state.isStored(k.id()) || !inMarkerWindow(k, m)) {
          continue;
        }
        if (k.lastUsed().isPresent()) {
          notes.add(
              "key "
                  + k.id()
                  + " was created in the window of run "
                  + m.runId()
                  + " but has signed requests (last used "
                  + k.lastUsed().get()
                  + "): someone holds its secret, so it is not an orphan");
          continue;
        }
        if (k.isActive()
            && remaining.stream()
                .noneMatch(o -> o != k && o.isActive() && !o.id().equals(k.id()))) {
          notes.add(
              "key "
                  + k.id()
                  + " was created in the window of run "
                  + m.runId()
                  + " but is the user's last active key: repair never deletes it");
          continue;
        }
        out.add(
            Decision.onKey(
                Action.REPAIR_DELETE_ORPHAN,
                k.id(),
                "run "
                    + m.runId()
                    + " created this key at "
                    + k.created()
                    + " but its secret was never stored and it has never been used; nobody can use"
                    + " it, so it is deleted"));
        remaining.remove(k);
      }
      out.add(
          Decision.onUser(
              Action.REPAIR_CLEAR_MARKER,
              "run "
                  + m.runId()
                  + " began a rotation at "
                  + m.startedAt()
                  + " and did not finish it"));
    }

    void noteKeysFromTheFuture() {
      for (AccessKey k : state.keys()) {
        if (k.created().isAfter(now.plus(SKEW))) {
          notes.add(
              "key "
                  + k.id()
                  + " was created at "
                  + k.created()
                  + ", after now ("
                  + now
                  + "): clock skew? treated as a new key");
        }
      }
    }

    /** Inactive keys at or past deleteAfterDays, and past their recovery window. */
    void deleteInactiveKeysPastTheirAge() {
      for (AccessKey k : List.copyOf(remaining)) {
        if (k.isActive()) {
          continue;
        }
        long age = ageDays(k, now);
        if (age < t.deleteAfterDays()) {
          continue;
        }
        if (inRecoveryWindow(state, k, now, t)) {
          notes.add(
              "inactive key "
                  + k.id()
                  + " is kept until it has been inactive for "
                  + t.recoveryWindowDays()
                  + " days (deactivated "
                  + date(state.historyOf(k.id()).deactivated().orElseThrow())
                  + ")");
          continue;
        }
        if (recentlyUsed(k, now, t)) {
          notes.add(recentlyUsedNote(k));
          continue;
        }
        out.add(
            Decision.onKey(
                Action.DELETE_KEY,
                k.id(),
                "inactive and " + age + " days old (delete at " + t.deleteAfterDays() + ")"));
        remaining.remove(k);
      }
    }

    /**
     * Without an active key there is nothing to rotate: the rotator never hands out a first key.
     */
    boolean noActiveKeyLeft() {
      active = remaining.stream().filter(AccessKey::isActive).toList();
      if (active.isEmpty()) {
        if (out.isEmpty()) {
          out.add(
              Decision.onUser(
                  Action.NOTHING,
                  state.keys().isEmpty()
                      ? "no access keys; the rotator never gives a key to a user who has none"
                      : "no active key; the rotator does not create keys for users who have none active"));
        }
        return true;
      }
      return false;
    }

    /**
     * A new key when the newest active key is due; an inactive key in the way is deleted first, two
     * active keys block the create.
     */
    void createWhenTheNewestKeyIsDue() {
      newest = active.get(active.size() - 1);
      newestAge = ageDays(newest, now);
      Optional<Instant> deferred = DeferredDeactivation.deadline(state, newest);
      if (newestAge >= t.createAfterDays() || deferred.isPresent()) {
        if (remaining.size() >= 2) {
          AccessKey blocker = remaining.stream().filter(k -> k != newest).findFirst().orElseThrow();
          if (!blocker.isActive()
              && (inRecoveryWindow(state, blocker, now, t) || recentlyUsed(blocker, now, t))) {
            blockedByRecovery = true;
            notes.add(
                "a new key is due but inactive key "
                    + blocker.id()
                    + (inRecoveryWindow(state, blocker, now, t)
                        ? " was deactivated recently"
                        : " was used recently")
                    + " and is kept for its recovery window; it is deleted to make room once "
                    + "that ends");
          } else if (!blocker.isActive()) {
            out.add(
                Decision.onKey(
                    Action.DELETE_KEY,
                    blocker.id(),
                    "inactive key deleted to make room for the new key (IAM allows two keys per user)"));
            remaining.remove(blocker);
          } else {
            blockedByTwoActive = true;
          }
        }
        if (!blockedByTwoActive && !blockedByRecovery) {
          out.add(
              Decision.onUser(
                  Action.CREATE_KEY,
                  deferred.isPresent()
                      ? "key "
                          + newest.id()
                          + " is to be deactivated by "
                          + deferred.get()
                          + " (rotate-now --deactivate after:N) and has no replacement yet"
                      : "newest active key "
                          + newest.id()
                          + " is "
                          + newestAge
                          + " days old (rotate at "
                          + t.createAfterDays()
                          + ")"));
          createPlanned = true;
        }
      }
    }

    /** Old keys that are replaced and unused are deactivated; owners of the rest are warned. */
    void deactivateReplacedUnusedKeysWarnAboutTheRest() {
      for (AccessKey k : active) {
        long age = ageDays(k, now);
        KeyHistory h = state.historyOf(k.id());
        boolean hasNewer = active.stream().anyMatch(o -> o.created().isAfter(k.created()));
        boolean replaced = hasNewer || createPlanned;
        if (deferredDeactivation(k, replaced)) {
          continue;
        }
        var force = t.forceDeactivateAfterDays();
        if (force.isPresent() && age >= force.getAsInt()) {
          out.add(
              Decision.onKey(
                  Action.DEACTIVATE_KEY,
                  k.id(),
                  age
                      + " days old, past "
                      + "forceDeactivateAfterDays "
                      + force.getAsInt()
                      + ": deactivated even if in use"
                      + (replaced ? "" : " and although it is the user's only active key")));
          continue;
        }
        if (k == newest && blockedByTwoActive) {
          deactivateUnusedNewestThatBlocksRotation(k, age);
          continue; // otherwise warned about below, once
        }
        if (hasNewer && age < t.deactivateAfterDays()) {
          Optional<String> early = retiredEarly(k, age);
          if (early.isPresent()) {
            out.add(Decision.onKey(Action.DEACTIVATE_KEY, k.id(), early.get()));
            continue;
          }
        }
        if (age >= t.deactivateAfterDays()) {
          Optional<Instant> lastUsed = k.lastUsed();
          boolean unused = lastUsed.isEmpty() || days(lastUsed.get(), now) >= t.unusedForDays();
          String use = use(k);
          if (unused && replaced) {
            out.add(
                Decision.onKey(
                    Action.DEACTIVATE_KEY,
                    k.id(),
                    age
                        + " days old (deactivate at "
                        + t.deactivateAfterDays()
                        + ") and "
                        + use
                        + "; "
                        + (hasNewer
                            ? "a newer active key exists"
                            : "replaced by the key created now")));
          } else if (unused) {
            warnRepeatable(
                out,
                notes,
                h,
                now,
                t,
                WarningKind.CANNOT_ROTATE,
                k.id(),
                age
                    + " days old and "
                    + use
                    + ", but it is the user's only usable key and no new key"
                    + " can be created; it stays active");
          } else {
            warnRepeatable(
                out,
                notes,
                h,
                now,
                t,
                WarningKind.STILL_IN_USE,
                k.id(),
                age
                    + " days old (deactivate at "
                    + t.deactivateAfterDays()
                    + ") but "
                    + use
                    + "; it is deactivated once unused for "
                    + t.unusedForDays()
                    + " days"
                    + (replaced ? "; switch to the newer key" : ""));
          }
          continue;
        }
        if (k == newest && !createPlanned) {
          continue; // the newest key is not going away yet
        }
        remind(out, h, k, age, now, t);
      }
    }

    /**
     * A rotate-now deadline on a replaced key: deactivated once it has passed, even if in use; kept
     * active until then. False when the key has no deadline or nothing replaces it yet.
     */
    boolean deferredDeactivation(AccessKey k, boolean replaced) {
      Optional<Instant> by = DeferredDeactivation.deadline(state, k);
      if (by.isEmpty() || !replaced) {
        return false;
      }
      if (now.isBefore(by.get())) {
        notes.add(
            "key "
                + k.id()
                + " stays active until "
                + by.get()
                + " (rotate-now --deactivate after:N); the first run after that deactivates it,"
                + " even if it is in use");
      } else {
        out.add(
            Decision.onKey(
                Action.DEACTIVATE_KEY,
                k.id(),
                "rotate-now scheduled its deactivation for "
                    + by.get()
                    + ", which has passed: deactivated even if in use"
                    + use(k).transform(u -> " (" + u + ")")
                    + "; a newer key replaces it"));
      }
      return true;
    }

    /**
     * Two active keys block rotation and the newer one is past its age and unused: it is nobody's
     * working key, so it is deactivated (the older key stays active) and rotation goes on.
     */
    void deactivateUnusedNewestThatBlocksRotation(AccessKey k, long age) {
      if (age < t.deactivateAfterDays() || !unused(k)) {
        return;
      }
      Optional<AccessKey> other =
          active.stream()
              .filter(o -> o != k)
              .filter(
                  o ->
                      out.stream()
                          .noneMatch(
                              d ->
                                  d.action() == Action.DEACTIVATE_KEY
                                      && d.keyId().orElse("").equals(o.id())))
              .findFirst();
      if (other.isEmpty()) {
        return;
      }
      int beforeWarnings = 0;
      while (beforeWarnings < out.size() && out.get(beforeWarnings).action() != Action.WARN) {
        beforeWarnings++;
      }
      out.add(
          beforeWarnings,
          Decision.onKey(
              Action.DEACTIVATE_KEY,
              k.id(),
              age
                  + " days old (deactivate at "
                  + t.deactivateAfterDays()
                  + ") and "
                  + use(k)
                  + "; it is not the user's only working key ("
                  + other.get().id()
                  + " stays active), so it is deactivated and rotation can go on"));
      newestDeactivated = true;
    }

    boolean unused(AccessKey k) {
      Optional<Instant> lastUsed = k.lastUsed();
      return lastUsed.isEmpty() || days(lastUsed.get(), now) >= t.unusedForDays();
    }

    /** {@code last used 3 days ago (sts in us-east-1)}, or {@code never used}. */
    String use(AccessKey k) {
      String where = k.lastUsedWhere();
      return k.lastUsed()
          .map(
              u ->
                  "last used "
                      + days(u, now)
                      + " days ago"
                      + (where.isEmpty() ? "" : " (" + where + ")"))
          .orElse("never used");
    }

    /**
     * The early-retirement rule ({@code retireOldKeyEarly}, opt-in): a replaced key younger than
     * {@code deactivateAfterDays} is deactivated now when
     *
     * <ul>
     *   <li>it is at or past {@code createAfterDays} (it is the key a rotation replaces, not a
     *       second key someone made by hand), and
     *   <li>IAM says the newest key was used, at or after its creation (to the minute: IAM reports
     *       last use to the minute) and not in the future: the workload has switched. Nothing else
     *       confirms a use (the rotator's own history tag can be written by anyone allowed
     *       iam:TagUser, so it is never consulted here), and
     *   <li>this key has been idle at least {@code unusedForDays}: since its last use, or, never
     *       used, since the newest key's creation.
     * </ul>
     *
     * A monthly job still holding the old key looks idle for weeks: {@code unusedForDays} must
     * exceed the longest interval between a workload's runs, or that job fails when it next runs
     * (the key can be switched back on until it is deleted).
     */
    Optional<String> retiredEarly(AccessKey k, long age) {
      if (!t.retireOldKeyEarly() || k == newest) {
        return Optional.empty();
      }
      if (age < t.createAfterDays()) {
        return Optional.empty();
      }
      String why = "not retired early (retireOldKeyEarly): ";
      Optional<Instant> newUse = newest.lastUsed();
      if (newUse.isEmpty()) {
        notes.add(why + "the newer key " + newest.id() + " has not been used yet");
        return Optional.empty();
      }
      Instant used = newUse.get();
      if (used.isBefore(newest.created().truncatedTo(ChronoUnit.MINUTES))
          || used.isAfter(now.plus(SKEW))) {
        notes.add(
            why
                + "the newer key "
                + newest.id()
                + "'s last use "
                + used
                + " is not between its creation ("
                + newest.created()
                + ") and now: its use is not confirmed");
        return Optional.empty();
      }
      Instant idleSince = k.lastUsed().orElse(newest.created());
      long idle = idleSince.isAfter(now) ? 0 : days(idleSince, now);
      if (idle < t.unusedForDays()) {
        notes.add(
            why
                + "key "
                + k.id()
                + (k.lastUsed().isPresent()
                    ? " was " + use(k)
                    : " has not been used since the newer key was created " + idle + " days ago")
                + "; it is retired once idle for "
                + t.unusedForDays()
                + " days (unusedForDays)");
        return Optional.empty();
      }
      String newWhere = newest.lastUsedWhere();
      return Optional.of(
          "retired-early: the newer key "
              + newest.id()
              + " was used on "
              + date(used)
              + (newWhere.isEmpty() ? "" : " (" + newWhere + ")")
              + " and this key has been idle for "
              + idle
              + " days ("
              + (k.lastUsed().isPresent()
                  ? use(k)
                  : "never used; counted from the newer key's creation")
              + ", unusedForDays "
              + t.unusedForDays()
              + "); deactivated at "
              + age
              + " days, "
              + (t.deactivateAfterDays() - age)
              + " days before deactivateAfterDays "
              + t.deactivateAfterDays()
              + " (retireOldKeyEarly)");
    }

    void warnWhenTwoActiveKeysBlockRotation() {
      if (blockedByTwoActive && !newestDeactivated) {
        AccessKey older = active.get(0);
        warnRepeatable(
            out,
            notes,
            state.historyOf(newest.id()),
            now,
            t,
            WarningKind.CANNOT_ROTATE,
            newest.id(),
            "key is "
                + newestAge
                + " days old (rotate at "
                + t.createAfterDays()
                + ") but the user holds two active keys; rotation resumes once "
                + older.id()
                + " is deactivated");
      }
    }

    void sayWhenNothingIsDue() {
      if (out.isEmpty()) {
        long due = t.createAfterDays() - newestAge;
        out.add(
            Decision.onUser(
                Action.NOTHING,
                due > 0
                    ? "newest active key "
                        + newest.id()
                        + " is "
                        + newestAge
                        + " days old; rotation due in "
                        + due
                        + " days (on "
                        + date(now.plus(Duration.ofDays(due)))
                        + ")"
                    : "nothing more to do today; the newest active key "
                        + newest.id()
                        + " is "
                        + newestAge
                        + " days old"));
      }
    }
  }

  private static void remind(
      List<Decision> out, KeyHistory recorded, AccessKey k, long age, Instant now, Thresholds t) {
    KeyHistory h = believable(recorded, now);
    Instant latestReminder = null;
    int daysLeft = (int) (t.deactivateAfterDays() - age);
    for (int d : t.reminderDays()) {
      if (daysLeft <= d) {
        Instant at = k.created().plus(Duration.ofDays(t.deactivateAfterDays() - (long) d));
        if (latestReminder == null || at.isAfter(latestReminder)) {
          latestReminder = at;
        }
      }
    }
    if (latestReminder == null) {
      return;
    }
    if (h.lastWarned().isPresent() && !h.lastWarned().get().isBefore(latestReminder)) {
      return;
    }
    out.add(
        Decision.warn(
            WarningKind.EXPIRING,
            k.id(),
            "key is "
                + age
                + " days old and will be"
                + " deactivated in "
                + daysLeft
                + " days (on "
                + date(k.created().plus(Duration.ofDays(t.deactivateAfterDays())))
                + ") unless it is still in use; switch to the new key"));
  }

  private static void warnRepeatable(
      List<Decision> out,
      List<String> notes,
      KeyHistory h,
      Instant now,
      Thresholds t,
      WarningKind kind,
      String keyId,
      String reason) {
    h = believable(h, now);
    if (h.lastWarned().isPresent() && days(h.lastWarned().get(), now) < t.warningIntervalDays()) {
      notes.add(
          "warning about "
              + keyId
              + " not repeated: last sent "
              + date(h.lastWarned().get())
              + ", repeated every "
              + t.warningIntervalDays()
              + " days");
      return;
    }
    out.add(Decision.warn(kind, keyId, reason));
  }

  /**
   * History as far as it can be believed: a warning dated in the future (beyond the tolerated skew)
   * was not sent by the rotator and is ignored, so a forged date cannot silence warnings for good.
   * A deactivation date is used as recorded: a later date only keeps a key longer.
   */
  private static KeyHistory believable(KeyHistory h, Instant now) {
    if (h.lastWarned().isPresent() && h.lastWarned().get().isAfter(now.plus(SKEW))) {
      return new KeyHistory(
          Optional.empty(),
          h.deactivated(),
          h.exposed(),
          h.deactivateBy(),
          h.firstUse(),
          h.keyCreated());
    }
    return h;
  }

  /**
   * An inactive key that signed a request less than {@code unusedForDays} plus the recovery window
   * ago is kept, whatever the history says: IAM's last use cannot be forged, and an inactive key
   * signs nothing, so it was deactivated after that use. Removing or backdating the rotator's
   * history tag therefore never makes a recently used key go sooner.
   */
  private static boolean recentlyUsed(AccessKey k, Instant now, Thresholds t) {
    return k.lastUsed().isPresent()
        && days(k.lastUsed().get(), now) < (long) t.unusedForDays() + t.recoveryWindowDays();
  }

  private static String recentlyUsedNote(AccessKey k) {
    return "inactive key "
        + k.id()
        + " was last used "
        + date(k.lastUsed().orElseThrow())
        + "; it is kept until it has been unused for unusedForDays plus the recovery window";
  }

  /** A key the rotator deactivated is kept at least one day, and the policy's window. */
  private static boolean inRecoveryWindow(UserState state, AccessKey k, Instant now, Thresholds t) {
    Optional<Instant> deactivated = state.historyOf(k.id()).deactivated();
    return deactivated.isPresent() && days(deactivated.get(), now) < t.recoveryWindowDays();
  }

  /**
   * Whether {@code k} was created in the window of the rotation that {@code m} marks, i.e. by that
   * rotation's CreateAccessKey (an orphan when its secret is not stored, a half-finished rotation
   * when it is).
   */
  public static boolean createdInMarkerWindow(AccessKey k, RotationMarker m) {
    return inMarkerWindow(k, m);
  }

  /**
   * Created at or after the marker's time (IAM's CreateDate has whole seconds, so the marker's time
   * is taken to the second) and at most {@link #MARKER_WINDOW} after it. A key created before the
   * marker was written is never the marked rotation's.
   */
  private static boolean inMarkerWindow(AccessKey k, RotationMarker m) {
    Instant from = m.startedAt().truncatedTo(ChronoUnit.SECONDS);
    return !k.created().isBefore(from) && !k.created().isAfter(m.startedAt().plus(MARKER_WINDOW));
  }

  /** Whole days from {@code created} to {@code now}; a key from the future is 0 days old. */
  public static long ageDays(AccessKey k, Instant now) {
    return days(k.created(), now);
  }

  static long days(Instant from, Instant to) {
    long d = Duration.between(from, to).toDays();
    return Math.max(0, d);
  }

  private static LocalDate date(Instant i) {
    return LocalDate.ofInstant(i, ZoneOffset.UTC);
  }
}
