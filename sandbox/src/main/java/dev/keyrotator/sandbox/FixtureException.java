package dev.keyrotator.sandbox;

/** A malformed fixture: names the file (with the line, when it came from one) and the field. */
public final class FixtureException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final int line;
  private final String field;

  public FixtureException(String source, String field, String message) {
    this(source, 0, field, message);
  }

  /** {@code line} is 1-based; 0 when unknown (a fixture built in code). */
  public FixtureException(String source, int line, String field, String message) {
    super((line > 0 ? source + ":" + line : source) + ": " + field + ": " + message);
    this.source = source;
    this.line = line;
    this.field = field;
  }

  public String source() {
    return source;
  }

  /** The line of the YAML file the field is on (1-based), 0 when unknown. */
  public int line() {
    return line;
  }

  public String field() {
    return field;
  }
}
