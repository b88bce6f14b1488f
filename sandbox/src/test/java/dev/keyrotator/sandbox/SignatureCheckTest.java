package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

class SignatureCheckTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static String code(Throwable e) {
    return ((software.amazon.awssdk.awscore.exception.AwsServiceException) e)
        .awsErrorDetails()
        .errorCode();
  }

  @Test
  void aWrongSecretIsRefusedWithTheServicesErrorShape() {
    String key = SANDBOX.credentialsFor("111111111111").accessKeyId();
    Clients bad = Clients.keys(SANDBOX.sandbox(), key, "x".repeat(40));
    assertThatThrownBy(() -> bad.iam().listUsers())
        .isInstanceOf(IamException.class)
        .satisfies(
            e -> {
              assertThat(code(e)).isEqualTo("SignatureDoesNotMatch");
              assertThat(((IamException) e).statusCode()).isEqualTo(403);
            });
    assertThatThrownBy(() -> bad.secrets().listSecrets())
        .isInstanceOf(SecretsManagerException.class)
        .satisfies(e -> assertThat(((SecretsManagerException) e).statusCode()).isEqualTo(403));
    assertThatThrownBy(
            () -> bad.s3().listObjectsV2(b -> b.bucket("org-key-rotator-reports-222222222222")))
        .isInstanceOf(S3Exception.class)
        .satisfies(e -> assertThat(code(e)).isEqualTo("SignatureDoesNotMatch"));
  }

  @Test
  void anUnknownKeyIsInvalidClientTokenId() {
    Clients unknown = Clients.keys(SANDBOX.sandbox(), "AKIAAAAAAAAAAAAAAAAA", "x".repeat(40));
    assertThatThrownBy(() -> unknown.sts().getCallerIdentity())
        .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidClientTokenId"));
  }

  @Test
  void anInactiveKeyIsRefused() {
    AccessKeyInfo k = SANDBOX.sandbox().iamKeys("333333333333", "old-integration").get(0);
    assertThat(k.active()).isFalse();
    assertThatThrownBy(
            () ->
                Clients.keys(SANDBOX.sandbox(), k.accessKeyId(), k.secretAccessKey())
                    .iam()
                    .listUsers())
        .isInstanceOf(IamException.class)
        .satisfies(
            e -> {
              assertThat(code(e)).isEqualTo("InvalidClientTokenId");
              assertThat(((IamException) e).statusCode()).isEqualTo(403);
            });
  }

  @Test
  void aRightSignatureWorksAndRecordsTheKeysLastUse() {
    Sandbox sb = SANDBOX.sandbox();
    AccessKeyInfo before = sb.iamKeys("333333333333", "batch-reports").get(0);
    assertThat(before.lastUsedDate()).isNull();
    sb.clock().advanceDays(2);
    Clients user = Clients.keys(sb, before.accessKeyId(), before.secretAccessKey());
    user.secrets().listSecrets();
    AccessKeyInfo after = sb.iamKeys("333333333333", "batch-reports").get(0);
    assertThat(after.lastUsedService()).isEqualTo("secretsmanager");
    assertThat(after.lastUsedRegion()).isEqualTo("us-east-1");
    assertThat(Duration.between(after.lastUsedDate(), sb.clock().now()).abs())
        .isLessThan(Duration.ofMinutes(1));
    // a key just created by the "rotator" works for the user at once
    String newSecret =
        Clients.admin(sb, "333333333333")
            .iam()
            .createAccessKey(b -> b.userName("etl-loader"))
            .accessKey()
            .secretAccessKey();
    AccessKeyInfo fresh = sb.iamKeys("333333333333", "etl-loader").get(1);
    assertThat(fresh.secretAccessKey()).isEqualTo(newSecret);
    assertThat(Clients.keys(sb, fresh.accessKeyId(), newSecret).sts().getCallerIdentity().arn())
        .endsWith(":user/etl-loader");
    assertThat(sb.iamKeys("333333333333", "etl-loader").get(1).lastUsedService()).isEqualTo("sts");
  }

  @Test
  void signatureCheckingCanBeSwitchedOff() {
    try (Sandbox sb =
        Sandbox.start(Fixture.demo(), SandboxOptions.defaults().withSignatureCheck(false))) {
      String key = sb.credentialsFor("111111111111").accessKeyId();
      assertThat(Clients.keys(sb, key, "y".repeat(40)).sts().getCallerIdentity().account())
          .isEqualTo("111111111111");
    }
  }
}
