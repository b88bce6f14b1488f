package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;
import software.amazon.awssdk.services.sts.model.StsException;

class StsConformanceTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String ROLE = "arn:aws:iam::%s:role/OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-demo";

  Clients central() {
    return Clients.admin(SANDBOX.sandbox(), "111111111111");
  }

  @Test
  void assumeRoleHandsOutTemporaryKeysBoundToTheTargetAccount() {
    Instant now = SANDBOX.sandbox().clock().now();
    AssumeRoleResponse r =
        central()
            .sts()
            .assumeRole(
                b ->
                    b.roleArn(ROLE.formatted("333333333333"))
                        .roleSessionName("rotator")
                        .externalId(EXTERNAL_ID)
                        .durationSeconds(1800));
    assertThat(r.credentials().accessKeyId()).matches("ASIA[A-Z2-7]{16}");
    assertThat(r.credentials().sessionToken()).isNotBlank();
    assertThat(Duration.between(now, r.credentials().expiration()).toSeconds())
        .isBetween(1795L, 1801L);
    assertThat(r.assumedRoleUser().arn())
        .isEqualTo("arn:aws:sts::333333333333:assumed-role/OrgKeyRotatorMemberRole/rotator");
    Clients prod = central().assume(ROLE.formatted("333333333333"), EXTERNAL_ID);
    GetCallerIdentityResponse id = prod.sts().getCallerIdentity();
    assertThat(id.account()).isEqualTo("333333333333");
    assertThat(id.arn())
        .isEqualTo("arn:aws:sts::333333333333:assumed-role/OrgKeyRotatorMemberRole/test");
    assertThat(id.userId()).matches("AROA[A-Z2-7]{16}:test");
  }

  @Test
  void getCallerIdentityForAnIamUser() {
    AccessKeyInfo k = SANDBOX.sandbox().iamKeys("333333333333", "app-payments").get(0);
    GetCallerIdentityResponse id =
        Clients.keys(SANDBOX.sandbox(), k.accessKeyId(), k.secretAccessKey())
            .sts()
            .getCallerIdentity();
    assertThat(id.account()).isEqualTo("333333333333");
    assertThat(id.arn()).isEqualTo("arn:aws:iam::333333333333:user/apps/app-payments");
    assertThat(id.userId()).matches("AIDA[A-Z2-7]{16}");
  }

  @Test
  void accountsAreKeptApart() {
    Clients prod = central().assume(ROLE.formatted("333333333333"), EXTERNAL_ID);
    Clients dev = central().assume(ROLE.formatted("444444444444"), EXTERNAL_ID);
    prod.iam().createAccessKey(b -> b.userName("app-payments"));
    assertThat(prod.iam().listUsers().users())
        .extracting(u -> u.userName())
        .contains("app-payments");
    assertThat(dev.iam().listUsers().users())
        .extracting(u -> u.userName())
        .doesNotContain("app-payments");
    assertThatThrownBy(() -> dev.iam().listAccessKeys(b -> b.userName("app-payments")))
        .isInstanceOf(NoSuchEntityException.class);
    prod.secrets().createSecret(b -> b.name("only-in-prod").secretString("x"));
    assertThat(dev.secrets().listSecrets().secretList()).isEmpty();
  }

  @Test
  void missingRoleWrongExternalIdAndSuspendedAccountAreAccessDenied() {
    for (String[] c :
        new String[][] {
          {"555555555555", EXTERNAL_ID},
          {"333333333333", "wrong"},
          {"666666666666", EXTERNAL_ID},
          {"123456789012", EXTERNAL_ID}
        }) {
      assertThatThrownBy(
              () ->
                  central()
                      .sts()
                      .assumeRole(
                          b ->
                              b.roleArn(ROLE.formatted(c[0]))
                                  .roleSessionName("session")
                                  .externalId(c[1])))
          .isInstanceOf(StsException.class)
          .satisfies(
              e -> {
                assertThat(((StsException) e).awsErrorDetails().errorCode())
                    .isEqualTo("AccessDenied");
                assertThat(((StsException) e).statusCode()).isEqualTo(403);
              });
    }
  }

  @Test
  void malformedRoleArnIsValidationError() {
    assertThatThrownBy(
            () ->
                central()
                    .sts()
                    .assumeRole(
                        b -> b.roleArn("arn:aws:iam::12:role/x").roleSessionName("session")))
        .isInstanceOf(StsException.class)
        .satisfies(
            e -> {
              assertThat(((StsException) e).awsErrorDetails().errorCode())
                  .isEqualTo("ValidationError");
              assertThat(((StsException) e).statusCode()).isEqualTo(400);
            });
  }

  @Test
  void temporaryCredentialsExpireWithTheSandboxClock() {
    Clients prod = central().assume(ROLE.formatted("333333333333"), EXTERNAL_ID);
    assertThat(prod.iam().listUsers().users()).isNotEmpty();
    SANDBOX.sandbox().clock().advance(Duration.ofSeconds(3601));
    assertThatThrownBy(() -> prod.iam().listUsers())
        .isInstanceOf(IamException.class)
        .satisfies(
            e -> {
              assertThat(((IamException) e).awsErrorDetails().errorCode())
                  .isEqualTo("ExpiredToken");
              assertThat(((IamException) e).statusCode()).isEqualTo(403);
            });
  }
}
