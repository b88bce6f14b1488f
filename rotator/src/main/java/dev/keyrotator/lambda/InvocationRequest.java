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
 */
record InvocationRequest(Optional<Mode> mode, List<String> accounts, boolean scheduled) {

  static InvocationRequest from(Map<String, Object> event) {
    if (event == null) {
      return new InvocationRequest(Optional.empty(), List.of(), false);
    }
    boolean scheduled = "aws.events".equals(event.get("source"))
        || "aws.scheduler".equals(event.get("source"))
        || "Scheduled Event".equals(event.get("detail-type"));
    Optional<Mode> mode = Optional.empty();
    Object m = event.get("mode");
    if (m != null) {
      mode = Optional.of(Mode.fromLabel(String.valueOf(m)));
    }
    List<String> accounts = new ArrayList<>();
    Object a = event.get("accounts");
    if (a instanceof Collection<?> c) {
      c.forEach(x -> accounts.add(String.valueOf(x)));
    } else if (a != null) {
      throw new IllegalArgumentException("accounts must be a list of account ids");
    }
    return new InvocationRequest(mode, accounts, scheduled);
  }
}
