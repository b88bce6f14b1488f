package dev.keyrotator.ports;

import dev.keyrotator.policy.AccessKey;
import java.util.Objects;

/**
 * A key just created, with its secret. The secret goes to the vault and nowhere else: {@link
 * #toString()} never shows it.
 */
public final class NewAccessKey {
  private final AccessKey key;
  private final String userName;
  private final String userPath;
  private final char[] secret;

  public NewAccessKey(String userName, AccessKey key, String secret) {
    this(userName, "/", key, secret);
  }

  /** With the user's IAM path, which the vault needs to name the user in a resource policy. */
  public NewAccessKey(String userName, String userPath, AccessKey key, String secret) {
    this.userName = Objects.requireNonNull(userName, "userName");
    this.userPath = userPath == null || userPath.isEmpty() ? "/" : userPath;
    this.key = Objects.requireNonNull(key, "key");
    this.secret = Objects.requireNonNull(secret, "secret").toCharArray();
  }

  public AccessKey key() {
    return key;
  }

  public String userName() {
    return userName;
  }

  /** The user's IAM path, {@code /} unless the user has one. */
  public String userPath() {
    return userPath;
  }

  /** The secret access key: only for the vault adapter. */
  public String revealSecret() {
    return new String(secret);
  }

  @Override
  public String toString() {
    return "NewAccessKey[" + userName + ", " + key.id() + ", secret=<redacted>]";
  }
}
