package dev.keyrotator.report;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An account's lease as the run saw it.
 *
 * @param holder who held the lease: this run, or for {@link LeaseState#BUSY} the other run ({@code
 *     run <id> (<cli user@host | lambda function>)})
 * @param until until when the holder's lease ran as last written; empty when no lease was held
 * @param note what else happened: the expired lease taken over, a release that failed
 */
public record LeaseReport(LeaseState state, String holder, Optional<Instant> until, String note) {
  public LeaseReport {
    Objects.requireNonNull(state, "state");
    holder = holder == null ? "" : holder;
    Objects.requireNonNull(until, "until");
    note = note == null ? "" : note;
  }

  public static LeaseReport notTaken() {
    return new LeaseReport(LeaseState.NOT_TAKEN, "", Optional.empty(), "");
  }
}
