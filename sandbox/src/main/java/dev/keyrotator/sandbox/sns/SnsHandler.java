package dev.keyrotator.sandbox.sns;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Json;
import dev.keyrotator.sandbox.protocol.Paging;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.protocol.Xml;
import dev.keyrotator.sandbox.state.State;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SNS over the Query protocol. Every published message is kept. */
public final class SnsHandler implements ServiceHandler {
  private static final Operations OPERATIONS =
      new Operations(
              op ->
                  new AwsException(
                      400,
                      "InvalidAction",
                      "Could not find operation " + op + " for version 2010-03-31"))
          .on("CreateTopic", SnsHandler::createTopic)
          .on("Publish", SnsHandler::publish)
          .on("GetTopicAttributes", SnsHandler::getTopicAttributes)
          .on("SetTopicAttributes", SnsHandler::setTopicAttributes)
          .on("ListTopics", SnsHandler::listTopics);

  @Override
  public String name() {
    return "sns";
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
    return new AwsException(500, "InternalError", "An internal error occurred.");
  }

  @Override
  public List<AuthRequest> authorization(Call c) {
    String action = "sns:" + c.operation;
    String arn =
        switch (c.operation) {
          case "Publish" ->
              c.param("TopicArn") != null ? c.param("TopicArn") : c.param("TargetArn");
          case "GetTopicAttributes" -> c.param("TopicArn");
          case "CreateTopic" ->
              "arn:aws:sns:" + c.region + ":" + c.account().id + ":" + c.param("Name");
          default -> "*";
        };
    if (arn == null) return List.of();
    State.Topic t = c.state.topics.get(arn);
    return List.of(new AuthRequest(action, arn, t == null ? c.account().id : t.owner.id));
  }

  @Override
  public AwsException accessDenied(Call c, AuthRequest r, String why) {
    return new AwsException(
        403,
        "AuthorizationError",
        "User: "
            + c.caller.arn
            + " is not authorized to perform: "
            + r.action
            + " on resource: "
            + r.resource
            + " "
            + why);
  }

  private static State.Topic topic(Call c, String arn) {
    State.Topic t = c.state.topics.get(arn);
    if (t == null) throw new AwsException(404, "NotFound", "Topic does not exist");
    boolean allowed = t.owner == c.account() || c.state.inOrganization(c.account().id);
    if (!allowed)
      throw new AwsException(
          403,
          "AuthorizationError",
          "User: " + c.caller.arn + " is not authorized to access this resource");
    return t;
  }

  private static Resp createTopic(Call c) {
    String name = c.required("Name");
    if (!name.matches("[A-Za-z0-9_-]{1,256}(\\.fifo)?")) {
      throw new AwsException(400, "InvalidParameter", "Invalid parameter: Topic Name");
    }
    State.Topic t = c.state.createTopic(c.account(), c.region, name);
    for (Map<String, String> e : c.entries("Attributes")) {
      if (e.get("key") != null) t.attributes.put(e.get("key"), e.getOrDefault("value", ""));
    }
    return Protocol.queryOk(c, new Xml().el("TopicArn", t.arn).toString());
  }

  private static Resp publish(Call c) {
    String arn = c.param("TopicArn") != null ? c.param("TopicArn") : c.param("TargetArn");
    if (arn == null)
      throw new AwsException(
          400,
          "InvalidParameter",
          "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
    String message = c.param("Message");
    if (message == null || message.isEmpty())
      throw new AwsException(400, "InvalidParameter", "Invalid parameter: Empty message");
    if (message.length() > 262144)
      throw new AwsException(400, "InvalidParameter", "Invalid parameter: Message too long");
    String subject = c.param("Subject");
    if (subject != null && (subject.isEmpty() || subject.length() > 100)) {
      throw new AwsException(400, "InvalidParameter", "Invalid parameter: Subject");
    }
    State.Topic t = topic(c, arn);
    if (deniesPublish(t, c)) {
      throw new AwsException(
          403,
          "AuthorizationError",
          "User: "
              + c.caller.arn
              + " is not authorized to perform: SNS:Publish on resource: "
              + t.arn
              + " with an explicit deny");
    }
    Map<String, String> attrs = new LinkedHashMap<>();
    for (Map<String, String> e : c.entries("MessageAttributes")) {
      String n = e.get("Name");
      String type = e.get("Value.DataType");
      if (n == null || type == null)
        throw new AwsException(
            400, "ParameterValueInvalid", "The message attribute has an invalid data type.");
      attrs.put(
          n,
          e.containsKey("Value.StringValue")
              ? e.get("Value.StringValue")
              : e.getOrDefault("Value.BinaryValue", ""));
    }
    String id = c.state.ids.uuid();
    c.state.messages.add(
        new State.Message(
            id, t.arn, c.account().id, subject, message, Map.copyOf(attrs), c.state.now()));
    return Protocol.queryOk(c, new Xml().el("MessageId", id).toString());
  }

  private static Resp getTopicAttributes(Call c) {
    State.Topic t = topic(c, c.required("TopicArn"));
    Map<String, String> a = new LinkedHashMap<>();
    a.put("TopicArn", t.arn);
    a.put("Owner", t.owner.id);
    a.put("DisplayName", "");
    a.put("SubscriptionsConfirmed", "0");
    a.put("SubscriptionsPending", "0");
    a.put("SubscriptionsDeleted", "0");
    a.putAll(t.attributes);
    Xml x = new Xml().open("Attributes");
    a.forEach((k, v) -> x.open("entry").el("key", k).el("value", v).close("entry"));
    return Protocol.queryOk(c, x.close("Attributes").toString());
  }

  private static Resp setTopicAttributes(Call c) {
    State.Topic t = topic(c, c.required("TopicArn"));
    String name = c.required("AttributeName");
    String value = c.param("AttributeValue");
    if (name.equals("Policy") && value != null && !value.isEmpty()) {
      try {
        if (!Json.MAPPER.readTree(value).has("Statement")) throw new IllegalArgumentException();
      } catch (Exception e) {
        throw new AwsException(400, "InvalidParameter", "Invalid parameter: Policy Error: null");
      }
    }
    if (value == null || value.isEmpty()) t.attributes.remove(name);
    else t.attributes.put(name, value);
    return Protocol.queryOk(c, "");
  }

  /**
   * The topic policy's explicit Deny of Publish without a condition, for everyone, the caller's
   * account or the caller (what the sandbox evaluates of a topic policy; an explicit Deny wins over
   * any Allow, as in IAM).
   */
  private static boolean deniesPublish(State.Topic t, Call c) {
    String policy = t.attributes.get("Policy");
    if (policy == null) return false;
    JsonNode doc;
    try {
      doc = Json.MAPPER.readTree(policy);
    } catch (Exception e) {
      return false;
    }
    JsonNode st = doc.path("Statement");
    List<JsonNode> statements = new ArrayList<>();
    if (st.isArray()) st.forEach(statements::add);
    else if (st.isObject()) statements.add(st);
    for (JsonNode s : statements) {
      if (!"Deny".equals(s.path("Effect").asText()) || s.has("Condition")) continue;
      boolean publish = false;
      for (String a : texts(s.path("Action")))
        publish |=
            a.equals("*") || a.equalsIgnoreCase("sns:*") || a.equalsIgnoreCase("sns:Publish");
      if (!publish) continue;
      JsonNode p = s.path("Principal");
      List<String> who = p.isTextual() ? List.of(p.asText()) : texts(p.path("AWS"));
      String account = c.account().id;
      for (String w : who)
        if (w.equals("*")
            || w.equals(account)
            || w.equals("arn:aws:iam::" + account + ":root")
            || w.equals(c.caller.arn)) return true;
    }
    return false;
  }

  private static List<String> texts(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) n.forEach(v -> out.add(v.asText()));
    else if (n.isTextual()) out.add(n.asText());
    return out;
  }

  private static Resp listTopics(Call c) {
    List<State.Topic> mine = new ArrayList<>();
    for (State.Topic t : c.state.topics.values())
      if (t.owner == c.account() && t.region.equals(c.region)) mine.add(t);
    Paging.Page<State.Topic> p = Paging.page(mine, c.param("NextToken"), 100, "InvalidParameter");
    Xml x = new Xml().open("Topics");
    for (State.Topic t : p.items()) x.open("member").el("TopicArn", t.arn).close("member");
    x.close("Topics").el("NextToken", p.next());
    return Protocol.queryOk(c, x.toString());
  }
}
