package dev.keyrotator.stacksets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lints the templates with the npm package cfn-lint (installed by stacksets/lint/install.sh,
 * with AWS's newer resource specification from @aws-cdk/cfnspec). Skips only when the install
 * is impossible here (install.sh exit 3: no npm, or the registry is unreachable).
 */
class CfnLintTest {
  /** Sample values for parameters without a Default, so intrinsic functions evaluate. */
  private static final Map<String, String> SAMPLE =
      Map.ofEntries(
          Map.entry("CentralExecutionRoleArn", "arn:aws:iam::111111111111:role/OrgKeyRotatorExecutionRole"),
          Map.entry("ExternalId", "sample-external-id-0123456789"),
          Map.entry("OrganizationId", "o-exampleorg1"),
          Map.entry("ManagementAccountId", "222222222222"),
          Map.entry("CodeBucket", "example-artifacts"),
          Map.entry("CodeKey", "org-key-rotator/rotator-0123456789abcdef.jar"),
          Map.entry("ReportBucketName", "example-reports"),
          Map.entry("SecurityTopicArn", "arn:aws:sns:us-east-1:333333333333:org-key-rotator-security"),
          Map.entry("SecurityTopicKeyArn", "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));

  private static String linter;
  private static String skipReason;

  @BeforeAll
  static void install() throws Exception {
    Proc p = Proc.run(Templates.MODULE, Map.of(), List.of("bash", "lint/install.sh"), 600);
    if (p.exit() == 3) {
      skipReason = "cfn-lint cannot be installed here: " + p.output().strip();
      return;
    }
    assertThat(p.exit()).as("lint/install.sh failed:\n%s", p.output()).isZero();
    String[] lines = p.output().strip().split("\n");
    linter = lines[lines.length - 1];
  }

  private static Proc lint(Path file, String params) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(linter, "validate", file.toString(), "--no-guess-parameters"));
    if (!params.isEmpty()) {
      cmd.add("--parameters");
      cmd.add(params);
    }
    return Proc.run(Templates.MODULE, Map.of("FORCE_COLOR", "0", "NO_COLOR", "1"), cmd, 120);
  }

  @ParameterizedTest
  @ValueSource(strings = {"member-role.yaml", "central.yaml", "security-account.yaml"})
  void templateLintsClean(String template) throws Exception {
    lintsClean(template, List.of());
  }

  @Test
  void centralWithTheFanOutStateMachineLintsClean() throws Exception {
    lintsClean("central.yaml", List.of("FanOut=true"));
  }

  private static void lintsClean(String template, List<String> extra) throws Exception {
    assumeTrue(linter != null, () -> skipReason);
    List<String> params = new ArrayList<>(extra);
    for (String name : Templates.section(template, "Parameters").keySet()) {
      if (!Templates.map(Templates.section(template, "Parameters").get(name)).containsKey("Default")) {
        assertThat(SAMPLE).as("sample value for required parameter %s", name).containsKey(name);
        params.add(name + "=" + SAMPLE.get(name));
      }
    }
    Proc p = lint(Templates.MODULE.resolve(template), String.join(",", params));
    String out = p.output().replaceAll("\u001B\\[[0-9;]*m", "");
    assertThat(out).as(out).contains("0 crit").contains("0 warn").contains("Template valid!");
    assertThat(p.exit()).as(out).isZero();
  }

  @Test
  void linterCatchesABrokenTemplate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assumeTrue(linter != null, () -> skipReason);
    Path bad = dir.resolve("bad.yaml");
    java.nio.file.Files.writeString(bad, String.join("\n",
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Resources:",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
        "    Properties:",
        "      OwnershipControls:",
        "        Rules:",
        "          - ObjectOwnership: BucketOwnerEnforced",
        "      NoSuchProperty: 1",
        "      BucketName: !Ref Missing",
        ""));
    Proc p = lint(bad, "");
    String out = p.output().replaceAll("\u001B\\[[0-9;]*m", "");
    assertThat(p.exit()).isNotZero();
    assertThat(out).contains("NoSuchProperty is not a valid property").contains("Missing does not exist")
        .doesNotContain("OwnershipControls is not a valid property");
  }
}
