package dev.keyrotator.run;

import dev.keyrotator.ports.SecretReader;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Who may read one user's secret, from the policy setting {@code secrets.readers}. */
final class SecretReaders {
  private static final Pattern PATH_AND_NAME =
      Pattern.compile("(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}");
  private static final Pattern ROLE_ARN =
      Pattern.compile("arn:aws[a-z-]*:iam::(\\d{12}):role/(.+)");

  private SecretReaders() {}

  /**
   * @param roleTag empty: the user itself; else the user tag naming the reader role (a role name,
   *     {@code path/name}, or a role ARN of {@code accountId})
   */
  static SecretReader of(Optional<String> roleTag, String accountId, Map<String, String> userTags) {
    if (roleTag.isEmpty()) {
      return SecretReader.OWNER;
    }
    String value = userTags.get(roleTag.get());
    if (value == null || value.isBlank()) {
      return new SecretReader.Nobody("the user has no tag " + roleTag.get());
    }
    String pathAndName = value.startsWith("/") ? value.substring(1) : value;
    Matcher arn = ROLE_ARN.matcher(value);
    if (arn.matches()) {
      if (!arn.group(1).equals(accountId)) {
        return new SecretReader.Nobody("tag " + roleTag.get() + " names a role of another account");
      }
      pathAndName = arn.group(2);
    }
    if (!PATH_AND_NAME.matcher(pathAndName).matches()) {
      return new SecretReader.Nobody("tag " + roleTag.get() + " does not name an IAM role");
    }
    return new SecretReader.Role(pathAndName);
  }
}
