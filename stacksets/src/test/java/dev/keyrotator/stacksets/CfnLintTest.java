package dev.keyrotator.stacksets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lints every CloudFormation template of the module with AWS's cfn-lint (the Python package), at
 * the default level (errors and warnings) and with {@code -c I} (informational rules too, such as
 * deletion and update-replace policies on stateful resources). Any finding fails.
 *
 * <p>The linter comes from {@code scripts/install-test-tools cfn-lint}: the cfn-lint on PATH if it
 * is recent enough, else the pinned version pip-installed into a cache directory. There is no skip:
 * if it cannot be installed, the tests fail with the installer's output.
 */
class CfnLintTest {
  private static String linter;

  @BeforeAll
  static void install() throws Exception {
    Path script = Templates.MODULE.resolveSibling("scripts").resolve("install-test-tools");
    assertThat(script).as("the project's test-tool installer").exists();
    Proc p =
        Proc.run(Templates.MODULE, Map.of(), List.of("bash", script.toString(), "cfn-lint"), 900);
    assertThat(p.exit())
        .as(
            "scripts/install-test-tools cfn-lint failed (CfnLintTest needs AWS's cfn-lint):\n%s",
            p.output())
        .isZero();
    String[] lines = p.output().strip().split("\n");
    linter = lines[lines.length - 1].strip();
    Proc v = Proc.run(Templates.MODULE, Map.of(), List.of(linter, "--version"), 120);
    assertThat(v.output())
        .as("the linter is AWS's cfn-lint 1.x: %s", linter)
        .startsWith("cfn-lint 1.");
  }

  /** The CloudFormation templates in the module: every *.yaml with a template format version. */
  static List<String> templates() throws IOException {
    try (Stream<Path> files = Files.list(Templates.MODULE)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".yaml"))
          .filter(
              f ->
                  Templates.get(f.getFileName().toString()).containsKey("AWSTemplateFormatVersion"))
          .map(f -> f.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  private static Proc lint(List<String> options, List<String> files) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(linter, "--format", "parseable"));
    cmd.addAll(options);
    cmd.add("--");
    cmd.addAll(files);
    return Proc.run(Templates.MODULE, Map.of("NO_COLOR", "1"), cmd, 300);
  }

  @Test
  void theTemplatesAreTheOnesTheOtherTestsRead() throws Exception {
    assertThat(templates()).containsExactlyInAnyOrderElementsOf(Templates.ALL);
  }

  @Test
  void everyTemplateLintsCleanAtTheDefaultLevel() throws Exception {
    lintsClean(List.of());
  }

  @Test
  void everyTemplateLintsCleanWithTheInformationalRules() throws Exception {
    lintsClean(List.of("-c", "I"));
  }

  private static void lintsClean(List<String> options) throws Exception {
    Proc p = lint(options, templates());
    assertThat(p.output().strip()).as("cfn-lint %s findings", options).isEmpty();
    assertThat(p.exit()).as(p.output()).isZero();
  }

  /** The linter really checks what the tests rely on it for, at both levels. */
  @Test
  void linterCatchesABrokenTemplate(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        String.join(
            "\n",
            "AWSTemplateFormatVersion: '2010-09-09'",
            "Resources:",
            "  Bucket:",
            "    Type: AWS::S3::Bucket",
            "    DeletionPolicy: Retain",
            "    UpdateReplacePolicy: Retain",
            "    Properties:",
            "      NoSuchProperty: 1",
            "      BucketName: !Ref Missing",
            "  Key:",
            "    Type: AWS::KMS::Key",
            "  Role:",
            "    Type: AWS::IAM::Role",
            "    Properties:",
            "      AssumeRolePolicyDocument: {}",
            "  Function:",
            "    Type: AWS::Lambda::Function",
            "    Properties:",
            "      Runtime: java17",
            "      Handler: a.B::handleRequest",
            "      Role: !GetAtt Role.Arn",
            "      Code: {ZipFile: x}",
            "      SnapStart: {ApplyOn: None}",
            ""));
    Proc def = lint(List.of(), List.of(bad.toString()));
    assertThat(def.exit()).as(def.output()).isNotZero();
    assertThat(def.output())
        .contains(":E3002:")
        .contains("NoSuchProperty")
        .contains(":E1020:")
        .contains("'Missing'")
        .contains(":E2533:")
        .contains("java17")
        .doesNotContain(":I3011:");
    Proc info = lint(List.of("-c", "I"), List.of(bad.toString()));
    assertThat(info.exit()).as(info.output()).isNotZero();
    assertThat(info.output())
        .contains(":I3011:")
        .contains("DeletionPolicy")
        .contains("UpdateReplacePolicy");
  }
}
