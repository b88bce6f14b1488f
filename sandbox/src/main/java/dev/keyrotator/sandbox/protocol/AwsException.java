package dev.keyrotator.sandbox.protocol;

/** An AWS error the sandbox returns: code and HTTP status as the addressed service would. */
public final class AwsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  public AwsException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public boolean senderFault() {
    return status < 500;
  }
}
