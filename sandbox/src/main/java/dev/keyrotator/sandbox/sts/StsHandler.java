package dev.keyrotator.sandbox.sts;

import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.iampolicy.Caller;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.protocol.Xml;
import dev.keyrotator.sandbox.state.State;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** STS over the Query protocol. */
public final class StsHandler implements ServiceHandler {
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws:iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*)([\\w+=,.@-]{1,64})");
  private static final Pattern SESSION = Pattern.compile("[\\w+=,.@-]{2,64}");

  private static final Operations OPERATIONS =
      new Operations(
              op ->
                  new AwsException(
                      400,
                      "InvalidAction",
                      "Could not find operation " + op + " for version 2011-06-15"))
          .on("AssumeRole", StsHandler::assumeRole)
          .on("GetCallerIdentity", StsHandler::getCallerIdentity);

  @Override
  public String name() {
    return "sts";
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
    return new AwsException(500, "InternalFailure", "An internal error occurred.");
  }

  @Override
  public List<AuthRequest> authorization(Call c) {
    if (!c.operation.equals("AssumeRole")) return List.of(); // GetCallerIdentity needs none
    String roleArn = c.param("RoleArn");
    Matcher m = roleArn == null ? null : ROLE_ARN.matcher(roleArn);
    if (m == null || !m.matches()) return List.of();
    return List.of(
        new AuthRequest("sts:AssumeRole", roleArn, m.group(1))
            .key("sts:ExternalId", c.param("ExternalId"))
            .key("sts:RoleSessionName", c.param("RoleSessionName")));
  }

  /** The deployed role {@code arn} names, if any. */
  private static State.Role deployed(State.Acct target, String path, String name) {
    if (target == null) return null;
    State.Role r = target.roles.get(name);
    return r != null && r.path.equals(path.isEmpty() ? "/" : "/" + path) ? r : null;
  }

  private static Resp getCallerIdentity(Call c) {
    State.Principal p = c.caller;
    Xml x = new Xml().el("UserId", p.userId).el("Account", p.account.id).el("Arn", p.arn);
    return Protocol.queryOk(c, x.toString());
  }

  private static Resp assumeRole(Call c) {
    String roleArn = c.required("RoleArn");
    String session = c.required("RoleSessionName");
    Matcher m = ROLE_ARN.matcher(roleArn);
    if (!m.matches()) {
      throw new AwsException(400, "ValidationError", roleArn + " is invalid");
    }
    if (!SESSION.matcher(session).matches()) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value '"
              + session
              + "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    }
    Integer duration = c.intParam("DurationSeconds");
    int secs = duration == null ? 3600 : duration;
    if (secs < 900 || secs > 43200) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value '"
              + secs
              + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
    }
    State.Acct target = c.state.accounts.get(m.group(1));
    String roleName = m.group(3);
    String externalId = c.param("ExternalId");
    State.Role role = deployed(target, m.group(2), roleName);
    boolean ok;
    if (role != null) {
      // The role's trust policy, with the caller as principal (IAM's resource-policy evaluation).
      AuthRequest trust =
          new AuthRequest("sts:AssumeRole", roleArn, target.id)
              .key("sts:ExternalId", externalId)
              .key("sts:RoleSessionName", session)
              .key("aws:PrincipalArn", c.caller.principalArn())
              .key("aws:PrincipalAccount", c.caller.account.id)
              .key(
                  "aws:PrincipalOrgID",
                  c.state.inOrganization(c.caller.account.id) ? c.state.orgId : null);
      ok =
          "ACTIVE".equals(target.status)
              && role.trust != null
              && role.trust.evaluate(
                      trust, new Caller(c.caller.account.id, c.caller.principalArn()))
                  == PolicyDocument.Verdict.ALLOW;
    } else {
      ok =
          target != null
              && "ACTIVE".equals(target.status)
              && target.roleName != null
              && target.roleName.equals(roleName)
              && (target.roleExternalId == null || target.roleExternalId.equals(externalId));
    }
    if (!ok) {
      throw new AwsException(
          403,
          "AccessDenied",
          "User: "
              + c.caller.arn
              + " is not authorized to perform: sts:AssumeRole on resource: "
              + roleArn);
    }
    Instant now = c.state.now();
    Instant exp = now.plus(Duration.ofSeconds(secs)).truncatedTo(ChronoUnit.SECONDS);
    State.Principal p = new State.Principal();
    p.kind = State.Kind.ROLE;
    p.account = target;
    p.keyId = c.state.ids.tempKeyId();
    p.secret = c.state.ids.secret();
    p.sessionToken = c.state.ids.sessionToken();
    p.expiration = exp;
    p.arn = "arn:aws:sts::" + target.id + ":assumed-role/" + roleName + "/" + session;
    p.userId = (role != null ? role.roleId : target.roleId) + ":" + session;
    p.role = role;
    c.state.principals.put(p.keyId, p);
    Xml x =
        new Xml()
            .open("Credentials")
            .el("AccessKeyId", p.keyId)
            .el("SecretAccessKey", p.secret)
            .el("SessionToken", p.sessionToken)
            .el("Expiration", exp)
            .close("Credentials")
            .open("AssumedRoleUser")
            .el("AssumedRoleId", p.userId)
            .el("Arn", p.arn)
            .close("AssumedRoleUser");
    return Protocol.queryOk(c, x.toString());
  }
}
