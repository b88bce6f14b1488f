package dev.keyrotator.ports;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The IAM credential report of one account, reduced to what key rotation needs: per user its
 * creation time and, for each of its (at most two) access keys, whether it is active, when it was
 * created ({@code access_key_N_last_rotated}) and when it was last used.
 *
 * <p>The report does not name access key ids: a key is known by its slot ({@code access_key_1},
 * {@code access_key_2}). It is a snapshot taken when IAM generated it (up to four hours before it
 * is read), see {@link #generated()}.
 *
 * @param generated when IAM generated the report (GetCredentialReport's GeneratedTime)
 * @param users by user name; the root account's row is left out
 * @param rootActiveKeys the root user's active access keys (its row's access_key_N_active)
 */
public record CredentialReport(
    Instant generated, Map<String, ReportedUser> users, int rootActiveKeys) {

  public CredentialReport {
    Objects.requireNonNull(generated, "generated");
    users = Map.copyOf(users);
  }

  /** A report whose root row has no active access key. */
  public CredentialReport(Instant generated, Map<String, ReportedUser> users) {
    this(generated, users, 0);
  }

  /** One user's row. */
  public record ReportedUser(String name, Instant created, List<ReportedKey> keys) {
    public ReportedUser {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(created, "created");
      keys = List.copyOf(keys);
    }
  }

  /**
   * One access key of a row.
   *
   * @param slot 1 or 2 ({@code access_key_1_*} or {@code access_key_2_*})
   * @param created {@code access_key_N_last_rotated}: when the key was created
   * @param lastUsed {@code access_key_N_last_used_date}, empty when never used
   * @param lastUsedService {@code access_key_N_last_used_service}; empty when {@code N/A} or the
   *     report has no such column
   * @param lastUsedRegion {@code access_key_N_last_used_region}; empty likewise
   */
  public record ReportedKey(
      int slot,
      boolean active,
      Instant created,
      Optional<Instant> lastUsed,
      String lastUsedService,
      String lastUsedRegion) {
    public ReportedKey {
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(lastUsed, "lastUsed");
      lastUsedService = lastUsedService == null ? "" : lastUsedService;
      lastUsedRegion = lastUsedRegion == null ? "" : lastUsedRegion;
    }

    /** A key whose last use's service and region the report does not give. */
    public ReportedKey(int slot, boolean active, Instant created, Optional<Instant> lastUsed) {
      this(slot, active, created, lastUsed, "", "");
    }

    /** The name the report gives the key, for reports: {@code access_key_1}. */
    public String label() {
      return "access_key_" + slot;
    }
  }
}
