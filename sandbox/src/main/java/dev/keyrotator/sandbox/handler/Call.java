package dev.keyrotator.sandbox.handler;

import dev.keyrotator.sandbox.protocol.Request;
import dev.keyrotator.sandbox.state.State;

/** A request once its caller is known: what a {@link ServiceHandler} works on. */
public final class Call extends Request {
  /** Who signed the request. */
  public State.Principal caller;

  /** The sandbox state the call runs against (its monitor is held while a handler runs). */
  public State state;

  /** The IAM actions the call was authorized for (filled in before the handler runs). */
  public java.util.List<String> authorizedActions = java.util.List.of();

  /** The caller's account. */
  public State.Acct account() {
    return caller.account;
  }
}
