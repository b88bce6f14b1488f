package dev.keyrotator.aws;

import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.CredentialReport.ReportedKey;
import dev.keyrotator.ports.CredentialReport.ReportedUser;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads the CSV that IAM's GetCredentialReport returns into a {@link CredentialReport}. */
public final class CredentialReportCsv {
  private CredentialReportCsv() {}

  private static final String ROOT = "<root_account>";
  private static final List<String> REQUIRED =
      List.of(
          "user",
          "user_creation_time",
          "access_key_1_active",
          "access_key_1_last_rotated",
          "access_key_1_last_used_date",
          "access_key_2_active",
          "access_key_2_last_rotated",
          "access_key_2_last_used_date");

  /**
   * Parses the CSV that GetCredentialReport returns. Columns are found by their header name, so
   * columns AWS adds later do not matter.
   *
   * @throws IllegalArgumentException when a needed column is missing or a value cannot be read; the
   *     caller then reads users one by one instead
   */
  public static CredentialReport parse(String csv, Instant generated) {
    List<CSVRecord> records;
    try (CSVParser parser =
        CSVFormat.RFC4180
            .builder()
            .setIgnoreEmptyLines(true)
            .setTrim(true)
            .get()
            .parse(new StringReader(csv))) {
      records = parser.getRecords();
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new IllegalArgumentException("credential report is not valid CSV: " + e.getMessage());
    }
    if (records.isEmpty() || records.get(0).size() == 0 || records.get(0).get(0).isBlank()) {
      throw new IllegalArgumentException("credential report is empty");
    }
    CSVRecord header = records.get(0);
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).trim(), i);
    }
    for (String c : REQUIRED) {
      if (!col.containsKey(c)) {
        throw new IllegalArgumentException("credential report has no column " + c);
      }
    }
    Map<String, ReportedUser> users = new LinkedHashMap<>();
    int rootKeys = 0;
    for (int n = 1; n < records.size(); n++) {
      CSVRecord rec = records.get(n);
      // IAM user names may hold a comma: the CSV quotes such a field, and the parser reads it whole
      if (rec.size() < header.size()) {
        throw new IllegalArgumentException(
            "credential report line "
                + (n + 1)
                + " has "
                + rec.size()
                + " fields, the header "
                + header.size());
      }
      String[] f = new String[rec.size()];
      for (int i = 0; i < rec.size(); i++) {
        f[i] = rec.get(i);
      }
      String name = f[col.get("user")];
      if (name.equals(ROOT)) {
        for (int slot = 1; slot <= 2; slot++) {
          String v = f[col.get("access_key_" + slot + "_active")].trim();
          if (v.equalsIgnoreCase("true")) {
            rootKeys++;
          }
        }
        continue;
      }
      Instant created =
          time(f[col.get("user_creation_time")], n, "user_creation_time")
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "credential report: user " + name + " has no user_creation_time"));
      List<ReportedKey> keys = new ArrayList<>();
      for (int slot = 1; slot <= 2; slot++) {
        String p = "access_key_" + slot + "_";
        Optional<Instant> rotated = time(f[col.get(p + "last_rotated")], n, p + "last_rotated");
        if (rotated.isEmpty()) {
          continue; // no key in this slot
        }
        boolean active = bool(f[col.get(p + "active")], n, p + "active");
        Optional<Instant> used = time(f[col.get(p + "last_used_date")], n, p + "last_used_date");
        keys.add(
            new ReportedKey(
                slot,
                active,
                rotated.get(),
                used,
                used.isEmpty() ? "" : optional(f, col, p + "last_used_service"),
                used.isEmpty() ? "" : optional(f, col, p + "last_used_region")));
      }
      users.put(name, new ReportedUser(name, created, keys));
    }
    return new CredentialReport(generated, users, rootKeys);
  }

  /** A column the rotator can do without ({@code N/A} and absent read as empty). */
  private static String optional(String[] f, Map<String, Integer> col, String column) {
    Integer i = col.get(column);
    if (i == null || i >= f.length) {
      return "";
    }
    String v = f[i].trim();
    return v.equals("N/A") || v.equals("no_information") || v.equals("not_supported") ? "" : v;
  }

  private static boolean bool(String v, int line, String column) {
    return switch (v.trim()) {
      case "true", "TRUE", "True" -> true;
      case "false", "FALSE", "False" -> false;
      default ->
          throw new IllegalArgumentException(
              "credential report line "
                  + (line + 1)
                  + ": "
                  + column
                  + " is '"
                  + v
                  + "', not true or false");
    };
  }

  /**
   * ISO-8601 with offset; {@code N/A}, {@code no_information}, {@code not_supported} and empty mean
   * none.
   */
  private static Optional<Instant> time(String v, int line, String column) {
    String s = v.trim();
    if (s.isEmpty() || s.equals("N/A") || s.equals("no_information") || s.equals("not_supported")) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(s).toInstant());
    } catch (DateTimeParseException e) {
      try {
        return Optional.of(Instant.parse(s));
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException(
            "credential report line "
                + (line + 1)
                + ": "
                + column
                + " is '"
                + v
                + "', not a date-time");
      }
    }
  }
}
