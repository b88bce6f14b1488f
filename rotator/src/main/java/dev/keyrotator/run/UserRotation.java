package dev.keyrotator.run;

import dev.keyrotator.aws.Account;
import dev.keyrotator.aws.AwsCallException;
import dev.keyrotator.aws.KeyStore;
import dev.keyrotator.aws.NewAccessKey;
import dev.keyrotator.aws.Notification;
import dev.keyrotator.aws.Notifier;
import dev.keyrotator.aws.SecretVault;
import dev.keyrotator.aws.StoredSecret;
import dev.keyrotator.aws.UserSnapshot;
import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.policy.UserPlan;
import dev.keyrotator.policy.UserState;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.KeyReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.UserReport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One user's turn: read, plan, and (in enforce mode) carry out the plan in order, stopping at the
 * first failure. The create step follows the protocol that loses nothing: marker, create, store
 * (or delete the new key if storing fails), notify, clear marker. A marker that survives (the
 * process died in between) is repaired by the next run before anything else for the user: an
 * orphan (created, secret not stored) is deleted; a key whose secret is stored has its store
 * completed (resource policy and tags re-applied) and its owner notified. See the README,
 * "Rotation protocol and failure behaviour", for every cut point.
 */
final class UserRotation {

  /** Where the run's outside world is, for one account. */
  record Context(
      String runId,
      Account account,
      RotationPolicy policy,
      boolean planOnly,
      KeyStore keys,
      SecretVault vault,
      Notifier notifier,
      Optional<String> topicArn) {}

  private final Planner planner;
  private final Clock clock;

  UserRotation(Planner planner, Clock clock) {
    this.planner = planner;
    this.clock = clock;
  }

  UserReport process(Context ctx, String userName) {
    UserSnapshot snap = ctx.keys().read(userName);
    Set<String> stored = snap.keys().isEmpty() ? Set.of()
        : ctx.vault().storedKeyIds(ctx.account().id(), userName,
            snap.keys().stream().map(AccessKey::id).toList());
    UserState state = new UserState(snap.user(), snap.keys(), stored, snap.marker(),
        snap.history());
    Instant now = clock.instant();
    UserPlan plan = planner.plan(state, ctx.policy(), now);
    return new Execution(ctx, state, plan).run(now);
  }

  /** Carrying out one plan. */
  private final class Execution {
    final Context ctx;
    final UserState state;
    final UserPlan plan;
    final Map<String, KeyHistory> history;
    final List<DecisionReport> reports = new ArrayList<>();
    final List<String> notes;
    int sent;
    int lost;

    Execution(Context ctx, UserState state, UserPlan plan) {
      this.ctx = ctx;
      this.state = state;
      this.plan = plan;
      this.history = new HashMap<>(state.history());
      this.notes = new ArrayList<>(plan.notes());
    }

    UserReport run(Instant now) {
      Mode mode = ctx.policy().mode();
      boolean failed = false;
      if (!ctx.planOnly() && mode.mutatesKeys()) {
        forgetStaleHistory();
      }
      for (Decision d : plan.decisions()) {
        if (d.action() == Action.NOTHING || d.action() == Action.EXEMPT) {
          reports.add(report(d, Outcome.NONE, "", "", ""));
          continue;
        }
        boolean allowed = !ctx.planOnly()
            && (mode.mutatesKeys() || (d.action() == Action.WARN && mode.notifies()));
        if (!allowed) {
          reports.add(report(d, Outcome.PLANNED, "", "", ""));
          continue;
        }
        if (failed) {
          reports.add(report(d, Outcome.SKIPPED, "", "",
              "not attempted: an earlier step for this user failed"));
          continue;
        }
        try {
          reports.add(execute(d, now));
        } catch (AwsCallException | IllegalStateException e) {
          failed = true;
          reports.add(report(d, Outcome.FAILED, d.keyId().orElse(""), "", e.getMessage()));
          notify(Notifications.failure(ctx.account(), state.user(), d, e.getMessage()));
        }
      }
      List<KeyReport> keys = state.keys().stream().map(k -> keyReport(k, now)).toList();
      return new UserReport(state.user().name(), state.user().owner(), keys, reports, notes,
          sent, lost);
    }

    private DecisionReport execute(Decision d, Instant now) {
      String user = state.user().name();
      String keyId = d.keyId().orElse("");
      switch (d.action()) {
        case REPAIR_DELETE_ORPHAN -> {
          ctx.keys().deleteKey(user, keyId);
          forget(keyId);
          notify(Notifications.of(Event.ORPHAN_REPAIRED, ctx.account(), state.user(), keyId,
              d.reason() + ". No action is needed.", Optional.empty()));
          return report(d, Outcome.DONE, keyId, "", "");
        }
        case REPAIR_CLEAR_MARKER -> {
          // A key of the marked rotation whose secret is stored: the run died after the value was
          // written, maybe before the resource policy, the tags or the notification. Finish it.
          RotationMarker m = state.marker().orElseThrow(
              () -> new IllegalStateException("REPAIR_CLEAR_MARKER without a marker"));
          String completed = "";
          String arn = "";
          for (AccessKey k : state.keys()) {
            if (k.isActive() && state.isStored(k.id()) && Planner.createdInMarkerWindow(k, m)) {
              StoredSecret secret = ctx.vault().completeStore(ctx.account().id(), user,
                  state.user().path(), k.id());
              notify(Notifications.of(Event.KEY_CREATED, ctx.account(), state.user(), k.id(),
                  "A new access key was created for you by run " + m.runId()
                      + ", which was interrupted before it could tell you.", Optional.of(secret)));
              notes.add("completed the rotation of run " + m.runId() + ": the secret of key "
                  + k.id() + " was stored; its resource policy and tags were re-applied and its"
                  + " owner notified");
              completed = k.id();
              arn = secret.arn();
            }
          }
          ctx.keys().clearMarker(user);
          return report(d, Outcome.DONE, completed, arn, "");
        }
        case DELETE_KEY -> {
          ctx.keys().deleteKey(user, keyId);
          forget(keyId);
          notify(Notifications.of(Event.KEY_DELETED, ctx.account(), state.user(), keyId, d.reason(),
              Optional.empty()));
          return report(d, Outcome.DONE, keyId, "", "");
        }
        case CREATE_KEY -> {
          StoredSecret secret;
          NewAccessKey created;
          ctx.keys().writeMarker(user, new RotationMarker(ctx.runId(), clock.instant()));
          created = ctx.keys().createKey(user);
          try {
            secret = ctx.vault().store(ctx.account().id(), created);
          } catch (RuntimeException storeFailure) {
            if (valueStored(user, created, storeFailure)) {
              // The secret is safe; only what follows the value is missing. Keep the key and the
              // marker: the next run completes the store before anything else for this user.
              notes.add("the secret of new key " + created.key().id() + " is stored but the"
                  + " store did not finish (" + storeFailure.getMessage() + "); the key is kept"
                  + " and the next run completes the store");
            } else {
              undoCreate(user, created, storeFailure);
            }
            throw storeFailure;
          }
          // Notified before the marker is cleared: a run that dies in between leaves the marker,
          // and the next run notifies again (at least once) instead of never.
          notify(Notifications.of(Event.KEY_CREATED, ctx.account(), state.user(), created.key().id(),
              d.reason() + ". A new access key was created for you.", Optional.of(secret)));
          try {
            ctx.keys().clearMarker(user);
          } catch (AwsCallException e) {
            // The key and its secret are complete; only the marker is left: the next run clears it.
            notes.add("the rotation marker could not be cleared (" + e.getMessage()
                + "); the next run clears it");
          }
          return report(d, Outcome.DONE, created.key().id(), secret.arn(), "");
        }
        case DEACTIVATE_KEY -> {
          // History first: a run that dies after UpdateAccessKey must not lose the date the
          // recovery window counts from. If UpdateAccessKey fails the old history is put back.
          KeyHistory before = history(keyId);
          remember(keyId, before.withDeactivated(now));
          try {
            ctx.keys().setStatus(user, keyId, KeyStatus.INACTIVE);
          } catch (RuntimeException e) {
            try {
              remember(keyId, before);
            } catch (RuntimeException ignored) {
              // a stale "deactivated" on an active key is harmless: it is rewritten when the key
              // is deactivated, and only an inactive key's recovery window reads it
            }
            throw e;
          }
          notify(Notifications.of(Event.KEY_DEACTIVATED, ctx.account(), state.user(), keyId,
              d.reason() + ". It can be switched back on until it is deleted.",
              Optional.empty()));
          return report(d, Outcome.DONE, keyId, "", "");
        }
        case WARN -> {
          boolean delivered = notify(Notifications.of(Event.KEY_WARNING, ctx.account(), state.user(),
              keyId, d.reason(), Optional.empty()));
          if (delivered) {
            // Only a delivered warning counts: an undelivered one is sent again next run.
            remember(keyId, history(keyId).withWarned(now));
          }
          return report(d, delivered ? Outcome.DONE : Outcome.FAILED, keyId, "",
              delivered ? "" : "warning not delivered; it is sent again next run");
        }
        default -> throw new IllegalStateException("not an action to carry out: " + d.action());
      }
    }

    /**
     * Whether the new key's value made it into the vault although {@code store} failed: it fails
     * after the value when the resource policy or the tags could not be applied. When that cannot
     * be told, the answer is no and the key is deleted (its secret is never handed out).
     */
    private boolean valueStored(String user, NewAccessKey created, RuntimeException failure) {
      if (failure instanceof AwsCallException e
          && (e.operation().equals("PutResourcePolicy") || e.operation().equals("TagResource"))) {
        return true;
      }
      try {
        return ctx.vault().storedKeyIds(ctx.account().id(), user, List.of(created.key().id()))
            .contains(created.key().id());
      } catch (RuntimeException e) {
        return false;
      }
    }

    /**
     * History tags of keys that no longer exist (a run died between DeleteAccessKey and
     * UntagUser, or someone deleted the key): removed, so they never pile up against IAM's 50 tags
     * per user. Best effort.
     */
    private void forgetStaleHistory() {
      Set<String> ids = new java.util.HashSet<>();
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
          notes.add("could not remove the history of deleted key " + keyId + ": "
              + e.getMessage());
        }
      }
    }

    /** Storing failed: the new key must not outlive this call, or it would be lost. */
    private void undoCreate(String user, NewAccessKey created, RuntimeException cause) {
      try {
        ctx.keys().deleteKey(user, created.key().id());
        ctx.keys().clearMarker(user);
      } catch (RuntimeException undoFailure) {
        // The marker stays: the next run finds the orphan and deletes it before anything else.
        notes.add("could not delete the new key " + created.key().id()
            + " after the store failed (" + undoFailure.getMessage()
            + "); the next run deletes it");
      }
    }

    private KeyHistory history(String keyId) {
      return history.getOrDefault(keyId, KeyHistory.NONE);
    }

    private void remember(String keyId, KeyHistory h) {
      ctx.keys().writeHistory(state.user().name(), keyId, h);
      history.put(keyId, h);
    }

    private void forget(String keyId) {
      if (history.remove(keyId) != null) {
        ctx.keys().forgetHistory(state.user().name(), keyId);
      }
    }

    /** Sends one message; a failure to notify never undoes or blocks a rotation. */
    private boolean notify(Notification n) {
      if (ctx.topicArn().isEmpty()) {
        return true;
      }
      try {
        ctx.notifier().publish(ctx.topicArn().get(), n);
        sent++;
        return true;
      } catch (AwsCallException e) {
        lost++;
        notes.add("notification '" + n.attributes().get("event") + "' not sent: "
            + e.getMessage());
        return false;
      }
    }

    private DecisionReport report(
        Decision d, Outcome outcome, String keyId, String secretArn, String error) {
      String key = keyId.isEmpty() ? d.keyId().orElse("") : keyId;
      return new DecisionReport(d.action().name(), key,
          d.warning().map(Enum::name).orElse(""), d.reason(), outcome, secretArn, error);
    }

    private KeyReport keyReport(AccessKey k, Instant now) {
      return new KeyReport(k.id(), k.status().iamName(), Planner.ageDays(k, now),
          k.created().toString(), k.lastUsed().map(Instant::toString).orElse(""), "");
    }
  }
}
