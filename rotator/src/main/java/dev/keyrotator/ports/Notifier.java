package dev.keyrotator.ports;

import java.util.Optional;

/** Sends notifications to the configured SNS topic. */
public interface Notifier {

  /**
   * Publishes one message.
   *
   * @throws AwsCallException when SNS refuses or fails after retries
   */
  void publish(String topicArn, Notification notification);

  /**
   * What stops this topic from taking messages, checked before the run changes anything: it does
   * not exist, cannot be read, or its policy denies publishing outright. Empty when nothing is
   * known to stop it (a publish may still fail later).
   */
  default Optional<String> problem(String topicArn) {
    return Optional.empty();
  }
}
