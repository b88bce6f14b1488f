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
  // a copy of config/rotation.yaml that only this test's golden file depends on
  private static final String POLICY = "stacksets/src/test/resources/deploy-policy.yaml";

  private static Proc deploy(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "scripts/deploy"));
    cmd.addAll(List.of(args));
    return Proc.run(REPO, env, cmd, 60);
  }

  @Test
  void dryRunPrintsEveryCommandAsInTheGoldenFile() throws Exception {
    Proc p =
        deploy(Map.of(), "--dry-run", "--params", PARAMS, "--jar", JAR, "--policy-file", POLICY);
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
            "  *'s3api head-bucket'*) case \"$FAKE_BUCKET\" in",
            "    absent) echo 'An error occurred (404) when calling the HeadBucket operation: Not Found' >&2; exit 254 ;;",
            "    foreign) echo 'An error occurred (403) when calling the HeadBucket operation: Forbidden' >&2; exit 254 ;;",
            "  esac ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(aws, PosixFilePermissions.fromString("rwxr-xr-x"));
    // a stand-in java: validate-config answers as the rotator does (exit 2 for a bad file)
    Path java = dir.resolve("java");
    Files.writeString(
        java,
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "echo \"java $*\" >> \"$FAKE_AWS_LOG\"",
            "case \"$*\" in",
            "  *bad-policy*) echo 'bad-policy.yaml:3: defaults.mode: must be one of enforce, dry-run' >&2; exit 2 ;;",
            "  *) echo \"${@: -1}: valid (0 overrides, sha256 000000000000)\" ;;",
            "esac",
            ""));
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", dir + ":" + System.getenv("PATH"));
    env.put("FAKE_AWS_LOG", dir.resolve("calls.log").toString());
    env.put("FAKE_ACCOUNT", account);
    env.put("FAKE_SECURITY_ACCOUNT", "222222222222");
    env.put("FAKE_SERVICES", services);
    env.put("FAKE_BUCKET", "ours");
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
        .doesNotContain("cloudformation", "s3api put", "create-bucket");
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
        .doesNotContain("cloudformation", "s3api put", "create-bucket");
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
    assertThat(p.output().strip().lines().reduce((a, b) -> b).orElseThrow())
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
    assertThat(calls).anyMatch(c -> c.startsWith("s3api put-object"));
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
    assertThat(p.output().strip())
        .isEqualTo(
            "deploy: code bucket example-key-rotator-artifacts-111111111111 (account 111111111111)"
                + " is there; using it as it is\ndeploy: done");
  }

  private static final String TRUSTED = "member.org.stacksets.cloudformation.amazonaws.com";

  private static List<String> changes(Path dir) throws Exception {
    return Files.readAllLines(dir.resolve("calls.log")).stream()
        .filter(c -> !c.startsWith("java "))
        .filter(
            c ->
                !c.matches(
                    ".*(get-caller-identity|list-aws-service-access|head-bucket|describe-|list-).*"))
        .toList();
  }

  @Test
  void anAbsentCodeBucketIsCreatedLockedDownAndBothArtifactsArePinned(@TempDir Path dir)
      throws Exception {
    Map<String, String> env = fakeAws(dir, "111111111111", TRUSTED);
    env.put("FAKE_BUCKET", "absent");
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--policy-file", POLICY);
    assertThat(p.exit()).as(p.output()).isZero();
    List<String> calls = changes(dir);
    String bucket = "example-key-rotator-artifacts-111111111111";
    assertThat(calls.subList(0, 7))
        .satisfiesExactly(
            c ->
                assertThat(c)
                    .startsWith("s3api create-bucket")
                    .contains("--bucket " + bucket, "--object-ownership BucketOwnerEnforced"),
            c ->
                assertThat(c)
                    .startsWith("s3api put-public-access-block")
                    .contains(
                        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"),
            c -> assertThat(c).startsWith("s3api put-bucket-versioning").contains("Status=Enabled"),
            c -> assertThat(c).startsWith("s3api put-bucket-encryption").contains("AES256"),
            c ->
                assertThat(c)
                    .startsWith("s3api put-bucket-policy")
                    .contains("\"aws:SecureTransport\":\"false\"", "\"Effect\":\"Deny\""),
            c ->
                assertThat(c)
                    .startsWith("s3api put-object")
                    .contains("--key org-key-rotator/rotator-", "--body " + JAR),
            c ->
                assertThat(c)
                    .startsWith("s3api put-object")
                    .contains("--key org-key-rotator/policy-", "--body " + POLICY));
    assertThat(calls.subList(1, 7))
        .allMatch(c -> c.contains("--expected-bucket-owner 111111111111"));
    String sha = sha256(REPO.resolve(POLICY));
    assertThat(calls)
        .filteredOn(c -> c.contains("central.yaml"))
        .singleElement()
        .satisfies(
            c ->
                assertThat(c)
                    .contains("PolicyFileSha256=" + sha)
                    .contains(
                        "PolicyFileS3Uri=s3://"
                            + bucket
                            + "/org-key-rotator/policy-"
                            + sha.substring(0, 16)
                            + ".yaml"));
    assertThat(Files.readString(dir.resolve("calls.log")))
        .contains("java -jar " + JAR + " validate-config --region us-east-1 " + POLICY);
  }

  @Test
  void anExistingBucketOfTheCentralAccountIsTakenAsItIs(@TempDir Path dir) throws Exception {
    Map<String, String> env = fakeAws(dir, "111111111111", TRUSTED);
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--policy-file", POLICY);
    assertThat(p.exit()).as(p.output()).isZero();
    assertThat(Files.readString(dir.resolve("calls.log")))
        .contains(
            "s3api head-bucket --region us-east-1 --bucket example-key-rotator-artifacts-111111111111 --expected-bucket-owner 111111111111");
    assertThat(changes(dir).get(0)).startsWith("s3api put-object");
    assertThat(changes(dir))
        .noneMatch(c -> c.contains("create-bucket") || c.contains("put-bucket"));
  }

  @Test
  void aBucketOfAnotherAccountIsRefusedBeforeAnyChange(@TempDir Path dir) throws Exception {
    Map<String, String> env = fakeAws(dir, "111111111111", TRUSTED);
    env.put("FAKE_BUCKET", "foreign");
    Proc p = deploy(env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--policy-file", POLICY);
    assertThat(p.exit()).as(p.output()).isEqualTo(2);
    assertThat(p.output().strip())
        .isEqualTo(
            "deploy: code bucket example-key-rotator-artifacts-111111111111 exists but account"
                + " 111111111111 does not own it (or may not read it): choose another CODE_BUCKET");
    assertThat(changes(dir)).isEmpty();
  }

  @Test
  void aPolicyFileTheRotatorRejectsStopsTheDeployBeforeAnyChange(@TempDir Path dir)
      throws Exception {
    Path bad = dir.resolve("bad-policy.yaml");
    Files.writeString(bad, "version: 1\ndefaults:\n  mode: sometimes\n");
    Map<String, String> env = fakeAws(dir, "111111111111", TRUSTED);
    env.put("FAKE_BUCKET", "absent");
    Proc p =
        deploy(
            env, "--params", PARAMS, "--jar", JAR, "--skip-build", "--policy-file", bad.toString());
    assertThat(p.exit()).as(p.output()).isEqualTo(2);
    assertThat(p.output())
        .contains("bad-policy.yaml:3: defaults.mode")
        .endsWith(
            "deploy: policy file " + bad + " is not valid (problems above); nothing was changed\n");
    assertThat(changes(dir)).isEmpty();
  }

  @Test
  void thePolicyIsALocalFileAndTheOldHandSetPinIsRefused(@TempDir Path dir) throws Exception {
    Proc missing =
        deploy(Map.of(), "--dry-run", "--params", PARAMS, "--policy-file", "no/such/policy.yaml");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output().strip())
        .isEqualTo(
            "deploy: POLICY_FILE not found: no/such/policy.yaml (a local path, relative to the"
                + " repository root or absolute)");
    Path params = dir.resolve("old.env");
    Files.write(
        params,
        List.of("REGION=us-east-1", "POLICY_FILE_S3_URI=s3://b/k.yaml", "POLICY_FILE_SHA256="));
    Proc old = deploy(Map.of(), "--dry-run", "--params", params.toString());
    assertThat(old.exit()).isEqualTo(2);
    assertThat(old.output().strip())
        .isEqualTo(
            "deploy: POLICY_FILE_S3_URI is no longer set by hand: the script uploads POLICY_FILE"
                + " (a local path) and pins its SHA-256");
    Proc none =
        deploy(Map.of(), "--dry-run", "--params", PARAMS, "--jar", JAR, "--policy-file", "");
    assertThat(none.exit()).as(none.output()).isZero();
    assertThat(none.output())
        .doesNotContain("validate-config")
        .doesNotContain("policy-")
        .contains(" PolicyFileS3Uri= ")
        .contains(" PolicyFileSha256=\n");
  }

  static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
