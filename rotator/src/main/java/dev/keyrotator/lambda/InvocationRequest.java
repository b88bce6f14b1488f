package dev.keyrotator.lambda;

import dev.keyrotator.policy.Mode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an invocation asks for. The EventBridge schedule sends a "Scheduled Event" (everything as
 * the policy says); a manual invocation may send {@code {"mode": "dry-run", "accounts":
 * ["123456789012"]}}.
 *
 * <p>The fan-out state machine ({@link FanOut}) sends an {@code action}: {@code {"action":
 * "list"}}, {@code {"action": "rotate", "runId": "...", "accounts": [...]}} and {@code {"action":
 * "merge", "runId": "...", "batches": [{"accounts": [...]}, ...]}}. Without an action the
 * invocation is one whole run, as before.
 *
 * @param action empty for a whole run; else {@code list}, {@code rotate} or {@code merge}
 * @param runId the fanned-out run's id (rotate, merge; optional for list)
 * @param accountsSha256 for rotate: the digest of the batch's account file (see {@link FanOut});
 *     empty: the organization is walked for the accounts' OU paths and tags
 * @param batches for merge: the account batches the list step handed out (empty: not told)
 * @param deliver deliver the report of a forced dry run too ({@code "deliver": true})
 */
record InvocationRequest(
    Optional<Mode> mode,
    List<String> accounts,
    boolean scheduled,
    Optional<String> action,
    Optional<String> runId,
    Optional<String> accountsSha256,
    List<List<String>> batches,
    boolean deliver) {

  /** One user's key replaced now: {@code {"action": "rotate-now", "account": ..., "user": ...}}. */
  static final String ROTATE_NOW = "rotate-now";

  static final List<String> ACTIONS = List.of(FanOut.LIST, FanOut.ROTATE, FanOut.MERGE, ROTATE_NOW);

  InvocationRequest {
    accounts = List.copyOf(accounts);
    batches = batches.stream().map(List::copyOf).toList();
  }

  InvocationRequest(Optional<Mode> mode, List<String> accounts, boolean scheduled) {
    this(
        mode,
        accounts,
        scheduled,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        false);
  }

  static InvocationRequest from(Map<String, Object> event) {
    if (event == null) {
      return new InvocationRequest(Optional.empty(), List.of(), false);
    }
    boolean scheduled =
        "aws.events".equals(event.get("source"))
            || "aws.scheduler".equals(event.get("source"))
            || "Scheduled Event".equals(event.get("detail-type"));
    Optional<Mode> mode = Optional.empty();
    Object m = event.get("mode");
    if (m != null) {
      mode = Optional.of(Mode.fromLabel(String.valueOf(m)));
    }
    List<String> accounts = ids(event.get("accounts"), "accounts");
    Optional<String> action = Optional.ofNullable(event.get("action")).map(String::valueOf);
    if (action.isPresent() && !ACTIONS.contains(action.get())) {
      throw new IllegalArgumentException(
          "unknown action '" + action.get() + "' (expected one of " + ACTIONS + ")");
    }
    Optional<String> runId =
        Optional.ofNullable(event.get("runId")).map(String::valueOf).filter(s -> !s.isBlank());
    if (runId.isPresent() && !runId.get().matches("[A-Za-z0-9._:-]{1,128}")) {
      throw new IllegalArgumentException(
          "runId must be 1..128 of A-Z a-z 0-9 . _ : - : '" + runId.get() + "'");
    }
    if (action.filter(a -> !a.equals(FanOut.LIST) && !a.equals(ROTATE_NOW)).isPresent()
        && runId.isEmpty()) {
      throw new IllegalArgumentException("action " + action.get() + " needs a runId");
    }
    if (action.filter(FanOut.ROTATE::equals).isPresent() && accounts.isEmpty()) {
      throw new IllegalArgumentException("action rotate needs a non-empty list of accounts");
    }
    Optional<String> sha =
        Optional.ofNullable(event.get(FanOut.ACCOUNTS_SHA256)).map(String::valueOf);
    if (sha.isPresent() && !sha.get().matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(FanOut.ACCOUNTS_SHA256 + " must be 64 hex digits");
    }
    List<List<String>> batches = new ArrayList<>();
    Object b = event.get("batches");
    if (b instanceof Collection<?> c) {
      for (Object item : c) {
        Object ids = item instanceof Map<?, ?> map ? map.get("accounts") : item;
        batches.add(ids(ids, "batches[].accounts"));
      }
    } else if (b != null) {
      throw new IllegalArgumentException("batches must be a list of {\"accounts\": [...]}");
    }
    Object d = event.get("deliver");
    if (d != null && !(d instanceof Boolean)) {
      throw new IllegalArgumentException("deliver must be true or false, got " + d);
    }
    return new InvocationRequest(
        mode, accounts, scheduled, action, runId, sha, batches, Boolean.TRUE.equals(d));
  }

  private static List<String> ids(Object a, String field) {
    List<String> out = new ArrayList<>();
    if (a instanceof Collection<?> c) {
      c.forEach(x -> out.add(String.valueOf(x)));
    } else if (a != null) {
      throw new IllegalArgumentException(field + " must be a list of account ids");
    }
    return out;
  }
}
