package dev.keyrotator.ports;

import java.util.List;

/** Where the rotator's findings go (AWS Security Hub). */
public interface FindingsSink {

  /**
   * The findings this rotator raised earlier and that are still active (not archived).
   *
   * @throws AwsCallException when they cannot be read
   */
  List<Finding> active();

  /**
   * Creates or updates the findings (by id); archived ones are resolved.
   *
   * @return problems, one line per finding that was refused; empty when all were taken
   * @throws AwsCallException when the import fails as a whole
   */
  List<String> upsert(List<Finding> findings);
}
