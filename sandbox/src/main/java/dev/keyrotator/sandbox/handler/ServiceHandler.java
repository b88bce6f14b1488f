package dev.keyrotator.sandbox.handler;

import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Request;
import dev.keyrotator.sandbox.protocol.Resp;
import java.util.List;

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

  /**
   * What IAM must allow for the call {@code c} (one request per action it needs; empty when it
   * needs none, or when the request is malformed and the operation will say so). Called holding the
   * state's monitor, before {@link #handle}.
   */
  default List<AuthRequest> authorization(Call c) {
    return List.of();
  }

  /**
   * The service's AccessDenied error for {@code r}.
   *
   * @param why how IAM came to refuse, e.g. "with an explicit deny in an identity-based policy"
   */
  default AwsException accessDenied(Call c, AuthRequest r, String why) {
    String message =
        "User: "
            + c.caller.arn
            + " is not authorized to perform: "
            + r.action
            + " on resource: "
            + r.resource
            + " "
            + why;
    return protocol() == Protocol.JSON
        ? new AwsException(400, "AccessDeniedException", message)
        : new AwsException(403, "AccessDenied", message);
  }
}
