package dev.keyrotator.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The facts about an IAM user that the policy can match on. */
public record IamUser(String name, String path, Map<String, String> tags, Set<String> groups) {
  public IamUser {
    Objects.requireNonNull(name, "name");
    path = path == null ? "/" : path;
    tags = Map.copyOf(tags);
    groups = Set.copyOf(groups);
  }

  public static IamUser named(String name) {
    return new IamUser(name, "/", Map.of(), Set.of());
  }

  /** The user's owner for notifications, from the {@code owner} tag when present. */
  public String owner() {
    return owner(java.util.List.of("owner"));
  }

  /**
   * The value of the first of {@code tagKeys} the user carries (keys matched exactly, case as
   * given) that is not blank; empty when none.
   */
  public String owner(java.util.List<String> tagKeys) {
    for (String k : tagKeys) {
      String v = tags.get(k);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return "";
  }
}
