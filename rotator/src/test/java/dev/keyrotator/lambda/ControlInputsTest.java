package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.aws.S3PolicyReader;
import dev.keyrotator.config.PolicyFileException;
import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control inputs are trusted only as far as they must be: an invocation narrows the policy's mode,
 * never widens it; a pinned policy file with another digest is refused before any call; the policy
 * file is read from S3 only from a bucket of the expected owner.
 */
class ControlInputsTest {
  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.withFixture(LeastPrivilegeTest.fixture());

  final List<String> logged = new CopyOnWriteArrayList<>();

  @AfterEach
  void clear() {
    LambdaTestEnvironment.tearDown();
  }

  Map<String, String> env(Path dir, String policyExtra, Map<String, String> extra)
      throws IOException {
    Map<String, String> env = new HashMap<>(LambdaTestEnvironment.setUp(SANDBOX, dir, extra));
    Path policy = Path.of(env.get("KEY_ROTATOR_POLICY_URI"));
    Files.writeString(policy, Files.readString(policy) + policyExtra);
    return env;
  }

  static final String PROD_DRY_RUN =
      "overrides:\n  - account: \"333333333333\"\n    mode: dry-run\n";

  @Test
  void anInvocationNarrowsTheModeButNeverWidensIt(@TempDir Path dir) throws IOException {
    Map<String, String> env = env(dir, PROD_DRY_RUN, Map.of());
    new RotationHandler(env, SANDBOX.sandbox().clock())
        .handleRequest(Map.of("mode", "enforce"), new FakeLambdaContext(900_000, logged));

    List<CallRecord> mutating = SANDBOX.sandbox().calls().mutating();
    // 333333333333 stays a dry run although the invocation asked to enforce...
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "app-orders")).hasSize(1);
    assertThat(mutating)
        .noneMatch(c -> c.accountId().equals("333333333333") && c.service().equals("iam"));
    // ...while the enforcing accounts are enforced
    assertThat(SANDBOX.sandbox().iamKeys("444444444444", "dev-ci")).hasSize(2);

    SANDBOX.sandbox().calls().clear();
    new RotationHandler(env, SANDBOX.sandbox().clock())
        .handleRequest(Map.of("mode", "dry-run"), new FakeLambdaContext(900_000, logged));
    assertThat(SANDBOX.sandbox().calls().mutating())
        .allSatisfy(
            c -> assertThat(c.service() + ":" + c.operation()).isIn("s3:PutObject", "sns:Publish"));
  }

  @Test
  void aPinnedPolicyFileWithAnotherDigestIsRefusedBeforeAnyCall(@TempDir Path dir)
      throws IOException {
    Map<String, String> env = env(dir, "", Map.of("KEY_ROTATOR_POLICY_SHA256", "0".repeat(64)));
    SANDBOX.sandbox().calls().clear();
    assertThatThrownBy(
            () ->
                new RotationHandler(env, SANDBOX.sandbox().clock())
                    .handleRequest(Map.of(), new FakeLambdaContext(900_000, logged)))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("not the pinned KEY_ROTATOR_POLICY_SHA256 " + "0".repeat(64))
        .hasMessageContaining("refusing to run");
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();

    String actual =
        dev.keyrotator.config.PolicyFileLoader.load(Path.of(env.get("KEY_ROTATOR_POLICY_URI")))
            .sha256();
    Map<String, String> pinned = new HashMap<>(env);
    pinned.put("KEY_ROTATOR_POLICY_SHA256", actual);
    Map<String, Object> result =
        new RotationHandler(pinned, SANDBOX.sandbox().clock())
            .handleRequest(Map.of(), new FakeLambdaContext(900_000, logged));
    assertThat(result).containsEntry("created", 3L);
  }

  @Test
  void thePolicyFileIsReadOnlyFromABucketOfTheExpectedOwner(@TempDir Path dir) throws IOException {
    LeastPrivilegeTest.uploadPolicyFile(SANDBOX.sandbox());
    // as the central account's admin, so only the expected-owner check can refuse
    LambdaTestEnvironment.tearDown();
    SandboxCredentials admin = SANDBOX.sandbox().credentialsFor("111111111111");
    System.setProperty("aws.accessKeyId", admin.accessKeyId());
    System.setProperty("aws.secretAccessKey", admin.secretAccessKey());
    System.setProperty("aws.region", "us-east-1");
    Optional<java.net.URI> endpoint = Optional.of(SANDBOX.endpoint());
    byte[] read =
        new S3PolicyReader(endpoint, Optional.of("111111111111"))
            .read(LeastPrivilegeTest.CONFIG_BUCKET, LeastPrivilegeTest.POLICY_KEY);
    assertThat(new String(read)).contains("memberRoleName");
    assertThatThrownBy(
            () ->
                new S3PolicyReader(endpoint, Optional.of("222222222222"))
                    .read(LeastPrivilegeTest.CONFIG_BUCKET, LeastPrivilegeTest.POLICY_KEY))
        .isInstanceOf(AwsCallException.class)
        .hasMessageContaining(
            "cannot read the policy file s3://" + LeastPrivilegeTest.CONFIG_BUCKET);
  }

  @Test
  void theDeployedExecutionRoleReadsThePolicyFileOnlyInItsOwnAccount() {
    // central.yaml's ReadPolicyFile statement carries s3:ResourceAccount = the central account
    DeployedTemplates d =
        DeployedTemplates.into(
            SANDBOX.sandbox(),
            DeployedTemplates.Settings.demo()
                .policyFile(
                    "s3://"
                        + LeastPrivilegeTest.CONFIG_BUCKET
                        + "/"
                        + LeastPrivilegeTest.POLICY_KEY));
    assertThat(String.join("\n", d.central().rolePolicies("ExecutionRole")))
        .contains("\"ReadPolicyFile\"")
        .contains("\"s3:ResourceAccount\":\"111111111111\"");
  }
}
