package dev.keyrotator.ports;

/**
 * The user's secret exists but is not one the rotator may write into: someone else created it (no
 * rotator tags, another KMS key, a resource policy granting another account), or it is scheduled
 * for deletion. Nothing was written. The message names the secret and the reason, never a secret
 * value.
 */
public final class SecretRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String secretArn;

  public SecretRefusedException(String secretArn, String reason) {
    super(reason);
    this.secretArn = secretArn;
  }

  /** The secret that was refused. */
  public String secretArn() {
    return secretArn;
  }
}
