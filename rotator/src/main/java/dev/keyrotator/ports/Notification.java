package dev.keyrotator.ports;

import java.util.Map;
import java.util.Objects;

/**
 * One SNS message: a subject people can scan, a body, and attributes subscribers filter on ({@code
 * account_id}, {@code user_name}, {@code event}, {@code owner}). Never a secret.
 */
public record Notification(String subject, String body, Map<String, String> attributes) {
  public Notification {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(body, "body");
    attributes = Map.copyOf(attributes);
  }
}
