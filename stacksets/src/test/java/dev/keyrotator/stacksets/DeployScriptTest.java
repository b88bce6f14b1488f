package dev.keyrotator.stacksets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/deploy: the dry run against a golden file, and its refusals. */
class DeployScriptTest {
  private static final Path REPO = Templates.MODULE.getParent();
  private static final Path GOLDEN =
      Templates.MODULE.resolve("src/test/resources/deploy-dry-run.golden");
  private static final String PARAMS = "stacksets/parameters.example.env";
  private static final String JAR = "stacksets/src/test/resources/fake-rotator.jar";

  private static Proc deploy(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "scripts/deploy"));
    cmd.addAll(List.of(args));
    return Proc.run(REPO, env, cmd, 60);
  }

  @Test
  void dryRunPrintsEveryCommandAsInTheGoldenFile() throws Exception {
    Proc p = deploy(Map.of(), "--dry-run", "--params", PARAMS, "--jar", JAR);
    assertThat(p.exit()).as(p.output()).isZero();
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(GOLDEN, p.output(), StandardCharsets.UTF_8);
    }
    assertThat(p.output()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  @Test
  void dryRunCommandsArePrefixedAndTheExternalIdIsNeverPrinted() throws Exception {
    Proc p = deploy(Map.of(), "--dry-run", "--params", PARAMS, "--jar", JAR);
    List<String> lines = p.output().lines().toList();
    assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.startsWith("+ "));
    assertThat(p.output())
        .doesNotContain("change-me-to-a-long-random-string")
        .contains("ExternalId=<redacted>")
        .contains(
            "--permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false")
        .contains("create-stack-instances")
        .contains("--capabilities CAPABILITY_NAMED_IAM");
    // order: security account, central, member role stack, StackSet
    String out = p.output();
    int sec = out.indexOf("--template-file stacksets/security-account.yaml");
    int central = out.indexOf("--template-file stacksets/central.yaml");
    int member = out.indexOf("--template-file stacksets/member-role.yaml");
    int set = out.indexOf("create-stack-set");
    assertThat(sec).isPositive().isLessThan(central);
    assertThat(central).isLessThan(member);
    assertThat(member).isLessThan(set);
  }

  @Test
  void dryRunPassesEveryRequiredTemplateParameter() throws Exception {
    String out = deploy(Map.of(), "--dry-run", "--params", PARAMS, "--jar", JAR).output();
    for (String t : Templates.DEPLOYED) {
      String line =
          out.lines()
              .filter(l -> l.contains("--template-file stacksets/" + t))
              .findFirst()
              .orElseThrow()
              .replace("'", "");
      for (Map.Entry<String, Object> e : Templates.section(t, "Parameters").entrySet()) {
        if (!Templates.map(e.getValue()).containsKey("Default")) {
          assertThat(line).as("%s parameter %s", t, e.getKey()).contains(" " + e.getKey() + "=");
        }
      }
      for (String word : line.split(" ")) {
        if (word.matches("[A-Z][A-Za-z]+=.*") && !word.startsWith("Enabled=")) {
          assertThat(Templates.section(t, "Parameters"))
              .as("%s has parameter %s", t, word)
              .containsKey(word.substring(0, word.indexOf('=')));
        }
      }
    }
  }

  @Test
  void theMemberRoleGoesToTheCentralAccountOnlyWhenItsUsersAreRotated() throws Exception {
    Proc without =
        deploy(
            Map.of(),
            "--dry-run",
            "--params",
            PARAMS,
            "--jar",
            JAR,
            "--include-central-account",
            "false");
    assertThat(without.exit()).as(without.output()).isZero();
    assertThat(without.output()).doesNotContain("--template-file stacksets/member-role.yaml");
    // the StackSet itself still goes to the target OUs, the central account excluded
    assertThat(without.output()).contains("create-stack-set").contains("DIFFERENCE");

    Proc management =
        deploy(
            Map.of(),
            "--dry-run",
            "--params",
            PARAMS,
            "--jar",
            JAR,
            "--management-account-id",
            "111111111111");
    assertThat(management.exit()).isEqualTo(2);
    assertThat(management.output().strip())
        .isEqualTo(
            "deploy: INCLUDE_CENTRAL_ACCOUNT=true, but the central account is the management"
                + " account: the member role is never deployed in the management account");
  }

  @Test
  void missingRequiredParameterIsRefusedWithItsName(@TempDir Path dir) throws Exception {
    Path params = dir.resolve("p.env");
    List<String> lines = Files.readAllLines(REPO.resolve(PARAMS));
    Files.write(params, lines.stream().filter(l -> !l.startsWith("REPORT_BUCKET_NAME=")).toList());
    Proc p = deploy(Map.of(), "--dry-run", "--params", params.toString(), "--jar", JAR);
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.output().strip())
        .isEqualTo(
            "deploy: missing required parameter REPORT_BUCKET_NAME (set it in --params FILE or pass --report-bucket-name)");
  }

  @Test
  void flagsOverrideTheFileAndUnknownKeysAreRefused() throws Exception {
    Proc ok =
        deploy(
            Map.of(),
            "--dry-run",
            "--params",
            PARAMS,
            "--jar",
            JAR,
            "--function-name",
            "rotator-two");
    assertThat(ok.exit()).isZero();
    assertThat(ok.output()).contains("FunctionName=rotator-two");
    Proc bad = deploy(Map.of(), "--dry-run", "--params", PARAMS, "--no-such-thing", "x");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.output().strip()).isEqualTo("deploy: unknown option --no-such-thing");
    Proc twoRegions =
        deploy(
            Map.of(), "--dry-run", "--params", PARAMS, "--stackset-regions", "us-east-1,eu-west-1");
    assertThat(twoRegions.exit()).isEqualTo(2);
    assertThat(twoRegions.output()).startsWith("deploy: STACKSET_REGIONS must name one region");
  }

  @Test
  void withoutTheAwsCliARealRunIsRefused(@TempDir Path bin) throws Exception {
    for (String tool : List.of("dirname", "tr", "cat", "sed")) {
      Path real = Path.of("/usr/bin", tool);
      if (!Files.exists(real)) {
        real = Path.of("/bin", tool);
      }
      Files.createSymbolicLink(bin.resolve(tool), real);
    }
    Proc p = deploy(Map.of("PATH", bin.toString()), "--params", PARAMS, "--jar", JAR);
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.output().strip())
        .isEqualTo("deploy: the aws CLI is not installed (needed for everything but --dry-run)");
  }

  /** A stand-in aws CLI: answers identity and trusted-access queries, logs anything else. */
  private static Map<String, String> fakeAws(Path dir, String account, String services)
      throws Exception {
    Path aws = dir.resolve("aws");
    Files.writeString(
        aws,
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "echo \"$*\" >> \"$FAKE_AWS_LOG\"",
            "case \"$*\" in",
            "  *'--profile'*'sts get-caller-identity'*) echo \"$FAKE_SECURITY_ACCOUNT\" ;;",
            "  *'sts get-caller-identity'*) echo \"$FAKE_ACCOUNT\" ;;",
            "  *'list-aws-service-access-for-organization'*) echo \"$FAKE_SERVICES\" ;;",
            "  *'describe-stacks'*ExecutionRoleArn*) echo arn:aws:iam::111111111111:role/OrgKeyRotatorExecutionRole ;;",
            "  *'describe-stack-set '*) exit 254 ;;",
            "  *'describe-resource-policy'*) echo '{\"Statement\":[{\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::111111111111:root\"},\"Action\":[\"organizations:ListRoots\"]}]}' ;;",
            "  *'organizations list-roots'*) [ -n \"$FAKE_NO_ORG_READ\" ] && exit 254; echo r-ab12 ;;",
            "  *'create-stack-instances'*) echo op-1 ;;",
            "  *'describe-stack-set-operation'*) echo SUCCEEDED ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(aws, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir + ":" + System.getenv("PATH"));
    env.put("FAKE_AWS_LOG", dir.resolve("calls.log").toString());
    env.put("FAKE_ACCOUNT", account);
    env.put("FAKE_SECURITY_ACCOUNT", "222222222222");
    env.put("FAKE_SERVICES", services);
    return env;
  }

  @Test
  void wrongCallerAccountIsRefusedBeforeAnyChange(@TempDir Path dir) throws Exception {
    Map<String, String> env =
        fakeAws(dir, "999999999999", "member.org.stacksets.cloudformation.amazonaws.com");
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build");
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.output().strip())
        .isEqualTo(
            "deploy: caller is account 999999999999, expected the central account 111111111111 (CENTRAL_ACCOUNT_ID)");
    assertThat(Files.readString(dir.resolve("calls.log")))
        .doesNotContain("cloudformation", "s3 cp");
  }

  @Test
  void stackSetsTrustedAccessMustBeEnabled(@TempDir Path dir) throws Exception {
    Map<String, String> env =
        fakeAws(dir, "111111111111", "sso.amazonaws.com\tconfig.amazonaws.com");
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build");
    assertThat(p.exit()).isEqualTo(2);
    assertThat(p.output().strip())
        .startsWith("deploy: trusted access for CloudFormation StackSets is not enabled");
    assertThat(Files.readString(dir.resolve("calls.log")))
        .doesNotContain("cloudformation", "s3 cp");
  }

  @Test
  void withoutAManagementProfileTheCentralAccountMustAlreadyReadTheOrganization(@TempDir Path dir)
      throws Exception {
    Map<String, String> env =
        fakeAws(dir, "111111111111", "member.org.stacksets.cloudformation.amazonaws.com");
    env.put("FAKE_NO_ORG_READ", "1");
    Proc p =
        deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--management-profile", "");
    assertThat(p.exit()).as(p.output()).isEqualTo(2);
    assertThat(p.output().strip())
        .startsWith("deploy: central account 111111111111 cannot read the organization")
        .contains("stacksets/organizations-delegation.yaml");
    assertThat(Files.readString(dir.resolve("calls.log"))).doesNotContain("member-role.yaml");

    env.remove("FAKE_NO_ORG_READ");
    Proc delegatedAdmin =
        deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--management-profile", "");
    assertThat(delegatedAdmin.exit()).as(delegatedAdmin.output()).isZero();
  }

  @Test
  void aRealRunWithAllPrerequisitesRunsTheStepsInOrder(@TempDir Path dir) throws Exception {
    Map<String, String> env =
        fakeAws(
            dir,
            "111111111111",
            "sso.amazonaws.com\tmember.org.stacksets.cloudformation.amazonaws.com");
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build");
    assertThat(p.exit()).as(p.output()).isZero();
    List<String> calls = Files.readAllLines(dir.resolve("calls.log"));
    assertThat(calls).anyMatch(c -> c.startsWith("s3 cp"));
    assertThat(
            calls.stream()
                .filter(c -> c.contains("cloudformation deploy"))
                .map(c -> c.replaceAll(".*--template-file (\\S+).*", "$1")))
        .containsExactly(
            "stacksets/security-account.yaml",
            "stacksets/central.yaml",
            "stacksets/organizations-delegation.yaml",
            "stacksets/member-role.yaml");
    assertThat(calls)
        .filteredOn(c -> c.contains("organizations-delegation.yaml"))
        .singleElement()
        .satisfies(c -> assertThat(c).startsWith("--profile management-admin"));
    assertThat(calls)
        .anyMatch(
            c ->
                c.contains("create-stack-set") && c.contains("--permission-model SERVICE_MANAGED"));
    assertThat(calls)
        .anyMatch(c -> c.contains("create-stack-instances") && c.contains("ou-ab12-22222222"));
    assertThat(p.output().strip()).isEqualTo("deploy: done");
  }
}
