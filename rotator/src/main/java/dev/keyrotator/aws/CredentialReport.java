package dev.keyrotator.aws;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 */
public record CredentialReport(Instant generated, Map<String, ReportedUser> users) {

  public CredentialReport {
    Objects.requireNonNull(generated, "generated");
    users = Map.copyOf(users);
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
   */
  public record ReportedKey(int slot, boolean active, Instant created, Optional<Instant> lastUsed) {
    public ReportedKey {
      Objects.requireNonNull(created, "created");
      Objects.requireNonNull(lastUsed, "lastUsed");
    }

    /** The name the report gives the key, for reports: {@code access_key_1}. */
    public String label() {
      return "access_key_" + slot;
    }
  }

  private static final String ROOT = "<root_account>";
  private static final List<String> REQUIRED = List.of("user", "user_creation_time",
      "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
      "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date");

  /**
   * Parses the CSV that GetCredentialReport returns. Columns are found by their header name, so
   * columns AWS adds later do not matter.
   *
   * @throws IllegalArgumentException when a needed column is missing or a value cannot be read;
   *     the caller then reads users one by one instead
   */
  public static CredentialReport parse(String csv, Instant generated) {
    String[] lines = csv.replace("\r\n", "\n").split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new IllegalArgumentException("credential report is empty");
    }
    String[] header = lines[0].trim().split(",", -1);
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.length; i++) {
      col.put(header[i].trim(), i);
    }
    for (String c : REQUIRED) {
      if (!col.containsKey(c)) {
        throw new IllegalArgumentException("credential report has no column " + c);
      }
    }
    Map<String, ReportedUser> users = new LinkedHashMap<>();
    for (int n = 1; n < lines.length; n++) {
      String line = lines[n];
      if (line.isBlank()) {
        continue;
      }
      // IAM user names cannot hold a comma, and no needed column holds one either.
      String[] f = line.split(",", -1);
      if (f.length < header.length) {
        throw new IllegalArgumentException("credential report line " + (n + 1) + " has "
            + f.length + " fields, the header " + header.length);
      }
      String name = f[col.get("user")];
      if (name.equals(ROOT)) {
        continue;
      }
      Instant created = time(f[col.get("user_creation_time")], n, "user_creation_time")
          .orElseThrow(() -> new IllegalArgumentException("credential report: user " + name
              + " has no user_creation_time"));
      List<ReportedKey> keys = new ArrayList<>();
      for (int slot = 1; slot <= 2; slot++) {
        String p = "access_key_" + slot + "_";
        Optional<Instant> rotated = time(f[col.get(p + "last_rotated")], n, p + "last_rotated");
        if (rotated.isEmpty()) {
          continue; // no key in this slot
        }
        boolean active = bool(f[col.get(p + "active")], n, p + "active");
        keys.add(new ReportedKey(slot, active, rotated.get(),
            time(f[col.get(p + "last_used_date")], n, p + "last_used_date")));
      }
      users.put(name, new ReportedUser(name, created, keys));
    }
    return new CredentialReport(generated, users);
  }

  private static boolean bool(String v, int line, String column) {
    return switch (v.trim()) {
      case "true", "TRUE", "True" -> true;
      case "false", "FALSE", "False" -> false;
      default -> throw new IllegalArgumentException("credential report line " + (line + 1) + ": "
          + column + " is '" + v + "', not true or false");
    };
  }

  /** ISO-8601 with offset; {@code N/A}, {@code no_information}, {@code not_supported} and empty mean none. */
  private static Optional<Instant> time(String v, int line, String column) {
    String s = v.trim();
    if (s.isEmpty() || s.equals("N/A") || s.equals("no_information")
        || s.equals("not_supported")) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(s));
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("credential report line " + (line + 1) + ": " + column
            + " is '" + v + "', not a date-time");
      }
    }
  }
}
