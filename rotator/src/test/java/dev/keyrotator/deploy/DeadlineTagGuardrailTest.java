package dev.keyrotator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.sandbox.iampolicy.PolicyDocument.Verdict;
import org.junit.jupiter.api.Test;

/**
 * The deadline of {@code rotate-now --deactivate after:N} lives in the key's history tag ({@code
 * key-rotator:key:<id>}, {@code deactivate-by=}): the guardrail SCP lets only the member role write
 * or remove it, so nobody else can extend it (or drop it) in an organization that deploys the
 * guardrails.
 */
class DeadlineTagGuardrailTest {
  static final String KEY_TAG = "key-rotator:key:AKIAEXAMPLE000000001";

  @Test
  void onlyTheMemberRoleWritesOrRemovesADeadline() {
    assertThat(GuardrailsEvaluationTest.tag(GuardrailsEvaluationTest.MEMBER, KEY_TAG))
        .isNotEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(GuardrailsEvaluationTest.tag(GuardrailsEvaluationTest.ADMIN, KEY_TAG))
        .isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(GuardrailsEvaluationTest.tag(GuardrailsEvaluationTest.TAG_ADMIN, KEY_TAG))
        .isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(
            GuardrailsEvaluationTest.SCP.evaluate(
                new dev.keyrotator.sandbox.iampolicy.AuthRequest(
                        "iam:UntagUser", "arn:aws:iam::333333333333:user/u", "333333333333")
                    .keys("aws:TagKeys", java.util.List.of(KEY_TAG))
                    .key("aws:PrincipalArn", GuardrailsEvaluationTest.ADMIN)))
        .isEqualTo(Verdict.EXPLICIT_DENY);
  }
}
