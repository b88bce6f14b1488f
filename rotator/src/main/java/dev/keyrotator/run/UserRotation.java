package dev.keyrotator.run;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.DeferredDeactivation;
import dev.keyrotator.policy.FirstUse;
import dev.keyrotator.policy.ForcedRotation;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.policy.UserPlan;
import dev.keyrotator.policy.UserState;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.SecretReader;
import dev.keyrotator.ports.SecretRefusedException;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.StoredSecret;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserSnapshot;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.IncidentReport;
import dev.keyrotator.report.KeyReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.UserReport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One user's turn: read, plan, and (in enforce mode) carry out the plan in order, stopping at the
 * first failure. A new key is made by {@link LossFreeKeyCreation}. A marker that survives (the
 * process died in between) is repaired by the next run before anything else for the user: an orphan
 * (created, secret not stored) is deleted; a key whose secret is stored has its store completed
 * (resource policy and tags re-applied) and its owner notified. See the README, "Rotation protocol
 * and failure behaviour", for every cut point.
 */
final class UserRotation {

  /** Where the run's outside world is, for one account. */
  record Context(
      String runId,
      Account account,
      RotationPolicy policy,
      boolean planOnly,
      UserKeys keys,
      SecretVault vault,
      Notifier notifier,
      Optional<String> topicArn,
      Optional<String> securityTopicArn,
      Optional<String> readerRoleTag,
      Owners owners) {}

  private final Planner planner;
  private final Clock clock;
  private final Context ctx;

  UserRotation(Planner planner, Clock clock, Context ctx) {
    this.planner = planner;
    this.clock = clock;
    this.ctx = ctx;
  }

  UserReport process(String userName) {
    return process(ctx.keys().read(userName));
  }

  /** The same, for a user already read (a bulk read's facts and a fresh key list). */
  UserReport process(UserSnapshot snap) {
    UserState state = state(snap, false);
    Instant now = clock.instant();
    UserPlan plan = planner.plan(state, ctx.policy(), now);
    Execution e = new Execution(state, plan, now);
    UserReport report = e.run();
    return e.deadlineKept(report).map(report::withIncident).orElse(report);
  }

  /** A forced rotation's plan over the user as read now, before anything is changed. */
  record Prepared(UserState state, ForcedRotation.Result result, Instant now) {}

  /** Reads the user and plans its forced rotation (rotate-now); changes nothing. */
  Prepared prepare(String userName, ForcedRotation.Request request) {
    // a forced rotation asks the vault always: whether a newer key's secret is stored decides
    // between rotating and only deactivating
    UserState state = state(ctx.keys().read(userName), true);
    Instant now = clock.instant();
    return new Prepared(state, ForcedRotation.plan(state, ctx.policy(), request, now), now);
  }

  /**
   * Carries out a forced rotation planned by {@link #prepare} (not refused) through the same steps
   * as a scheduled rotation, then tells the security topic what was done and why.
   */
  UserReport carryOut(Prepared p, String reason, Optional<ForcedRotation.Incident> incident) {
    Execution e = new Execution(p.state(), p.result().plan(), p.now());
    e.recordDeadline(p.result());
    UserReport report = e.run();
    IncidentReport facts = e.incident(p.result(), report, reason, incident);
    Optional<String> told = incident.map(i -> e.recordIncident(i, p.result(), facts));
    e.tellSecurityOfForcedRotation(p.result(), report, reason, told);
    return new UserReport(
        report.userName(),
        report.owner(),
        report.keys(),
        report.decisions(),
        e.notes,
        report.notificationsSent(),
        e.messages.lost(),
        Optional.of(facts));
  }

  /**
   * @param askVault whether to ask which keys' secrets are stored even without a marker: that
   *     matters only to a repair and to a forced rotation; without either the vault is not asked
   *     (the store itself checks the secret's ownership before it writes)
   */
  private UserState state(UserSnapshot snap, boolean askVault) {
    String userName = snap.user().name();
    Set<String> stored =
        snap.keys().isEmpty() || (snap.marker().isEmpty() && !askVault)
            ? Set.of()
            : ctx.vault()
                .storedKeyIds(
                    ctx.account().id(), userName, snap.keys().stream().map(AccessKey::id).toList());
    return new UserState(snap.user(), snap.keys(), stored, snap.marker(), snap.history());
  }

  /** Carrying out one plan. */
  private final class Execution {
    final UserState state;
    final UserPlan plan;
    final Instant now;
    final Map<String, KeyHistory> history;
    final List<DecisionReport> reports = new ArrayList<>();
    final List<String> notes;
    final Messages messages;

    /** When this turn's UpdateAccessKey made a key inactive, by key id. */
    final Map<String, Instant> wentInactiveAt = new HashMap<>();

    /** When this turn's new key's secret was stored. */
    Optional<Instant> newKeyStoredAt = Optional.empty();

    /** The user's owner (user tag, else the account's default owner), for messages and report. */
    final String owner;

    /** Warnings already delivered inside this turn's key-created message. */
    final List<Decision> toldWithTheNewKey = new ArrayList<>();

    Execution(UserState state, UserPlan plan, Instant now) {
      this.state = state;
      this.plan = plan;
      this.now = now;
      this.history = new HashMap<>(state.history());
      this.notes = new ArrayList<>(plan.notes());
      this.owner = ctx.owners().ownerOf(state.user(), ctx.account());
      this.messages = new Messages(ctx.notifier(), ctx.topicArn(), notes, owner);
    }

    /** Who may read this user's secret (secrets.readers); a missing reader is noted. */
    SecretReader reader() {
      SecretReader r =
          SecretReaders.of(ctx.readerRoleTag(), ctx.account().id(), state.user().tags());
      if (r instanceof SecretReader.Nobody n) {
        notes.add("nobody is named to read the new secret: " + n.why());
      }
      return r;
    }

    UserReport run() {
      Mode mode = ctx.policy().mode();
      boolean failed = false;
      if (!ctx.planOnly() && mode.mutatesKeys()) {
        forgetStaleHistory();
        tieHistory();
        recordFirstUse();
      }
      for (Decision d : plan.decisions()) {
        if (!d.action().mutating() && d.action() != Action.WARN) {
          reports.add(report(d, Outcome.NONE, "", "", ""));
          continue;
        }
        boolean allowed =
            !ctx.planOnly()
                && (mode.mutatesKeys() || (d.action() == Action.WARN && mode.notifies()));
        if (!allowed) {
          reports.add(report(d, Outcome.PLANNED, "", "", ""));
        } else if (failed) {
          reports.add(
              report(
                  d,
                  Outcome.SKIPPED,
                  "",
                  "",
                  "not attempted: an earlier step for this user failed"));
        } else {
          try {
            reports.add(execute(d));
          } catch (SecretRefusedException e) {
            failed = true;
            reports.add(report(d, Outcome.FAILED, d.keyId().orElse(""), "", e.getMessage()));
            messages.send(Notifications.failure(ctx.account(), state.user(), d, e.getMessage()));
            tellSecurity(e);
          } catch (AwsCallException | IllegalStateException e) {
            failed = true;
            reports.add(report(d, Outcome.FAILED, d.keyId().orElse(""), "", e.getMessage()));
            messages.send(Notifications.failure(ctx.account(), state.user(), d, e.getMessage()));
          }
        }
      }
      List<KeyReport> keys = state.keys().stream().map(this::keyReport).toList();
      return new UserReport(
          state.user().name(), owner, keys, reports, notes, messages.sent(), messages.lost());
    }

    /**
     * A secret with the rotator's name that the rotator may not write into is the security team's
     * business (someone may be trying to collect keys): told on the reporting topic.
     */
    private void tellSecurity(SecretRefusedException e) {
      if (ctx.securityTopicArn().isEmpty()) {
        notes.add(
            "no reporting.topicArn configured: the security team was not told of the refusal");
        return;
      }
      Notification n =
          Notifications.of(
              Event.SECRET_REFUSED,
              ctx.account(),
              state.user(),
              null,
              e.getMessage()
                  + ". No key was left behind: the user keeps its current key and is FAILED until"
                  + " the secret is the rotator's again (or removed).",
              Optional.empty());
      try {
        ctx.notifier().publish(ctx.securityTopicArn().get(), Notifications.withOwner(n, owner));
        notes.add("the security topic was told that the user's secret was refused");
      } catch (AwsCallException failure) {
        messages.lostElsewhere(
            "notification 'secret-refused' to the security topic not sent: "
                + failure.getMessage());
      }
    }

    /**
     * {@code --deactivate after:N}: the deadline goes into the key's history before anything else
     * is done, so a run stopped at any later point leaves it behind, and ordinary runs finish the
     * replacement and deactivate the key on time (the safe side of an incident). A failed write
     * stops the rotate-now with nothing changed.
     */
    void recordDeadline(ForcedRotation.Result result) {
      if (!result.recordDeadline()
          || result.deactivateBy().isEmpty()
          || ctx.planOnly()
          || !ctx.policy().mode().mutatesKeys()) {
        return;
      }
      String keyId = result.keyId().orElseThrow();
      remember(keyId, history(keyId).withDeactivateBy(result.deactivateBy().get()));
      notes.add(
          "the deactivation of key "
              + keyId
              + " is recorded for "
              + result.deactivateBy().get()
              + " in the rotator's history tag of the key");
    }

    /** The security topic's message of a forced rotation: what was asked, why, what was done. */
    void tellSecurityOfForcedRotation(
        ForcedRotation.Result result, UserReport report, String reason, Optional<String> incident) {
      String keyId = result.keyId().orElse("");
      StringBuilder detail = new StringBuilder();
      detail.append("Reason:   ").append(reason).append('\n');
      result
          .deactivateBy()
          .ifPresent(
              by ->
                  detail
                      .append("Old key:  ")
                      .append(keyId)
                      .append(" stays active until ")
                      .append(by)
                      .append(" (--deactivate after:N), then the first run after it deactivates it")
                      .append(" even if in use\n"));
      incident.ifPresent(i -> detail.append(i).append('\n'));
      if (ctx.planOnly() || !ctx.policy().mode().mutatesKeys()) {
        detail
            .append("Mode:     ")
            .append(ctx.planOnly() ? "dry run" : ctx.policy().mode().label());
        detail.append(" (nothing was changed)\n");
      }
      for (DecisionReport d : report.decisions()) {
        detail.append("\n- ").append(d.action()).append(' ').append(d.keyId()).append(": ");
        detail.append(d.outcome());
        if (!d.secretArn().isEmpty()) {
          detail.append(" (secret ").append(d.secretArn()).append(')');
        }
        if (!d.error().isEmpty()) {
          detail.append(" (").append(d.error()).append(')');
        }
      }
      detail.append("\n\n").append(String.join("\n", report.notes()));
      Event event =
          result.exempt()
              ? Event.ROTATE_NOW_EXEMPT
              : result.deactivateBy().isPresent()
                  ? Event.ROTATED_NOW_DEACTIVATION_SCHEDULED
                  : Event.ROTATED_NOW;
      if (ctx.securityTopicArn().isEmpty()) {
        notes.add("no reporting.topicArn configured: the security team was not told of rotate-now");
        return;
      }
      if (ctx.planOnly()) {
        return;
      }
      try {
        ctx.notifier()
            .publish(
                ctx.securityTopicArn().get(),
                Notifications.withOwner(
                    Notifications.of(
                        event,
                        ctx.account(),
                        state.user(),
                        keyId,
                        detail.toString().strip(),
                        Optional.empty()),
                    owner));
        notes.add("the security topic was told of rotate-now (" + event.attribute() + ")");
      } catch (AwsCallException failure) {
        messages.lostElsewhere(
            "notification '"
                + event.attribute()
                + "' to the security topic not sent: "
                + failure.getMessage());
      }
    }

    /**
     * The incident's facts as this turn left them: when AWS reported it, when the new key was
     * stored, when the key went inactive (or when it is scheduled to), and whether AWS's quarantine
     * policy is on the user (ListAttachedUserPolicies; unknown when that cannot be read).
     */
    IncidentReport incident(
        ForcedRotation.Result result,
        UserReport report,
        String reason,
        Optional<ForcedRotation.Incident> incident) {
      String keyId = result.keyId().orElse("");
      Optional<String> newKey =
          report.decisions().stream()
              .filter(d -> d.action() == Action.CREATE_KEY && d.outcome() == Outcome.DONE)
              .map(DecisionReport::keyId)
              .findFirst();
      Optional<Instant> storedAt = newKey.isPresent() ? newKeyStoredAt : Optional.empty();
      if (newKey.isEmpty()) {
        newKey =
            state.keys().stream()
                .filter(k -> !k.id().equals(keyId) && k.isActive() && state.isStored(k.id()))
                .filter(
                    k -> state.key(keyId).map(o -> !k.created().isBefore(o.created())).orElse(true))
                .map(AccessKey::id)
                .findFirst();
      }
      boolean inactive =
          report.decisions().stream()
                  .anyMatch(
                      d ->
                          d.action() == Action.DEACTIVATE_KEY
                              && d.keyId().equals(keyId)
                              && d.outcome() == Outcome.DONE)
              || state.key(keyId).filter(k -> !k.isActive()).isPresent();
      Optional<Instant> inactiveAt =
          inactive
              ? Optional.of(
                  Optional.ofNullable(wentInactiveAt.get(keyId))
                      .or(() -> history(keyId).deactivated())
                      .orElse(now))
              : Optional.empty();
      Quarantine q = result.exempt() ? Quarantine.UNREAD : quarantine();
      return new IncidentReport(
          reason,
          keyId,
          incident.map(ForcedRotation.Incident::eventArn).filter(a -> !a.isEmpty()),
          incident.map(ForcedRotation.Incident::reportedAt),
          newKey,
          storedAt,
          inactiveAt,
          inactive ? Optional.empty() : result.deactivateBy(),
          q.attached(),
          q.policies());
    }

    /** AWS's quarantine policies on the user, or why that could not be read (a note). */
    private Quarantine quarantine() {
      try {
        List<String> policies =
            ctx.keys().attachedPolicies(state.user().name()).stream()
                .filter(n -> n.startsWith("AWSCompromisedKeyQuarantine"))
                .toList();
        return new Quarantine(Optional.of(!policies.isEmpty()), policies);
      } catch (AwsCallException e) {
        notes.add(
            "whether AWS's quarantine policy is attached could not be read: " + e.getMessage());
        return Quarantine.UNREAD;
      }
    }

    /**
     * An ordinary run that deactivated a key at its rotate-now deadline: that is an incident's last
     * step, so the report (and the security summary) show it as one (reason {@code scheduled}).
     */
    Optional<IncidentReport> deadlineKept(UserReport report) {
      return report.decisions().stream()
          .filter(d -> d.action() == Action.DEACTIVATE_KEY && d.outcome() == Outcome.DONE)
          .filter(
              d ->
                  state
                      .historyOf(d.keyId())
                      .deactivateBy()
                      .filter(by -> !by.isAfter(now))
                      .isPresent())
          .findFirst()
          .map(
              d -> {
                String keyId = d.keyId();
                Optional<String> replacement =
                    state
                        .key(keyId)
                        .flatMap(k -> DeferredDeactivation.replacement(state, k))
                        .map(AccessKey::id);
                Quarantine q = quarantine();
                return new IncidentReport(
                    "scheduled",
                    keyId,
                    Optional.empty(),
                    Optional.empty(),
                    replacement,
                    Optional.empty(),
                    Optional.of(wentInactiveAt.getOrDefault(keyId, now)),
                    state.historyOf(keyId).deactivateBy(),
                    q.attached(),
                    q.policies());
              });
    }

    /**
     * An exposure AWS reported: remembered in the key's history tag ({@code exposed=}, so a replay
     * is recognised), and told in one line: when AWS reported it, when the new key was stored, when
     * the exposed key went inactive, and whether AWS's quarantine policy is on the user.
     */
    String recordIncident(
        ForcedRotation.Incident incident, ForcedRotation.Result result, IncidentReport facts) {
      String keyId = result.keyId().orElse("");
      boolean changes = !ctx.planOnly() && ctx.policy().mode().mutatesKeys() && !result.exempt();
      KeyHistory h = history(keyId);
      if (h.exposed().isPresent()) {
        notes.add(
            "the exposure of key "
                + keyId
                + " reported at "
                + h.exposed().get()
                + " was handled before: no second rotation");
      } else if (changes) {
        try {
          remember(keyId, h.withExposed(incident.reportedAt()));
        } catch (AwsCallException e) {
          notes.add("the exposure could not be remembered on key " + keyId + ": " + e.getMessage());
        }
      }
      StringBuilder line =
          new StringBuilder("incident: AWS reported key ")
              .append(keyId)
              .append(" exposed at ")
              .append(incident.reportedAt());
      if (!incident.eventArn().isEmpty()) {
        line.append(" (").append(incident.eventArn()).append(')');
      }
      if (facts.newKeyId().isPresent() && facts.newKeyStoredAt().isPresent()) {
        line.append("; new key ")
            .append(facts.newKeyId().get())
            .append(" stored at ")
            .append(facts.newKeyStoredAt().get());
      } else if (facts.newKeyId().isPresent()) {
        String id = facts.newKeyId().get();
        line.append("; new key ")
            .append(id)
            .append(" stored")
            .append(state.key(id).map(k -> " (created " + k.created() + ")").orElse(""));
      } else {
        line.append("; no new key stored");
      }
      if (facts.keyInactiveAt().isPresent()) {
        line.append("; key ")
            .append(keyId)
            .append(" inactive since ")
            .append(facts.keyInactiveAt().get());
      } else {
        line.append("; key ").append(keyId).append(" still active");
      }
      if (facts.quarantinePolicyAttached().isEmpty()) {
        line.append("; whether AWS's quarantine policy is attached could not be read");
      } else if (facts.quarantinePolicyAttached().get()) {
        line.append("; AWS's quarantine policy ")
            .append(String.join(", ", facts.quarantinePolicies()))
            .append(
                " is attached to the user (it denies the user's most sensitive calls until"
                    + " removed)");
      } else {
        line.append("; AWS's quarantine policy is not attached to the user");
      }
      notes.add(line.toString());
      return line.toString();
    }

    private DecisionReport execute(Decision d) {
      return switch (d.action()) {
        case REPAIR_DELETE_ORPHAN -> deleteOrphan(d);
        case REPAIR_CLEAR_MARKER -> completeInterruptedRotation(d);
        case DELETE_KEY -> delete(d);
        case CREATE_KEY -> create(d);
        case DEACTIVATE_KEY -> deactivate(d);
        case WARN -> warn(d);
        default -> throw new IllegalStateException("not an action to carry out: " + d.action());
      };
    }

    private DecisionReport deleteOrphan(Decision d) {
      String keyId = d.keyId().orElse("");
      ctx.keys().deleteKey(state.user().name(), keyId);
      forget(keyId);
      messages.send(
          Notifications.of(
              Event.ORPHAN_REPAIRED,
              ctx.account(),
              state.user(),
              keyId,
              d.reason() + ". No action is needed.",
              Optional.empty()));
      return report(d, Outcome.DONE, keyId, "", "");
    }

    /**
     * A key of the marked rotation whose secret is stored: the run died after the value was
     * written, maybe before the resource policy, the tags or the notification. Finish it.
     */
    private DecisionReport completeInterruptedRotation(Decision d) {
      String user = state.user().name();
      RotationMarker m =
          state
              .marker()
              .orElseThrow(() -> new IllegalStateException("REPAIR_CLEAR_MARKER without a marker"));
      String completed = "";
      String arn = "";
      for (AccessKey k : state.keys()) {
        if (k.isActive() && state.isStored(k.id()) && Planner.createdInMarkerWindow(k, m)) {
          StoredSecret secret =
              ctx.vault()
                  .completeStore(ctx.account().id(), user, state.user().path(), k.id(), reader());
          messages.send(
              Notifications.of(
                  Event.KEY_CREATED,
                  ctx.account(),
                  state.user(),
                  k.id(),
                  "A new access key was created for you by run "
                      + m.runId()
                      + ", which was interrupted before it could tell you.",
                  Optional.of(secret)));
          notes.add(
              "completed the rotation of run "
                  + m.runId()
                  + ": the secret of key "
                  + k.id()
                  + " was stored; its resource policy and tags were re-applied and its"
                  + " owner notified");
          completed = k.id();
          arn = secret.arn();
        }
      }
      ctx.keys().clearMarker(user);
      return report(d, Outcome.DONE, completed, arn, "");
    }

    private DecisionReport delete(Decision d) {
      String keyId = d.keyId().orElse("");
      ctx.keys().deleteKey(state.user().name(), keyId);
      forget(keyId);
      messages.send(
          Notifications.of(
              Event.KEY_DELETED, ctx.account(), state.user(), keyId, d.reason(), Optional.empty()));
      return report(d, Outcome.DONE, keyId, "", "");
    }

    private DecisionReport create(Decision d) {
      LossFreeKeyCreation.Created created =
          new LossFreeKeyCreation(ctx.keys(), ctx.vault(), clock, notes)
              .create(ctx.runId(), ctx.account().id(), state.user().name(), reader());
      newKeyStoredAt = Optional.of(clock.instant());
      // The plan's warnings (reminders about the older key) ride in this message: one message per
      // user and run (Notifications.withWarnings).
      List<Decision> warnings =
          plan.decisions().stream().filter(w -> w.action() == Action.WARN).toList();
      // Notified before the marker is cleared: a run that dies in between leaves the marker, and
      // the next run notifies again (at least once) instead of never.
      boolean delivered =
          messages.send(
              Notifications.withWarnings(
                  Notifications.of(
                      Event.KEY_CREATED,
                      ctx.account(),
                      state.user(),
                      created.keyId(),
                      d.reason() + ". A new access key was created for you.",
                      Optional.of(created.secret())),
                  warnings));
      if (delivered) {
        toldWithTheNewKey.addAll(warnings);
      }
      created.finish();
      return report(d, Outcome.DONE, created.keyId(), created.secret().arn(), "");
    }

    /**
     * History first: a run that dies after UpdateAccessKey must not lose the date the recovery
     * window counts from. If UpdateAccessKey fails the old history is put back.
     */
    private DecisionReport deactivate(Decision d) {
      String keyId = d.keyId().orElse("");
      KeyHistory before = history(keyId);
      remember(keyId, before.withDeactivated(now));
      try {
        ctx.keys().setStatus(state.user().name(), keyId, KeyStatus.INACTIVE);
        wentInactiveAt.put(keyId, clock.instant());
      } catch (RuntimeException e) {
        try {
          remember(keyId, before);
        } catch (RuntimeException ignored) {
          // a stale "deactivated" on an active key is harmless: it is rewritten when the key is
          // deactivated, and only an inactive key's recovery window reads it
        }
        throw e;
      }
      messages.send(
          Notifications.of(
              Event.KEY_DEACTIVATED,
              ctx.account(),
              state.user(),
              keyId,
              d.reason() + ". It can be switched back on until it is deleted.",
              Optional.empty()));
      return report(d, Outcome.DONE, keyId, "", "");
    }

    /** Only a delivered warning counts: an undelivered one is sent again next run. */
    private DecisionReport warn(Decision d) {
      String keyId = d.keyId().orElse("");
      if (toldWithTheNewKey.contains(d)) {
        remember(keyId, history(keyId).withWarned(now));
        return report(d, Outcome.DONE, keyId, "", "");
      }
      boolean delivered =
          messages.send(
              Notifications.of(
                  Event.KEY_WARNING,
                  ctx.account(),
                  state.user(),
                  keyId,
                  ctx.policy().mode() == Mode.REPORT_ONLY
                      ? Notifications.reportOnly(d, plan.decisions())
                      : d.reason(),
                  Optional.empty()));
      if (delivered) {
        remember(keyId, history(keyId).withWarned(now));
      }
      return report(
          d,
          delivered ? Outcome.DONE : Outcome.FAILED,
          keyId,
          "",
          delivered ? "" : "warning not delivered; it is sent again next run");
    }

    /**
     * History tags of keys that no longer exist (a run died between DeleteAccessKey and UntagUser,
     * or someone deleted the key): removed, so they never pile up against IAM's 50 tags per user.
     * Best effort.
     */
    private void forgetStaleHistory() {
      Set<String> ids = new HashSet<>();
      state.keys().forEach(k -> ids.add(k.id()));
      for (String keyId : List.copyOf(history.keySet())) {
        if (ids.contains(keyId)) {
          continue;
        }
        try {
          ctx.keys().forgetHistory(state.user().name(), keyId);
          history.remove(keyId);
          notes.add("removed the rotator's history of key " + keyId + ", which no longer exists");
        } catch (AwsCallException e) {
          notes.add("could not remove the history of deleted key " + keyId + ": " + e.getMessage());
        }
      }
    }

    /**
     * History written by a version before it named its key's creation ({@code created=}), or naming
     * another time than the key's, is written again with the key's, once (one TagUser per history):
     * from then on the credential-report scan can tie it to the key's report slot and judge the
     * user without listing its keys. Best effort.
     */
    private void tieHistory() {
      for (AccessKey k : state.keys()) {
        KeyHistory h = history.get(k.id());
        if (h == null || h.isEmpty() || ReportTriage.tiedToKey(h, k)) {
          continue;
        }
        try {
          remember(k.id(), h);
        } catch (AwsCallException | IllegalArgumentException e) {
          notes.add("could not tie the history of key " + k.id() + " to it: " + e.getMessage());
        }
      }
    }

    /**
     * In a two-key window (the user holds two active keys, so its keys are read one by one anyway),
     * the first run that sees the newest key used records it in the key's history tag ({@code seen=
     * used= via=}): IAM keeps only the last use, so this is the only way the report can say when
     * the switch was first seen. One TagUser per new key, best effort; users outside a two-key
     * window are never written to, and a run whose plan deactivates the other key (the window
     * closes) only reports it. Only for the report: no decision reads it.
     */
    private void recordFirstUse() {
      Optional<AccessKey> due = firstUseToRecord(state.keys(), history);
      if (due.isEmpty()) {
        return;
      }
      AccessKey newest = due.get();
      List<AccessKey> active = state.keys().stream().filter(AccessKey::isActive).toList();
      KeyHistory seen = history(newest.id()).withFirstUse(FirstUse.of(newest, now));
      String keyId = newest.id();
      boolean windowCloses =
          active.stream()
              .filter(k -> !k.id().equals(keyId))
              .allMatch(
                  k ->
                      plan.decisions().stream()
                          .anyMatch(
                              d ->
                                  d.action() == Action.DEACTIVATE_KEY
                                      && d.keyId().orElse("").equals(k.id())));
      if (windowCloses) {
        // this run ends the two-key window: its report says so, no tag is written for later runs
        history.put(keyId, seen);
        notes.add("key " + keyId + " seen used for the first time by this run");
        return;
      }
      try {
        remember(newest.id(), seen);
        notes.add(firstUseNote(newest));
      } catch (AwsCallException | IllegalArgumentException e) {
        notes.add("could not record the first use of key " + newest.id() + ": " + e.getMessage());
      }
    }

    private KeyHistory history(String keyId) {
      return history.getOrDefault(keyId, KeyHistory.NONE);
    }

    /**
     * Writes a key's history, tied to the key's creation time (so that a later run can match it to
     * the key's credential-report slot without listing the keys, see {@code ReportTriage}).
     */
    private void remember(String keyId, KeyHistory h) {
      KeyHistory tied =
          state.keys().stream()
              .filter(k -> k.id().equals(keyId))
              .findFirst()
              .map(k -> h.withKeyCreated(k.created()))
              .orElse(h);
      ctx.keys().writeHistory(state.user().name(), keyId, tied);
      history.put(keyId, tied);
    }

    private void forget(String keyId) {
      if (history.remove(keyId) != null) {
        ctx.keys().forgetHistory(state.user().name(), keyId);
      }
    }

    private DecisionReport report(
        Decision d, Outcome outcome, String keyId, String secretArn, String error) {
      String key = keyId.isEmpty() ? d.keyId().orElse("") : keyId;
      return new DecisionReport(
          d.action(), key, d.warning(), d.reason(), outcome, secretArn, error);
    }

    private KeyReport keyReport(AccessKey k) {
      return UserRotation.keyReport(k, history(k.id()), now);
    }
  }

  /** The user's messages of one turn; a failure to notify never undoes or blocks a rotation. */
  private static final class Messages {
    private final Notifier notifier;
    private final Optional<String> topicArn;
    private final List<String> notes;
    private final String owner;
    private int sent;
    private int lost;

    Messages(Notifier notifier, Optional<String> topicArn, List<String> notes, String owner) {
      this.notifier = notifier;
      this.topicArn = topicArn;
      this.notes = notes;
      this.owner = owner;
    }

    /** Sends one message; false when SNS refused it (told in the notes). */
    boolean send(Notification n) {
      if (topicArn.isEmpty()) {
        return true;
      }
      try {
        notifier.publish(topicArn.get(), Notifications.withOwner(n, owner));
        sent++;
        return true;
      } catch (AwsCallException e) {
        lost++;
        notes.add("notification '" + n.attributes().get("event") + "' not sent: " + e.getMessage());
        return false;
      }
    }

    /** A message to another topic that was refused: counted and told like the owners' ones. */
    void lostElsewhere(String note) {
      lost++;
      notes.add(note);
    }

    int sent() {
      return sent;
    }

    int lost() {
      return lost;
    }
  }

  /**
   * A key as the report shows it. A first use dated before the key or after now was not written by
   * the rotator: not shown (the settled users of {@link ReportTriage} and the users read one by one
   * both come here).
   */
  /** AWS's quarantine policies attached to a user: empty {@code attached} when not read. */
  record Quarantine(Optional<Boolean> attached, List<String> policies) {
    static final Quarantine UNREAD = new Quarantine(Optional.empty(), List.of());
  }

  /** The report's note for a new key's first use just recorded. */
  static String firstUseNote(AccessKey newest) {
    String where = newest.lastUsedWhere();
    return "key "
        + newest.id()
        + " seen used for the first time (last used "
        + newest.lastUsed().orElseThrow()
        + (where.isEmpty() ? "" : ", " + where)
        + ")";
  }

  /**
   * The key whose first use a run that writes records: the newest of two active keys, used after
   * its creation (to the minute: IAM rounds last use), with no first use in its history yet; none
   * when two active keys share the newest creation second (which one is new is unknown).
   */
  static Optional<AccessKey> firstUseToRecord(
      List<AccessKey> keys, Map<String, KeyHistory> history) {
    List<AccessKey> active = keys.stream().filter(AccessKey::isActive).toList();
    if (active.size() < 2 || newestIsAmbiguous(active)) {
      return Optional.empty();
    }
    AccessKey newest =
        active.stream().max(java.util.Comparator.comparing(AccessKey::created)).orElseThrow();
    boolean used =
        newest.lastUsed().isPresent()
            && !newest
                .lastUsed()
                .get()
                .isBefore(newest.created().truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
    return used && history.getOrDefault(newest.id(), KeyHistory.NONE).firstUse().isEmpty()
        ? Optional.of(newest)
        : Optional.empty();
  }

  /**
   * Two active keys created in the same second (IAM's report resolution): which one is the new key
   * cannot be told, so no first use is recorded for either.
   */
  static boolean newestIsAmbiguous(List<AccessKey> active) {
    if (active.size() < 2) {
      return false;
    }
    Instant last = active.stream().map(AccessKey::created).max(Instant::compareTo).orElseThrow();
    Instant second = last.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return active.stream()
            .filter(
                k -> k.created().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).equals(second))
            .count()
        > 1;
  }

  static KeyReport keyReport(AccessKey k, KeyHistory h, Instant now) {
    Optional<FirstUse> first =
        h.firstUse()
            .filter(
                f ->
                    !f.seenAt().isAfter(now.plus(java.time.Duration.ofMinutes(5)))
                        && !f.seenAt().isBefore(k.created())
                        && !f.lastUsed().isAfter(f.seenAt()));
    return new KeyReport(
        k.id(),
        k.status(),
        Planner.ageDays(k, now),
        k.created(),
        k.lastUsed(),
        "",
        k.lastUsedService(),
        k.lastUsedRegion(),
        first);
  }
}
