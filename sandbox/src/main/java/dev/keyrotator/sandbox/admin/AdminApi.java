package dev.keyrotator.sandbox.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SnsMessage;
import dev.keyrotator.sandbox.protocol.Json;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.state.State;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's own JSON API under {@code /_sandbox/} (no AWS client uses it; no signature needed):
 *
 * <pre>
 * GET    /_sandbox/health                   {"status":"ok","endpoint":...,"organizationId":...}
 * GET    /_sandbox/clock                    {"now":"2026-11-27T09:00:00Z"}
 * POST   /_sandbox/clock                    {"advanceDays":n} | {"advanceSeconds":n} | {"set":"ISO instant"}
 * GET    /_sandbox/sns/messages             [ {messageId,topicArn,accountId,subject,message,attributes,time} ]
 * GET    /_sandbox/sns/examples             text: the first message of each event type, whole
 * GET    /_sandbox/calls                    {"calls":[...], "counts":{"iam:ListUsers":3,...}, "mutating":n}
 * DELETE /_sandbox/calls                    clears the call log
 * GET    /_sandbox/faults                   active rules
 * POST   /_sandbox/faults                   a FaultRule or a list of them (see FaultRule)
 * DELETE /_sandbox/faults                   removes all rules, releases stalled responses
 * GET    /_sandbox/state[?secrets=true]     accounts, users, keys (ids, status, ages, last use), secrets, topics, buckets
 * GET    /_sandbox/credentials              admin credentials of every account
 * POST   /_sandbox/reset                    back to the fixture
 * </pre>
 */
public final class AdminApi {
  /** What the admin API reads and changes: the sandbox, seen through its public value types. */
  public interface Controls {
    URI endpoint();

    String organizationId();

    String managementAccountId();

    boolean signatureCheck();

    Instant now();

    void setClock(Instant t);

    void advanceClock(Duration d);

    List<SnsMessage> snsMessages();

    List<CallRecord> calls();

    Map<String, Long> callCounts();

    /** Client TCP connections seen since the call log was last cleared. */
    int connections();

    void clearCalls();

    List<FaultRule> faultRules();

    void addFault(FaultRule rule);

    void clearFaults();

    ObjectNode stateJson(boolean withSecrets);

    List<String> accountIds();

    SandboxCredentials credentialsFor(String accountId);

    void reset();
  }

  private AdminApi() {}

  public static Resp handle(Controls sb, String method, String path, String query, byte[] body) {
    try {
      return route(sb, method, path, query, body);
    } catch (IllegalArgumentException | IOException | java.time.DateTimeException e) {
      return json(400, Json.MAPPER.createObjectNode().put("error", e.getMessage()));
    }
  }

  private static Resp route(Controls sb, String method, String path, String query, byte[] body)
      throws IOException {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String key = method + " " + p;
    switch (key) {
      case "GET /_sandbox/health":
        {
          ObjectNode n =
              Json.MAPPER
                  .createObjectNode()
                  .put("status", "ok")
                  .put("endpoint", sb.endpoint().toString())
                  .put("organizationId", sb.organizationId())
                  .put("managementAccount", sb.managementAccountId())
                  .put("signatureCheck", sb.signatureCheck());
          return json(200, n);
        }
      case "GET /_sandbox/clock":
        return json(200, Json.MAPPER.createObjectNode().put("now", sb.now().toString()));
      case "POST /_sandbox/clock":
        {
          JsonNode n = Json.MAPPER.readTree(body.length == 0 ? "{}".getBytes() : body);
          if (n.has("set")) sb.setClock(Instant.parse(n.get("set").asText()));
          if (n.has("advanceDays"))
            sb.advanceClock(
                Duration.ofSeconds(Math.round(n.get("advanceDays").asDouble() * 86400)));
          if (n.has("advanceSeconds"))
            sb.advanceClock(Duration.ofSeconds(n.get("advanceSeconds").asLong()));
          return json(200, Json.MAPPER.createObjectNode().put("now", sb.now().toString()));
        }
      case "GET /_sandbox/sns/messages":
        {
          ArrayNode a = Json.MAPPER.createArrayNode();
          for (SnsMessage m : sb.snsMessages()) {
            ObjectNode o =
                a.addObject()
                    .put("messageId", m.messageId())
                    .put("topicArn", m.topicArn())
                    .put("accountId", m.accountId())
                    .put("subject", m.subject())
                    .put("message", m.message())
                    .put("time", m.time().toString());
            ObjectNode at = o.putObject("attributes");
            m.attributes().forEach(at::put);
          }
          return json(200, a);
        }
      case "GET /_sandbox/sns/examples":
        {
          StringBuilder t = new StringBuilder();
          java.util.Set<String> seen = new java.util.HashSet<>();
          for (SnsMessage m : sb.snsMessages()) {
            String event = m.attributes().getOrDefault("event", "(no event attribute)");
            if (!seen.add(event)) {
              continue;
            }
            t.append("---------------- event ").append(event).append('\n');
            t.append("Topic:      ").append(m.topicArn()).append('\n');
            t.append("Attributes: ").append(new java.util.TreeMap<>(m.attributes())).append('\n');
            t.append("Subject:    ").append(m.subject()).append("\n\n");
            t.append(m.message().strip()).append("\n\n");
          }
          return Resp.of(200, "text/plain; charset=utf-8", t.toString());
        }
      case "GET /_sandbox/calls":
        {
          ObjectNode n = Json.MAPPER.createObjectNode();
          ArrayNode a = n.putArray("calls");
          List<CallRecord> calls = sb.calls();
          for (CallRecord r : calls) {
            a.addObject()
                .put("time", r.time().toString())
                .put("accountId", r.accountId())
                .put("accessKeyId", r.accessKeyId())
                .put("service", r.service())
                .put("operation", r.operation())
                .put("status", r.status())
                .put("fault", r.fault())
                .put("errorCode", r.errorCode())
                .put("mutating", r.mutating())
                .put("principalArn", r.principalArn())
                .put("enforced", r.enforced())
                .put("actions", String.join(",", r.actions()));
          }
          ObjectNode counts = n.putObject("counts");
          sb.callCounts().forEach(counts::put);
          n.put("total", calls.size());
          n.put("connections", sb.connections());
          n.put("mutating", calls.stream().filter(CallRecord::mutating).count());
          return json(200, n);
        }
      case "DELETE /_sandbox/calls":
        sb.clearCalls();
        return json(200, Json.MAPPER.createObjectNode().put("status", "cleared"));
      case "GET /_sandbox/faults":
        return json(200, Json.MAPPER.valueToTree(sb.faultRules()));
      case "POST /_sandbox/faults":
        {
          JsonNode n = Json.MAPPER.readTree(body);
          if (n.isArray())
            for (JsonNode r : n) sb.addFault(Json.MAPPER.treeToValue(r, FaultRule.class));
          else sb.addFault(Json.MAPPER.treeToValue(n, FaultRule.class));
          return json(200, Json.MAPPER.valueToTree(sb.faultRules()));
        }
      case "DELETE /_sandbox/faults":
        sb.clearFaults();
        return json(200, Json.MAPPER.createObjectNode().put("status", "cleared"));
      case "GET /_sandbox/state":
        return json(200, sb.stateJson(query != null && query.contains("secrets=true")));
      case "GET /_sandbox/credentials":
        {
          ObjectNode n = Json.MAPPER.createObjectNode();
          for (String id : sb.accountIds()) {
            SandboxCredentials c = sb.credentialsFor(id);
            n.putObject(id)
                .put("accessKeyId", c.accessKeyId())
                .put("secretAccessKey", c.secretAccessKey());
          }
          return json(200, n);
        }
      case "POST /_sandbox/reset":
        sb.reset();
        return json(
            200,
            Json.MAPPER.createObjectNode().put("status", "reset").put("now", sb.now().toString()));
      default:
        return json(404, Json.MAPPER.createObjectNode().put("error", "no admin route " + key));
    }
  }

  private static Resp json(int status, JsonNode n) {
    return Resp.of(status, "application/json", n.toPrettyString());
  }

  /**
   * The whole state as JSON (what {@code GET /_sandbox/state} returns); the caller holds the
   * state's monitor.
   */
  public static ObjectNode state(State s, boolean secrets) {
    Instant now = s.now();
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("now", now.toString())
        .put("organizationId", s.orgId)
        .put("managementAccount", s.mgmtId);
    ArrayNode accts = root.putArray("accounts");
    for (State.Acct a : s.accounts.values()) {
      ObjectNode an =
          accts
              .addObject()
              .put("id", a.id)
              .put("name", a.name)
              .put("status", a.status)
              .put("parent", s.parentOf.get(a.id))
              .put("memberRole", a.roleName);
      if (secrets)
        an.put("adminAccessKeyId", a.admin.keyId).put("adminSecretAccessKey", a.admin.secret);
      ArrayNode users = an.putArray("users");
      for (State.IamUser u : a.users.values()) {
        ObjectNode un = users.addObject().put("name", u.name).put("path", u.path).put("arn", u.arn);
        ObjectNode tags = un.putObject("tags");
        u.tags.forEach(tags::put);
        ArrayNode keys = un.putArray("keys");
        for (State.IamKey k : u.keys) {
          ObjectNode kn =
              keys.addObject()
                  .put("accessKeyId", k.id)
                  .put("status", k.status)
                  .put("createDate", k.created.toString())
                  .put("ageDays", Duration.between(k.created, now).toDays())
                  .put("lastUsedDate", k.lastUsed == null ? null : k.lastUsed.toString())
                  .put("lastUsedService", k.lastService)
                  .put("lastUsedRegion", k.lastRegion);
          if (secrets) kn.put("secretAccessKey", k.secret);
        }
      }
      ArrayNode sec = an.putArray("secrets");
      for (Map.Entry<String, java.util.TreeMap<String, State.Secret>> r : a.secrets.entrySet()) {
        for (State.Secret x : r.getValue().values()) {
          ObjectNode sn =
              sec.addObject()
                  .put("region", r.getKey())
                  .put("name", x.name)
                  .put("arn", x.arn)
                  .put("deleted", x.deletedDate != null);
          ObjectNode vs = sn.putObject("versions");
          for (State.SecretVersion v : x.versions.values()) {
            ObjectNode vn = vs.putObject(v.id);
            ArrayNode st = vn.putArray("stages");
            v.stages.forEach(st::add);
            if (secrets) vn.put("secretString", v.string);
          }
        }
      }
    }
    ArrayNode topics = root.putArray("topics");
    s.topics.keySet().forEach(topics::add);
    ObjectNode buckets = root.putObject("buckets");
    s.buckets.forEach(
        (name, b) -> {
          ArrayNode keys = buckets.putObject(name).put("owner", b.owner.id).putArray("objects");
          b.objects.keySet().forEach(keys::add);
        });
    root.put("snsMessages", s.messages.size());
    return root;
  }
}
