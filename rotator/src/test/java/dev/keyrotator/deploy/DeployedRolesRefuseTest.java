package dev.keyrotator.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * What the deployed roles cannot do, whatever the code asks: each refusal comes from the policies
 * of {@code stacksets/} as the sandbox evaluates them, called with the real SDK clients.
 */
class DeployedRolesRefuseTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();
  static final String PROD = "333333333333";

  DeployedTemplates deployed;
  AwsCredentialsProvider central;

  @BeforeEach
  void deploy() {
    deployed = DeployedTemplates.demo(SANDBOX.sandbox());
    central = session(deployed.centralCredentials());
  }

  static AwsCredentialsProvider session(SandboxCredentials c) {
    return StaticCredentialsProvider.create(
        AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
  }

  StsClient sts(AwsCredentialsProvider creds) {
    return StsClient.builder()
        .endpointOverride(SANDBOX.endpoint())
        .region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(creds)
        .build();
  }

  AwsCredentialsProvider member(String account) {
    try (StsClient sts = sts(central)) {
      Credentials c =
          sts.assumeRole(
                  r ->
                      r.roleArn(
                              "arn:aws:iam::" + account + ":role/" + DeployedTemplates.MEMBER_ROLE)
                          .roleSessionName("refuse-test")
                          .externalId("key-rotator-demo"))
              .credentials();
      return StaticCredentialsProvider.create(
          AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
    }
  }

  IamClient iam(AwsCredentialsProvider creds) {
    return IamClient.builder()
        .endpointOverride(SANDBOX.endpoint())
        .region(Region.AWS_GLOBAL)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(creds)
        .build();
  }

  SecretsManagerClient secrets(AwsCredentialsProvider creds) {
    return SecretsManagerClient.builder()
        .endpointOverride(SANDBOX.endpoint())
        .region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(creds)
        .build();
  }

  S3Client s3(AwsCredentialsProvider creds) {
    return S3Client.builder()
        .endpointOverride(SANDBOX.endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(creds)
        .build();
  }

  static void refused(Runnable call, String errorCode, String because) {
    assertThatThrownBy(call::run)
        .isInstanceOf(AwsServiceException.class)
        .satisfies(
            e ->
                assertThat(((AwsServiceException) e).awsErrorDetails().errorCode())
                    .isEqualTo(errorCode))
        .hasMessageContaining(because);
  }

  static final String PUBLIC_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
          + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";

  @Test
  void theMemberRoleCannotReadASecretEvenOneItWroteAPolicyFor() {
    try (SecretsManagerClient sm = secrets(member(PROD))) {
      String name = "key-rotator/" + PROD + "/app-orders";
      sm.createSecret(r -> r.name(name).secretString("{\"SecretAccessKey\":\"x\"}"));
      String selfPolicy =
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
              + "\"arn:aws:iam::"
              + PROD
              + ":role/OrgKeyRotatorMemberRole\"},\"Action\":\"secretsmanager:GetSecretValue\","
              + "\"Resource\":\"*\"}]}";
      sm.putResourcePolicy(
          r -> r.secretId(name).resourcePolicy(selfPolicy).blockPublicPolicy(true));
      refused(
          () -> sm.getSecretValue(r -> r.secretId(name)),
          "AccessDeniedException",
          "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:" + PROD);
      refused(
          () -> sm.batchGetSecretValue(r -> r.secretIdList(name)),
          "AccessDeniedException",
          "with an explicit deny");
    }
  }

  @Test
  void theMemberRoleCannotTouchTheKeysOrTagsOfAnExemptUser() {
    try (IamClient iam = iam(member(PROD))) {
      refused(
          () -> iam.createAccessKey(r -> r.userName("break-glass")),
          "AccessDenied",
          "iam:CreateAccessKey on resource: arn:aws:iam::"
              + PROD
              + ":user/break-glass with an explicit deny");
      String key = SANDBOX.sandbox().iamKeys(PROD, "break-glass").get(0).accessKeyId();
      refused(
          () -> iam.deleteAccessKey(r -> r.userName("break-glass").accessKeyId(key)),
          "AccessDenied",
          "explicit deny");
      // nor lift the exemption, nor write its own marker there
      refused(
          () -> iam.untagUser(r -> r.userName("break-glass").tagKeys("KeyRotation")),
          "AccessDenied",
          "explicit deny");
      refused(
          () ->
              iam.tagUser(
                  r ->
                      r.userName("break-glass")
                          .tags(Tag.builder().key("key-rotator:pending").value("x").build())),
          "AccessDenied",
          "explicit deny");
      // an ordinary user is fine
      assertThat(iam.createAccessKey(r -> r.userName("app-payments")).accessKey()).isNotNull();
    }
    assertThat(SANDBOX.sandbox().iamKeys(PROD, "break-glass")).hasSize(1);
  }

  @Test
  void theMemberRoleTagsOnlyUnderKeyRotator() {
    try (IamClient iam = iam(member(PROD))) {
      iam.tagUser(
          r ->
              r.userName("app-orders")
                  .tags(Tag.builder().key("key-rotator:pending").value("run").build()));
      refused(
          () ->
              iam.tagUser(
                  r ->
                      r.userName("app-orders")
                          .tags(Tag.builder().key("KeyRotation").value("exempt").build())),
          "AccessDenied",
          "because no identity-based policy allows the iam:TagUser action");
      refused(
          () -> iam.untagUser(r -> r.userName("app-orders").tagKeys("owner")),
          "AccessDenied",
          "iam:UntagUser");
      // nor an owner's threshold tag, although it is under key-rotator:
      refused(
          () ->
              iam.tagUser(
                  r ->
                      r.userName("app-orders")
                          .tags(
                              Tag.builder()
                                  .key("key-rotator:create-after-days")
                                  .value("999")
                                  .build())),
          "AccessDenied",
          "iam:TagUser");
    }
    assertThat(SANDBOX.sandbox().userTags(PROD, "app-orders"))
        .containsKey("key-rotator:pending")
        .containsKey("owner")
        .doesNotContainKey("KeyRotation");
  }

  @Test
  void theMemberRoleCannotPutAPublicPolicyOrWriteOutsideItsAccountsSecrets() {
    try (SecretsManagerClient sm = secrets(member(PROD))) {
      String name = "key-rotator/" + PROD + "/app-orders";
      sm.createSecret(r -> r.name(name).secretString("v"));
      // without BlockPublicPolicy, sent false or not sent at all: IAM refuses (fail closed)
      refused(
          () ->
              sm.putResourcePolicy(
                  r -> r.secretId(name).resourcePolicy(PUBLIC_POLICY).blockPublicPolicy(false)),
          "AccessDeniedException",
          "explicit deny");
      refused(
          () -> sm.putResourcePolicy(r -> r.secretId(name).resourcePolicy(PUBLIC_POLICY)),
          "AccessDeniedException",
          "explicit deny");
      // with it, Secrets Manager itself refuses the public policy
      refused(
          () ->
              sm.putResourcePolicy(
                  r -> r.secretId(name).resourcePolicy(PUBLIC_POLICY).blockPublicPolicy(true)),
          "PublicPolicyException",
          "broad access");
      assertThat(SANDBOX.sandbox().secret(PROD, "us-east-1", name).orElseThrow().resourcePolicy())
          .isNull();
      refused(
          () -> sm.createSecret(r -> r.name("other/" + PROD + "/x").secretString("v")),
          "AccessDeniedException",
          "explicit deny");
      refused(
          () -> sm.createSecret(r -> r.name("key-rotator/444444444444/x").secretString("v")),
          "AccessDeniedException",
          "explicit deny");
    }
  }

  @Test
  void theCentralRoleWritesReportsOnlyUnderThePrefixEncryptedAndNeverOver() {
    String bucket = deployed.settings().reportBucket();
    try (S3Client s3 = s3(central)) {
      refused(
          () ->
              s3.putObject(
                  r ->
                      r.bucket(bucket)
                          .key("elsewhere/report.json")
                          .serverSideEncryption("AES256")
                          .ifNoneMatch("*"),
                  RequestBody.fromString("{}")),
          "AccessDenied",
          "s3:PutObject");
      refused(
          () ->
              s3.putObject(
                  r -> r.bucket(bucket).key("reports/x/report.json").ifNoneMatch("*"),
                  RequestBody.fromString("{}")),
          "AccessDenied",
          "explicit deny in a resource-based policy");
      refused(
          () ->
              s3.putObject(
                  r -> r.bucket(bucket).key("reports/x/report.json").serverSideEncryption("AES256"),
                  RequestBody.fromString("{}")),
          "AccessDenied",
          "explicit deny in a resource-based policy");
      s3.putObject(
          r ->
              r.bucket(bucket)
                  .key("reports/x/report.json")
                  .serverSideEncryption("AES256")
                  .ifNoneMatch("*"),
          RequestBody.fromString("{}"));
      refused(
          () ->
              s3.putObject(
                  r ->
                      r.bucket(bucket)
                          .key("reports/x/report.json")
                          .serverSideEncryption("AES256")
                          .ifNoneMatch("*"),
                  RequestBody.fromString("{\"forged\":true}")),
          "PreconditionFailed",
          "pre-conditions");
    }
    assertThat(SANDBOX.sandbox().s3Object(bucket, "reports/x/report.json").map(String::new))
        .hasValue("{}");
  }

  @Test
  void theCentralRoleCannotAssumeAnyOtherRoleEvenOneThatTrustsIt() {
    String trustsCentral =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
            + deployed.executionRoleArn()
            + "\"},\"Action\":\"sts:AssumeRole\"}]}";
    SANDBOX
        .sandbox()
        .deployRole(
            PROD,
            "/",
            "OrganizationAccountAccessRole",
            trustsCentral,
            List.of(
                "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"));
    try (StsClient sts = sts(central)) {
      refused(
          () ->
              sts.assumeRole(
                  r ->
                      r.roleArn("arn:aws:iam::" + PROD + ":role/OrganizationAccountAccessRole")
                          .roleSessionName("escalate")),
          "AccessDenied",
          "with an explicit deny in an identity-based policy");
      // the member role, but without the ExternalId: its trust policy refuses
      refused(
          () ->
              sts.assumeRole(
                  r ->
                      r.roleArn("arn:aws:iam::" + PROD + ":role/" + DeployedTemplates.MEMBER_ROLE)
                          .roleSessionName("no-external-id")),
          "AccessDenied",
          "sts:AssumeRole");
    }
    // and nobody but the central role may assume the member role
    SandboxCredentials admin = SANDBOX.sandbox().credentialsFor(PROD);
    try (StsClient sts =
        sts(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))) {
      refused(
          () ->
              sts.assumeRole(
                  r ->
                      r.roleArn("arn:aws:iam::" + PROD + ":role/" + DeployedTemplates.MEMBER_ROLE)
                          .roleSessionName("admin")
                          .externalId("key-rotator-demo")),
          "AccessDenied",
          "sts:AssumeRole");
    }
  }

  @Test
  void theMemberRoleIsNotInTheManagementAccount() {
    assertThat(SANDBOX.sandbox().hasRole("111111111111", DeployedTemplates.MEMBER_ROLE)).isFalse();
    assertThat(SANDBOX.sandbox().hasRole(PROD, DeployedTemplates.MEMBER_ROLE)).isTrue();
    assertThat(deployed.member("111111111111").exists("MemberRole")).isFalse();
    assertThat(deployed.member(PROD).exists("MemberRole")).isTrue();
  }
}
