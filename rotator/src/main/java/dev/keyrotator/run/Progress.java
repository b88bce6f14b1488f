package dev.keyrotator.run;

/** Where a long run says how far it got (stderr for the CLI, the log for Lambda). */
@FunctionalInterface
public interface Progress {
  void report(String line);

  static Progress silent() {
    return line -> { };
  }
}
