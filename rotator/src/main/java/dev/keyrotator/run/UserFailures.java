package dev.keyrotator.run;

import dev.keyrotator.policy.Action;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.UserReport;
import java.util.List;
import java.util.Optional;

/** Report entries for users whose state could not be read. */
final class UserFailures {
  private UserFailures() {}

  static UserReport unreadable(String user, String error) {
    return new UserReport(
        user,
        "",
        List.of(),
        List.of(
            new DecisionReport(
                Action.READ_USER,
                "",
                Optional.empty(),
                "the user's keys could not be read; nothing was changed",
                Outcome.FAILED,
                "",
                error)),
        List.of(),
        0,
        0);
  }
}
