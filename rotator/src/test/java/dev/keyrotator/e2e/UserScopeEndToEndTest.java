package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.policy.Action;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.ScanMode;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;

/**
 * Which users the rotator may touch, end to end as the deployed roles: a user path other than /
 * (the member role's UserPath and the policy file's userPath, one setting), the opt-in tagged
 * scope, and who may read a new secret.
 */
class UserScopeEndToEndTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();
  static final String PROD = "333333333333";

  static PolicyFile policy(String organizationExtra, String rest) {
    String yaml =
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "111111111111"
        """
            + organizationExtra
            + """
        notifications:
          topicArn: arn:aws:sns:us-east-1:111111111111:key-rotation-events
        """
            + rest
            + """
        defaults:
          exemptions:
            - userTag: {key: KeyRotation, value: exempt}
              owner: secops@example.com
              reason: break-glass
              expires: 2099-01-01
        """;
    return PolicyFileLoader.parse("scope.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  static AccountReport account(RunReport r, String id) {
    return r.accounts().stream().filter(a -> a.accountId().equals(id)).findFirst().orElseThrow();
  }

  static UserReport user(AccountReport a, String name) {
    return a.users().stream().filter(u -> u.userName().equals(name)).findFirst().orElseThrow();
  }

  static void noRefusalButTheMissingRole() {
    assertThat(SANDBOX.sandbox().calls().all())
        .filteredOn(CallRecord::accessDenied)
        .allSatisfy(c -> assertThat(c.operation()).as(c.toString()).isEqualTo("AssumeRole"));
  }

  static void tag(String account, String user, String key, String value) {
    SandboxCredentials admin = SANDBOX.sandbox().credentialsFor(account);
    try (IamClient iam =
        IamClient.builder()
            .endpointOverride(SANDBOX.endpoint())
            .region(Region.AWS_GLOBAL)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
            .build()) {
      iam.tagUser(r -> r.userName(user).tags(Tag.builder().key(key).value(value).build()));
    }
    SANDBOX.sandbox().calls().clear();
  }

  @ParameterizedTest(name = "{0} scan")
  @EnumSource(ScanMode.class)
  void aUserPathOtherThanSlashWorksEndToEnd(ScanMode scan) {
    RotatorHarness h =
        new RotatorHarness(SANDBOX.sandbox())
            .enforced(DeployedTemplates.Settings.demo().userPath("/apps/"));
    h.scan = scan;
    RunReport r = h.run(policy("  userPath: /apps/\n", ""));

    noRefusalButTheMissingRole();
    AccountReport prod = account(r, PROD);
    // only the /apps/ users are read at all; app-orders (165 days) gets its new key
    assertThat(prod.users())
        .extracting(UserReport::userName)
        .containsExactlyInAnyOrder("app-orders", "app-payments");
    assertThat(SANDBOX.sandbox().iamKeys(PROD, "app-orders")).hasSize(2);
    // batch-reports (path /, 181 days unused) is outside the scope: untouched
    assertThat(SANDBOX.sandbox().iamKeys(PROD, "batch-reports"))
        .extracting(k -> k.status())
        .containsExactly("Active", "Active");
    assertThat(prod.users()).noneMatch(UserReport::failed);
  }

  @Test
  void aPolicyFileWiderThanTheTemplatesPathIsRefusedByIam() {
    RotatorHarness h =
        new RotatorHarness(SANDBOX.sandbox())
            .enforced(DeployedTemplates.Settings.demo().userPath("/apps/"));
    h.scan = ScanMode.PER_USER;
    RunReport r = h.run(policy("", ""));
    // ListUsers (Resource "*") lists everyone, but GetUser outside /apps/ is refused
    assertThat(account(r, PROD).users()).anyMatch(UserReport::failed);
    assertThat(SANDBOX.sandbox().calls().all())
        .filteredOn(CallRecord::accessDenied)
        .extracting(CallRecord::operation)
        .contains("GetUser");
    assertThat(SANDBOX.sandbox().iamKeys(PROD, "batch-reports")).hasSize(2);
  }

  @Test
  void theTaggedScopeRotatesOnlyTaggedUsers() {
    tag(PROD, "app-orders", "KeyRotation", "rotate");
    RotatorHarness h =
        new RotatorHarness(SANDBOX.sandbox())
            .enforced(DeployedTemplates.Settings.demo().userScope("tagged"));
    RunReport r = h.run(policy("  requireUserTag: {key: KeyRotation, value: rotate}\n", ""));

    noRefusalButTheMissingRole();
    assertThat(SANDBOX.sandbox().iamKeys(PROD, "app-orders")).hasSize(2);
    // dev-ci (170 days) is not tagged: out of scope, reported as exempt, untouched
    assertThat(SANDBOX.sandbox().iamKeys("444444444444", "dev-ci")).hasSize(1);
    assertThat(user(account(r, "444444444444"), "dev-ci").decisions())
        .extracting(d -> d.action())
        .containsOnly(Action.EXEMPT);
  }

  @Test
  void whoMayReadANewSecretIsAPolicySetting() {
    tag(PROD, "app-orders", "KeyRotationReader", "ci/app-deployer");
    RotatorHarness h = new RotatorHarness(SANDBOX.sandbox()).enforced();
    RunReport r = h.run(policy("", "secrets:\n  readers: {roleFromUserTag: KeyRotationReader}\n"));

    noRefusalButTheMissingRole();
    String orders =
        SANDBOX
            .sandbox()
            .secret(PROD, "us-east-1", "key-rotator/" + PROD + "/app-orders")
            .orElseThrow()
            .resourcePolicy();
    assertThat(orders)
        .contains("\"Allow\"", "arn:aws:iam::" + PROD + ":role/ci/app-deployer")
        .contains("\"Deny\"", "arn:aws:iam::" + PROD + ":user/apps/app-orders");
    // dev-ci has no such tag: nobody is named, the user itself is denied, and the report says so
    String devCi =
        SANDBOX
            .sandbox()
            .secret("444444444444", "us-east-1", "key-rotator/444444444444/dev-ci")
            .orElseThrow()
            .resourcePolicy();
    assertThat(devCi).contains("\"Deny\"").doesNotContain("\"Allow\"");
    assertThat(user(account(r, "444444444444"), "dev-ci").notes())
        .anyMatch(n -> n.contains("nobody is named to read the new secret"));
  }
}
