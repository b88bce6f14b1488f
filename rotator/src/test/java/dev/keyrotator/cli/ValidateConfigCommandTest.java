package dev.keyrotator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateConfigCommandTest {

  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final Main main = new Main(new PrintWriter(out), new PrintWriter(err), Map.of());

  static Stream<Path> shippedPolicyFiles() throws IOException {
    Path config = Path.of("../config");
    try (Stream<Path> examples = Files.list(config.resolve("examples"))) {
      List<Path> files = new java.util.ArrayList<>(examples.sorted().toList());
      files.add(0, config.resolve("rotation.yaml"));
      return files.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("shippedPolicyFiles")
  void shippedFilesAreValid(Path file) {
    int code = main.run("validate-config", file.toString());

    assertThat(err.toString()).isEmpty();
    assertThat(code).isZero();
    assertThat(out.toString()).contains(file + ": valid");
  }

  @Test
  void examplesCoverTheDocumentedCases() throws IOException {
    assertThat(shippedPolicyFiles().map(p -> p.getFileName().toString()))
        .contains(
            "production-ou-stricter.yaml", "dry-run-one-account.yaml", "break-glass-exempt.yaml");
  }

  @Test
  void aBrokenFileExitsTwoAndNamesFileLineAndFieldOfEveryProblem() {
    String file = "src/test/resources/config/broken/everything-wrong.yaml";

    int code = main.run("validate-config", file);

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString().lines())
        .contains(
            file
                + ":4: organization.includeOus[0]: malformed OU id 'ou-bad'"
                + " (expected ou-xxxx-xxxxxxxx or r-xxxx)",
            file
                + ":5: organization.excludeAccounts[0]: malformed account id '12345'"
                + " (expected 12 digits)",
            file + ":6: organization.maxConcurrentAccounts: must be a whole number, got 'many'",
            file + ":8: defaults.createAfterDays: must be a whole number, got 'soon'",
            file
                + ":10: defaults.colour: unknown key (expected one of [createAfterDays,"
                + " deactivateAfterDays, deleteAfterDays, exemptions, forceDeactivateAfterDays, mode,"
                + " reminderDays, retireOldKeyEarly, unusedForDays, warningIntervalDays])",
            file + ":12: overrides[0].account: malformed account id '99999' (expected 12 digits)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void unorderedThresholdsAreNamedWithTheOverridesLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(
        f,
        """
        version: 1
        organization:
          memberRoleName: R
        overrides:
          - ou: ou-prod-11111111
            createAfterDays: 200
            deactivateAfterDays: 190
        """);

    int code = main.run("validate-config", f.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains(
            f
                + ":5: overrides[0]: thresholds must be ordered"
                + " createAfterDays < deactivateAfterDays, got 200 and 190");
  }

  @Test
  void anExemptionWithoutOwnerReasonOrExpiryIsRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(
        f,
        """
        version: 1
        organization: {memberRoleName: R}
        defaults:
          exemptions:
            - userNamePattern: "bg-*"
              expires: next-year
        """);

    int code = main.run("validate-config", f.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains(f + ":5: defaults.exemptions[0].owner: required")
        .contains(f + ":5: defaults.exemptions[0].reason: required")
        .contains(f + ":6: defaults.exemptions[0].expires: must be a date like 2027-06-30");
  }

  @Test
  void notYamlAtAllIsAClearError(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, "version: 1\norganization: [unclosed\n");

    int code = main.run("validate-config", f.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith(f + ":").contains("not valid YAML");
  }

  @Test
  void aMissingFileIsAClearError() {
    int code = main.run("validate-config", "no/such/file.yaml");

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("no/such/file.yaml:0: cannot read the file");
  }

  @Test
  void explainRefusesAMalformedAccountId() {
    int code = main.run("explain", "--policy", "../config/rotation.yaml", "--account", "123");

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("12-digit account id");
  }
}
