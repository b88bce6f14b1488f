package dev.keyrotator.config;

import java.util.List;
import java.util.Map;

/**
 * What override resolution needs to know of an account.
 *
 * @param ouPath OU ids from the top of the tree down to the account's parent
 */
public record AccountContext(String accountId, List<String> ouPath, Map<String, String> tags) {
  public AccountContext {
    ouPath = List.copyOf(ouPath);
    tags = Map.copyOf(tags);
  }
}
