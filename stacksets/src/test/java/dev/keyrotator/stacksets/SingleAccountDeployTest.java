package dev.keyrotator.stacksets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code scripts/deploy --single-account}: its own parameters, one stack, no organization. */
class SingleAccountDeployTest {
  private static final Path REPO = Templates.MODULE.getParent();
  private static final String PARAMS = "stacksets/single-account.example.env";
  private static final String JAR = "stacksets/src/test/resources/fake-rotator.jar";

  private static Proc deploy(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "scripts/deploy"));
    cmd.addAll(List.of(args));
    return Proc.run(REPO, Map.of(), cmd, 60);
  }

  @Test
  void dryRunDeploysTheSingleAccountStackWithEveryRequiredParameterAndNothingOfAnOrganization()
      throws Exception {
    Proc p = deploy("--single-account", "--dry-run", "--params", PARAMS, "--jar", JAR);
    assertThat(p.exit()).as(p.output()).isZero();
    String line =
        p.output()
            .lines()
            .filter(l -> l.contains("--template-file stacksets/single-account.yaml"))
            .findFirst()
            .orElseThrow();
    for (Map.Entry<String, Object> e :
        Templates.section("single-account.yaml", "Parameters").entrySet()) {
      if (!Templates.map(e.getValue()).containsKey("Default")) {
        assertThat(line).as("parameter %s", e.getKey()).contains(" " + e.getKey() + "=");
      }
    }
    assertThat(line).containsPattern(" PolicyFileSha256=[0-9a-f]{64} ");
    for (String word : line.split(" ")) {
      if (word.matches("[A-Z][A-Za-z]+=.*")) {
        assertThat(Templates.section("single-account.yaml", "Parameters"))
            .containsKey(word.substring(0, word.indexOf('=')));
      }
    }
    assertThat(p.output())
        .doesNotContain("organizations")
        .doesNotContain("stack-set")
        .doesNotContain("member-role.yaml")
        .contains("--capabilities CAPABILITY_IAM")
        .contains("validate-config --region us-east-1 config/rotation.yaml")
        .contains(
            "s3api head-bucket --region us-east-1 --bucket example-key-rotator-artifacts-123456789012 --expected-bucket-owner 123456789012")
        .contains("--object-ownership BucketOwnerEnforced")
        .contains("--key key-rotator/policy-")
        .endsWith("deploy: dry run complete, no calls made\n");
  }

  @Test
  void anOrganizationParameterIsRefusedWithTheSingleAccountList() throws Exception {
    Proc p =
        deploy(
            "--single-account",
            "--dry-run",
            "--params",
            PARAMS,
            "--jar",
            JAR,
            "--external-id",
            "x");
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.output()).contains("unknown option --external-id");
    Proc missing = deploy("--single-account", "--dry-run", "--jar", JAR);
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output()).contains("missing required parameter REGION");
  }
}
