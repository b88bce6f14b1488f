package dev.keyrotator.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The policy package is the domain: it must not know about AWS, I/O frameworks or the clock. */
class PolicyPackageIsPureTest {

  static final Path POLICY = Path.of("src/main/java/dev/keyrotator/policy");

  static final List<String> FORBIDDEN_IMPORTS =
      List.of(
          "software.amazon",
          "com.amazonaws",
          "com.google.inject",
          "com.fasterxml",
          "org.yaml",
          "picocli",
          "java.io",
          "java.nio",
          "java.net",
          "dev.keyrotator.aws",
          "dev.keyrotator.run",
          "dev.keyrotator.config",
          "dev.keyrotator.cli",
          "dev.keyrotator.lambda");

  @Test
  void policySourcesImportNothingFromAwsOrIo() throws IOException {
    List<Path> sources;
    try (Stream<Path> s = Files.walk(POLICY)) {
      sources = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(sources).isNotEmpty();
    for (Path source : sources) {
      List<String> imports =
          Files.readAllLines(source).stream().filter(l -> l.startsWith("import ")).toList();
      assertThat(imports)
          .as(source.toString())
          .noneMatch(
              i ->
                  FORBIDDEN_IMPORTS.stream()
                      .anyMatch(f -> i.contains(" " + f) || i.contains("static " + f)));
      String text = Files.readString(source);
      assertThat(text)
          .as(source + " reads the clock")
          .doesNotContain("Instant.now(")
          .doesNotContain("Clock.system")
          .doesNotContain("System.currentTimeMillis");
    }
  }
}
