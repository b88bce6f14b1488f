package dev.keyrotator.report;

/** How an account's users and keys are read. */
public enum ScanMode {
  /**
   * The IAM credential report plus GetAccountAuthorizationDetails, then a per-user read only of
   * users that may need an action (see the run package's ReportTriage); falls back to {@link
   * #PER_USER} for the account when the report cannot be had or read.
   */
  CREDENTIAL_REPORT("credential-report"),
  /** ListUsers, then every user read one by one (GetUser, tags, groups, keys, last use). */
  PER_USER("per-user");

  private final String label;

  ScanMode(String label) {
    this.label = label;
  }

  /** As written in the report: {@code credential-report} or {@code per-user}. */
  public String label() {
    return label;
  }

  /** The mode a report names by its label. */
  public static ScanMode fromLabel(String label) {
    for (ScanMode m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown scan '" + label + "'");
  }
}
