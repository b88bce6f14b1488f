package dev.keyrotator.aws;

import dev.keyrotator.policy.AccessKey;
import java.util.Objects;

/**
 * A key just created, with its secret. The secret goes to the vault and nowhere else: {@link
 * #toString()} never shows it.
 */
public final class NewAccessKey {
  private final AccessKey key;
  private final String userName;
  private final char[] secret;

  public NewAccessKey(String userName, AccessKey key, String secret) {
    this.userName = Objects.requireNonNull(userName, "userName");
    this.key = Objects.requireNonNull(key, "key");
    this.secret = Objects.requireNonNull(secret, "secret").toCharArray();
  }

  public AccessKey key() {
    return key;
  }

  public String userName() {
    return userName;
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
