package dev.keyrotator.sandbox;

import java.time.Instant;
import java.util.Map;

/**
 * A message published to a sandbox SNS topic.
 *
 * @param accountId  the publisher's (caller's) account
 * @param attributes message attribute name -> string value (binary values base64)
 */
public record SnsMessage(String messageId, String topicArn, String accountId, String subject, String message,
                         Map<String, String> attributes, Instant time) {}
