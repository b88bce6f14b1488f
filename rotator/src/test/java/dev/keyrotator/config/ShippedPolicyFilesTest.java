package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every policy file shipped in {@code config/} names the schema on its first line, so an editor
 * with the YAML language server checks it as the rotator does, and it validates against it.
 */
class ShippedPolicyFilesTest {

  static final Path CONFIG = Path.of("../config");
  static final String MARKER = "# yaml-language-server: $schema=";

  static Stream<Path> shippedPolicyFiles() throws IOException {
    try (Stream<Path> files = Files.walk(CONFIG)) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yaml).hasSizeGreaterThanOrEqualTo(4);
      return yaml.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shippedPolicyFiles")
  void namesTheSchemaOnItsFirstLine(Path file) throws IOException {
    String first = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);

    assertThat(first).startsWith(MARKER);
    Path schema = file.getParent().resolve(first.substring(MARKER.length()));
    assertThat(schema.toRealPath()).isEqualTo(CONFIG.resolve("rotation.schema.json").toRealPath());
  }

  @ParameterizedTest
  @MethodSource("shippedPolicyFiles")
  void validatesAgainstTheSchema(Path file) throws IOException {
    YamlTree tree =
        new YamlTree(
            file.toString(),
            new Yaml().compose(Files.newBufferedReader(file, StandardCharsets.UTF_8)));

    assertThat(tree.problems).isEmpty();
    assertThat(PolicySchema.check(file.toString(), tree)).isEmpty();
    assertThat(PolicyFileLoader.load(file).source()).isEqualTo(file.toString());
  }

  /** Every policy example in the README is one {@code validate-config} accepts. */
  @org.junit.jupiter.api.Test
  void theReadmesPolicyExamplesAreValid() throws IOException {
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "```yaml\n(version: 1\n.*?)```", java.util.regex.Pattern.DOTALL)
            .matcher(readme);
    int examples = 0;
    while (m.find()) {
      examples++;
      PolicyFile p =
          PolicyFileLoader.parse(
              "README.md example " + examples, m.group(1).getBytes(StandardCharsets.UTF_8));
      assertThat(p.overrides()).isNotNull();
    }
    assertThat(examples).isPositive();
  }
}
