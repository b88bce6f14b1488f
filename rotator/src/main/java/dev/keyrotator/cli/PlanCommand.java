package dev.keyrotator.cli;

import picocli.CommandLine.Command;

/** {@code plan}: exactly what {@code run} would do, with reasons; no mutating call, no message. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Show what run would do, with reasons. Calls no mutating API, sends nothing.")
final class PlanCommand extends RunCommand {
  @Override
  boolean planOnly() {
    return true;
  }
}
