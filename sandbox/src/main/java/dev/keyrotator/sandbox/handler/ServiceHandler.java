package dev.keyrotator.sandbox.handler;

import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Request;
import dev.keyrotator.sandbox.protocol.Resp;

/**
 * One AWS service of the sandbox. The sandbox routes a request to the handler whose {@link #name()}
 * is the service in the request's SigV4 credential scope, authenticates the caller, applies the
 * fault rules and then calls {@link #handle}, holding the state's monitor.
 */
public interface ServiceHandler {
  /** The SigV4 signing name, e.g. {@code iam}. */
  String name();

  Protocol protocol();

  /** The operation a request names; reads its parameters into the request on the way. */
  default String operation(Request r) {
    return protocol().operation(r);
  }

  /** Runs the operation {@code c.operation}; AWS errors are thrown as {@link AwsException}. */
  Resp handle(Call c);

  /** The service's own throttling error (one the SDK retries). */
  default AwsException throttled() {
    return new AwsException(400, "Throttling", "Rate exceeded");
  }

  /** The service's own internal (500) error. */
  AwsException internalError();
}
