package dev.keyrotator.cli;

/** The CLI's exit codes. */
public final class ExitCodes {
  /** Everything done. */
  public static final int OK = 0;

  /** The run finished but some accounts failed; see the report. */
  public static final int PARTIAL_FAILURE = 1;

  /** Bad usage or invalid input (policy file, account id, fixture): nothing was changed. */
  public static final int USAGE = 2;

  /** The run could not start or failed as a whole (e.g. the organization could not be read). */
  public static final int FAILED = 3;

  private ExitCodes() {}
}
