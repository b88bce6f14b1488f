package dev.keyrotator.sandbox.faults;

/** What the rules decided for one call. */
public final class Decision {
  /** Delay before the response. */
  public long latencyMs;

  /** The failure to inject instead of applying the call; null = do not fail. */
  public Fault fail;

  /** Hold the call before applying it (until the rules are cleared). */
  public boolean stallBefore;

  /** Apply the call, then hold its response. */
  public boolean stallAfter;
}
