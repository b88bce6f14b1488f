package dev.keyrotator.ports;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A member account of the organization as the rotator sees it.
 *
 * @param ouPath OU ids from the root's first child down to the account's parent (empty at root)
 * @param ouNames the names of those OUs, same order
 * @param standalone the account the rotator runs in, with no organization around it (single-account
 *     mode): worked with the rotator's own credentials, never left out as "the central account"
 * @param management the organization's management account (named by the account id in the
 *     Organizations ARNs): StackSets never deploy the member role there, so it is left out unless
 *     the policy includes it (organization.includeManagementAccount)
 */
public record Account(
    String id,
    String name,
    List<String> ouPath,
    List<String> ouNames,
    Map<String, String> tags,
    boolean standalone,
    boolean management) {

  /** A member account of the organization. */
  public Account(
      String id, String name, List<String> ouPath, List<String> ouNames, Map<String, String> tags) {
    this(id, name, ouPath, ouNames, tags, false, false);
  }

  /** An account of the organization, the management account if {@code management}. */
  public static Account inOrganization(
      String id,
      String name,
      List<String> ouPath,
      List<String> ouNames,
      Map<String, String> tags,
      boolean management) {
    return new Account(id, name, ouPath, ouNames, tags, false, management);
  }

  /** The account the rotator runs in, alone (single-account mode). */
  public static Account standalone(String id) {
    return new Account(id, STANDALONE_NAME, List.of(), List.of(), Map.of(), true, false);
  }

  /** The name a standalone account goes by in reports (no organization names it). */
  public static final String STANDALONE_NAME = "this account";

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
