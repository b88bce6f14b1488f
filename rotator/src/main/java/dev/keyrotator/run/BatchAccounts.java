package dev.keyrotator.run;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.ports.Account;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The accounts of one fan-out batch as the list step read them from Organizations (id, name, OU
 * path ids and names, tags), in a file beside the run's report parts ({@code
 * <prefix>parts/<runId>/batches/<first id>.json}), so that a rotate step works its batch without
 * walking the organization again.
 *
 * <p>The trust boundary: the ids a rotate step works come from the state machine's payload; the
 * file only supplies their attributes and is bound to the payload by its SHA-256 ({@code
 * accountsSha256}, computed by the list step), so a file changed in the bucket is refused rather
 * than read. The ids must be 12 digits, the file must list exactly them, and every account is still
 * judged by the policy's selection rules (excluded accounts and OUs, the central account) before
 * anything is done in it.
 */
final class BatchAccounts {
  static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private BatchAccounts() {}

  /** The file's shape. */
  record File(String runId, List<Entry> accounts) {}

  /** One account in the file. */
  record Entry(
      String id,
      String name,
      List<String> ouPath,
      List<String> ouNames,
      Map<String, String> tags,
      boolean standalone,
      boolean management) {
    static Entry of(Account a) {
      return new Entry(
          a.id(), a.name(), a.ouPath(), a.ouNames(), a.tags(), a.standalone(), a.management());
    }

    Account toAccount() {
      return new Account(
          id,
          name,
          ouPath == null ? List.of() : ouPath,
          ouNames == null ? List.of() : ouNames,
          tags == null ? Map.of() : tags,
          standalone,
          management);
    }
  }

  /** The folder of a run's batch files: {@code batches/} in the run's parts folder. */
  static String folder(String partsFolder) {
    return partsFolder + "batches/";
  }

  /** A batch file's name: the first account id of its batch. */
  static String name(String firstAccountId) {
    return firstAccountId + ".json";
  }

  static byte[] render(String runId, List<Account> accounts) {
    try {
      return JSON.writeValueAsBytes(new File(runId, accounts.stream().map(Entry::of).toList()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the batch's accounts", e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The accounts of the batch {@code ids} of run {@code runId}, from the file's {@code content}.
   *
   * @throws IllegalArgumentException when an id is not 12 digits, the content's digest is not
   *     {@code sha256}, or the file is not the batch's (another run, other accounts)
   */
  static List<Account> read(String runId, List<String> ids, String sha256, byte[] content) {
    checkIds(ids);
    if (!sha256(content).equalsIgnoreCase(sha256)) {
      throw new IllegalArgumentException(
          "the batch's account file does not match its accountsSha256 (changed since the list"
              + " step wrote it); nothing was changed");
    }
    File f;
    try {
      f = JSON.readValue(content, File.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("the batch's account file is not readable JSON");
    }
    List<Account> accounts =
        f.accounts() == null ? List.of() : f.accounts().stream().map(Entry::toAccount).toList();
    if (!runId.equals(f.runId()) || !accounts.stream().map(Account::id).toList().equals(ids)) {
      throw new IllegalArgumentException(
          "the batch's account file is not this batch's (run "
              + f.runId()
              + ", "
              + accounts.size()
              + " accounts); nothing was changed");
    }
    return accounts;
  }

  /**
   * @throws IllegalArgumentException naming the first id that is not 12 digits
   */
  static void checkIds(List<String> ids) {
    for (String id : ids) {
      if (id == null || !ACCOUNT_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "account id '"
                + String.valueOf(id)
                    .replaceAll("[^0-9A-Za-z._-]", "?")
                    .substring(0, Math.min(40, String.valueOf(id).length()))
                + "' is not 12 digits; nothing was changed");
      }
    }
  }
}
