package dev.keyrotator.run;

import dev.keyrotator.policy.Mode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one run is asked to do.
 *
 * @param runId see {@link RunIds}
 * @param modeOverride narrows every account's mode (a manual invocation): a dry-run account stays a
 *     dry run whatever is asked; empty: per policy
 * @param accounts only these accounts; empty means every account the policy includes
 * @param planOnly plan and report, make no mutating call and send nothing (the {@code plan}
 *     command)
 * @param reportDir also write report.json, report.csv and report.html into this directory
 * @param deliverDryRun deliver the report even when the request forces dry-run on every account (a
 *     dry run delivers nothing otherwise, like {@code terraform plan})
 */
public record RunRequest(
    String runId,
    Optional<Mode> modeOverride,
    Set<String> accounts,
    boolean planOnly,
    Deadline deadline,
    Optional<Path> reportDir,
    boolean deliverDryRun) {
  public RunRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(modeOverride, "modeOverride");
    accounts = Set.copyOf(accounts);
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(reportDir, "reportDir");
    for (String a : accounts) {
      if (!a.matches("\\d{12}")) {
        throw new IllegalArgumentException("not an account id: '" + a + "' (expected 12 digits)");
      }
    }
  }

  /** A request that writes no local report files. */
  public RunRequest(
      String runId,
      Optional<Mode> modeOverride,
      Set<String> accounts,
      boolean planOnly,
      Deadline deadline) {
    this(runId, modeOverride, accounts, planOnly, deadline, Optional.empty(), false);
  }

  /** Whether the run's report goes to the security account: not for a plan or a dry run. */
  public boolean delivers() {
    return !planOnly && (deliverDryRun || !modeOverride.equals(Optional.of(Mode.DRY_RUN)));
  }
}
