package dev.keyrotator.aws;

import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;

/**
 * Publishes to SNS. The subject is made to fit SNS's rules (printable ASCII, no line breaks, fewer
 * than 100 characters); attributes go as String attributes, empty ones left out (SNS refuses them),
 * at most 10 (SNS's limit), names reduced to the characters SNS allows.
 *
 * <p>IAM action: sns:Publish on the topic.
 */
public final class SnsNotifier implements Notifier {
  private static final String SERVICE = "sns";
  static final int MAX_SUBJECT = 99;
  static final int MAX_ATTRIBUTES = 10;
  private static final Pattern ATTRIBUTE_NAME_DISALLOWED = Pattern.compile("[^A-Za-z0-9_.-]");

  private final SnsClient sns;

  @Inject
  SnsNotifier(SnsClient sns) {
    this.sns = Objects.requireNonNull(sns, "sns");
  }

  public static SnsNotifier create(SnsClient sns) {
    return new SnsNotifier(sns);
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
            sns.publish(
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
