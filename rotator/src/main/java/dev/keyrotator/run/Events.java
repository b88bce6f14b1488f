package dev.keyrotator.run;

import dev.keyrotator.aws.Account;
import dev.keyrotator.aws.Notification;
import dev.keyrotator.aws.StoredSecret;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.IamUser;
import java.util.Optional;

/** Shorthands for the notifications the run sends. */
final class Events {
  private Events() {}

  static Notification of(Event event, Account account, IamUser user, String keyId, String detail,
      Optional<StoredSecret> secret) {
    return Notifications.of(event, account, user, keyId, detail, secret);
  }

  static Notification failure(Account account, IamUser user, Decision d, String error) {
    return Notifications.of(Event.ROTATION_FAILED, account, user, d.keyId().orElse(null),
        "The step " + d.action() + " failed: " + error
            + ". Nothing else was changed for this user in this run; the next run tries again.",
        Optional.empty());
  }
}
