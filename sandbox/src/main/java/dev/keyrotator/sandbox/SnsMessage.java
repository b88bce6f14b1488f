package dev.keyrotator.sandbox;

import dev.keyrotator.sandbox.state.State;
import java.time.Instant;
import java.util.Map;

/**
 * A message published to a sandbox SNS topic.
 *
 * @param accountId the publisher's (caller's) account
 * @param attributes message attribute name -> string value (binary values base64)
 */
public record SnsMessage(
    String messageId,
    String topicArn,
    String accountId,
    String subject,
    String message,
    Map<String, String> attributes,
    Instant time) {
  static SnsMessage of(State.Message m) {
    return new SnsMessage(
        m.messageId(),
        m.topicArn(),
        m.accountId(),
        m.subject(),
        m.message(),
        m.attributes(),
        m.time());
  }
}
