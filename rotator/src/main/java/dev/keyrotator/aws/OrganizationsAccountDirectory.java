package dev.keyrotator.aws;

import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import jakarta.inject.Inject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.AccountState;
import software.amazon.awssdk.services.organizations.model.AccountStatus;
import software.amazon.awssdk.services.organizations.model.OrganizationalUnit;
import software.amazon.awssdk.services.organizations.model.Root;
import software.amazon.awssdk.services.organizations.model.Tag;

/**
 * The organization's ACTIVE accounts with their OU path and tags.
 *
 * <p>Instead of ListAccounts plus one ListParents walk per account, it walks the OU tree once from
 * the root: per node (root and every OU) one ListOrganizationalUnitsForParent and one
 * ListAccountsForParent (all pages each), which places every account and names its OUs. Then one
 * ListTagsForResource per ACTIVE account (all pages). For N accounts in K OUs that is {@code 1 +
 * 2(K+1) + N} calls (plus extra pages) instead of {@code N/20 + N·depth + N}.
 *
 * <p>IAM actions: organizations:ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent,
 * ListTagsForResource.
 *
 * <p>The management account is marked ({@link Account#management()}) without a call of its own:
 * every Organizations ARN carries the management account's id, and ListRoots, which the walk makes
 * anyway, returns the root's ARN {@code arn:aws:organizations::<management account
 * id>:root/o-…/r-…}. When no root ARN has that shape, no account is marked (and a warning says so).
 */
public final class OrganizationsAccountDirectory implements AccountDirectory {
  private static final String SERVICE = "organizations";
  private static final Logger LOG = LoggerFactory.getLogger(OrganizationsAccountDirectory.class);

  /** A root's ARN, as the Organizations API reference gives its pattern (any partition). */
  private static final Pattern ROOT_ARN =
      Pattern.compile(
          "^arn:aws(?:-[a-z]+)*:organizations::(\\d{12}):root/o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}$");

  private final OrganizationsClient organizations;

  @Inject
  OrganizationsAccountDirectory(OrganizationsClient organizations) {
    this.organizations = Objects.requireNonNull(organizations, "organizations");
  }

  /** For callers that build clients themselves. */
  public static OrganizationsAccountDirectory create(OrganizationsClient organizations) {
    return new OrganizationsAccountDirectory(organizations);
  }

  private record Node(String id, List<String> ouPath, List<String> ouNames) {}

  @Override
  public List<Account> activeAccounts() {
    return activeAccounts(true);
  }

  /**
   * Without tags, the walk costs {@code 1 + 2(K+1)} calls (plus pages) whatever the number of
   * accounts: at 1,000 accounts the N ListTagsForResource calls, made one after another, would take
   * most of the time spent here.
   */
  @Override
  public List<Account> activeAccounts(boolean withTags) {
    List<Root> roots = roots();
    Optional<String> management = managementAccountId(roots);
    if (management.isEmpty()) {
      LOG.warn(
          "the management account could not be read from the organization's root ARN ({}):"
              + " no account is treated as the management account",
          roots.stream().map(Root::arn).toList());
    }
    List<Account> out = new ArrayList<>();
    Deque<Node> queue = new ArrayDeque<>();
    for (Root root : roots) {
      queue.add(new Node(root.id(), List.of(), List.of()));
    }
    while (!queue.isEmpty()) {
      Node node = queue.removeFirst();
      List<OrganizationalUnit> children =
          AwsErrors.call(
              SERVICE,
              "ListOrganizationalUnitsForParent",
              () ->
                  organizations
                      .listOrganizationalUnitsForParentPaginator(r -> r.parentId(node.id()))
                      .stream()
                      .flatMap(p -> p.organizationalUnits().stream())
                      .toList());
      for (OrganizationalUnit ou : children) {
        queue.addLast(
            new Node(
                ou.id(),
                append(node.ouPath(), ou.id()),
                append(node.ouNames(), ou.name() == null ? ou.id() : ou.name())));
      }
      List<software.amazon.awssdk.services.organizations.model.Account> accounts =
          AwsErrors.call(
              SERVICE,
              "ListAccountsForParent",
              () ->
                  organizations.listAccountsForParentPaginator(r -> r.parentId(node.id())).stream()
                      .flatMap(p -> p.accounts().stream())
                      .toList());
      for (var a : accounts) {
        if (isActive(a)) {
          out.add(
              Account.inOrganization(
                  a.id(),
                  a.name(),
                  node.ouPath(),
                  node.ouNames(),
                  withTags ? tags(a.id()) : Map.of(),
                  management.filter(a.id()::equals).isPresent()));
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * The management account's id, read from the roots' ARNs; empty when a root has no ARN of the
   * documented shape, or when roots disagree.
   */
  static Optional<String> managementAccountId(List<Root> roots) {
    Optional<String> id = Optional.empty();
    for (Root root : roots) {
      Optional<String> one = managementAccountId(root.arn());
      if (one.isEmpty() || (id.isPresent() && !id.equals(one))) {
        return Optional.empty();
      }
      id = one;
    }
    return id;
  }

  /** The management account's id in a root ARN, or empty when {@code arn} is not a root's ARN. */
  static Optional<String> managementAccountId(String arn) {
    if (arn == null) {
      return Optional.empty();
    }
    Matcher m = ROOT_ARN.matcher(arn);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** The organization's roots (ListRoots, all pages). */
  List<Root> roots() {
    return AwsErrors.call(
        SERVICE,
        "ListRoots",
        () ->
            organizations.listRootsPaginator(r -> {}).stream()
                .flatMap(p -> p.roots().stream())
                .toList());
  }

  /**
   * ACTIVE by the {@code State} field when the response has it (the field AWS introduced in 2025 to
   * replace {@code Status}, which also distinguishes PENDING_CLOSURE and CLOSED), else by {@code
   * Status}.
   */
  static boolean isActive(software.amazon.awssdk.services.organizations.model.Account a) {
    if (a.state() != null && a.state() != AccountState.UNKNOWN_TO_SDK_VERSION) {
      return a.state() == AccountState.ACTIVE;
    }
    return a.status() == AccountStatus.ACTIVE;
  }

  private Map<String, String> tags(String accountId) {
    Map<String, String> tags = new LinkedHashMap<>();
    List<Tag> list =
        AwsErrors.call(
            SERVICE,
            "ListTagsForResource",
            () ->
                organizations.listTagsForResourcePaginator(r -> r.resourceId(accountId)).stream()
                    .flatMap(p -> p.tags().stream())
                    .toList());
    for (Tag t : list) {
      tags.put(t.key(), t.value() == null ? "" : t.value());
    }
    return tags;
  }

  private static List<String> append(List<String> list, String item) {
    List<String> out = new ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }
}
