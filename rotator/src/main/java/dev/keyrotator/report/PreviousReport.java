package dev.keyrotator.report;

import java.util.Objects;
import java.util.Optional;

/**
 * The earlier run the HTML report's trend compares with, where it was read from, and what went
 * wrong finding it. A previous report that cannot be read is left out with a {@code note}; it never
 * fails a run.
 *
 * @param report the previous run, when one was found and read
 * @param source where it was read from ({@code s3://...} or a file), or where it was looked for
 * @param note why there is no trend, or what else was found on the way; empty when nothing to say
 */
public record PreviousReport(Optional<RunReport> report, String source, String note) {
  public PreviousReport {
    Objects.requireNonNull(report, "report");
    source = source == null ? "" : source;
    note = note == null ? "" : note;
  }

  /** No previous report was looked for. */
  public static PreviousReport none() {
    return new PreviousReport(Optional.empty(), "", "");
  }

  /** None was found in {@code lookedIn}. */
  public static PreviousReport notFound(String lookedIn) {
    return new PreviousReport(Optional.empty(), lookedIn, "");
  }

  public static PreviousReport of(RunReport report, String source) {
    return new PreviousReport(Optional.of(report), source, "");
  }

  /** The report at {@code source} could not be used, for the reason {@code why}. */
  public static PreviousReport unusable(String source, String why) {
    return new PreviousReport(Optional.empty(), source, why);
  }

  /** This one with {@code more} added to the note. */
  public PreviousReport withNote(String more) {
    if (more == null || more.isEmpty()) {
      return this;
    }
    return new PreviousReport(report, source, note.isEmpty() ? more : note + "; " + more);
  }
}
