package dev.keyrotator.sandbox.handler;

import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Resp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** A service's operations by name, each a method taking the call. */
public final class Operations {
  private final Map<String, Function<Call, Resp>> byName = new LinkedHashMap<>();
  private final Function<String, AwsException> unknown;

  /** {@code unknown} makes the service's error for an operation it does not have. */
  public Operations(Function<String, AwsException> unknown) {
    this.unknown = unknown;
  }

  public Operations on(String operation, Function<Call, Resp> method) {
    byName.put(operation, method);
    return this;
  }

  /** Runs {@code c.operation}, or throws the service's unknown-operation error. */
  public Resp dispatch(Call c) {
    Function<Call, Resp> method = byName.get(c.operation);
    if (method == null) throw unknown.apply(c.operation);
    return method.apply(c);
  }

  public Set<String> names() {
    return byName.keySet();
  }
}
