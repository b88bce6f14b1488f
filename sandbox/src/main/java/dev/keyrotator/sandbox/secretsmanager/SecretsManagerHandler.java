package dev.keyrotator.sandbox.secretsmanager;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.keyrotator.sandbox.state.Ids;
import dev.keyrotator.sandbox.state.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Secrets Manager over JSON 1.1. Secrets are kept per account and region. */
public final class SecretsManagerHandler implements ServiceHandler {
  private static final Operations OPERATIONS =
      new Operations(
              op -> new AwsException(400, "UnknownOperationException", "Unknown operation " + op))
          .on("CreateSecret", SecretsManagerHandler::create)
          .on("PutSecretValue", SecretsManagerHandler::putValue)
          .on("DescribeSecret", SecretsManagerHandler::describe)
          .on("GetSecretValue", SecretsManagerHandler::getValue)
          .on("BatchGetSecretValue", SecretsManagerHandler::batchGetValue)
          .on("PutResourcePolicy", SecretsManagerHandler::putPolicy)
          .on("GetResourcePolicy", SecretsManagerHandler::getPolicy)
          .on("TagResource", SecretsManagerHandler::tag)
          .on("UntagResource", SecretsManagerHandler::untag)
          .on("ListSecrets", SecretsManagerHandler::list)
          .on("DeleteSecret", SecretsManagerHandler::delete)
          .on("RestoreSecret", SecretsManagerHandler::restore);

  @Override
  public String name() {
    return "secretsmanager";
  }

  @Override
  public Protocol protocol() {
    return Protocol.JSON;
  }

  @Override
  public Resp handle(Call c) {
    purgeExpired(c);
    return OPERATIONS.dispatch(c);
  }

  /**
   * The secret's ARN (for a secret that does not exist yet, its name-based ARN, which the usual
   * {@code secret:<prefix>*} patterns match), its tags as {@code aws:ResourceTag} and {@code
   * secretsmanager:ResourceTag}, request tags, and {@code secretsmanager:BlockPublicPolicy} as the
   * request sends it. CreateSecret with tags also needs secretsmanager:TagResource;
   * BatchGetSecretValue needs GetSecretValue on each secret.
   */
  @Override
  public List<AuthRequest> authorization(Call c) {
    String action = "secretsmanager:" + c.operation;
    String acct = c.account().id;
    if (c.operation.equals("ListSecrets")) return List.of(new AuthRequest(action, "*", acct));
    if (c.operation.equals("BatchGetSecretValue")) {
      List<AuthRequest> out = new ArrayList<>();
      out.add(new AuthRequest(action, "*", acct));
      for (JsonNode id : c.json.path("SecretIdList")) {
        out.add(secretRequest(c, "secretsmanager:GetSecretValue", id.asText()));
      }
      return out;
    }
    String id = c.operation.equals("CreateSecret") ? c.str("Name") : c.str("SecretId");
    if (id == null) return List.of();
    AuthRequest r = secretRequest(c, action, id);
    List<AuthRequest> out = new ArrayList<>(List.of(r));
    if (c.operation.equals("CreateSecret") || c.operation.equals("TagResource")) {
      Map<String, String> tags = new java.util.LinkedHashMap<>();
      readTags(c.json.get("Tags"), tags);
      r.requestTags(tags);
      if (c.operation.equals("CreateSecret") && !tags.isEmpty()) {
        out.add(secretRequest(c, "secretsmanager:TagResource", id).requestTags(tags));
      }
    }
    if (c.operation.equals("PutResourcePolicy") && c.json.has("BlockPublicPolicy")) {
      r.key(
          "secretsmanager:BlockPublicPolicy",
          String.valueOf(c.json.get("BlockPublicPolicy").asBoolean()));
    }
    return out;
  }

  private static AuthRequest secretRequest(Call c, String action, String id) {
    State.Secret s = lookup(c, id);
    String arn;
    if (s != null) arn = s.arn;
    else if (id.startsWith("arn:")) arn = id;
    else arn = "arn:aws:secretsmanager:" + c.region + ":" + c.account().id + ":secret:" + id;
    AuthRequest r = new AuthRequest(action, arn, c.account().id);
    if (s != null) r.resourceTags(s.tags, "secretsmanager");
    return r;
  }

  @Override
  public AwsException throttled() {
    return new AwsException(400, "ThrottlingException", "Rate exceeded");
  }

  @Override
  public AwsException internalError() {
    return new AwsException(500, "InternalServiceError", "An error occurred on the server side.");
  }

  private static double epoch(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  private static TreeMap<String, State.Secret> secrets(Call c) {
    return c.account().secrets(c.region);
  }

  private static void purgeExpired(Call c) {
    Instant now = c.state.now();
    secrets(c).values().removeIf(s -> s.deletionDate != null && !now.isBefore(s.deletionDate));
  }

  private static State.Secret lookup(Call c, String id) {
    for (State.Secret s : secrets(c).values()) {
      if (s.name.equals(id)
          || s.arn.equals(id)
          || (id.startsWith("arn:")
              && s.arn.startsWith(id + "-")
              && s.arn.length() == id.length() + 7)) {
        return s;
      }
    }
    return null;
  }

  private static State.Secret find(Call c, boolean allowDeleted) {
    String id = c.requiredStr("SecretId", "InvalidParameterException");
    State.Secret found = lookup(c, id);
    if (found == null)
      throw new AwsException(
          400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    if (!allowDeleted && found.deletedDate != null) {
      throw new AwsException(
          400,
          "InvalidRequestException",
          "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return found;
  }

  private static String value(Call c) {
    return c.str("SecretString");
  }

  private static byte[] binary(Call c) {
    String b = c.str("SecretBinary");
    return b == null ? null : Base64.getDecoder().decode(b);
  }

  private static void readTags(JsonNode tags, Map<String, String> into) {
    if (tags == null || !tags.isArray()) return;
    for (JsonNode t : tags) into.put(t.path("Key").asText(), t.path("Value").asText(""));
  }

  private static boolean sameValue(State.SecretVersion v, String str, byte[] bin) {
    return Objects.equals(v.string, str) && Arrays.equals(v.binary, bin);
  }

  /**
   * Adds a version with the given stages; a stage moves off the version that had it; AWSCURRENT
   * leaves AWSPREVIOUS behind.
   */
  private static State.SecretVersion addVersion(
      Call c, State.Secret s, String versionId, String str, byte[] bin, List<String> stages) {
    State.SecretVersion v = new State.SecretVersion();
    v.id = versionId;
    v.string = str;
    v.binary = bin;
    v.created = c.state.now();
    for (String stage : stages) {
      State.SecretVersion old = s.byStage(stage);
      if (old != null) {
        old.stages.remove(stage);
        if (stage.equals("AWSCURRENT")) {
          State.SecretVersion prev = s.byStage("AWSPREVIOUS");
          if (prev != null) prev.stages.remove("AWSPREVIOUS");
          old.stages.add("AWSPREVIOUS");
        }
      }
      v.stages.add(stage);
    }
    s.versions.put(v.id, v);
    s.lastChanged = v.created;
    return v;
  }

  private static String token(Call c) {
    String t = c.str("ClientRequestToken");
    if (t == null) return c.state.ids.uuid();
    if (t.length() < 32 || t.length() > 64) {
      throw new AwsException(
          400, "InvalidParameterException", "ClientRequestToken must be 32-64 characters long.");
    }
    return t;
  }

  private static Resp create(Call c) {
    String name = c.requiredStr("Name", "InvalidParameterException");
    if (!name.matches("[A-Za-z0-9/_+=.@-]{1,512}"))
      throw new AwsException(
          400,
          "InvalidParameterException",
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
    String str = value(c);
    byte[] bin = binary(c);
    String token = token(c);
    State.Secret existing = secrets(c).get(name);
    if (existing != null) {
      State.SecretVersion v = existing.versions.get(token);
      if (existing.deletedDate == null && v != null && sameValue(v, str, bin)) {
        return createResponse(c, existing, v.id); // idempotent retry
      }
      if (existing.deletedDate != null) {
        throw new AwsException(
            400,
            "InvalidRequestException",
            "You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      throw new AwsException(
          400,
          "ResourceExistsException",
          "The operation failed because the secret " + name + " already exists.");
    }
    State.Secret s = new State.Secret();
    s.name = name;
    s.region = c.region;
    s.arn =
        "arn:aws:secretsmanager:"
            + c.region
            + ":"
            + c.account().id
            + ":secret:"
            + name
            + "-"
            + c.state.ids.chars(Ids.ALNUM, 6);
    s.description = c.str("Description");
    s.kmsKeyId = c.str("KmsKeyId");
    readTags(c.json.get("Tags"), s.tags);
    s.created = c.state.now();
    s.lastChanged = s.created;
    secrets(c).put(name, s);
    String versionId = null;
    if (str != null || bin != null)
      versionId = addVersion(c, s, token, str, bin, List.of("AWSCURRENT")).id;
    return createResponse(c, s, versionId);
  }

  private static Resp createResponse(Call c, State.Secret s, String versionId) {
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    if (versionId != null) r.put("VersionId", versionId);
    return Protocol.jsonOk(c, r);
  }

  private static Resp putValue(Call c) {
    State.Secret s = find(c, false);
    String str = value(c);
    byte[] bin = binary(c);
    if (str == null && bin == null)
      throw new AwsException(
          400, "InvalidRequestException", "You must provide either SecretString or SecretBinary.");
    String token = token(c);
    List<String> stages = new ArrayList<>();
    JsonNode vs = c.json.get("VersionStages");
    if (vs != null && vs.isArray()) vs.forEach(n -> stages.add(n.asText()));
    if (stages.isEmpty()) stages.add("AWSCURRENT");
    State.SecretVersion v = s.versions.get(token);
    if (v != null) {
      if (!sameValue(v, str, bin)) {
        throw new AwsException(
            400,
            "ResourceExistsException",
            "You can't modify an existing version, you can only create a new version.");
      }
    } else {
      v = addVersion(c, s, token, str, bin, stages);
    }
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    r.put("VersionId", v.id);
    ArrayNode st = r.putArray("VersionStages");
    v.stages.forEach(st::add);
    return Protocol.jsonOk(c, r);
  }

  private static void tagsJson(ObjectNode r, Map<String, String> tags) {
    ArrayNode arr = r.putArray("Tags");
    tags.forEach(
        (k, v) -> {
          ObjectNode t = arr.addObject();
          t.put("Key", k);
          t.put("Value", v);
        });
  }

  private static void stagesJson(ObjectNode r, String field, State.Secret s) {
    ObjectNode m = r.putObject(field);
    for (State.SecretVersion v : s.versions.values()) {
      if (v.stages.isEmpty()) continue;
      ArrayNode a = m.putArray(v.id);
      v.stages.forEach(a::add);
    }
  }

  private static void describeInto(ObjectNode r, State.Secret s, String versionsField) {
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    if (s.description != null) r.put("Description", s.description);
    if (s.kmsKeyId != null) r.put("KmsKeyId", s.kmsKeyId);
    r.put("LastChangedDate", epoch(s.lastChanged));
    if (s.lastAccessed != null) r.put("LastAccessedDate", epoch(s.lastAccessed));
    if (s.deletedDate != null) r.put("DeletedDate", epoch(s.deletedDate));
    tagsJson(r, s.tags);
    stagesJson(r, versionsField, s);
    r.put("CreatedDate", epoch(s.created));
  }

  private static Resp describe(Call c) {
    State.Secret s = find(c, true);
    ObjectNode r = Json.MAPPER.createObjectNode();
    describeInto(r, s, "VersionIdsToStages");
    return Protocol.jsonOk(c, r);
  }

  private static Resp getValue(Call c) {
    State.Secret s = find(c, false);
    String versionId = c.str("VersionId");
    String stage = c.str("VersionStage");
    State.SecretVersion v;
    if (versionId != null) {
      v = s.versions.get(versionId);
      if (v == null || (stage != null && !v.stages.contains(stage))) {
        throw new AwsException(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
      }
    } else {
      String st = stage == null ? "AWSCURRENT" : stage;
      v = s.byStage(st);
      if (v == null) {
        throw new AwsException(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret value for staging label: " + st);
      }
    }
    s.lastAccessed = c.state.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    r.put("VersionId", v.id);
    if (v.string != null) r.put("SecretString", v.string);
    if (v.binary != null) r.put("SecretBinary", Base64.getEncoder().encodeToString(v.binary));
    ArrayNode st = r.putArray("VersionStages");
    v.stages.forEach(st::add);
    r.put("CreatedDate", epoch(v.created));
    return Protocol.jsonOk(c, r);
  }

  private static Resp putPolicy(Call c) {
    State.Secret s = find(c, false);
    String policy = c.requiredStr("ResourcePolicy", "InvalidParameterException");
    try {
      JsonNode n = Json.MAPPER.readTree(policy);
      if (!n.isObject() || !n.has("Statement")) throw new IllegalArgumentException();
    } catch (Exception e) {
      throw new AwsException(
          400, "MalformedPolicyDocumentException", "This resource policy contains a syntax error.");
    }
    if (c.bool("BlockPublicPolicy") && grantsBroadAccess(policy)) {
      throw new AwsException(
          400,
          "PublicPolicyException",
          "You can't complete this action because the resource policy grants broad access to the"
              + " secret.");
    }
    s.policy = policy;
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    return Protocol.jsonOk(c, r);
  }

  /**
   * What BlockPublicPolicy refuses: an Allow to every principal ({@code "*"} or {@code {"AWS":
   * "*"}}) that no condition narrows.
   */
  static boolean grantsBroadAccess(String policy) {
    try {
      JsonNode st = Json.MAPPER.readTree(policy).get("Statement");
      for (JsonNode s : st.isArray() ? st : Json.MAPPER.createArrayNode().add(st)) {
        if (!"Allow".equals(s.path("Effect").asText()) || s.has("Condition")) continue;
        JsonNode p = s.get("Principal");
        if (p == null) continue;
        if (p.isTextual() && p.asText().equals("*")) return true;
        JsonNode aws = p.get("AWS");
        if (aws != null) {
          for (JsonNode a : aws.isArray() ? aws : Json.MAPPER.createArrayNode().add(aws)) {
            if (a.asText().equals("*")) return true;
          }
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private static Resp batchGetValue(Call c) {
    ObjectNode r = Json.MAPPER.createObjectNode();
    ArrayNode values = r.putArray("SecretValues");
    ArrayNode errors = r.putArray("Errors");
    for (JsonNode id : c.json.path("SecretIdList")) {
      State.Secret s = lookup(c, id.asText());
      State.SecretVersion v = s == null || s.deletedDate != null ? null : s.byStage("AWSCURRENT");
      if (v == null) {
        ObjectNode e = errors.addObject();
        e.put("SecretId", id.asText());
        e.put("ErrorCode", "ResourceNotFoundException");
        e.put("Message", "Secrets Manager can't find the specified secret.");
        continue;
      }
      ObjectNode n = values.addObject();
      n.put("ARN", s.arn);
      n.put("Name", s.name);
      n.put("VersionId", v.id);
      if (v.string != null) n.put("SecretString", v.string);
      ArrayNode st = n.putArray("VersionStages");
      v.stages.forEach(st::add);
      n.put("CreatedDate", epoch(v.created));
    }
    return Protocol.jsonOk(c, r);
  }

  private static Resp getPolicy(Call c) {
    State.Secret s = find(c, false);
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    if (s.policy != null) r.put("ResourcePolicy", s.policy);
    return Protocol.jsonOk(c, r);
  }

  private static Resp tag(Call c) {
    State.Secret s = find(c, false);
    readTags(c.json.get("Tags"), s.tags);
    return Protocol.jsonOk(c, Json.MAPPER.createObjectNode());
  }

  private static Resp untag(Call c) {
    State.Secret s = find(c, false);
    JsonNode keys = c.json.get("TagKeys");
    if (keys != null) keys.forEach(k -> s.tags.remove(k.asText()));
    return Protocol.jsonOk(c, Json.MAPPER.createObjectNode());
  }

  private static Resp list(Call c) {
    Integer max = c.integer("MaxResults");
    int size = max == null ? 100 : max;
    if (size < 1 || size > 100)
      throw new AwsException(
          400, "InvalidParameterException", "MaxResults must be between 1 and 100.");
    boolean includeDeleted = c.bool("IncludePlannedDeletion");
    List<State.Secret> all = new ArrayList<>();
    outer:
    for (State.Secret s : secrets(c).values()) {
      if (s.deletedDate != null && !includeDeleted) continue;
      JsonNode filters = c.json.get("Filters");
      if (filters != null) {
        for (JsonNode f : filters) {
          String key = f.path("Key").asText();
          boolean any = false;
          for (JsonNode vn : f.path("Values")) {
            String v = vn.asText();
            boolean neg = v.startsWith("!");
            String val = neg ? v.substring(1) : v;
            boolean hit =
                switch (key) {
                  case "name" -> s.name.toLowerCase().startsWith(val.toLowerCase());
                  case "tag-key" -> s.tags.keySet().stream().anyMatch(k -> k.startsWith(val));
                  case "tag-value" -> s.tags.values().stream().anyMatch(x -> x.startsWith(val));
                  case "description" -> s.description != null && s.description.startsWith(val);
                  case "all" ->
                      s.name.startsWith(val)
                          || s.tags.keySet().stream().anyMatch(k -> k.startsWith(val))
                          || s.tags.values().stream().anyMatch(x -> x.startsWith(val));
                  default ->
                      throw new AwsException(
                          400, "InvalidParameterException", "Invalid filter key: " + key);
                };
            if (hit != neg) any = true;
          }
          if (!any) continue outer;
        }
      }
      all.add(s);
    }
    Paging.Page<State.Secret> p =
        Paging.page(all, c.str("NextToken"), size, "InvalidNextTokenException");
    ObjectNode r = Json.MAPPER.createObjectNode();
    ArrayNode arr = r.putArray("SecretList");
    for (State.Secret s : p.items()) describeInto(arr.addObject(), s, "SecretVersionsToStages");
    if (p.next() != null) r.put("NextToken", p.next());
    return Protocol.jsonOk(c, r);
  }

  /**
   * Cancels a scheduled deletion (removes DeletedDate); on a secret not scheduled for deletion it
   * succeeds and changes nothing, as AWS does.
   */
  private static Resp restore(Call c) {
    State.Secret s = find(c, true);
    s.deletedDate = null;
    s.deletionDate = null;
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    return Protocol.jsonOk(c, r);
  }

  private static Resp delete(Call c) {
    State.Secret s = find(c, true);
    boolean force = c.bool("ForceDeleteWithoutRecovery");
    JsonNode w = c.json.get("RecoveryWindowInDays");
    if (force && w != null && !w.isNull()) {
      throw new AwsException(
          400,
          "InvalidParameterException",
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    Instant now = c.state.now();
    Instant deletion;
    if (force) {
      deletion = now;
      for (Iterator<State.Secret> it = secrets(c).values().iterator(); it.hasNext(); )
        if (it.next() == s) it.remove();
    } else {
      long days = w == null || w.isNull() ? 30 : w.asLong();
      if (days < 7 || days > 30)
        throw new AwsException(
            400,
            "InvalidParameterException",
            "RecoveryWindowInDays must be between 7 and 30 days.");
      if (s.deletedDate == null) {
        s.deletedDate = now;
        s.deletionDate = now.plus(Duration.ofDays(days));
      }
      deletion = s.deletionDate;
    }
    ObjectNode r = Json.MAPPER.createObjectNode();
    r.put("ARN", s.arn);
    r.put("Name", s.name);
    r.put("DeletionDate", epoch(deletion));
    return Protocol.jsonOk(c, r);
  }
}
