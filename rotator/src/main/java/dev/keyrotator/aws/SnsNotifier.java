package dev.keyrotator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes to SNS. The subject is made to fit SNS's rules (printable ASCII, no line breaks, fewer
 * than 100 characters); attributes go as String attributes, empty ones left out (SNS refuses them),
 * at most 10 (SNS's limit), names reduced to the characters SNS allows.
 *
 * <p>IAM actions: sns:Publish on the topic; sns:GetTopicAttributes on the notification topic (the
 * check before a run changes anything).
 */
public final class SnsNotifier implements Notifier {
  private static final String SERVICE = "sns";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_SUBJECT = 99;
  static final int MAX_ATTRIBUTES = 10;
  private static final Pattern ATTRIBUTE_NAME_DISALLOWED = Pattern.compile("[^A-Za-z0-9_.-]");

  private final LazyClient<SnsClient> sns;

  @Inject
  SnsNotifier(LazyClient<SnsClient> sns) {
    this.sns = Objects.requireNonNull(sns, "sns");
  }

  public static SnsNotifier create(SnsClient sns) {
    return new SnsNotifier(LazyClient.built(sns));
  }

  @Override
  public void publish(String topicArn, Notification n) {
    Objects.requireNonNull(topicArn, "topicArn");
    String subject = subject(n.subject());
    Map<String, MessageAttributeValue> attributes = attributes(n.attributes());
    AwsErrors.run(
        SERVICE,
        "Publish",
        () ->
            sns.get()
                .publish(
                    r -> {
                      r.topicArn(topicArn).message(n.body().isEmpty() ? subject : n.body());
                      if (!subject.isEmpty()) {
                        r.subject(subject);
                      }
                      if (!attributes.isEmpty()) {
                        r.messageAttributes(attributes);
                      }
                    }));
  }

  /**
   * GetTopicAttributes: a topic that does not exist ({@code NotFound}), that this role may not read
   * ({@code AuthorizationError}), or whose policy has a Deny of {@code sns:Publish} for everyone or
   * for the topic's own account without a condition, cannot take the run's messages. A conditional
   * Deny (such as the templates' TLS-only one) cannot be judged here and is let through.
   */
  @Override
  public Optional<String> problem(String topicArn) {
    Map<String, String> attributes;
    try {
      attributes =
          AwsErrors.call(
                  SERVICE,
                  "GetTopicAttributes",
                  () -> sns.get().getTopicAttributes(r -> r.topicArn(topicArn)))
              .attributes();
    } catch (AwsCallException e) {
      if (AwsErrors.is(e, "NotFound")) {
        return Optional.of("notification topic " + topicArn + " does not exist");
      }
      if (e.isAccessDenied() || AwsErrors.is(e, "AuthorizationError")) {
        return Optional.of(
            "notification topic " + topicArn + " refuses this role (" + e.errorCode() + ")");
      }
      return Optional.of(
          "notification topic " + topicArn + " cannot be checked: " + e.getMessage());
    }
    String owner = Arns.account(topicArn);
    return deniesPublish(attributes.get("Policy"), owner)
        .map(
            sid ->
                "notification topic "
                    + topicArn
                    + " denies publishing (policy statement "
                    + sid
                    + ")");
  }

  /** The Sid of an unconditional Deny of sns:Publish for everyone or for {@code account}. */
  static Optional<String> deniesPublish(String policy, String account) {
    if (policy == null || policy.isBlank()) {
      return Optional.empty();
    }
    JsonNode doc;
    try {
      doc = JSON.readTree(policy);
    } catch (IOException e) {
      return Optional.empty();
    }
    List<JsonNode> statements = new ArrayList<>();
    JsonNode st = doc.path("Statement");
    if (st.isArray()) {
      st.forEach(statements::add);
    } else if (st.isObject()) {
      statements.add(st);
    }
    for (JsonNode s : statements) {
      if (!"Deny".equals(s.path("Effect").asText()) || s.has("Condition")) {
        continue;
      }
      if (!values(s.path("Action")).stream()
          .anyMatch(
              a ->
                  a.equals("*")
                      || a.equalsIgnoreCase("sns:*")
                      || a.equalsIgnoreCase("sns:Publish"))) {
        continue;
      }
      JsonNode p = s.path("Principal");
      List<String> principals = p.isTextual() ? List.of(p.asText()) : values(p.path("AWS"));
      for (String who : principals) {
        if (who.equals("*")
            || who.equals(account)
            || who.equals("arn:aws:iam::" + account + ":root")) {
          return Optional.of(s.path("Sid").asText("(no Sid)"));
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> values(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(v -> out.add(v.asText()));
    } else if (n.isTextual()) {
      out.add(n.asText());
    }
    return out;
  }

  /** Printable ASCII only, whitespace collapsed, starts with a non-space, under 100 chars. */
  static String subject(String raw) {
    StringBuilder sb = new StringBuilder();
    for (char c : raw.toCharArray()) {
      if (c >= 0x20 && c < 0x7F) {
        sb.append(c);
      } else if (Character.isWhitespace(c)) {
        sb.append(' ');
      } else {
        sb.append('?');
      }
    }
    String s = sb.toString().replaceAll(" {2,}", " ").strip();
    if (s.length() > MAX_SUBJECT) {
      s = s.substring(0, MAX_SUBJECT - 3).stripTrailing() + "...";
    }
    return s;
  }

  static Map<String, MessageAttributeValue> attributes(Map<String, String> raw) {
    Map<String, MessageAttributeValue> out = new LinkedHashMap<>();
    raw.entrySet().stream()
        .filter(e -> e.getValue() != null && !e.getValue().isBlank())
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String name = attributeName(e.getKey());
              if (!name.isEmpty() && out.size() < MAX_ATTRIBUTES) {
                out.put(
                    name,
                    MessageAttributeValue.builder()
                        .dataType("String")
                        .stringValue(e.getValue())
                        .build());
              }
            });
    return out;
  }

  /** SNS names: letters, digits, _ - . ; not starting with AWS./Amazon., no leading/double dot. */
  static String attributeName(String raw) {
    String s = ATTRIBUTE_NAME_DISALLOWED.matcher(raw).replaceAll("_").replaceAll("\\.{2,}", ".");
    s = s.replaceAll("^\\.+|\\.+$", "");
    if (s.toLowerCase().startsWith("aws.") || s.toLowerCase().startsWith("amazon.")) {
      s = "_" + s;
    }
    return s.length() > 256 ? s.substring(0, 256) : s;
  }
}
