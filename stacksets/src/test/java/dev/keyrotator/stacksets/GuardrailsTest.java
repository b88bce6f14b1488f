package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional service control policy beside the StackSet (guardrails.yaml). */
class GuardrailsTest {
  static final String G = "guardrails.yaml";

  static List<Statement> statements() {
    return Templates.statements(Templates.props(G, "RotatorGuardrails").get("Content"));
  }

  @Test
  void itIsOneServiceControlPolicyOfDeniesThatSpareTheRightPrincipals() {
    Map<String, Object> p = Templates.props(G, "RotatorGuardrails");
    assertThat(p.get("Type")).isEqualTo("SERVICE_CONTROL_POLICY");
    assertThat(p.get("TargetIds")).isEqualTo(Map.of("Ref", "TargetIds"));
    assertThat(statements())
        .extracting(s -> s.body().get("Sid"))
        .containsExactly(
            "OnlyTheMemberRoleWritesRotatorTags",
            "OnlyTagAdminsWriteTheKeyRotationTag",
            "OnlyTheDeploymentChangesTheMemberRole",
            "OnlyTheDeploymentPassesOrChangesTheExecutionRole",
            "OnlyTheDeploymentChangesTheFunction");
    for (Statement s : statements()) {
      assertThat(s.effect()).isEqualTo("Deny");
      // each spares someone by aws:PrincipalArn, or it would lock everyone out
      assertThat(map(map(s.body().get("Condition")).get("ArnNotLike")))
          .as(String.valueOf(s.body().get("Sid")))
          .containsKey("aws:PrincipalArn");
    }
  }

  @Test
  void theExecutionRoleCannotBePassedAndTheFunctionNotChangedButByTheDeployment() {
    Statement pass = statements().get(3);
    assertThat(pass.actions()).contains("iam:PassRole");
    assertThat(map(map(pass.body().get("Condition")).get("ArnNotLike")))
        .containsEntry("aws:PrincipalArn", Map.of("Ref", "DeploymentPrincipalArns"));
    Statement code = statements().get(4);
    assertThat(code.actions()).contains("lambda:UpdateFunctionCode");
    assertThat(list(code.resources()))
        .containsExactly(
            Map.of(
                "Fn::Sub",
                "arn:${AWS::Partition}:lambda:*:${CentralAccountId}:function:${FunctionName}*"));
  }
}
