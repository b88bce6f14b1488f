package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.Action;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SnsMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SNS refusing every publish never undoes or blocks a rotation. Each refused message is reported; a
 * warning is sent again by the next run (it is only recorded as sent once delivered), the other
 * events are counted as lost: they describe a change already made, which the report records.
 */
class SnsFailuresTest {

  @Test
  void snsDownNeitherUndoesNorBlocksTheRotationAndOnlyWarningsAreResent() {
    Map<String, String> expected;
    try (Sandbox calm = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(calm, CrashLab.MEMBER);
      CrashLab.runInProcess(calm, CrashLab.policy(""));
      expected = CrashLab.normalized(calm, initial);
    }
    try (Sandbox sb = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(sb, CrashLab.MEMBER);
      sb.faults().add(FaultRule.on("sns", "Publish").errorRate(1.0));

      RunReport first = CrashLab.runInProcess(sb, CrashLab.policy(""));

      assertThat(sb.snsMessages()).isEmpty();
      assertThat(first.count(Action.CREATE_KEY, Outcome.DONE)).isEqualTo(1);
      assertThat(first.count(Action.DEACTIVATE_KEY, Outcome.DONE)).isEqualTo(1);
      assertThat(first.count(Action.DELETE_KEY, Outcome.DONE)).isEqualTo(1);
      assertThat(first.count(Action.WARN, Outcome.FAILED)).isEqualTo(1);
      UserReport create = user(first, "app-create");
      assertThat(create.notificationsLost()).isEqualTo(2); // key-created and the warning
      assertThat(create.notes()).anyMatch(n -> n.contains("'key-created' not sent"));
      assertThat(create.decisions())
          .filteredOn(d -> d.action() == Action.WARN)
          .extracting(DecisionReport::error)
          .singleElement()
          .asString()
          .contains("sent again next run");
      assertThat(user(first, "app-deactivate").notificationsLost()).isEqualTo(1);
      assertThat(user(first, "app-delete").notificationsLost()).isEqualTo(1);
      // the rotation is whole: the same keys as with SNS up, and the new secret stored
      Map<String, String> state = CrashLab.normalized(sb, initial);
      assertThat(state)
          .isEqualTo(
              expected.entrySet().stream()
                  .collect(
                      java.util.stream.Collectors.toMap(
                          Map.Entry::getKey,
                          e -> e.getValue().replace("history(fixture:warned)", ""))));
      assertThat(CrashLab.invariantViolations(sb, initial)).isEmpty();

      sb.faults().clear();
      RunReport second = CrashLab.runInProcess(sb, CrashLab.policy(""));

      List<SnsMessage> sent = sb.snsMessages();
      assertThat(sent).extracting(m -> m.attributes().get("event")).containsExactly("key-warning");
      assertThat(second.count(Action.WARN, Outcome.DONE)).isEqualTo(1);
      assertThat(second.count(Action.CREATE_KEY, Outcome.DONE)).isZero();
      assertThat(CrashLab.normalized(sb, initial)).isEqualTo(expected);
    }
  }

  static UserReport user(RunReport r, String name) {
    return r.accounts().stream()
        .flatMap(a -> a.users().stream())
        .filter(u -> u.userName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
