package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static dev.keyrotator.stacksets.Templates.props;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the central and security-account stacks must contain. */
class ResourcesTest {
  private static final String C = "central.yaml";
  private static final String S = "security-account.yaml";

  /** The central account id, from the ARN its execution role will have. */
  static final Object CENTRAL_ACCOUNT =
      Map.of(
          "Fn::Select",
          List.of(4, Map.of("Fn::Split", List.of(":", Map.of("Ref", "CentralExecutionRoleArn")))));

  /** EventBridge cron: 6 fields, and exactly one of day-of-month/day-of-week is "?". */
  static boolean isValidEventBridgeCron(String expr) {
    if (!expr.startsWith("cron(") || !expr.endsWith(")")) {
      return false;
    }
    String[] f = expr.substring(5, expr.length() - 1).trim().split("\\s+");
    if (f.length != 6) {
      return false;
    }
    String field = "[0-9A-Z*?/,#LW-]+";
    for (String x : f) {
      if (!x.matches(field)) {
        return false;
      }
    }
    boolean domQ = f[2].equals("?");
    boolean dowQ = f[4].equals("?");
    return (domQ ^ dowQ)
        && !f[0].contains("?")
        && !f[1].contains("?")
        && !f[3].contains("?")
        && !f[5].contains("?");
  }

  @Test
  void cronValidatorAcceptsEventBridgeFormsAndRejectsTheSeedTypo() {
    assertThat(isValidEventBridgeCron("cron(0 12 * * ? *)")).isTrue();
    assertThat(isValidEventBridgeCron("cron(0 12 ? * MON-FRI *)")).isTrue();
    assertThat(isValidEventBridgeCron("cron(0 12 * _ ? _)")).isFalse();
    assertThat(isValidEventBridgeCron("cron(0 12 * * *)")).isFalse();
    assertThat(isValidEventBridgeCron("cron(0 12 * * * *)")).isFalse();
    assertThat(isValidEventBridgeCron("cron(0 12 ? * ? *)")).isFalse();
  }

  @Test
  void scheduleRunsDailyAtNoonUtcAndInvokesTheFunction() {
    Map<String, Object> rule = props(C, "DailySchedule");
    String expr = (String) rule.get("ScheduleExpression");
    assertThat(isValidEventBridgeCron(expr)).as(expr).isTrue();
    assertThat(expr).isEqualTo("cron(0 12 * * ? *)");
    assertThat(map(list(rule.get("Targets")).get(0)).get("Arn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of("RotatorFunction", "Arn")));
    Map<String, Object> perm = props(C, "SchedulePermission");
    assertThat(perm.get("Principal")).isEqualTo("events.amazonaws.com");
    assertThat(perm.get("SourceArn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of("DailySchedule", "Arn")));
  }

  @Test
  void functionIsTheJavaHandlerWithCodeFromS3AndADeadLetterQueue() {
    Map<String, Object> fn = props(C, "RotatorFunction");
    assertThat(fn.get("Runtime")).isEqualTo(Map.of("Ref", "Runtime"));
    assertThat(list(fn.get("Architectures"))).containsExactly(Map.of("Ref", "Architecture"));
    assertThat(fn.get("Handler")).isEqualTo("dev.keyrotator.lambda.RotationHandler::handleRequest");
    assertThat(map(fn.get("Code")))
        .containsEntry("S3Bucket", Map.of("Ref", "CodeBucket"))
        .containsEntry("S3Key", Map.of("Ref", "CodeKey"));
    assertThat(fn.get("MemorySize")).isEqualTo(1024);
    // a large run's report is kept on /tmp, not in memory (README "Limits")
    assertThat(map(fn.get("EphemeralStorage"))).containsEntry("Size", 2048);
    assertThat(fn.get("Timeout")).isEqualTo(900);
    assertThat(fn.get("Role")).isEqualTo(Map.of("Fn::GetAtt", List.of("ExecutionRole", "Arn")));
    assertThat(map(fn.get("DeadLetterConfig")).get("TargetArn"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "Arn")));
    assertThat(list(Templates.resource(C, "RotatorFunction").get("DependsOn")))
        .contains("ExecutionPolicy", "LogGroup");
  }

  @Test
  void functionEnvironmentPointsAtEveryRuntimeSetting() {
    Map<String, Object> env =
        map(map(props(C, "RotatorFunction").get("Environment")).get("Variables"));
    assertThat(env)
        .containsEntry("KEY_ROTATOR_POLICY_URI", Map.of("Ref", "PolicyFileS3Uri"))
        .containsEntry("KEY_ROTATOR_MEMBER_ROLE_NAME", Map.of("Ref", "MemberRoleName"))
        .containsEntry("KEY_ROTATOR_EXTERNAL_ID", Map.of("Ref", "ExternalId"))
        .containsEntry("KEY_ROTATOR_REPORT_BUCKET", Map.of("Ref", "ReportBucketName"))
        .containsEntry("KEY_ROTATOR_REPORT_PREFIX", Map.of("Ref", "ReportPrefix"))
        .containsEntry("KEY_ROTATOR_SECURITY_TOPIC_ARN", Map.of("Ref", "SecurityTopicArn"))
        .containsEntry("KEY_ROTATOR_NOTIFICATION_TOPIC_ARN", Map.of("Ref", "NotificationTopic"));
  }

  @Test
  void logGroupHasRetentionAndIsTheFunctionsOwn() {
    Map<String, Object> lg = props(C, "LogGroup");
    assertThat(lg.get("LogGroupName")).isEqualTo(Map.of("Fn::Sub", "/aws/lambda/${FunctionName}"));
    assertThat(lg.get("RetentionInDays")).isEqualTo(Map.of("Ref", "LogRetentionDays"));
  }

  @Test
  void notificationTopicIsEncryptedWithAKeyTheRoleAndSnsMayUse() {
    assertThat(props(C, "NotificationTopic").get("KmsMasterKeyId"))
        .isEqualTo(Map.of("Ref", "NotificationKey"));
    List<Statement> key = Templates.statements(props(C, "NotificationKey").get("KeyPolicy"));
    assertThat(key)
        .anySatisfy(
            s ->
                assertThat(map(s.body().get("Principal")).get("AWS"))
                    .isEqualTo(Map.of("Fn::GetAtt", List.of("ExecutionRole", "Arn"))));
    assertThat(key)
        .anySatisfy(
            s ->
                assertThat(list(map(s.body().get("Principal")).get("Service")))
                    .contains("sns.amazonaws.com"));
    assertThat(props(C, "NotificationKey").get("EnableKeyRotation")).isEqualTo(true);
  }

  @Test
  void runtimeIsASupportedJavaAndArm64ByDefault() {
    Map<String, Object> runtime = map(Templates.section(C, "Parameters").get("Runtime"));
    // java17: creation disabled on 2026-07-31 (cfn-lint E2533). The jar targets Java 17.
    assertThat(list(runtime.get("AllowedValues"))).containsExactlyInAnyOrder("java21", "java25");
    assertThat(runtime.get("Default")).isEqualTo("java25");
    Map<String, Object> arch = map(Templates.section(C, "Parameters").get("Architecture"));
    assertThat(list(arch.get("AllowedValues"))).containsExactlyInAnyOrder("arm64", "x86_64");
    assertThat(arch.get("Default")).isEqualTo("arm64");
  }

  @Test
  void statefulResourcesHaveExplicitDeletionAndReplacePolicies() {
    for (String[] r :
        List.of(
            new String[] {C, "LogGroup", "Retain"},
            new String[] {C, "NotificationKey", "Retain"},
            new String[] {S, "SecurityTopicKey", "Retain"},
            new String[] {S, "ReportBucket", "Retain"},
            new String[] {C, "DeadLetterQueue", "Delete"})) {
      assertThat(Templates.resource(r[0], r[1]))
          .as("%s %s", r[0], r[1])
          .containsEntry("DeletionPolicy", r[2])
          .containsEntry("UpdateReplacePolicy", r[2]);
    }
  }

  @Test
  void alarmsOnErrorsAndDeadLetterDepthNotifyTheSecurityTopic() {
    Map<String, Object> errors = props(C, "ErrorsAlarm");
    assertThat(errors)
        .containsEntry("Namespace", "AWS/Lambda")
        .containsEntry("MetricName", "Errors");
    Map<String, Object> dlq = props(C, "DeadLetterQueueAlarm");
    assertThat(dlq)
        .containsEntry("Namespace", "AWS/SQS")
        .containsEntry("MetricName", "ApproximateNumberOfMessagesVisible");
  }

  @Test
  void centralOutputsAreTheRoleTheTopicAndTheFunction() {
    Map<String, Object> out = Templates.section(C, "Outputs");
    assertThat(map(out.get("ExecutionRoleArn")).get("Value"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of("ExecutionRole", "Arn")));
    assertThat(map(out.get("NotificationTopicArn")).get("Value"))
        .isEqualTo(Map.of("Ref", "NotificationTopic"));
    assertThat(map(out.get("FunctionName")).get("Value"))
        .isEqualTo(Map.of("Ref", "RotatorFunction"));
  }

  @Test
  void reportBucketIsEncryptedVersionedPrivateAndOwnerEnforced() {
    Map<String, Object> b = props(S, "ReportBucket");
    Map<String, Object> sse =
        map(
            map(list(map(b.get("BucketEncryption")).get("ServerSideEncryptionConfiguration"))
                    .get(0))
                .get("ServerSideEncryptionByDefault"));
    assertThat(sse.get("SSEAlgorithm")).isIn("AES256", "aws:kms");
    assertThat(map(b.get("VersioningConfiguration")).get("Status")).isEqualTo("Enabled");
    assertThat(map(b.get("PublicAccessBlockConfiguration")))
        .containsEntry("BlockPublicAcls", true)
        .containsEntry("BlockPublicPolicy", true)
        .containsEntry("IgnorePublicAcls", true)
        .containsEntry("RestrictPublicBuckets", true);
    assertThat(
            map(list(map(b.get("OwnershipControls")).get("Rules")).get(0)).get("ObjectOwnership"))
        .isEqualTo("BucketOwnerEnforced");
    assertThat(Templates.resource(S, "ReportBucket").get("DeletionPolicy")).isEqualTo("Retain");
  }

  @Test
  void bucketPolicyDeniesDeletesAndPlainHttpAndLetsOnlyTheCentralRoleWrite() {
    List<Statement> st = Templates.statements(props(S, "ReportBucketPolicy").get("PolicyDocument"));
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(s.body().get("Principal")).isEqualTo("*");
              assertThat(s.actions()).contains("s3:DeleteObject", "s3:DeleteObjectVersion");
              assertThat(s.body()).doesNotContainKey("Condition");
            });
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(map(map(s.body().get("Condition")).get("Bool")))
                  .containsEntry("aws:SecureTransport", "false");
            });
    List<Statement> allows = st.stream().filter(s -> "Allow".equals(s.effect())).toList();
    // Write under the prefix; read back only the report parts of a fanned-out run and the runs'
    // report.json (the HTML report's trend).
    assertThat(allows).hasSize(3);
    assertThat(allows.get(0).actions()).containsExactly("s3:PutObject");
    assertThat(allows.get(0).resources())
        .containsExactly(Map.of("Fn::Sub", "${ReportBucket.Arn}/${ReportPrefix}*"));
    assertThat(allows.get(1).actions()).containsExactly("s3:GetObject");
    assertThat(allows.get(1).resources())
        .containsExactly(
            Map.of("Fn::Sub", "${ReportBucket.Arn}/${ReportPrefix}parts/*"),
            Map.of("Fn::Sub", "${ReportBucket.Arn}/${ReportPrefix}2???/*/report.json"));
    assertThat(allows.get(2).actions()).containsExactly("s3:ListBucket");
    assertThat(map(map(allows.get(2).body().get("Condition")).get("StringLike")))
        .containsEntry(
            "s3:prefix",
            List.of(
                Map.of("Fn::Sub", "${ReportPrefix}parts/*"),
                Map.of("Fn::Sub", "${ReportPrefix}2???/*")));
    assertThat(allows)
        .allSatisfy(
            a ->
                assertThat(map(map(a.body().get("Condition")).get("ArnEquals")))
                    .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn")));
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(s.actions()).containsExactly("s3:PutObject");
              assertThat(map(map(s.body().get("Condition")).get("ArnNotEquals")))
                  .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn"));
            });
  }

  @Test
  void reportsAreLockedForTheRetentionPeriod() {
    Map<String, Object> b = props(S, "ReportBucket");
    assertThat(b.get("ObjectLockEnabled")).isEqualTo(true);
    Map<String, Object> lock = map(b.get("ObjectLockConfiguration"));
    assertThat(lock.get("ObjectLockEnabled")).isEqualTo("Enabled");
    assertThat(map(map(lock.get("Rule")).get("DefaultRetention")))
        .containsEntry("Days", Map.of("Ref", "ReportRetentionDays"))
        .containsEntry("Mode", Map.of("Ref", "ReportLockMode"));
    assertThat(map(Templates.section(S, "Parameters").get("ReportLockMode")).get("Default"))
        .isEqualTo("COMPLIANCE");
  }

  @Test
  void theBucketRefusesUnencryptedWritesAndOverwrites() {
    List<Statement> st = Templates.statements(props(S, "ReportBucketPolicy").get("PolicyDocument"));
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(s.actions()).containsExactly("s3:PutObject");
              assertThat(map(map(s.body().get("Condition")).get("StringNotEquals")))
                  .containsEntry("s3:x-amz-server-side-encryption", "AES256");
            });
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(s.actions()).containsExactly("s3:PutObject");
              assertThat(map(map(s.body().get("Condition")).get("Null")))
                  .containsEntry("s3:if-none-match", "true");
            });
  }

  @Test
  void securityTopicIsEncryptedAndOnlyTheCentralRoleAndCentralAlarmsPublish() {
    assertThat(props(S, "SecurityTopic").get("KmsMasterKeyId"))
        .isEqualTo(Map.of("Ref", "SecurityTopicKey"));
    List<Statement> st =
        Templates.statements(props(S, "SecurityTopicPolicy").get("PolicyDocument"));
    List<Statement> allows = st.stream().filter(s -> "Allow".equals(s.effect())).toList();
    assertThat(allows)
        .hasSize(2)
        .allSatisfy(a -> assertThat(a.actions()).containsExactly("sns:Publish"));
    assertThat(map(map(allows.get(0).body().get("Condition")).get("ArnEquals")))
        .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn"));
    assertThat(allows.get(1).body().get("Principal"))
        .isEqualTo(Map.of("Service", "cloudwatch.amazonaws.com"));
    assertThat(map(map(allows.get(1).body().get("Condition")).get("StringEquals")))
        .containsEntry("aws:SourceAccount", CENTRAL_ACCOUNT);
    assertThat(st)
        .anySatisfy(
            s -> {
              assertThat(s.effect()).isEqualTo("Deny");
              assertThat(map(map(s.body().get("Condition")).get("ArnNotEquals")))
                  .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn"));
            });
  }
}
