package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static dev.keyrotator.stacksets.Templates.props;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The account lease bucket of the central stack (README "Two runs at once: the account lease"). */
class LeaseBucketTest {
  private static final String C = "central.yaml";

  @Test
  void leaseBucketIsEncryptedPrivateOwnerEnforcedAndTlsOnly() {
    Map<String, Object> b = props(C, "LeaseBucket");
    assertThat(
            map(map(list(map(b.get("BucketEncryption")).get("ServerSideEncryptionConfiguration"))
                        .get(0))
                    .get("ServerSideEncryptionByDefault"))
                .get("SSEAlgorithm"))
        .isEqualTo("AES256");
    assertThat(map(b.get("PublicAccessBlockConfiguration")))
        .containsEntry("BlockPublicAcls", true)
        .containsEntry("BlockPublicPolicy", true)
        .containsEntry("IgnorePublicAcls", true)
        .containsEntry("RestrictPublicBuckets", true);
    assertThat(
            map(list(map(b.get("OwnershipControls")).get("Rules")).get(0)).get("ObjectOwnership"))
        .isEqualTo("BucketOwnerEnforced");
    assertThat(Templates.resource(C, "LeaseBucket"))
        .containsEntry("DeletionPolicy", "Delete")
        .containsEntry("UpdateReplacePolicy", "Delete");
    List<Statement> policy =
        Templates.statements(props(C, "LeaseBucketPolicy").get("PolicyDocument"));
    assertThat(policy).allMatch(s -> s.effect().equals("Deny"));
    assertThat(map(map(policy.get(0).body().get("Condition")).get("Bool")))
        .containsEntry("aws:SecureTransport", "false");
  }

  @Test
  void theExecutionRoleMayTakeRenewAndReleaseLeasesUnderTheLeasePrefixOnly() {
    List<Statement> lease =
        Templates.roleStatements(C, "ExecutionRole").stream()
            .filter(s -> s.resources().toString().contains("LeaseBucket"))
            .toList();
    assertThat(lease).hasSize(1);
    assertThat(lease.get(0).actions())
        .containsExactlyInAnyOrder("s3:PutObject", "s3:GetObject", "s3:DeleteObject");
    assertThat(lease.get(0).resources())
        .containsExactly(Map.of("Fn::Sub", "${LeaseBucket.Arn}/leases/*"));
  }

  @Test
  void theFunctionIsToldTheLeaseBucketAndPrefixAndTheStackOutputsTheBucket() {
    Map<String, Object> env =
        map(map(props(C, "RotatorFunction").get("Environment")).get("Variables"));
    assertThat(env)
        .containsEntry("KEY_ROTATOR_LEASE_BUCKET", Map.of("Ref", "LeaseBucket"))
        .containsEntry("KEY_ROTATOR_LEASE_PREFIX", "leases/");
    assertThat(map(Templates.section(C, "Outputs").get("LeaseBucketName")).get("Value"))
        .isEqualTo(Map.of("Ref", "LeaseBucket"));
  }
}
