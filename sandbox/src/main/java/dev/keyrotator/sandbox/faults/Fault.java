package dev.keyrotator.sandbox.faults;

/** How an injected failure fails: the service's 500, or its throttling error. */
public enum Fault {
  ERROR,
  THROTTLE
}
