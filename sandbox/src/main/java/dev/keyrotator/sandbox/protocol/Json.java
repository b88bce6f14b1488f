package dev.keyrotator.sandbox.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the sandbox (JSON protocol bodies, the admin API). */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
