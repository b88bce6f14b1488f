package dev.keyrotator.ports;

/** Sends notifications to the configured SNS topic. */
public interface Notifier {

  /**
   * Publishes one message.
   *
   * @throws AwsCallException when SNS refuses or fails after retries
   */
  void publish(String topicArn, Notification notification);
}
