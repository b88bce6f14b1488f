package dev.keyrotator.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The sandbox's own JSON API under {@code /_sandbox/} (no AWS client uses it; no signature needed):
 * <pre>
 * GET    /_sandbox/health                   {"status":"ok","endpoint":...,"organizationId":...}
 * GET    /_sandbox/clock                    {"now":"2026-11-27T09:00:00Z"}
 * POST   /_sandbox/clock                    {"advanceDays":n} | {"advanceSeconds":n} | {"set":"ISO instant"}
 * GET    /_sandbox/sns/messages             [ {messageId,topicArn,accountId,subject,message,attributes,time} ]
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
final class AdminApi {
    private AdminApi() {}

    static Resp handle(Sandbox sb, String method, String path, String query, byte[] body) {
        try {
            return route(sb, method, path, query, body);
        } catch (IllegalArgumentException | IOException | java.time.DateTimeException e) {
            return json(400, Sandbox.JSON.createObjectNode().put("error", e.getMessage()));
        }
    }

    private static Resp route(Sandbox sb, String method, String path, String query, byte[] body) throws IOException {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String key = method + " " + p;
        switch (key) {
            case "GET /_sandbox/health": {
                ObjectNode n = Sandbox.JSON.createObjectNode().put("status", "ok").put("endpoint", sb.endpoint().toString())
                    .put("organizationId", sb.organizationId()).put("managementAccount", sb.managementAccountId())
                    .put("signatureCheck", sb.options().signatureCheck());
                return json(200, n);
            }
            case "GET /_sandbox/clock":
                return json(200, Sandbox.JSON.createObjectNode().put("now", sb.clock().now().toString()));
            case "POST /_sandbox/clock": {
                JsonNode n = Sandbox.JSON.readTree(body.length == 0 ? "{}".getBytes() : body);
                if (n.has("set")) sb.clock().set(Instant.parse(n.get("set").asText()));
                if (n.has("advanceDays")) sb.clock().advance(Duration.ofSeconds(Math.round(n.get("advanceDays").asDouble() * 86400)));
                if (n.has("advanceSeconds")) sb.clock().advance(Duration.ofSeconds(n.get("advanceSeconds").asLong()));
                return json(200, Sandbox.JSON.createObjectNode().put("now", sb.clock().now().toString()));
            }
            case "GET /_sandbox/sns/messages": {
                ArrayNode a = Sandbox.JSON.createArrayNode();
                for (SnsMessage m : sb.snsMessages()) {
                    ObjectNode o = a.addObject().put("messageId", m.messageId()).put("topicArn", m.topicArn())
                        .put("accountId", m.accountId()).put("subject", m.subject()).put("message", m.message())
                        .put("time", m.time().toString());
                    ObjectNode at = o.putObject("attributes");
                    m.attributes().forEach(at::put);
                }
                return json(200, a);
            }
            case "GET /_sandbox/calls": {
                ObjectNode n = Sandbox.JSON.createObjectNode();
                ArrayNode a = n.putArray("calls");
                for (CallRecord r : sb.calls().all()) {
                    a.addObject().put("time", r.time().toString()).put("accountId", r.accountId()).put("accessKeyId", r.accessKeyId())
                        .put("service", r.service()).put("operation", r.operation()).put("status", r.status())
                        .put("fault", r.fault()).put("errorCode", r.errorCode()).put("mutating", r.mutating());
                }
                ObjectNode counts = n.putObject("counts");
                sb.calls().countsByOperation().forEach(counts::put);
                n.put("total", sb.calls().size());
                n.put("mutating", sb.calls().mutating().size());
                return json(200, n);
            }
            case "DELETE /_sandbox/calls":
                sb.calls().clear();
                return json(200, Sandbox.JSON.createObjectNode().put("status", "cleared"));
            case "GET /_sandbox/faults":
                return json(200, Sandbox.JSON.valueToTree(sb.faults().rules()));
            case "POST /_sandbox/faults": {
                JsonNode n = Sandbox.JSON.readTree(body);
                if (n.isArray()) for (JsonNode r : n) sb.faults().add(Sandbox.JSON.treeToValue(r, FaultRule.class));
                else sb.faults().add(Sandbox.JSON.treeToValue(n, FaultRule.class));
                return json(200, Sandbox.JSON.valueToTree(sb.faults().rules()));
            }
            case "DELETE /_sandbox/faults":
                sb.faults().clear();
                return json(200, Sandbox.JSON.createObjectNode().put("status", "cleared"));
            case "GET /_sandbox/state":
                return json(200, sb.stateJson(query != null && query.contains("secrets=true")));
            case "GET /_sandbox/credentials": {
                ObjectNode n = Sandbox.JSON.createObjectNode();
                for (String id : sb.accountIds()) {
                    SandboxCredentials c = sb.credentialsFor(id);
                    n.putObject(id).put("accessKeyId", c.accessKeyId()).put("secretAccessKey", c.secretAccessKey());
                }
                return json(200, n);
            }
            case "POST /_sandbox/reset":
                sb.reset();
                return json(200, Sandbox.JSON.createObjectNode().put("status", "reset").put("now", sb.clock().now().toString()));
            default:
                return json(404, Sandbox.JSON.createObjectNode().put("error", "no admin route " + key));
        }
    }

    private static Resp json(int status, JsonNode n) {
        return Resp.of(status, "application/json", n.toPrettyString());
    }

    static ObjectNode state(State s, boolean secrets) {
        Instant now = s.clock.now();
        ObjectNode root = Sandbox.JSON.createObjectNode();
        root.put("now", now.toString()).put("organizationId", s.orgId).put("managementAccount", s.mgmtId);
        ArrayNode accts = root.putArray("accounts");
        for (State.Acct a : s.accounts.values()) {
            ObjectNode an = accts.addObject().put("id", a.id).put("name", a.name).put("status", a.status)
                .put("parent", s.parentOf.get(a.id)).put("memberRole", a.roleName);
            if (secrets) an.put("adminAccessKeyId", a.admin.keyId).put("adminSecretAccessKey", a.admin.secret);
            ArrayNode users = an.putArray("users");
            for (State.IamUser u : a.users.values()) {
                ObjectNode un = users.addObject().put("name", u.name).put("path", u.path).put("arn", u.arn);
                ObjectNode tags = un.putObject("tags");
                u.tags.forEach(tags::put);
                ArrayNode keys = un.putArray("keys");
                for (State.IamKey k : u.keys) {
                    ObjectNode kn = keys.addObject().put("accessKeyId", k.id).put("status", k.status)
                        .put("createDate", k.created.toString()).put("ageDays", Duration.between(k.created, now).toDays())
                        .put("lastUsedDate", k.lastUsed == null ? null : k.lastUsed.toString())
                        .put("lastUsedService", k.lastService).put("lastUsedRegion", k.lastRegion);
                    if (secrets) kn.put("secretAccessKey", k.secret);
                }
            }
            ArrayNode sec = an.putArray("secrets");
            for (Map.Entry<String, java.util.TreeMap<String, State.Secret>> r : a.secrets.entrySet()) {
                for (State.Secret x : r.getValue().values()) {
                    ObjectNode sn = sec.addObject().put("region", r.getKey()).put("name", x.name).put("arn", x.arn)
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
        s.buckets.forEach((name, b) -> {
            ArrayNode keys = buckets.putObject(name).put("owner", b.owner.id).putArray("objects");
            b.objects.keySet().forEach(keys::add);
        });
        root.put("snsMessages", s.messages.size());
        return root;
    }
}
