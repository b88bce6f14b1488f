package dev.keyrotator.ports;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A member account of the organization as the rotator sees it.
 *
 * @param ouPath OU ids from the root's first child down to the account's parent (empty at root)
 * @param ouNames the names of those OUs, same order
 */
public record Account(
    String id, String name, List<String> ouPath, List<String> ouNames, Map<String, String> tags) {
  public Account {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    ouPath = List.copyOf(ouPath);
    ouNames = List.copyOf(ouNames);
    tags = Map.copyOf(tags);
  }

  /** The OU path as people read it, e.g. {@code /Workloads/Prod}. */
  public String ouPathNames() {
    return "/" + String.join("/", ouNames);
  }
}
