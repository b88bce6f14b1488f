package dev.keyrotator.ports;

import java.util.Objects;

/**
 * An access key with its secret, as its owner holds it (the credential provider's current key).
 * {@link #toString()} never shows the secret.
 */
public record AccessKeyPair(String accessKeyId, String secretAccessKey) {
  public AccessKeyPair {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (!accessKeyId.matches("[A-Z0-9]{16,128}")) {
      throw new IllegalArgumentException("not an access key id: " + accessKeyId);
    }
  }

  @Override
  public String toString() {
    return "AccessKeyPair[" + accessKeyId + ", secret=<redacted>]";
  }
}
