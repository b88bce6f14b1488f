package dev.keyrotator.report;

import java.util.List;
import java.util.Optional;

/**
 * One user's part of the run.
 *
 * @param notificationsLost messages that SNS refused after retries; not resent (see README)
 * @param incident the incident a rotate-now handled for this user; empty in an ordinary run
 */
public record UserReport(
    String userName,
    String owner,
    List<KeyReport> keys,
    List<DecisionReport> decisions,
    List<String> notes,
    int notificationsSent,
    int notificationsLost,
    Optional<IncidentReport> incident) {
  public UserReport {
    keys = List.copyOf(keys);
    decisions = List.copyOf(decisions);
    notes = List.copyOf(notes);
    incident = incident == null ? Optional.empty() : incident;
  }

  public UserReport(
      String userName,
      String owner,
      List<KeyReport> keys,
      List<DecisionReport> decisions,
      List<String> notes,
      int notificationsSent,
      int notificationsLost) {
    this(
        userName,
        owner,
        keys,
        decisions,
        notes,
        notificationsSent,
        notificationsLost,
        Optional.empty());
  }

  /** This report with {@code incident}. */
  public UserReport withIncident(IncidentReport incident) {
    return new UserReport(
        userName,
        owner,
        keys,
        decisions,
        notes,
        notificationsSent,
        notificationsLost,
        Optional.of(incident));
  }

  /** This report with one more note. */
  public UserReport withNote(String note) {
    List<String> more = new java.util.ArrayList<>(notes);
    more.add(note);
    return new UserReport(
        userName, owner, keys, decisions, more, notificationsSent, notificationsLost, incident);
  }

  public boolean failed() {
    return decisions.stream().anyMatch(d -> d.outcome() == Outcome.FAILED);
  }
}
