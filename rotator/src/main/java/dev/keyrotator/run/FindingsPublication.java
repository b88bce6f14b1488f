package dev.keyrotator.run;

import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Finding;
import dev.keyrotator.ports.FindingsSink;
import dev.keyrotator.report.RunFindings;
import dev.keyrotator.report.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A run's findings in Security Hub: the ones the report stands for, created or updated; the
 * rotator's earlier findings that this run no longer raises, for accounts it judged, resolved.
 */
final class FindingsPublication {
  private FindingsPublication() {}

  /** What the publication did: counts, and problems (one line each, empty when all went in). */
  record Result(int raised, int resolved, List<String> problems) {}

  static Result publish(FindingsSink sink, RunReport report) {
    List<Finding> current = RunFindings.of(report);
    Set<String> ids = current.stream().map(Finding::id).collect(Collectors.toSet());
    Set<String> judged = RunFindings.judged(report);
    List<Finding> all = new ArrayList<>(current);
    int resolved = 0;
    List<String> problems = new ArrayList<>();
    try {
      for (Finding f : sink.active()) {
        if (!ids.contains(f.id())
            && RunFindings.accountOf(f.id()).filter(judged::contains).isPresent()) {
          all.add(f.resolved());
          resolved++;
        }
      }
      problems.addAll(sink.upsert(all));
    } catch (AwsCallException e) {
      problems.add("Security Hub findings not published: " + e.getMessage());
    }
    return new Result(current.size(), resolved, problems);
  }
}
