package dev.keyrotator.sandbox.organizations;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Json;
import dev.keyrotator.sandbox.protocol.Paging;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.state.DelegationPolicy;
import dev.keyrotator.sandbox.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** AWS Organizations over JSON 1.1. */
public final class OrganizationsHandler implements ServiceHandler {
  private static final Operations OPERATIONS =
      new Operations(
              op -> new AwsException(400, "UnknownOperationException", "Unknown operation " + op))
          .on("DescribeOrganization", OrganizationsHandler::describeOrganization)
          .on("ListAccounts", c -> listAccounts(c, new ArrayList<>(c.state.accounts.values())))
          .on("ListRoots", OrganizationsHandler::listRoots)
          .on("ListOrganizationalUnitsForParent", OrganizationsHandler::listOus)
          .on("ListAccountsForParent", OrganizationsHandler::listAccountsForParent)
          .on("ListParents", OrganizationsHandler::listParents)
          .on("ListTagsForResource", OrganizationsHandler::listTags)
          .on("DescribeAccount", OrganizationsHandler::describeAccount)
          .on("PutResourcePolicy", OrganizationsHandler::putResourcePolicy)
          .on("DescribeResourcePolicy", OrganizationsHandler::describeResourcePolicy)
          .on("DeleteResourcePolicy", OrganizationsHandler::deleteResourcePolicy);

  @Override
  public String name() {
    return "organizations";
  }

  @Override
  public Protocol protocol() {
    return Protocol.JSON;
  }

  /** Only the management account may change the delegation policy. */
  private static final Set<String> MANAGEMENT_ONLY =
      Set.of("PutResourcePolicy", "DeleteResourcePolicy");

  /**
   * Who may call: nobody when the accounts are in no organization
   * (AWSOrganizationsNotInUseException, as AWS answers such an account); the management account
   * everything; a delegated administrator the read operations; any other member account only what
   * the organization's delegation policy grants it (organizations:&lt;Operation&gt;), else
   * AccessDeniedException.
   */
  @Override
  public Resp handle(Call c) {
    State s = c.state;
    if (!s.hasOrganization()) {
      throw new AwsException(
          400,
          "AWSOrganizationsNotInUseException",
          "Your account isn't a member of an organization. To make this request, you must use the"
              + " credentials of an account that belongs to an organization.");
    }
    String caller = c.account().id;
    if (!caller.equals(s.mgmtId)) {
      if (MANAGEMENT_ONLY.contains(c.operation)) {
        throw denied(c, "only the management account can change the delegation policy");
      }
      DelegationPolicy.Verdict verdict =
          s.delegationPolicy == null
              ? DelegationPolicy.Verdict.NONE
              : s.delegationPolicy.evaluate(
                  "organizations:" + c.operation, caller, c.caller.arn, s.orgId);
      boolean allowed =
          verdict == DelegationPolicy.Verdict.ALLOW
              || (verdict == DelegationPolicy.Verdict.NONE && s.delegatedAdmins.contains(caller));
      if (!allowed) {
        throw denied(
            c,
            verdict == DelegationPolicy.Verdict.DENY
                ? "the organization's delegation policy denies organizations:" + c.operation
                : "account "
                    + caller
                    + " is not the management account, not a delegated administrator, and the"
                    + " organization's delegation policy does not grant it organizations:"
                    + c.operation);
      }
    }
    return OPERATIONS.dispatch(c);
  }

  /**
   * Organizations' resource types: the parent (root or OU) for the list-children operations, the
   * child for ListParents, the tagged resource, the account described; "*" for the rest.
   */
  @Override
  public List<AuthRequest> authorization(Call c) {
    State s = c.state;
    String action = "organizations:" + c.operation;
    String id =
        switch (c.operation) {
          case "ListOrganizationalUnitsForParent", "ListAccountsForParent" -> c.str("ParentId");
          case "ListParents" -> c.str("ChildId");
          case "ListTagsForResource" -> c.str("ResourceId");
          case "DescribeAccount" -> c.str("AccountId");
          default -> null;
        };
    String arn = id == null ? "*" : arnOf(s, id);
    return List.of(new AuthRequest(action, arn, s.mgmtId));
  }

  private static String arnOf(State s, String id) {
    State.OuNode node = s.ous.get(id);
    if (node != null) return node.arn;
    return "arn:aws:organizations::" + s.mgmtId + ":account/" + s.orgId + "/" + id;
  }

  private static AwsException denied(Call c, String why) {
    return new AwsException(
        400,
        "AccessDeniedException",
        "You don't have permissions to access this resource. (sandbox: " + why + ")");
  }

  // ---------------------------------------------------------------- the delegation policy

  private static ObjectNode resourcePolicy(ObjectNode r, State s) {
    ObjectNode p = r.putObject("ResourcePolicy");
    ObjectNode sum = p.putObject("ResourcePolicySummary");
    sum.put("Id", s.delegationPolicyId);
    sum.put(
        "Arn",
        "arn:aws:organizations::"
            + s.mgmtId
            + ":resourcepolicy/"
            + s.orgId
            + "/"
            + s.delegationPolicyId);
    p.put("Content", s.delegationPolicy.text());
    return r;
  }

  private static Resp putResourcePolicy(Call c) {
    State s = c.state;
    String content = c.requiredStr("Content", "InvalidInputException");
    DelegationPolicy parsed;
    try {
      parsed = DelegationPolicy.parse(content);
    } catch (IllegalArgumentException e) {
      throw new AwsException(400, "InvalidInputException", e.getMessage());
    }
    s.delegationPolicy = parsed;
    if (s.delegationPolicyId == null) {
      s.delegationPolicyId = "rp-" + s.ids.chars("0123456789abcdefghijklmnopqrstuvwxyz", 8);
    }
    return Protocol.jsonOk(c, resourcePolicy(Json.MAPPER.createObjectNode(), s));
  }

  private static Resp describeResourcePolicy(Call c) {
    State s = c.state;
    if (s.delegationPolicy == null) {
      throw new AwsException(
          400,
          "ResourcePolicyNotFoundException",
          "We can't find a resource policy request with the parameter that you specified.");
    }
    return Protocol.jsonOk(c, resourcePolicy(Json.MAPPER.createObjectNode(), s));
  }

  private static Resp deleteResourcePolicy(Call c) {
    State s = c.state;
    if (s.delegationPolicy == null) {
      throw new AwsException(
          400,
          "ResourcePolicyNotFoundException",
          "We can't find a resource policy request with the parameter that you specified.");
    }
    s.delegationPolicy = null;
    s.delegationPolicyId = null;
    return Protocol.jsonOk(c, Json.MAPPER.createObjectNode());
  }

  @Override
  public AwsException throttled() {
    return new AwsException(
        400,
        "TooManyRequestsException",
        "You have sent too many requests in too short a period of time.");
  }

  @Override
  public AwsException internalError() {
    return new AwsException(
        500,
        "ServiceException",
        "AWS Organizations can't complete your request because of an internal service error.");
  }

  private static double epoch(java.time.Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  private static int pageSize(Call c) {
    Integer max = c.integer("MaxResults");
    if (max == null) return 20;
    if (max < 1 || max > 20)
      throw new AwsException(
          400,
          "InvalidInputException",
          "MaxResults must be between 1 and 20 (INVALID_PAGINATION_TOKEN)");
    return max;
  }

  private static void account(ObjectNode n, State s, State.Acct a) {
    n.put("Id", a.id);
    n.put("Arn", "arn:aws:organizations::" + s.mgmtId + ":account/" + s.orgId + "/" + a.id);
    n.put("Email", a.email);
    n.put("Name", a.name);
    n.put("Status", a.status);
    n.put("State", a.status);
    n.put("JoinedMethod", a.id.equals(s.mgmtId) ? "CREATED" : "INVITED");
    n.put("JoinedTimestamp", epoch(a.joined));
  }

  private static Resp describeOrganization(Call c) {
    State s = c.state;
    ObjectNode r = Json.MAPPER.createObjectNode();
    ObjectNode o = r.putObject("Organization");
    o.put("Id", s.orgId);
    o.put("Arn", s.orgArn);
    o.put("FeatureSet", "ALL");
    o.put(
        "MasterAccountArn",
        "arn:aws:organizations::" + s.mgmtId + ":account/" + s.orgId + "/" + s.mgmtId);
    o.put("MasterAccountId", s.mgmtId);
    o.put("MasterAccountEmail", s.accounts.get(s.mgmtId).email);
    ArrayNode pt = o.putArray("AvailablePolicyTypes");
    ObjectNode scp = pt.addObject();
    scp.put("Type", "SERVICE_CONTROL_POLICY");
    scp.put("Status", "ENABLED");
    return Protocol.jsonOk(c, r);
  }

  private static Resp listAccounts(Call c, List<State.Acct> all) {
    Paging.Page<State.Acct> p =
        Paging.page(all, c.str("NextToken"), pageSize(c), "InvalidInputException");
    ObjectNode r = Json.MAPPER.createObjectNode();
    ArrayNode arr = r.putArray("Accounts");
    for (State.Acct a : p.items()) account(arr.addObject(), c.state, a);
    if (p.next() != null) r.put("NextToken", p.next());
    return Protocol.jsonOk(c, r);
  }

  private static Resp listRoots(Call c) {
    State s = c.state;
    State.OuNode root = s.ous.get(s.rootId);
    ObjectNode r = Json.MAPPER.createObjectNode();
    ObjectNode n = r.putArray("Roots").addObject();
    n.put("Id", root.id);
    n.put("Arn", root.arn);
    n.put("Name", "Root");
    ObjectNode pt = n.putArray("PolicyTypes").addObject();
    pt.put("Type", "SERVICE_CONTROL_POLICY");
    pt.put("Status", "ENABLED");
    return Protocol.jsonOk(c, r);
  }

  private static State.OuNode parent(Call c) {
    String id = c.requiredStr("ParentId", "InvalidInputException");
    State.OuNode p = c.state.ous.get(id);
    if (p == null)
      throw new AwsException(
          400,
          "ParentNotFoundException",
          "We can't find a root or OU with the ParentId that you specified.");
    return p;
  }

  private static String path(State s, String ouId) {
    List<String> parts = new ArrayList<>();
    String cur = ouId;
    while (cur != null) {
      parts.add(0, cur);
      cur = s.parentOf.get(cur);
    }
    return s.orgId + "/" + String.join("/", parts) + "/";
  }

  private static Resp listOus(Call c) {
    State s = c.state;
    State.OuNode parent = parent(c);
    Paging.Page<String> p =
        Paging.page(parent.childOus, c.str("NextToken"), pageSize(c), "InvalidInputException");
    ObjectNode r = Json.MAPPER.createObjectNode();
    ArrayNode arr = r.putArray("OrganizationalUnits");
    for (String id : p.items()) {
      State.OuNode o = s.ous.get(id);
      ObjectNode n = arr.addObject();
      n.put("Id", o.id);
      n.put("Arn", o.arn);
      n.put("Name", o.name);
      n.put("Path", path(s, o.id));
    }
    if (p.next() != null) r.put("NextToken", p.next());
    return Protocol.jsonOk(c, r);
  }

  private static Resp listAccountsForParent(Call c) {
    State.OuNode parent = parent(c);
    List<State.Acct> all = parent.accounts.stream().map(c.state.accounts::get).toList();
    return listAccounts(c, all);
  }

  private static Resp listParents(Call c) {
    State s = c.state;
    String child = c.requiredStr("ChildId", "InvalidInputException");
    String parent = s.parentOf.get(child);
    if (parent == null)
      throw new AwsException(
          400,
          "ChildNotFoundException",
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
    ObjectNode r = Json.MAPPER.createObjectNode();
    ObjectNode n = r.putArray("Parents").addObject();
    n.put("Id", parent);
    n.put("Type", s.ous.get(parent).root ? "ROOT" : "ORGANIZATIONAL_UNIT");
    return Protocol.jsonOk(c, r);
  }

  private static Resp listTags(Call c) {
    String id = c.requiredStr("ResourceId", "InvalidInputException");
    State.Acct a = c.state.accounts.get(id);
    if (a == null) {
      if (c.state.ous.containsKey(id)) a = null;
      else
        throw new AwsException(
            400,
            "TargetNotFoundException",
            "We can't find a resource with the ResourceId that you specified.");
    }
    List<Map.Entry<String, String>> tags =
        a == null ? List.of() : new ArrayList<>(a.tags.entrySet());
    Paging.Page<Map.Entry<String, String>> p =
        Paging.page(tags, c.str("NextToken"), 20, "InvalidInputException");
    ObjectNode r = Json.MAPPER.createObjectNode();
    ArrayNode arr = r.putArray("Tags");
    for (Map.Entry<String, String> e : p.items()) {
      ObjectNode t = arr.addObject();
      t.put("Key", e.getKey());
      t.put("Value", e.getValue());
    }
    if (p.next() != null) r.put("NextToken", p.next());
    return Protocol.jsonOk(c, r);
  }

  private static Resp describeAccount(Call c) {
    String id = c.requiredStr("AccountId", "InvalidInputException");
    State.Acct a = c.state.accounts.get(id);
    if (a == null)
      throw new AwsException(
          400, "AccountNotFoundException", "You specified an account that doesn't exist.");
    ObjectNode r = Json.MAPPER.createObjectNode();
    account(r.putObject("Account"), c.state, a);
    return Protocol.jsonOk(c, r);
  }
}
