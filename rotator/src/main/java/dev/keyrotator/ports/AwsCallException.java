package dev.keyrotator.ports;

/**
 * An AWS call failed. Carries the service, operation and AWS error code; the message is AWS's own
 * error message and never holds a secret.
 */
public class AwsCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String service;
  private final String operation;
  private final String errorCode;
  private final int statusCode;

  public AwsCallException(
      String service,
      String operation,
      String errorCode,
      int statusCode,
      String message,
      Throwable cause) {
    super(
        service
            + " "
            + operation
            + " failed: "
            + errorCode
            + (message == null || message.isBlank() ? "" : " (" + message + ")"),
        cause);
    this.service = service;
    this.operation = operation;
    this.errorCode = errorCode;
    this.statusCode = statusCode;
  }

  public String service() {
    return service;
  }

  public String operation() {
    return operation;
  }

  public String errorCode() {
    return errorCode;
  }

  public int statusCode() {
    return statusCode;
  }

  /** Throttling after the SDK's retries ran out. */
  public boolean isThrottling() {
    return errorCode.contains("Throttl")
        || errorCode.equals("TooManyRequestsException")
        || errorCode.equals("RequestLimitExceeded");
  }

  public boolean isAccessDenied() {
    return errorCode.startsWith("AccessDenied");
  }
}
