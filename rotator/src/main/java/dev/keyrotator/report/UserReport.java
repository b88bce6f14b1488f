package dev.keyrotator.report;

import java.util.List;

/**
 * One user's part of the run.
 *
 * @param notificationsLost messages that SNS refused after retries; not resent (see README)
 */
public record UserReport(
    String userName,
    String owner,
    List<KeyReport> keys,
    List<DecisionReport> decisions,
    List<String> notes,
    int notificationsSent,
    int notificationsLost) {
  public UserReport {
    keys = List.copyOf(keys);
    decisions = List.copyOf(decisions);
    notes = List.copyOf(notes);
  }

  public boolean failed() {
    return decisions.stream().anyMatch(d -> d.outcome() == Outcome.FAILED);
  }
}
