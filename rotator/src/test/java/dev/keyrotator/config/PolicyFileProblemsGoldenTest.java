package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every problem the loader reports for the broken policy files in {@code config/broken}, word for
 * word, equals {@code config/golden/problems.txt}: one block per file, problems in line order (ties
 * by text). Regenerate with {@code -Dgolden.update=true}, and read the diff.
 */
class PolicyFileProblemsGoldenTest {

  static final Path BROKEN = Path.of("src/test/resources/config/broken");
  static final Path GOLDEN = Path.of("src/test/resources/config/golden/problems.txt");

  static List<Path> brokenFiles() throws IOException {
    try (Stream<Path> files = Files.list(BROKEN)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** The problems of one file as the CLI prints them, in line order. */
  static List<String> problems(Path file) throws IOException {
    String name = "broken/" + file.getFileName();
    byte[] bytes = Files.readAllBytes(file);
    List<ConfigProblem> problems = new ArrayList<>();
    assertThatThrownBy(() -> PolicyFileLoader.parse(name, bytes))
        .as(name)
        .isInstanceOfSatisfying(PolicyFileException.class, e -> problems.addAll(e.problems()));
    return problems.stream()
        .sorted(Comparator.comparingInt(ConfigProblem::line).thenComparing(ConfigProblem::toString))
        .map(ConfigProblem::toString)
        .toList();
  }

  @Test
  void everyProblemOfEveryBrokenFileIsWordForWordTheGoldenOne() throws IOException {
    StringBuilder text = new StringBuilder();
    for (Path f : brokenFiles()) {
      text.append("== ").append(f.getFileName()).append('\n');
      problems(f).forEach(p -> text.append(p).append('\n'));
    }
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, text.toString());
    }
    assertThat(text.toString()).isEqualTo(Files.readString(GOLDEN));
  }
}
