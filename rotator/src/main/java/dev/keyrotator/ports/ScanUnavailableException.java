package dev.keyrotator.ports;

/**
 * The account's users cannot be read in bulk (the credential report is not ready in time, cannot be
 * parsed, or the bulk calls are refused or fail). Nothing was changed; the caller reads users one
 * by one instead.
 */
public final class ScanUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public ScanUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
