package dev.keyrotator.deploy;

import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.cfn.CfnTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Deploys the IAM roles and the report bucket policy of {@code stacksets/} into a sandbox, rendered
 * from the template files themselves (not copies), the way {@code scripts/deploy} deploys them: the
 * central execution role (central.yaml) in the central account, the member role (member-role.yaml)
 * in every account that has one in the fixture except the management account (and the central
 * account only with {@code includeCentralAccount}), and the report bucket policy
 * (security-account.yaml). From then on the sandbox enforces their policies for every session of
 * those roles; {@link #centralCredentials} is the session the Lambda would run with.
 */
public final class DeployedTemplates {
  public static final Path STACKSETS = locate();
  public static final String EXECUTION_ROLE = "OrgKeyRotatorExecutionRole";
  public static final String MEMBER_ROLE = "OrgKeyRotatorMemberRole";
  public static final String REGION = "us-east-1";

  /** What the deployment is given (scripts/deploy's parameters), demo organization defaults. */
  public record Settings(
      String centralAccount,
      String securityAccount,
      String externalId,
      String reportBucket,
      String reportPrefix,
      String notificationTopicArn,
      String securityTopicArn,
      String secretStore,
      String policyFileS3Uri,
      String userPath,
      String userScope,
      boolean includeCentralAccount,
      UnaryOperator<String> memberPolicyEdit,
      UnaryOperator<String> centralPolicyEdit) {

    public static Settings demo() {
      return new Settings(
          "111111111111",
          "222222222222",
          "key-rotator-demo",
          "org-key-rotator-reports-222222222222",
          "reports/",
          "arn:aws:sns:us-east-1:111111111111:key-rotation-events",
          "arn:aws:sns:us-east-1:222222222222:key-rotation-summary",
          "member",
          "",
          "/",
          "path",
          false,
          UnaryOperator.identity(),
          UnaryOperator.identity());
    }

    public Settings secretStore(String store) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          store,
          policyFileS3Uri,
          userPath,
          userScope,
          includeCentralAccount,
          memberPolicyEdit,
          centralPolicyEdit);
    }

    public Settings policyFile(String s3Uri) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          s3Uri,
          userPath,
          userScope,
          includeCentralAccount,
          memberPolicyEdit,
          centralPolicyEdit);
    }

    public Settings userPath(String path) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          policyFileS3Uri,
          path,
          userScope,
          includeCentralAccount,
          memberPolicyEdit,
          centralPolicyEdit);
    }

    public Settings userScope(String scope) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          policyFileS3Uri,
          userPath,
          scope,
          includeCentralAccount,
          memberPolicyEdit,
          centralPolicyEdit);
    }

    public Settings includeCentralAccount(boolean include) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          policyFileS3Uri,
          userPath,
          userScope,
          include,
          memberPolicyEdit,
          centralPolicyEdit);
    }

    /** Edits the member role's rendered policy JSON before it is deployed (mutation tests). */
    public Settings editMemberPolicy(UnaryOperator<String> edit) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          policyFileS3Uri,
          userPath,
          userScope,
          includeCentralAccount,
          edit,
          centralPolicyEdit);
    }

    /** Edits the central role's rendered policy JSON before it is deployed (mutation tests). */
    public Settings editCentralPolicy(UnaryOperator<String> edit) {
      return new Settings(
          centralAccount,
          securityAccount,
          externalId,
          reportBucket,
          reportPrefix,
          notificationTopicArn,
          securityTopicArn,
          secretStore,
          policyFileS3Uri,
          userPath,
          userScope,
          includeCentralAccount,
          memberPolicyEdit,
          edit);
    }
  }

  private final Sandbox sandbox;
  private final Settings settings;

  private DeployedTemplates(Sandbox sandbox, Settings settings) {
    this.sandbox = sandbox;
    this.settings = settings;
  }

  public static DeployedTemplates demo(Sandbox sandbox) {
    return into(sandbox, Settings.demo());
  }

  public static DeployedTemplates into(Sandbox sandbox, Settings s) {
    DeployedTemplates d = new DeployedTemplates(sandbox, s);
    d.deploy();
    return d;
  }

  public Settings settings() {
    return settings;
  }

  public static CfnTemplate template(String name) {
    return CfnTemplate.load(STACKSETS.resolve(name));
  }

  /** The central execution role rendered for this deployment. */
  public CfnTemplate.Rendered central() {
    Settings s = settings;
    Map<String, String> p = new LinkedHashMap<>();
    p.put("CodeBucket", "artifacts-" + s.centralAccount());
    p.put("CodeKey", "org-key-rotator/rotator.jar");
    p.put("OrganizationId", sandbox.organizationId());
    p.put("ManagementAccountId", sandbox.managementAccountId());
    p.put("ExternalId", s.externalId());
    p.put("ReportBucketName", s.reportBucket());
    p.put("ReportPrefix", s.reportPrefix());
    p.put("SecurityTopicArn", s.securityTopicArn());
    p.put(
        "SecurityTopicKeyArn",
        "arn:aws:kms:" + REGION + ":" + s.securityAccount() + ":key/sandbox-security-topic-key");
    p.put("SecretStore", s.secretStore());
    p.put("PolicyFileS3Uri", s.policyFileS3Uri());
    p.put("UserPath", s.userPath());
    p.put("UserScope", s.userScope());
    String acct = s.centralAccount();
    Map<String, String> resources = new LinkedHashMap<>();
    resources.put("ExecutionRole", EXECUTION_ROLE);
    resources.put("NotificationTopic", s.notificationTopicArn());
    resources.put("NotificationKey.Arn", "arn:aws:kms:" + REGION + ":" + acct + ":key/notify");
    resources.put(
        "LogGroup.Arn",
        "arn:aws:logs:" + REGION + ":" + acct + ":log-group:/aws/lambda/org-key-rotator:*");
    resources.put(
        "DeadLetterQueue.Arn", "arn:aws:sqs:" + REGION + ":" + acct + ":org-key-rotator-dlq");
    // the lease bucket the shipped policy file and the demo fixture name
    resources.put("LeaseBucket", "org-key-rotator-leases-" + acct);
    resources.put("LeaseBucket.Arn", "arn:aws:s3:::org-key-rotator-leases-" + acct);
    return template("central.yaml").render(p, acct, REGION, resources);
  }

  /** The member role rendered for one account. */
  public CfnTemplate.Rendered member(String accountId) {
    Settings s = settings;
    Map<String, String> p = new LinkedHashMap<>();
    p.put("CentralExecutionRoleArn", executionRoleArn());
    p.put("ExternalId", s.externalId());
    p.put("OrganizationId", sandbox.organizationId());
    p.put("ManagementAccountId", sandbox.managementAccountId());
    p.put("UserPath", s.userPath());
    p.put("UserScope", s.userScope());
    return template("member-role.yaml").render(p, accountId, REGION, Map.of());
  }

  /** The security account's stack rendered (its bucket policy). */
  public CfnTemplate.Rendered security() {
    Settings s = settings;
    Map<String, String> p = new LinkedHashMap<>();
    p.put("CentralExecutionRoleArn", executionRoleArn());
    p.put("ReportBucketName", s.reportBucket());
    p.put("ReportPrefix", s.reportPrefix());
    return template("security-account.yaml")
        .render(
            p,
            s.securityAccount(),
            REGION,
            Map.of(
                "ReportBucket",
                s.reportBucket(),
                "ReportBucket.Arn",
                "arn:aws:s3:::" + s.reportBucket(),
                "SecurityTopic",
                s.securityTopicArn(),
                "SecurityTopicKey.Arn",
                "arn:aws:kms:" + REGION + ":" + s.securityAccount() + ":key/security"));
  }

  public String executionRoleArn() {
    return "arn:aws:iam::" + settings.centralAccount() + ":role/" + EXECUTION_ROLE;
  }

  private void deploy() {
    Settings s = settings;
    List<String> centralPolicies =
        central().rolePolicies("ExecutionRole").stream().map(s.centralPolicyEdit()).toList();
    // Lambda assumes the execution role; the sandbox hands out its sessions directly.
    sandbox.deployRole(s.centralAccount(), "/", EXECUTION_ROLE, null, centralPolicies);
    for (String account : sandbox.accountIds()) {
      boolean hadRole = sandbox.hasRole(account, MEMBER_ROLE);
      boolean management = account.equals(sandbox.managementAccountId());
      boolean central = account.equals(s.centralAccount());
      if (!hadRole) {
        continue; // the fixture has no member role here (not a target of the StackSet)
      }
      // Never in the management account; in the central account only when it is rotated.
      if (management || (central && !s.includeCentralAccount())) {
        sandbox.removeRole(account, MEMBER_ROLE);
        continue;
      }
      CfnTemplate.Rendered m = member(account);
      sandbox.deployRole(
          account,
          "/",
          MEMBER_ROLE,
          m.trustPolicy("MemberRole"),
          m.rolePolicies("MemberRole").stream().map(s.memberPolicyEdit()).toList());
    }
    if (sandbox.hasBucket(s.reportBucket())) {
      sandbox.putBucketPolicy(
          s.reportBucket(), security().document("ReportBucketPolicy", "PolicyDocument"));
    }
  }

  /** The central execution role's session, as Lambda hands it to the function. */
  public SandboxCredentials centralCredentials() {
    return sandbox.roleCredentials(settings.centralAccount(), EXECUTION_ROLE, "org-key-rotator");
  }

  private static Path locate() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("stacksets/member-role.yaml"))) {
        return p.resolve("stacksets");
      }
    }
    throw new IllegalStateException("cannot find stacksets/ from " + Path.of("").toAbsolutePath());
  }
}
