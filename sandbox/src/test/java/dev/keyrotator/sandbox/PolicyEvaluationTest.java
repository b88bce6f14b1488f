package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.iampolicy.Caller;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IAM's policy evaluation as the sandbox does it, statement by statement. */
class PolicyEvaluationTest {

  static PolicyDocument doc(String statementsJson) {
    return PolicyDocument.parse(
        "test", "{\"Version\":\"2012-10-17\",\"Statement\":[" + statementsJson + "]}");
  }

  static AuthRequest req(String action, String resource) {
    return new AuthRequest(action, resource, "333333333333");
  }

  @Test
  void actionsMatchWithWildcardsCaseInsensitivelyAndResourcesAsArnPatterns() {
    PolicyDocument d =
        doc(
            "{\"Effect\":\"Allow\",\"Action\":[\"iam:*AccessKey\",\"s3:Get?bject\"],"
                + "\"Resource\":[\"arn:aws:iam::333333333333:user/apps/*\","
                + "\"arn:aws:s3:::b/reports/*\"]}");
    assertThat(d.evaluate(req("IAM:createaccesskey", "arn:aws:iam::333333333333:user/apps/x")))
        .isEqualTo(Verdict.ALLOW);
    assertThat(d.evaluate(req("iam:CreateAccessKey", "arn:aws:iam::333333333333:user/x")))
        .isEqualTo(Verdict.NOT_APPLICABLE);
    assertThat(d.evaluate(req("s3:GetObject", "arn:aws:s3:::b/reports/r.json")))
        .isEqualTo(Verdict.ALLOW);
    assertThat(d.evaluate(req("iam:ListAccessKeys", "arn:aws:iam::333333333333:user/apps/x")))
        .isEqualTo(Verdict.NOT_APPLICABLE);
  }

  @Test
  void aDenyWinsAndNotResourceInvertsTheMatch() {
    PolicyDocument d =
        doc(
            "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:CreateSecret\","
                + "\"NotResource\":\"arn:aws:secretsmanager:*:333333333333:secret:key-rotator/*\"}");
    assertThat(
            d.evaluate(
                req(
                    "secretsmanager:CreateSecret",
                    "arn:aws:secretsmanager:us-east-1:333333333333:secret:key-rotator/x")))
        .isEqualTo(Verdict.ALLOW);
    assertThat(
            d.evaluate(
                req(
                    "secretsmanager:CreateSecret",
                    "arn:aws:secretsmanager:us-east-1:333333333333:secret:other/x")))
        .isEqualTo(Verdict.EXPLICIT_DENY);
  }

  @Test
  void aMissingKeyFailsPositiveOperatorsAndSatisfiesNegatedOnesAndIfExists() {
    String allow = "{\"Effect\":\"Allow\",\"Action\":\"x:Y\",\"Resource\":\"*\",\"Condition\":";
    AuthRequest none = req("x:Y", "*");
    AuthRequest withFalse = req("x:Y", "*").key("k:B", "false");
    assertThat(doc(allow + "{\"Bool\":{\"k:B\":\"false\"}}}").evaluate(none))
        .isEqualTo(Verdict.NOT_APPLICABLE);
    assertThat(doc(allow + "{\"StringNotEquals\":{\"k:B\":\"true\"}}}").evaluate(none))
        .isEqualTo(Verdict.ALLOW);
    assertThat(doc(allow + "{\"BoolIfExists\":{\"k:B\":\"false\"}}}").evaluate(none))
        .isEqualTo(Verdict.ALLOW);
    assertThat(doc(allow + "{\"BoolIfExists\":{\"k:B\":\"false\"}}}").evaluate(withFalse))
        .isEqualTo(Verdict.ALLOW);
    assertThat(
            doc(allow + "{\"BoolIfExists\":{\"k:B\":\"false\"}}}")
                .evaluate(req("x:Y", "*").key("k:B", "true")))
        .isEqualTo(Verdict.NOT_APPLICABLE);
    assertThat(doc(allow + "{\"Null\":{\"k:B\":\"true\"}}}").evaluate(none))
        .isEqualTo(Verdict.ALLOW);
    assertThat(doc(allow + "{\"Null\":{\"k:B\":\"true\"}}}").evaluate(withFalse))
        .isEqualTo(Verdict.NOT_APPLICABLE);
  }

  @Test
  void setQualifiersOnMultivaluedKeys() {
    String allow =
        "{\"Effect\":\"Allow\",\"Action\":\"iam:TagUser\",\"Resource\":\"*\",\"Condition\":";
    PolicyDocument all =
        doc(allow + "{\"ForAllValues:StringLike\":{\"aws:TagKeys\":\"key-rotator:*\"}}}");
    assertThat(all.evaluate(req("iam:TagUser", "*").keys("aws:TagKeys", List.of("key-rotator:a"))))
        .isEqualTo(Verdict.ALLOW);
    assertThat(
            all.evaluate(
                req("iam:TagUser", "*").keys("aws:TagKeys", List.of("key-rotator:a", "owner"))))
        .isEqualTo(Verdict.NOT_APPLICABLE);
    // ForAllValues is true for a missing key: why the template adds a Null check
    assertThat(all.evaluate(req("iam:TagUser", "*"))).isEqualTo(Verdict.ALLOW);
    PolicyDocument any =
        doc(allow + "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"KeyRotation\"]}}}");
    assertThat(any.evaluate(req("iam:TagUser", "*"))).isEqualTo(Verdict.NOT_APPLICABLE);
    assertThat(
            any.evaluate(req("iam:TagUser", "*").keys("aws:TagKeys", List.of("a", "KeyRotation"))))
        .isEqualTo(Verdict.ALLOW);
  }

  @Test
  void resourceTagsAndSeveralKeysAndOperatorsMustAllMatch() {
    PolicyDocument d =
        doc(
            "{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\",\"Condition\":"
                + "{\"StringEquals\":{\"sts:ExternalId\":\"e\",\"aws:PrincipalOrgID\":\"o-1\"},"
                + "\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/R\"}}}");
    AuthRequest ok =
        req("sts:AssumeRole", "*")
            .key("sts:ExternalId", "e")
            .key("aws:PrincipalOrgID", "o-1")
            .key("aws:PrincipalArn", "arn:aws:iam::1:role/R");
    assertThat(d.evaluate(ok)).isEqualTo(Verdict.ALLOW);
    assertThat(d.evaluate(ok.key("sts:ExternalId", "other"))).isEqualTo(Verdict.NOT_APPLICABLE);
    PolicyDocument tag =
        doc(
            "{\"Effect\":\"Deny\",\"Action\":\"iam:CreateAccessKey\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/KeyRotation\":\"exempt\"}}}");
    assertThat(
            tag.evaluate(
                req("iam:CreateAccessKey", "*")
                    .resourceTags(Map.of("KeyRotation", "exempt"), "iam")))
        .isEqualTo(Verdict.EXPLICIT_DENY);
    assertThat(tag.evaluate(req("iam:CreateAccessKey", "*"))).isEqualTo(Verdict.NOT_APPLICABLE);
  }

  @Test
  void aResourcePolicyAppliesOnlyToThePrincipalsItNames() {
    PolicyDocument bucket =
        PolicyDocument.parse(
            "bucket",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111111111111\"},"
                + "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},{\"Effect\":\"Deny\","
                + "\"Principal\":\"*\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\","
                + "\"Condition\":{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111111111111:role/C\"}}}]}");
    AuthRequest asC =
        req("s3:PutObject", "arn:aws:s3:::b/k")
            .key("aws:PrincipalArn", "arn:aws:iam::111111111111:role/C");
    assertThat(bucket.evaluate(asC, new Caller("111111111111", "arn:aws:iam::111111111111:role/C")))
        .isEqualTo(Verdict.ALLOW);
    AuthRequest asD =
        req("s3:PutObject", "arn:aws:s3:::b/k")
            .key("aws:PrincipalArn", "arn:aws:iam::111111111111:role/D");
    assertThat(bucket.evaluate(asD, new Caller("111111111111", "arn:aws:iam::111111111111:role/D")))
        .isEqualTo(Verdict.EXPLICIT_DENY);
  }

  @Test
  void anOperatorTheSandboxCannotEvaluateIsRefusedWhenTheDocumentIsLoaded() {
    assertThatThrownBy(
            () ->
                doc(
                    "{\"Effect\":\"Allow\",\"Action\":\"x:Y\",\"Resource\":\"*\","
                        + "\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020\"}}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DateGreaterThan is not supported by the sandbox");
  }
}
