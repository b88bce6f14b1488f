package dev.keyrotator.run;

import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.StoredSecret;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the SNS messages. Each names account, user, key and event; a new key's message links to
 * its secret (ARN, console URL, CLI command) and never carries the secret itself.
 */
public final class Notifications {
  private Notifications() {}

  public static Notification of(
      Event event,
      Account account,
      IamUser user,
      String keyId,
      String detail,
      Optional<StoredSecret> secret) {
    String subject =
        subject(event.title() + " for " + user.name() + " in " + accountLabel(account));
    StringBuilder body = new StringBuilder();
    body.append(event.title()).append("\n\n");
    body.append("Account:  ").append(accountLabel(account)).append('\n');
    body.append("User:     ").append(user.name()).append('\n');
    body.append("Key id:   ").append(keyId == null ? "-" : keyId).append('\n');
    body.append("Event:    ").append(event.attribute()).append('\n');
    body.append('\n').append(detail).append('\n');
    secret.ifPresent(
        s -> {
          body.append(
              "\nThe new secret is stored in AWS Secrets Manager (it is not in this message).\n");
          body.append("Secret ARN:  ").append(s.arn()).append('\n');
          body.append("Console:     ").append(s.consoleUrl()).append('\n');
          body.append(
              "Who can read it: the IAM user "
                  + user.name()
                  + " itself, signing with its own (current or old) access key; the secret's"
                  + " resource policy names that user, not your console session.\n");
          body.append("Read it as that user with:\n  ").append(s.cliCommand()).append('\n');
          body.append(
              "Let the workload pick it up by itself: in its ~/.aws/config\n"
                  + "  [profile "
                  + user.name()
                  + "]\n  credential_process = java -XX:TieredStopAtLevel=1 -jar rotator.jar"
                  + " credentials --secret-id "
                  + s.arn()
                  + "\n(run it once with the old key in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY to"
                  + " seed its cache; README \"How an application gets its new key\").\n");
          body.append(
              "Otherwise switch your applications to the new key; the old key is deactivated"
                  + " once it is no longer used.\n");
        });
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("account_id", account.id());
    attributes.put("user_name", user.name());
    attributes.put("event", event.attribute());
    if (!user.owner().isBlank()) {
      attributes.put("owner", user.owner());
    }
    return new Notification(subject, body.toString(), attributes);
  }

  /**
   * The message with the {@code owner} attribute set to {@code owner} (the user's owner as {@code
   * notifications.ownerTagKeys} and {@code accountOwnerTagKey} resolve it), or without one when
   * nobody is known, so subscriptions can filter on it.
   */
  static Notification withOwner(Notification n, String owner) {
    Map<String, String> attributes = new LinkedHashMap<>(n.attributes());
    if (owner == null || owner.isBlank()) {
      attributes.remove("owner");
    } else {
      attributes.put("owner", owner);
    }
    return new Notification(n.subject(), n.body(), attributes);
  }

  /**
   * A new key's message with the same run's warnings about the user's other keys (a reminder that
   * the old key is deactivated soon) appended, so that the owner gets one message per run, not two.
   * Its attribute {@code also=key-warning} lets a subscription that filters on warnings still match
   * it.
   */
  static Notification withWarnings(Notification created, List<Decision> warnings) {
    if (warnings.isEmpty()) {
      return created;
    }
    StringBuilder b = new StringBuilder(created.body()).append("\nAlso in this run:\n");
    for (Decision w : warnings) {
      b.append("- key ").append(w.keyId().orElse("-")).append(": ").append(w.reason()).append('\n');
    }
    Map<String, String> attributes = new LinkedHashMap<>(created.attributes());
    attributes.put("also", Event.KEY_WARNING.attribute());
    return new Notification(created.subject(), b.toString(), attributes);
  }

  /** A step of a user's rotation failed; nothing after it was attempted. */
  public static Notification failure(Account account, IamUser user, Decision d, String error) {
    return of(
        Event.ROTATION_FAILED,
        account,
        user,
        d.keyId().orElse(null),
        "The step "
            + d.action()
            + " failed: "
            + error
            + ". Nothing else was changed for this user in this run; the next run tries again.",
        Optional.empty());
  }

  /**
   * A warning's text in a report-only account, where nothing is created or deactivated: it says so,
   * and what the policy would do, instead of "switch to the new key" and a deactivation date.
   */
  static String reportOnly(Decision warning, List<Decision> plan) {
    StringBuilder b =
        new StringBuilder(
            "This account is in report-only mode: the rotator changed nothing and created no new"
                + " key for you.");
    List<String> would = new ArrayList<>();
    for (Decision d : plan) {
      switch (d.action()) {
        case CREATE_KEY -> would.add("create a new access key (" + d.reason() + ")");
        case DEACTIVATE_KEY ->
            would.add("deactivate key " + d.keyId().orElse("") + " (" + d.reason() + ")");
        case DELETE_KEY ->
            would.add("delete key " + d.keyId().orElse("") + " (" + d.reason() + ")");
        default -> {}
      }
    }
    if (!would.isEmpty()) {
      b.append(" Under the policy it would now: ").append(String.join("; ", would)).append('.');
    }
    String why = warning.reason().replaceAll(";? *switch to the (new|newer) key", "");
    b.append(" What the policy says about key ")
        .append(warning.keyId().orElse("-"))
        .append(": ")
        .append(why)
        .append(". Rotate it yourself, or ask for the account to be put in enforce mode.");
    return b.toString();
  }

  static String accountLabel(Account account) {
    return account.name().isBlank() ? account.id() : account.id() + " (" + account.name() + ")";
  }

  /** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
  static String subject(String s) {
    String ascii = s.replaceAll("[^\\x20-\\x7E]", "?");
    String prefixed = "[key-rotator] " + ascii;
    return prefixed.length() <= 100 ? prefixed : prefixed.substring(0, 97) + "...";
  }
}
