package dev.keyrotator.run;

/** The events an owner is told about; the {@code event} message attribute. */
public enum Event {
  KEY_CREATED("key-created", "New access key"),
  KEY_DEACTIVATED("key-deactivated", "Access key deactivated"),
  KEY_DELETED("key-deleted", "Access key deleted"),
  KEY_WARNING("key-warning", "Action needed on access key"),
  ROTATION_FAILED("rotation-failed", "Key rotation failed"),
  ORPHAN_REPAIRED("orphan-repaired", "Unfinished key rotation repaired"),
  /** To the security topic: the user's secret exists and the rotator may not write into it. */
  SECRET_REFUSED("secret-refused", "Secret refused by the key rotator"),
  /** To the security topic: a key was replaced and deactivated at once (rotate-now). */
  ROTATED_NOW("rotated-now", "Access key replaced at once"),
  /**
   * To the security topic: a key was replaced at once and its deactivation scheduled (rotate-now
   * --deactivate after:N); the same {@code event} attribute as {@link #ROTATED_NOW}.
   */
  ROTATED_NOW_DEACTIVATION_SCHEDULED(
      "rotated-now", "Access key replaced, old key deactivated at its deadline"),
  /** To the security topic: rotate-now was asked for an exempt user; nothing was changed. */
  ROTATE_NOW_EXEMPT("rotate-now-exempt", "Rotate-now asked for an exempt user");

  private final String attribute;
  private final String title;

  Event(String attribute, String title) {
    this.attribute = attribute;
    this.title = title;
  }

  public String attribute() {
    return attribute;
  }

  public String title() {
    return title;
  }
}
