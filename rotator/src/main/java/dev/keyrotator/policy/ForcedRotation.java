package dev.keyrotator.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A forced rotation ({@code rotate-now}): one key of one user replaced now and deactivated at once,
 * even if it is in use, because it is compromised or must go. Pure: no I/O, no clock.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li>A named key that is not one of the user's keys is refused.
 *   <li>An exempt user is left alone (the caller tells the security team).
 *   <li>A marker (a rotation in flight, or one a dead run left) is refused: {@code rotator run}
 *       repairs it first.
 *   <li>An inactive key is already out of use: nothing to do (a replayed or duplicated request).
 *   <li>A newer active key whose secret is stored already replaces it: the key is only deactivated
 *       (a request replayed after the new key was stored).
 *   <li>Otherwise a new key is created first; a second key in the way is deleted first only when it
 *       is inactive and past its recovery window (or never deactivated by the rotator); an active
 *       second key, or one still in its recovery window, refuses the rotation.
 *   <li>Then the key is deactivated (its deactivation date kept in its history tag, so it is kept
 *       for the recovery window before the normal lifecycle deletes it).
 *   <li>With {@code --deactivate after:N} the key is not deactivated now: a deadline N days away is
 *       recorded in its history tag (before the new key is created, so no run stopped anywhere
 *       leaves a replaced key without it), and ordinary runs deactivate the key once it has passed,
 *       even if it is in use ({@link DeferredDeactivation}). A deadline already recorded is never
 *       extended: the earlier one stays.
 * </ol>
 */
public final class ForcedRotation {
  private ForcedRotation() {}

  /**
   * What was asked.
   *
   * @param keyId the key to replace; empty: the user's newest active key
   * @param reason why, in a word ({@code manual}, {@code exposed}); said in every message
   * @param deactivateAfterDays empty: the key is deactivated now; N (1..{@link
   *     DeferredDeactivation#MAX_DAYS}): it stays active N days, then ordinary runs deactivate it
   */
  public record Request(Optional<String> keyId, String reason, OptionalInt deactivateAfterDays) {
    public Request {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(deactivateAfterDays, "deactivateAfterDays");
      if (deactivateAfterDays.isPresent()
          && (deactivateAfterDays.getAsInt() < 1
              || deactivateAfterDays.getAsInt() > DeferredDeactivation.MAX_DAYS)) {
        throw new IllegalArgumentException(
            "deactivateAfterDays must be 1.." + DeferredDeactivation.MAX_DAYS);
      }
    }

    public Request(Optional<String> keyId, String reason) {
      this(keyId, reason, OptionalInt.empty());
    }
  }

  /**
   * An exposure AWS reported (an AWS Health {@code AWS_RISK_CREDENTIALS_EXPOSED} event).
   *
   * @param reportedAt when AWS reported it (the event's startTime)
   * @param eventArn the Health event, to find it again; may be empty
   */
  public record Incident(Instant reportedAt, String eventArn) {
    public Incident {
      Objects.requireNonNull(reportedAt, "reportedAt");
      Objects.requireNonNull(eventArn, "eventArn");
    }
  }

  /**
   * The outcome of planning.
   *
   * @param refusal why nothing may be done, one line; empty when {@code plan} is to be carried out
   * @param keyId the key the request is about (empty only when refused before one was found)
   * @param exempt the user is exempt: nothing is changed, the security team is told
   * @param deactivateBy with {@code after:N}: when the key is to be deactivated (the earlier of the
   *     one asked and one already recorded)
   * @param recordDeadline {@code deactivateBy} is to be written into the key's history before the
   *     plan is carried out (it is new, or earlier than the one recorded)
   */
  public record Result(
      Optional<String> refusal,
      Optional<String> keyId,
      boolean exempt,
      UserPlan plan,
      Optional<Instant> deactivateBy,
      boolean recordDeadline) {
    public Result(Optional<String> refusal, Optional<String> keyId, boolean exempt, UserPlan plan) {
      this(refusal, keyId, exempt, plan, Optional.empty(), false);
    }

    public boolean refused() {
      return refusal.isPresent();
    }
  }

  public static Result plan(UserState state, RotationPolicy policy, Request request, Instant now) {
    String user = state.user().name();
    List<Decision> out = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    String why = "rotate-now (reason: " + request.reason() + ")";

    Optional<AccessKey> target;
    if (request.keyId().isPresent()) {
      target = state.key(request.keyId().get());
      if (target.isEmpty()) {
        return refused(
            user,
            Optional.empty(),
            "key " + request.keyId().get() + " does not belong to user " + user);
      }
    } else {
      target = state.keys().stream().filter(AccessKey::isActive).reduce((first, second) -> second);
      if (target.isEmpty()) {
        return refused(user, Optional.empty(), "user " + user + " has no active key to rotate");
      }
    }
    AccessKey key = target.get();
    Optional<String> keyId = Optional.of(key.id());

    for (Exemption e : policy.exemptions()) {
      if (e.match().matches(state.user()) && !e.isExpired(now)) {
        out.add(
            Decision.onUser(
                Action.EXEMPT,
                why
                    + " asked for key "
                    + key.id()
                    + ", but the user is exempt by "
                    + e.describe()
                    + "; nothing was changed and the security team is told"));
        return new Result(Optional.empty(), keyId, true, new UserPlan(user, out, notes));
      }
    }

    if (state.marker().isPresent()) {
      RotationMarker m = state.marker().get();
      return refused(
          user,
          keyId,
          "user "
              + user
              + " has a rotation marker of run "
              + m.runId()
              + " from "
              + m.startedAt()
              + " (a rotation in flight or interrupted); run `rotator run --accounts <account>` to"
              + " repair it, then rotate-now again");
    }

    if (!key.isActive()) {
      out.add(
          Decision.onKey(
              Action.NOTHING,
              key.id(),
              why + ": key " + key.id() + " is already inactive; nothing to do"));
      return new Result(Optional.empty(), keyId, false, new UserPlan(user, out, notes));
    }

    Optional<Instant> deadline = Optional.empty();
    boolean record = false;
    if (request.deactivateAfterDays().isPresent()) {
      Instant asked =
          now.plus(Duration.ofDays(request.deactivateAfterDays().getAsInt()))
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      Optional<Instant> recorded = DeferredDeactivation.deadline(state, key);
      record = recorded.isEmpty() || asked.isBefore(recorded.get());
      deadline = Optional.of(record ? asked : recorded.get());
    }

    List<AccessKey> others = state.keys().stream().filter(k -> !k.id().equals(key.id())).toList();
    boolean replaced =
        others.stream()
            .anyMatch(
                k ->
                    k.isActive() && state.isStored(k.id()) && !k.created().isBefore(key.created()));
    if (!replaced) {
      if (!others.isEmpty()) {
        AccessKey other = others.get(0);
        Optional<String> blocked = blocker(state, policy, other, now);
        if (blocked.isPresent()) {
          return refused(
              user,
              keyId,
              "user "
                  + user
                  + " already holds two keys and neither may be removed: "
                  + blocked.get()
                  + ", and "
                  + key.id()
                  + " is the key to replace");
        }
        out.add(
            Decision.onKey(
                Action.DELETE_KEY,
                other.id(),
                why
                    + ": inactive key "
                    + other.id()
                    + " is deleted to make room for the replacement of "
                    + key.id()));
      }
      out.add(
          Decision.onUser(
              Action.CREATE_KEY,
              why
                  + ": key "
                  + key.id()
                  + " is replaced at once"
                  + deadline
                      .map(
                          d ->
                              "; it stays active until "
                                  + d
                                  + ", then it is deactivated even if it is still in use")
                      .orElse("")));
    } else {
      notes.add("a newer active key with a stored secret already replaces " + key.id());
    }
    if (deadline.isPresent()) {
      out.add(
          Decision.onKey(
              Action.NOTHING,
              key.id(),
              why
                  + ": the deactivation of key "
                  + key.id()
                  + " is scheduled for "
                  + deadline.get()
                  + (record
                      ? " (--deactivate after:" + request.deactivateAfterDays().getAsInt() + ")"
                      : " (recorded before; a deadline is never extended)")
                  + "; the first run after it deactivates the key even if it is in use, and keeps"
                  + " it inactive for the recovery window before it is deleted"));
      return new Result(
          Optional.empty(), keyId, false, new UserPlan(user, out, notes), deadline, record);
    }
    out.add(
        Decision.onKey(
            Action.DEACTIVATE_KEY,
            key.id(),
            why
                + ": key "
                + key.id()
                + " is deactivated at once, even if it is in use; it is kept inactive for the"
                + " recovery window ("
                + policy.thresholdsFor(state.user(), new ArrayList<>()).recoveryWindowDays()
                + " days) before it is deleted"));
    return new Result(Optional.empty(), keyId, false, new UserPlan(user, out, notes));
  }

  /** Why the user's other key may not be deleted to make room; empty when it may. */
  private static Optional<String> blocker(
      UserState state, RotationPolicy policy, AccessKey other, Instant now) {
    if (other.isActive()) {
      return Optional.of("key " + other.id() + " is active");
    }
    Optional<Instant> deactivated = state.historyOf(other.id()).deactivated();
    if (deactivated.isPresent()) {
      int window = policy.thresholdsFor(state.user(), new ArrayList<>()).recoveryWindowDays();
      Instant until = deactivated.get().plus(Duration.ofDays(window));
      if (now.isBefore(until)) {
        return Optional.of(
            "inactive key "
                + other.id()
                + " is in its recovery window until "
                + until
                + " (deactivated by the rotator)");
      }
    }
    return Optional.empty();
  }

  private static Result refused(String user, Optional<String> keyId, String why) {
    return new Result(Optional.of(why), keyId, false, new UserPlan(user, List.of(), List.of()));
  }
}
