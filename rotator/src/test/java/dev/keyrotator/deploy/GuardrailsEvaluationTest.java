package dev.keyrotator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.sandbox.cfn.CfnTemplate;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guardrail SCP of {@code stacksets/guardrails.yaml}, rendered from the file and evaluated by
 * the sandbox's policy engine: whom it stops and whom it spares.
 */
class GuardrailsEvaluationTest {
  static final String MEMBER = "arn:aws:iam::333333333333:role/OrgKeyRotatorMemberRole";
  static final String ADMIN = "arn:aws:iam::333333333333:role/Admin";
  static final String TAG_ADMIN = "arn:aws:iam::333333333333:role/SecurityTagAdmin";
  static final String STACKSETS = "arn:aws:iam::333333333333:role/stacksets-exec-0123abcd";

  static final PolicyDocument SCP = scp();

  static PolicyDocument scp() {
    CfnTemplate.Rendered g =
        DeployedTemplates.template("guardrails.yaml")
            .render(
                Map.of(
                    "TargetIds", "r-demo",
                    "CentralAccountId", "111111111111",
                    "TagAdminArns", "arn:aws:iam::*:role/SecurityTagAdmin"),
                "111111111111",
                "us-east-1",
                Map.of());
    try {
      return PolicyDocument.parse(
          "guardrails",
          new ObjectMapper().writeValueAsString(g.properties("RotatorGuardrails").get("Content")));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Verdict tag(String principal, String... keys) {
    return SCP.evaluate(
        new AuthRequest("iam:TagUser", "arn:aws:iam::333333333333:user/u", "333333333333")
            .keys("aws:TagKeys", List.of(keys))
            .key("aws:PrincipalArn", principal));
  }

  static Verdict call(String action, String resource, String principal) {
    return SCP.evaluate(
        new AuthRequest(action, resource, "111111111111").key("aws:PrincipalArn", principal));
  }

  @Test
  void onlyTheMemberRoleWritesTheRotatorsTags() {
    assertThat(tag(MEMBER, "key-rotator:pending")).isNotEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(tag(ADMIN, "key-rotator:pending")).isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(tag(ADMIN, "owner")).isNotEqualTo(Verdict.EXPLICIT_DENY);
    // owners keep the threshold-shortening tags
    assertThat(tag(ADMIN, "key-rotator:create-after-days")).isNotEqualTo(Verdict.EXPLICIT_DENY);
  }

  @Test
  void onlyTagAdminsWriteTheExemptionAndScopeTag() {
    assertThat(tag(TAG_ADMIN, "KeyRotation")).isNotEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(tag(ADMIN, "owner", "KeyRotation")).isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(tag(MEMBER, "KeyRotation")).isEqualTo(Verdict.EXPLICIT_DENY);
  }

  @Test
  void onlyTheDeploymentChangesTheMemberRolePassesTheExecutionRoleOrChangesTheCode() {
    assertThat(call("iam:PutRolePolicy", MEMBER, ADMIN)).isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(call("iam:PutRolePolicy", MEMBER, STACKSETS)).isNotEqualTo(Verdict.EXPLICIT_DENY);
    String exec = "arn:aws:iam::111111111111:role/OrgKeyRotatorExecutionRole";
    assertThat(call("iam:PassRole", exec, ADMIN)).isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(call("iam:PassRole", exec, STACKSETS)).isNotEqualTo(Verdict.EXPLICIT_DENY);
    String fn = "arn:aws:lambda:us-east-1:111111111111:function:org-key-rotator";
    assertThat(call("lambda:UpdateFunctionCode", fn, ADMIN)).isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(call("lambda:UpdateFunctionCode", fn, STACKSETS))
        .isNotEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(
            call(
                "lambda:UpdateFunctionCode",
                "arn:aws:lambda:us-east-1:111111111111:function:other",
                ADMIN))
        .isNotEqualTo(Verdict.EXPLICIT_DENY);
  }
}
