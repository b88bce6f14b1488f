package dev.keyrotator.aws;

import dev.keyrotator.ports.AwsCallException;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Maps SDK exceptions to {@link AwsCallException}: service, operation, code, status, message. */
final class AwsErrors {
  private AwsErrors() {}

  /** Runs one AWS call; any SDK failure becomes an {@link AwsCallException}. */
  static <T> T call(String service, String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw map(service, operation, e, null);
    }
  }

  static void run(String service, String operation, Runnable call) {
    call(
        service,
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  /**
   * The domain exception for an SDK failure. {@code context} (e.g. the account and role) is put
   * before AWS's message. AWS's error messages never echo request parameters that are secret; the
   * SDK's own message is not used because it may carry more than the error.
   */
  static AwsCallException map(String service, String operation, SdkException e, String context) {
    String code;
    int status;
    String message;
    if (e instanceof AwsServiceException ase) {
      var details = ase.awsErrorDetails();
      code = details != null && details.errorCode() != null ? details.errorCode() : "Unknown";
      status = ase.statusCode();
      message = details != null ? details.errorMessage() : null;
    } else if (e instanceof SdkClientException) {
      code = "ClientError";
      status = 0;
      message = e.getMessage();
    } else {
      code = e.getClass().getSimpleName();
      status = 0;
      message = e.getMessage();
    }
    if (context != null && !context.isBlank()) {
      message = context + (message == null || message.isBlank() ? "" : ": " + message);
    }
    return new AwsCallException(service, operation, code, status, message, e);
  }

  /** True when {@code e} is AWS's error {@code code}. */
  static boolean is(AwsCallException e, String code) {
    return code.equals(e.errorCode());
  }
}
