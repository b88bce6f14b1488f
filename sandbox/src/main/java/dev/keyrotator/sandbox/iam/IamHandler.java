package dev.keyrotator.sandbox.iam;

import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Paging;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.protocol.Xml;
import dev.keyrotator.sandbox.state.State;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** IAM over the Query protocol. */
public final class IamHandler implements ServiceHandler {
  private static final DateTimeFormatter REPORT_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'+00:00'").withZone(ZoneOffset.UTC);
  static final String REPORT_HEADER =
      "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          + "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
          + "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          + "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
          + "cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

  private static final Operations OPERATIONS =
      new Operations(
              op ->
                  new AwsException(
                      400,
                      "InvalidAction",
                      "Could not find operation " + op + " for version 2010-05-08"))
          .on("ListUsers", IamHandler::listUsers)
          .on("GetUser", IamHandler::getUser)
          .on("ListUserTags", IamHandler::listUserTags)
          .on("TagUser", IamHandler::tagUser)
          .on("UntagUser", IamHandler::untagUser)
          .on("ListGroupsForUser", IamHandler::listGroupsForUser)
          .on("ListAccessKeys", IamHandler::listAccessKeys)
          .on("ListAttachedUserPolicies", IamHandler::listAttachedUserPolicies)
          .on("AttachUserPolicy", IamHandler::attachUserPolicy)
          .on("GetAccessKeyLastUsed", IamHandler::getAccessKeyLastUsed)
          .on("CreateAccessKey", IamHandler::createAccessKey)
          .on("UpdateAccessKey", IamHandler::updateAccessKey)
          .on("DeleteAccessKey", IamHandler::deleteAccessKey)
          .on("GenerateCredentialReport", IamHandler::generateReport)
          .on("GetCredentialReport", IamHandler::getReport)
          .on("GetAccountAuthorizationDetails", IamHandler::accountAuthorizationDetails);

  @Override
  public String name() {
    return "iam";
  }

  @Override
  public Protocol protocol() {
    return Protocol.QUERY;
  }

  @Override
  public Resp handle(Call c) {
    return OPERATIONS.dispatch(c);
  }

  @Override
  public AwsException internalError() {
    return new AwsException(
        500,
        "ServiceFailure",
        "The request processing has failed because of an unknown error, exception or failure.");
  }

  /** Actions with no resource type: IAM authorizes them on "*". */
  private static final java.util.Set<String> ACCOUNT_WIDE =
      java.util.Set.of(
          "ListUsers",
          "GenerateCredentialReport",
          "GetCredentialReport",
          "GetAccountAuthorizationDetails");

  @Override
  public List<AuthRequest> authorization(Call c) {
    String action = "iam:" + c.operation;
    String acct = c.account().id;
    if (ACCOUNT_WIDE.contains(c.operation)) {
      return List.of(new AuthRequest(action, "*", acct));
    }
    State.IamUser u;
    if (c.operation.equals("GetAccessKeyLastUsed")) {
      State.Principal owner = c.state.principals.get(c.param("AccessKeyId"));
      u = owner == null || owner.key == null ? null : owner.key.user;
      if (u == null || u.account != c.account()) {
        return List.of(new AuthRequest(action, "*", acct));
      }
    } else {
      String name = c.param("UserName");
      if (name == null || name.isEmpty()) {
        if (c.caller.key == null) return List.of(); // the operation refuses it
        u = c.caller.key.user;
      } else {
        u = c.account().users.get(name);
      }
    }
    String arn = u != null ? u.arn : "arn:aws:iam::" + acct + ":user/" + c.param("UserName");
    AuthRequest r = new AuthRequest(action, arn, acct);
    if (u != null) {
      u.tags.forEach((k, v) -> r.key("aws:ResourceTag/" + k, v).key("iam:ResourceTag/" + k, v));
    }
    if (c.operation.equals("TagUser")) {
      java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
      for (Map<String, String> t : c.memberStructs("Tags")) {
        tags.put(t.get("Key"), t.getOrDefault("Value", ""));
      }
      r.requestTags(tags);
    } else if (c.operation.equals("UntagUser")) {
      r.keys("aws:TagKeys", c.memberList("TagKeys"));
    }
    return List.of(r);
  }

  static AwsException noSuchUser(String name) {
    return new AwsException(
        404, "NoSuchEntity", "The user with name " + name + " cannot be found.");
  }

  /** The named user, or the caller when no name is given and the caller is an IAM user. */
  private static State.IamUser user(Call c) {
    String name = c.param("UserName");
    if (name == null || name.isEmpty()) {
      if (c.caller.key != null) return c.caller.key.user;
      throw new AwsException(
          400, "ValidationError", "Must specify userName when calling with non-User credentials");
    }
    State.IamUser u = c.account().users.get(name);
    if (u == null) throw noSuchUser(name);
    return u;
  }

  private static int maxItems(Call c) {
    Integer m = c.intParam("MaxItems");
    if (m == null) return 100;
    if (m < 1 || m > 1000) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value '"
              + m
              + "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
    }
    return m;
  }

  private static void userXml(Xml x, State.IamUser u, boolean tags) {
    x.el("Path", u.path)
        .el("UserName", u.name)
        .el("UserId", u.userId)
        .el("Arn", u.arn)
        .el("CreateDate", u.created);
    if (tags && !u.tags.isEmpty()) x.tags("Tags", u.tags);
  }

  private static Resp listUsers(Call c) {
    String prefix = c.param("PathPrefix") == null ? "/" : c.param("PathPrefix");
    List<State.IamUser> all =
        c.account().users.values().stream().filter(u -> u.path.startsWith(prefix)).toList();
    Paging.Page<State.IamUser> p =
        Paging.page(all, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("Users");
    for (State.IamUser u : p.items()) {
      x.open("member");
      userXml(x, u, false);
      x.close("member");
    }
    x.close("Users").el("IsTruncated", p.next() != null).el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  /**
   * GetAccountAuthorizationDetails: users only (the sandbox has no roles, groups as entities or
   * policies), so any Filter other than User gives empty lists. Each UserDetail carries Path,
   * UserName, UserId, Arn, CreateDate, GroupList and Tags; pages of MaxItems (1..1000, default 100)
   * with Marker.
   */
  private static Resp accountAuthorizationDetails(Call c) {
    List<String> filter = c.memberList("Filter");
    for (String f : filter) {
      if (!List.of("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy").contains(f)) {
        throw new AwsException(
            400,
            "ValidationError",
            "1 validation error detected: Value '["
                + f
                + "]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]");
      }
    }
    boolean users = filter.isEmpty() || filter.contains("User");
    List<State.IamUser> all = users ? List.copyOf(c.account().users.values()) : List.of();
    Paging.Page<State.IamUser> p =
        Paging.page(all, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("UserDetailList");
    for (State.IamUser u : p.items()) {
      x.open("member");
      userXml(x, u, false);
      x.open("UserPolicyList")
          .close("UserPolicyList")
          .members("GroupList", u.groups)
          .open("AttachedManagedPolicies")
          .close("AttachedManagedPolicies");
      if (!u.tags.isEmpty()) x.tags("Tags", u.tags);
      x.close("member");
    }
    x.close("UserDetailList")
        .open("GroupDetailList")
        .close("GroupDetailList")
        .open("RoleDetailList")
        .close("RoleDetailList")
        .open("Policies")
        .close("Policies")
        .el("IsTruncated", p.next() != null)
        .el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  private static Resp getUser(Call c) {
    State.IamUser u = user(c);
    Xml x = new Xml().open("User");
    userXml(x, u, true);
    return Protocol.queryOk(c, x.close("User").toString());
  }

  private static Resp listUserTags(Call c) {
    State.IamUser u = user(c);
    List<Map.Entry<String, String>> all = new ArrayList<>(u.tags.entrySet());
    Paging.Page<Map.Entry<String, String>> p =
        Paging.page(all, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("Tags");
    for (Map.Entry<String, String> e : p.items())
      x.open("member").el("Key", e.getKey()).el("Value", e.getValue()).close("member");
    x.close("Tags").el("IsTruncated", p.next() != null).el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  private static Resp tagUser(Call c) {
    State.IamUser u = user(c);
    List<Map<String, String>> tags = c.memberStructs("Tags");
    java.util.LinkedHashMap<String, String> merged = new java.util.LinkedHashMap<>(u.tags);
    for (Map<String, String> t : tags) {
      String k = t.get("Key");
      if (k == null || k.isEmpty() || k.length() > 128)
        throw new AwsException(400, "InvalidInput", "Invalid tag key: " + k);
      String v = t.getOrDefault("Value", "");
      if (v.length() > 256)
        throw new AwsException(400, "InvalidInput", "Tag value too long for key " + k);
      merged.put(k, v);
    }
    if (merged.size() > 50)
      throw new AwsException(
          409, "LimitExceeded", "The number of tags has reached the maximum limit.");
    u.tags.clear();
    u.tags.putAll(merged);
    return Protocol.queryOk(c, null);
  }

  private static Resp untagUser(Call c) {
    State.IamUser u = user(c);
    for (String k : c.memberList("TagKeys")) u.tags.remove(k);
    return Protocol.queryOk(c, null);
  }

  private static Resp listGroupsForUser(Call c) {
    State.IamUser u = user(c);
    Paging.Page<String> p =
        Paging.page(u.groups, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("Groups");
    for (String g : p.items()) {
      x.open("member")
          .el("Path", "/")
          .el("GroupName", g)
          .el("GroupId", "AGPA" + State.deterministic32(c.account().id + "/group/" + g, 16))
          .el("Arn", "arn:aws:iam::" + c.account().id + ":group/" + g)
          .el("CreateDate", u.created)
          .close("member");
    }
    x.close("Groups").el("IsTruncated", p.next() != null).el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  /** The user's managed policies (name and ARN), in pages of MaxItems. */
  private static Resp listAttachedUserPolicies(Call c) {
    State.IamUser u = user(c);
    Paging.Page<String> p =
        Paging.page(u.attachedPolicies, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("AttachedPolicies");
    for (String arn : p.items()) {
      x.open("member")
          .el("PolicyName", arn.substring(arn.lastIndexOf('/') + 1))
          .el("PolicyArn", arn)
          .close("member");
    }
    x.close("AttachedPolicies").el("IsTruncated", p.next() != null).el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  /**
   * Attaches a managed policy (as AWS does with its quarantine policy when it finds a key exposed);
   * the policy evaluation does not read it: an attached policy is only reported.
   */
  private static Resp attachUserPolicy(Call c) {
    State.IamUser u = user(c);
    String arn = c.required("PolicyArn");
    if (!arn.matches("arn:aws[\\w-]*:iam::(aws|\\d{12}):policy/[\\w+=,.@/-]+")) {
      throw new AwsException(400, "InvalidInput", "ARN " + arn + " is not valid.");
    }
    if (!u.attachedPolicies.contains(arn)) {
      u.attachedPolicies.add(arn);
    }
    return Protocol.queryOk(c, null);
  }

  private static Resp listAccessKeys(Call c) {
    State.IamUser u = user(c);
    Paging.Page<State.IamKey> p =
        Paging.page(u.keys, c.param("Marker"), maxItems(c), "ValidationError");
    Xml x = new Xml().open("AccessKeyMetadata");
    for (State.IamKey k : p.items()) {
      x.open("member")
          .el("UserName", u.name)
          .el("AccessKeyId", k.id)
          .el("Status", k.status)
          .el("CreateDate", k.created)
          .close("member");
    }
    x.close("AccessKeyMetadata").el("IsTruncated", p.next() != null).el("Marker", p.next());
    return Protocol.queryOk(c, x.toString());
  }

  private static Resp getAccessKeyLastUsed(Call c) {
    String id = c.required("AccessKeyId");
    State.Principal p = c.state.principals.get(id);
    if (p == null || p.key == null || p.account != c.account()) {
      throw new AwsException(
          403,
          "AccessDenied",
          "User: "
              + c.caller.arn
              + " is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key "
              + id);
    }
    State.IamKey k = p.key;
    Xml x = new Xml().el("UserName", k.user.name).open("AccessKeyLastUsed");
    if (k.lastUsed != null) x.el("LastUsedDate", k.lastUsed.truncatedTo(ChronoUnit.MINUTES));
    x.el("ServiceName", k.lastUsed == null ? "N/A" : k.lastService)
        .el("Region", k.lastUsed == null ? "N/A" : k.lastRegion);
    return Protocol.queryOk(c, x.close("AccessKeyLastUsed").toString());
  }

  private static Resp createAccessKey(Call c) {
    State.IamUser u = user(c);
    if (u.keys.size() >= 2)
      throw new AwsException(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2");
    State.IamKey k = new State.IamKey();
    k.id = c.state.uniqueKeyId(c.state.ids);
    k.secret = c.state.ids.secret();
    k.status = "Active";
    k.created = c.state.now().truncatedTo(ChronoUnit.SECONDS);
    c.state.addKey(u, k);
    Xml x =
        new Xml()
            .open("AccessKey")
            .el("UserName", u.name)
            .el("AccessKeyId", k.id)
            .el("Status", k.status)
            .el("SecretAccessKey", k.secret)
            .el("CreateDate", k.created)
            .close("AccessKey");
    return Protocol.queryOk(c, x.toString());
  }

  private static State.IamKey keyOf(Call c, State.IamUser u) {
    String id = c.required("AccessKeyId");
    if (!id.matches("[\\w]{16,128}")) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value '"
              + id
              + "' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+");
    }
    for (State.IamKey k : u.keys) if (k.id.equals(id)) return k;
    throw new AwsException(
        404, "NoSuchEntity", "The Access Key with id " + id + " cannot be found.");
  }

  private static Resp updateAccessKey(Call c) {
    State.IamUser u = user(c);
    State.IamKey k = keyOf(c, u);
    String status = c.required("Status");
    if (!status.equals("Active") && !status.equals("Inactive")) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value '"
              + status
              + "' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
    }
    k.status = status;
    return Protocol.queryOk(c, null);
  }

  private static Resp deleteAccessKey(Call c) {
    State.IamUser u = user(c);
    State.IamKey k = keyOf(c, u);
    c.state.removeKey(k);
    return Protocol.queryOk(c, null);
  }

  private static Resp generateReport(Call c) {
    State.Acct a = c.account();
    Instant now = c.state.now();
    String state;
    if (a.report == null
        || Duration.between(a.reportTime, now).compareTo(Duration.ofHours(4)) > 0) {
      a.reportTime = now.truncatedTo(ChronoUnit.SECONDS);
      a.report = report(a, now).getBytes(StandardCharsets.UTF_8);
      // null: ready at once (the default; a clock a test moves back cannot strand a report)
      a.reportReadyAt =
          c.state.credentialReportMs > 0 ? now.plusMillis(c.state.credentialReportMs) : null;
      state = "STARTED";
    } else if (a.reportReadyAt != null && now.isBefore(a.reportReadyAt)) {
      state = "INPROGRESS";
    } else {
      state = "COMPLETE";
    }
    return Protocol.queryOk(
        c,
        new Xml()
            .el("State", state)
            .el(
                "Description",
                "STARTED".equals(state)
                    ? "No report exists. Starting a new report generation task"
                    : null)
            .toString());
  }

  private static Resp getReport(Call c) {
    State.Acct a = c.account();
    if (a.report == null) {
      throw new AwsException(
          410,
          "ReportNotPresent",
          "Credential report not present. Generate a credential report first.");
    }
    if (a.reportReadyAt != null && c.state.now().isBefore(a.reportReadyAt)) {
      throw new AwsException(
          404, "ReportInProgress", "Credential report generation is in progress. Try again later.");
    }
    if (Duration.between(a.reportTime, c.state.now()).compareTo(Duration.ofHours(4)) > 0) {
      throw new AwsException(
          410,
          "ReportExpired",
          "The credential report has expired. Generate a new credential report.");
    }
    Xml x =
        new Xml()
            .el("Content", Base64.getEncoder().encodeToString(a.report))
            .el("ReportFormat", "text/csv")
            .el("GeneratedTime", a.reportTime);
    return Protocol.queryOk(c, x.toString());
  }

  private static String t(Instant i) {
    return i == null ? "N/A" : REPORT_TIME.format(i);
  }

  /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
  private static String csv(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  static String report(State.Acct a, Instant now) {
    StringBuilder b = new StringBuilder(REPORT_HEADER).append('\n');
    // the root user row, as AWS writes it
    b.append("<root_account>,arn:aws:iam::")
        .append(a.id)
        .append(":root,")
        .append(t(a.joined))
        .append(",not_supported,N/A,not_supported,not_supported,false,")
        .append(
            a.rootAccessKey ? "true," + t(a.joined) + ",N/A,N/A,N/A," : "false,N/A,N/A,N/A,N/A,")
        .append("false,N/A,N/A,N/A,N/A,false,N/A,false,N/A");
    for (State.IamUser u : a.users.values()) {
      b.append('\n')
          .append(csv(u.name))
          .append(',')
          .append(csv(u.arn))
          .append(',')
          .append(t(u.created))
          .append(",false,N/A,N/A,N/A,false");
      List<State.IamKey> keys = new ArrayList<>(u.keys);
      keys.sort(Comparator.comparing(k -> k.created));
      for (int i = 0; i < 2; i++) {
        if (i < keys.size()) {
          State.IamKey k = keys.get(i);
          b.append(',')
              .append("Active".equals(k.status))
              .append(',')
              .append(t(k.created))
              .append(',')
              .append(t(k.lastUsed))
              .append(',')
              .append(k.lastUsed == null ? "N/A" : k.lastRegion)
              .append(',')
              .append(k.lastUsed == null ? "N/A" : k.lastService);
        } else {
          b.append(",false,N/A,N/A,N/A,N/A");
        }
      }
      b.append(",false,N/A,false,N/A");
    }
    return b.append('\n').toString();
  }
}
