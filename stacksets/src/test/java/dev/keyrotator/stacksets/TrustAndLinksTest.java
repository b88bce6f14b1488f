package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Trust between the stacks, and the parameters/outputs that link them. */
class TrustAndLinksTest {

  /** Parameters that must mean the same thing wherever they appear. */
  static final List<String> SHARED_PARAMETERS =
      List.of(
          "CentralExecutionRoleArn",
          "ExternalId",
          "OrganizationId",
          "MemberRoleName",
          "MemberRolePath",
          "SecretNamePrefix",
          "SecretsKmsKeyArn",
          "ReportBucketName",
          "ReportPrefix",
          "ManagementAccountId",
          "UserPath",
          "UserScope",
          "ScopeTagValue");

  /** output (template) -> the parameter of the same name it feeds (template). */
  static final List<String[]> OUTPUT_TO_PARAMETER =
      List.of(
          new String[] {"security-account.yaml", "ReportBucketName", "central.yaml"},
          new String[] {"security-account.yaml", "SecurityTopicArn", "central.yaml"},
          new String[] {"security-account.yaml", "SecurityTopicKeyArn", "central.yaml"});

  @Test
  void memberRoleTrustsOnlyTheCentralRoleWithExternalIdInsideTheOrganization() {
    List<Statement> trust =
        Templates.statements(
            Templates.props("member-role.yaml", "MemberRole").get("AssumeRolePolicyDocument"));
    assertThat(trust).hasSize(1);
    Map<String, Object> s = trust.get(0).body();
    assertThat(s.get("Effect")).isEqualTo("Allow");
    assertThat(s.get("Action")).isEqualTo("sts:AssumeRole");
    assertThat(map(s.get("Principal"))).containsOnlyKeys("AWS");
    assertThat(map(s.get("Principal")).get("AWS"))
        .isEqualTo(Map.of("Ref", "CentralExecutionRoleArn"));
    Map<String, Object> eq = map(map(s.get("Condition")).get("StringEquals"));
    assertThat(eq)
        .containsEntry("sts:ExternalId", Map.of("Ref", "ExternalId"))
        .containsEntry("aws:PrincipalOrgID", Map.of("Ref", "OrganizationId"));
  }

  @Test
  void memberRoleNameDefaultsAndExternalIdIsNotPretendedSecret() {
    Map<String, Object> params = Templates.section("member-role.yaml", "Parameters");
    assertThat(map(params.get("MemberRoleName")).get("Default"))
        .isEqualTo("OrgKeyRotatorMemberRole");
    assertThat(map(params.get("UserPath")).get("Default")).isEqualTo("/");
    assertThat(map(params.get("SecretNamePrefix")).get("Default")).isEqualTo("key-rotator/");
    assertThat(Templates.props("member-role.yaml", "MemberRole").get("RoleName"))
        .isEqualTo(Map.of("Ref", "MemberRoleName"));
    // Issue 13: the ExternalId is in every trust policy and the function's configuration, so it
    // is no secret and is not NoEcho (README "ExternalId" says what it protects).
    for (String t : List.of("member-role.yaml", "central.yaml")) {
      assertThat(map(Templates.section(t, "Parameters").get("ExternalId")))
          .as(t)
          .doesNotContainKey("NoEcho");
    }
  }

  @Test
  void centralRoleAssumesOnlyTheMemberRoleInsideTheOrganization() {
    Statement assume =
        Templates.roleStatements("central.yaml", "ExecutionRole").stream()
            .filter(s -> s.actions().contains("sts:AssumeRole"))
            .findFirst()
            .orElseThrow();
    assertThat(assume.actions()).containsExactly("sts:AssumeRole");
    assertThat(assume.resources())
        .containsExactly(
            Map.of(
                "Fn::Sub", "arn:${AWS::Partition}:iam::*:role${MemberRolePath}${MemberRoleName}"));
    assertThat(map(map(assume.body().get("Condition")).get("StringEquals")))
        .containsEntry("aws:ResourceOrgID", Map.of("Ref", "OrganizationId"));
  }

  @Test
  void noNoEchoParameterIsCopiedIntoAPlainEnvironmentVariable() {
    for (String t : Templates.NAMES) {
      Map<String, Object> params = Templates.section(t, "Parameters");
      for (Object r : Templates.section(t, "Resources").values()) {
        Map<String, Object> env =
            map(map(map(map(r).get("Properties")).get("Environment")).get("Variables"));
        for (Map.Entry<String, Object> v : env.entrySet()) {
          String text = String.valueOf(v.getValue());
          params.forEach(
              (name, p) -> {
                if (Boolean.TRUE.equals(map(p).get("NoEcho"))) {
                  assertThat(text)
                      .as("%s %s uses NoEcho %s", t, v.getKey(), name)
                      .doesNotContain(name);
                }
              });
        }
      }
    }
  }

  @Test
  void theMemberRoleIsCreatedInTheManagementAccountOnlyWhenAskedFor() {
    for (String r : List.of("MemberRole", "ExposedKeyForwardRole", "ExposedKeyForwardRule")) {
      assertThat(Templates.resource("member-role.yaml", r).get("Condition"))
          .as(r)
          .isEqualTo("RoleInThisAccount");
    }
    assertThat(Templates.section("member-role.yaml", "Conditions").get("RoleInThisAccount"))
        .isEqualTo(
            Map.of(
                "Fn::Or",
                List.of(
                    Map.of(
                        "Fn::Not",
                        List.of(
                            Map.of(
                                "Fn::Equals",
                                List.of(
                                    Map.of("Ref", "AWS::AccountId"),
                                    Map.of("Ref", "ManagementAccountId"))))),
                    Map.of("Fn::Equals", List.of(Map.of("Ref", "InManagementAccount"), "true")))));
    Map<String, Object> asked =
        map(Templates.section("member-role.yaml", "Parameters").get("InManagementAccount"));
    assertThat(asked.get("Default")).isEqualTo("false");
    assertThat(asked.get("AllowedValues")).isEqualTo(List.of("false", "true"));
  }

  @Test
  void theCentralRoleCanAssumeNoOtherRole() {
    Statement deny =
        Templates.roleStatements("central.yaml", "ExecutionRole").stream()
            .filter(s -> "Deny".equals(s.effect()) && s.actions().contains("sts:AssumeRole"))
            .findFirst()
            .orElseThrow();
    assertThat(deny.body().get("NotResource"))
        .isEqualTo(
            Map.of(
                "Fn::Sub", "arn:${AWS::Partition}:iam::*:role${MemberRolePath}${MemberRoleName}"));
  }

  @Test
  void sharedParametersAgreeAcrossTemplates() {
    for (String name : SHARED_PARAMETERS) {
      Map<String, Object> first = null;
      String firstIn = null;
      int seen = 0;
      for (String t : Templates.NAMES) {
        Map<String, Object> p = map(Templates.section(t, "Parameters").get(name));
        if (p.isEmpty()) {
          continue;
        }
        seen++;
        if (first == null) {
          first = p;
          firstIn = t;
          continue;
        }
        for (String key : List.of("Type", "Default", "AllowedPattern", "AllowedValues", "NoEcho")) {
          assertThat(p.get(key))
              .as("%s.%s in %s vs %s", name, key, t, firstIn)
              .isEqualTo(first.get(key));
        }
      }
      assertThat(seen).as("%s appears in at least two templates", name).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void outputsFeedParametersOfTheSameNameAndType() {
    for (String[] link : OUTPUT_TO_PARAMETER) {
      assertThat(Templates.section(link[0], "Outputs")).as(link[0]).containsKey(link[1]);
      assertThat(map(Templates.section(link[2], "Parameters").get(link[1])).get("Type"))
          .as("%s parameter %s", link[2], link[1])
          .isEqualTo("String");
    }
    // The central role's ARN is an output of central.yaml and a parameter of the two others.
    assertThat(Templates.section("central.yaml", "Outputs"))
        .containsKeys("ExecutionRoleArn", "NotificationTopicArn", "FunctionName");
    assertThat(Templates.section("security-account.yaml", "Outputs"))
        .containsKeys("ReportBucketName", "SecurityTopicArn");
    for (String t : List.of("member-role.yaml", "security-account.yaml")) {
      assertThat(map(Templates.section(t, "Parameters").get("CentralExecutionRoleArn")).get("Type"))
          .isEqualTo("String");
    }
    // Its name is fixed by a parameter, so the ARN is known before central.yaml exists.
    assertThat(Templates.props("central.yaml", "ExecutionRole").get("RoleName"))
        .isEqualTo(Map.of("Ref", "ExecutionRoleName"));
    assertThat(Templates.props("central.yaml", "ExecutionRole").get("Path")).isEqualTo("/");
  }

  @Test
  void securityAccountPoliciesNameTheCentralRoleByCondition() {
    Map<String, Object> res = Templates.section("security-account.yaml", "Resources");
    for (String id : List.of("ReportBucketPolicy", "SecurityTopicPolicy")) {
      Statement allow =
          Templates.statements(Templates.props("security-account.yaml", id).get("PolicyDocument"))
              .stream()
              .filter(s -> "Allow".equals(s.effect()))
              .findFirst()
              .orElseThrow();
      assertThat(map(map(allow.body().get("Condition")).get("ArnEquals")))
          .as(id)
          .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn"));
    }
    assertThat(res).containsKeys("ReportBucket", "SecurityTopic", "SecurityTopicKey");
    assertThat(list(Templates.props("security-account.yaml", "SecurityTopicPolicy").get("Topics")))
        .containsExactly(Map.of("Ref", "SecurityTopic"));
  }
}
