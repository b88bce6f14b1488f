package dev.keyrotator.sandbox;

/** A malformed fixture: names the file and the field. */
public final class FixtureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String field;

    public FixtureException(String source, String field, String message) {
        super(source + ": " + field + ": " + message);
        this.source = source;
        this.field = field;
    }

    public String source() { return source; }

    public String field() { return field; }
}
