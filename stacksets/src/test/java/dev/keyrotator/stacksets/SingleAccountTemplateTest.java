package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * stacksets/single-account.yaml: one stack for one account with no organization. Its role grants
 * exactly what the rotator calls in single-account mode (the member role's IAM and Secrets Manager
 * actions, publishing to its topic, the reports and lease in its bucket, its own log group): no
 * sts:AssumeRole, no organizations:*, no secret read.
 */
class SingleAccountTemplateTest {
  static final String T = "single-account.yaml";

  /** What the code calls in single-account mode, by the role it would run as in an organization. */
  static final List<String> FROM_MEMBER =
      List.of(
          "iam:ListUsers",
          "iam:GetUser",
          "iam:ListUserTags",
          "iam:TagUser",
          "iam:UntagUser",
          "iam:ListGroupsForUser",
          "iam:ListAccessKeys",
          "iam:GetAccessKeyLastUsed",
          "iam:CreateAccessKey",
          "iam:UpdateAccessKey",
          "iam:DeleteAccessKey",
          "iam:GenerateCredentialReport",
          "iam:GetCredentialReport",
          "iam:GetAccountAuthorizationDetails",
          "secretsmanager:CreateSecret",
          "secretsmanager:PutSecretValue",
          "secretsmanager:DescribeSecret",
          "secretsmanager:GetResourcePolicy",
          "secretsmanager:PutResourcePolicy",
          "secretsmanager:TagResource",
          "kms:GenerateDataKey",
          "kms:Decrypt");

  static final List<String> FROM_CENTRAL =
      List.of(
          "sns:Publish",
          "sns:GetTopicAttributes",
          "s3:PutObject",
          "s3:GetObject",
          "s3:DeleteObject",
          "s3:ListBucket",
          "logs:CreateLogStream",
          "logs:PutLogEvents");

  static List<Statement> allows() {
    return Templates.roleStatements(T, "ExecutionRole").stream()
        .filter(s -> "Allow".equals(s.effect()))
        .toList();
  }

  @Test
  void theRoleGrantsExactlyWhatTheRotatorCallsInOneAccount() {
    TreeSet<String> granted = new TreeSet<>();
    allows().forEach(s -> granted.addAll(s.actions()));
    List<String> expected = new ArrayList<>(FROM_MEMBER);
    expected.addAll(FROM_CENTRAL);
    assertThat(granted).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(granted)
        .noneMatch(a -> a.startsWith("organizations:") || a.startsWith("sts:"))
        .doesNotContain("secretsmanager:GetSecretValue");
  }

  @Test
  void everyGrantedActionIsOneThePermissionsFileListsForTheOrganizationsRoles() {
    Map<String, Object> roles = map(Templates.permissions().get("roles"));
    TreeSet<String> member = new TreeSet<>();
    TreeSet<String> central = new TreeSet<>();
    list(map(roles.get("member")).get("actions"))
        .forEach(a -> member.add((String) map(a).get("action")));
    list(map(roles.get("central")).get("actions"))
        .forEach(a -> central.add((String) map(a).get("action")));
    assertThat(member).containsAll(FROM_MEMBER);
    assertThat(central).containsAll(FROM_CENTRAL);
  }

  @Test
  void keysAreScopedToTheUserPathAndSecretsToThePrefixAsInTheMemberRole() {
    for (Statement s : allows()) {
      boolean keyWrite = s.actions().contains("iam:CreateAccessKey");
      boolean secretWrite = s.actions().contains("secretsmanager:CreateSecret");
      if (keyWrite) {
        assertThat(s.resources().toString()).contains(":user${UserPath}*");
      }
      if (secretWrite) {
        assertThat(s.resources().toString()).contains(":secret:${SecretNamePrefix}*");
      }
      if (s.actions().contains("iam:TagUser")) {
        assertThat(s.body().get("Condition").toString()).contains("key-rotator:*");
      }
    }
  }

  @Test
  void theFunctionRunsInSingleAccountModeWithItsOwnIdsTopicAndBucket() {
    Map<String, Object> env =
        map(map(map(Templates.props(T, "RotatorFunction").get("Environment"))).get("Variables"));
    assertThat(env.get("KEY_ROTATOR_ORGANIZATION_MODE")).isEqualTo("single-account");
    assertThat(Templates.isRef(env.get("KEY_ROTATOR_CENTRAL_ACCOUNT_ID"), "AWS::AccountId"))
        .isTrue();
    assertThat(Templates.isRef(env.get("KEY_ROTATOR_SECURITY_ACCOUNT_ID"), "AWS::AccountId"))
        .isTrue();
    assertThat(Templates.isRef(env.get("KEY_ROTATOR_NOTIFICATION_TOPIC_ARN"), "NotificationTopic"))
        .isTrue();
    assertThat(env).containsKeys("KEY_ROTATOR_REPORT_BUCKET", "KEY_ROTATOR_LEASE_BUCKET");
    assertThat(env).doesNotContainKeys("KEY_ROTATOR_EXTERNAL_ID", "KEY_ROTATOR_MEMBER_ROLE_NAME");
    assertThat(Templates.resource(T, "DailySchedule").get("Type")).isEqualTo("AWS::Events::Rule");
    assertThat(map(Templates.props(T, "DailySchedule")).get("ScheduleExpression"))
        .isEqualTo("cron(0 12 * * ? *)");
    assertThat(Templates.resource(T, "ReportBucket").get("Condition"))
        .isEqualTo("CreateReportBucket");
  }

  @Test
  void nothingInTheStackCanAssumeARoleOrReadTheOrganization() {
    assertThat(Templates.section(T, "Resources").values())
        .extracting(r -> (String) map(r).get("Type"))
        .doesNotContain("AWS::CloudFormation::StackSet", "AWS::Organizations::ResourcePolicy");
    assertThat(Templates.section(T, "Parameters"))
        .doesNotContainKeys("ExternalId", "OrganizationId", "MemberRoleName");
  }
}
