package dev.keyrotator.run;

import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.ports.Account;
import java.util.List;
import java.util.Optional;

/**
 * Who a user's messages are for ({@code notifications.ownerTagKeys} and {@code
 * notifications.accountOwnerTagKey}): the first of the user tags that the user carries, keys
 * matched exactly; else the account's tag in AWS Organizations (the account directory lists it with
 * the account, no extra call); else nobody. The result is the {@code owner} attribute of every SNS
 * message about the user and the report's {@code owner}.
 *
 * @param userTagKeys user tags naming the owner, first present wins
 * @param accountTagKey the account tag naming the default owner, if any
 */
record Owners(List<String> userTagKeys, Optional<String> accountTagKey) {

  /** The user tag {@code owner}, no account default (the rotator's behaviour before settings). */
  static final Owners DEFAULT = new Owners(List.of("owner"), Optional.empty());

  Owners {
    userTagKeys = List.copyOf(userTagKeys);
  }

  static Owners of(PolicyFile.NotificationSettings n) {
    if (n == null) {
      return DEFAULT;
    }
    return new Owners(n.ownerTagKeys(), n.accountOwnerTagKey());
  }

  /** The user's owner, or the account's default owner, or empty. */
  String ownerOf(IamUser user, Account account) {
    String own = user.owner(userTagKeys);
    if (!own.isEmpty()) {
      return own;
    }
    return accountTagKey.map(k -> account.tags().getOrDefault(k, "")).map(String::strip).orElse("");
  }
}
