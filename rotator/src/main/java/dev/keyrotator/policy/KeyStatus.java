package dev.keyrotator.policy;

/** The two states IAM knows for an access key. */
public enum KeyStatus {
  ACTIVE,
  INACTIVE;

  /** IAM's spelling ("Active", "Inactive"). */
  public String iamName() {
    return this == ACTIVE ? "Active" : "Inactive";
  }

  public static KeyStatus fromIam(String value) {
    return switch (value) {
      case "Active", "ACTIVE" -> ACTIVE;
      case "Inactive", "INACTIVE" -> INACTIVE;
      default -> throw new IllegalArgumentException("unknown access key status: " + value);
    };
  }
}
