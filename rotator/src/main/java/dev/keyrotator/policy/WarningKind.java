package dev.keyrotator.policy;

/** Why an owner is warned. */
public enum WarningKind {
  /** The key will be deactivated soon: a reminder, once per configured reminder day. */
  EXPIRING,
  /** The key is past its deactivation age but still in use, so it stays active. */
  STILL_IN_USE,
  /** A new key is due but the user holds two active keys. */
  CANNOT_ROTATE
}
