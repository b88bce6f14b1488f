package dev.keyrotator.config;

/**
 * One thing wrong with a policy file, located to the line.
 *
 * @param file the file's name as given
 * @param line 1-based line, 0 when unknown
 * @param field the field's path, e.g. {@code overrides[2].createAfterDays}
 */
public record ConfigProblem(String file, int line, String field, String message) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + message;
  }
}
