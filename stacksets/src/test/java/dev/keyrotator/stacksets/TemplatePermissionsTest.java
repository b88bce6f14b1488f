package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The roles in the templates grant exactly what stacksets/permissions.yaml lists. */
class TemplatePermissionsTest {

  /**
   * Actions that AWS does not let a policy scope to a resource (no resource type in the Service
   * Authorization Reference), so Resource "*" is the only choice. Any other action granted on "*"
   * fails the build.
   */
  static final Map<String, String> UNSCOPABLE =
      Map.of(
          "iam:ListUsers",
              "IAM list action without a resource type; narrowed by PathPrefix in the call",
          "iam:GenerateCredentialReport", "account-level report, no resource type",
          "iam:GetCredentialReport", "account-level report, no resource type",
          "iam:GetAccountAuthorizationDetails", "account-level snapshot, no resource type",
          "organizations:ListRoots", "no resource type");

  record Needed(String action, String reason, String onlyIf, String calledBy) {}

  static Map<String, Needed> needed(String role) {
    Map<String, Object> r = map(map(Templates.permissions().get("roles")).get(role));
    Map<String, Needed> out = new TreeMap<>();
    for (Object o : list(r.get("actions"))) {
      Map<String, Object> a = map(o);
      Needed n =
          new Needed(
              (String) a.get("action"),
              (String) a.get("reason"),
              (String) a.get("onlyIf"),
              (String) a.get("calledBy"));
      assertThat(out.put(n.action(), n)).as("duplicate action %s in %s", n.action(), role).isNull();
    }
    return out;
  }

  static Stream<Arguments> roles() {
    return Stream.of(
        Arguments.of("member", "member-role.yaml", "MemberRole"),
        Arguments.of("central", "central.yaml", "ExecutionRole"),
        Arguments.of("fanOut", "central.yaml", "FanOutRole"),
        Arguments.of("singleAccount", "single-account.yaml", "ExecutionRole"));
  }

  static List<Statement> allows(String template, String roleId) {
    return Templates.roleStatements(template, roleId).stream()
        .filter(s -> "Allow".equals(s.effect()))
        .toList();
  }

  @Test
  void permissionsFileNamesEachRoleTemplateAndGivesEveryActionAReason() {
    Map<String, Object> roles = map(Templates.permissions().get("roles"));
    assertThat(roles).containsOnlyKeys("member", "central", "fanOut", "singleAccount");
    roles()
        .forEach(
            a -> {
              Object[] args = a.get();
              Map<String, Object> role = map(roles.get((String) args[0]));
              assertThat(role.get("template")).isEqualTo(args[1]);
              assertThat(role.get("logicalId")).isEqualTo(args[2]);
              assertThat(needed((String) args[0]).values())
                  .allSatisfy(
                      n -> {
                        assertThat(n.action()).matches("[a-z0-9-]+:[A-Za-z0-9]+");
                        assertThat(n.reason()).as(n.action()).isNotBlank();
                      });
            });
  }

  @ParameterizedTest(name = "{0} role grants exactly the listed actions")
  @MethodSource("roles")
  void roleGrantsExactlyTheListedActions(String role, String template, String roleId) {
    TreeSet<String> granted = new TreeSet<>();
    allows(template, roleId).forEach(s -> granted.addAll(s.actions()));
    assertThat(granted).containsExactlyInAnyOrderElementsOf(needed(role).keySet());
  }

  @ParameterizedTest(name = "{0} role: conditional actions sit under their Condition")
  @MethodSource("roles")
  void conditionalActionsAreGrantedOnlyUnderTheirCondition(
      String role, String template, String roleId) {
    Map<String, Object> conditions = Templates.section(template, "Conditions");
    for (Needed n : needed(role).values()) {
      TreeSet<String> where = new TreeSet<>();
      for (Statement s : allows(template, roleId)) {
        if (s.actions().contains(n.action())) {
          where.add(String.valueOf(s.condition()));
        }
      }
      // granted in both branches of one Fn::If (differently scoped): granted either way
      for (String c : List.copyOf(where)) {
        if (!c.startsWith("!") && where.remove("!" + c)) {
          where.remove(c);
          where.add("null");
        }
      }
      if (n.onlyIf() == null) {
        // needed always: at least one grant that holds whatever the conditions (other grants of
        // the action may add resources under a condition, like the policy file's GetObject)
        assertThat(where).as(n.action()).contains("null");
      } else {
        assertThat(where).as(n.action()).containsOnly(n.onlyIf());
      }
      if (n.onlyIf() != null) {
        assertThat(conditions)
            .as("Condition %s in %s", n.onlyIf(), template)
            .containsKey(n.onlyIf());
      }
    }
  }

  @ParameterizedTest(name = "{0} role: no wildcard, no NotAction, no forbidden action")
  @MethodSource("roles")
  void noWildcardActions(String role, String template, String roleId) {
    for (Statement s : allows(template, roleId)) {
      assertThat(s.body())
          .as("Allow with NotAction/NotResource")
          .doesNotContainKeys("NotAction", "NotResource");
      for (String a : s.actions()) {
        assertThat(a).as("wildcard action").doesNotContain("*").isNotEqualTo("*");
        assertThat(a)
            .isNotIn("iam:PutUserPolicy", "iam:AttachUserPolicy", "secretsmanager:GetSecretValue");
      }
    }
  }

  @Test
  void noAllowInAnyIdentityPolicyHasAWildcardAction() {
    for (String t : Templates.NAMES) {
      for (Object r : Templates.section(t, "Resources").values()) {
        Map<String, Object> res = map(r);
        String type = (String) res.get("Type");
        if (!type.startsWith("AWS::IAM::")) {
          continue;
        }
        Map<String, Object> p = map(res.get("Properties"));
        List<Object> docs = new ArrayList<>();
        list(p.get("Policies")).forEach(x -> docs.add(map(x).get("PolicyDocument")));
        docs.add(p.get("PolicyDocument"));
        for (Object d : docs) {
          for (Statement s : Templates.statements(d)) {
            if ("Allow".equals(s.effect())) {
              assertThat(s.actions()).as("%s: %s", t, s.body()).noneMatch(a -> a.contains("*"));
            }
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0} role: Resource \"*\" only for unscopable actions")
  @MethodSource("roles")
  void starResourceOnlyForUnscopableActions(String role, String template, String roleId) {
    for (Statement s : allows(template, roleId)) {
      assertThat(s.resources()).as("statement without Resource: %s", s.body()).isNotEmpty();
      if (s.resources().contains("*")) {
        assertThat(s.actions()).as("granted on Resource \"*\"").allMatch(UNSCOPABLE::containsKey);
      }
    }
  }

  @Test
  void everyUnscopableActionIsNeededByARole() {
    TreeSet<String> all = new TreeSet<>(needed("member").keySet());
    all.addAll(needed("central").keySet());
    assertThat(all).containsAll(UNSCOPABLE.keySet());
  }

  @Test
  void memberUserActionsAreScopedToTheUserPath() {
    for (Statement s : allows("member-role.yaml", "MemberRole")) {
      if (s.actions().stream().anyMatch(a -> a.startsWith("iam:") && !UNSCOPABLE.containsKey(a))) {
        assertThat(s.resources())
            .containsExactly(
                Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:user${UserPath}*"));
      }
      if (s.actions().stream()
          .anyMatch(a -> a.startsWith("secretsmanager:") && !UNSCOPABLE.containsKey(a))) {
        assertThat(s.resources()).containsExactly(Map.of("Fn::Sub", MEMBER_SECRETS));
      }
    }
  }

  @Test
  void markerTagsAreLimitedToTheRotatorPrefix() {
    Statement tags =
        allows("member-role.yaml", "MemberRole").stream()
            .filter(s -> s.actions().contains("iam:TagUser"))
            .findFirst()
            .orElseThrow();
    assertThat(tags.actions()).containsExactlyInAnyOrder("iam:TagUser", "iam:UntagUser");
    assertThat(map(map(tags.body().get("Condition")).get("ForAllValues:StringLike")))
        .containsEntry("aws:TagKeys", List.of("key-rotator:pending", "key-rotator:key:*"));
    assertThat(map(map(tags.body().get("Condition")).get("Null")))
        .containsEntry("aws:TagKeys", "false");
  }

  @Test
  void memberSecretWritesOutsideThePrefixAreDenied() {
    Statement deny =
        Templates.roleStatements("member-role.yaml", "MemberRole").stream()
            .filter(s -> "Deny".equals(s.effect()) && s.body().containsKey("NotResource"))
            .findFirst()
            .orElseThrow();
    assertThat(deny.actions())
        .contains(
            "secretsmanager:CreateSecret",
            "secretsmanager:PutSecretValue",
            "secretsmanager:PutResourcePolicy");
    assertThat(deny.body().get("NotResource")).isEqualTo(Map.of("Fn::Sub", MEMBER_SECRETS));
  }

  /** The member role's secrets: its own account's, {@code <prefix><account id>/<user>}. */
  static final String MEMBER_SECRETS =
      "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:${SecretNamePrefix}${AWS::AccountId}/*";

  static Statement sid(String template, String roleId, String sid) {
    return Templates.roleStatements(template, roleId).stream()
        .filter(s -> sid.equals(s.body().get("Sid")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid + " in " + template));
  }

  @Test
  void exemptUsersAreDeniedByIamNotOnlyByThePlanner() {
    Statement deny = sid("member-role.yaml", "MemberRole", "DenyKeyWritesOnExemptUsers");
    assertThat(deny.effect()).isEqualTo("Deny");
    assertThat(deny.actions())
        .containsExactlyInAnyOrder(
            "iam:CreateAccessKey",
            "iam:UpdateAccessKey",
            "iam:DeleteAccessKey",
            "iam:TagUser",
            "iam:UntagUser");
    assertThat(map(map(deny.body().get("Condition")).get("StringEquals")))
        .containsEntry("aws:ResourceTag/KeyRotation", Map.of("Ref", "ExemptionTagValue"));
  }

  @Test
  void theTaggedScopeRequiresTheScopeTagForKeyWrites() {
    List<Statement> writes =
        allows("member-role.yaml", "MemberRole").stream()
            .filter(s -> s.actions().contains("iam:CreateAccessKey"))
            .toList();
    assertThat(writes)
        .extracting(Statement::condition)
        .containsExactlyInAnyOrder("TaggedScope", "!TaggedScope");
    Statement tagged =
        writes.stream().filter(s -> "TaggedScope".equals(s.condition())).findFirst().orElseThrow();
    assertThat(map(map(tagged.body().get("Condition")).get("StringEquals")))
        .containsEntry("aws:ResourceTag/KeyRotation", Map.of("Ref", "ScopeTagValue"));
  }

  @ParameterizedTest(name = "{0} role: no secret value is ever readable")
  @MethodSource("roles")
  void secretValuesAreExplicitlyDenied(String role, String template, String roleId) {
    if (role.equals("fanOut")) {
      return;
    }
    Statement deny = sid(template, roleId, "DenyReadingSecrets");
    assertThat(deny.effect()).isEqualTo("Deny");
    assertThat(deny.actions())
        .containsExactlyInAnyOrder(
            "secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue");
    assertThat(deny.resources()).containsExactly("*");
    assertThat(deny.condition()).isNull();
    assertThat(deny.body()).doesNotContainKey("Condition");
  }

  @ParameterizedTest(
      name = "{0} role: resource policies only with BlockPublicPolicy, failing closed")
  @MethodSource("roles")
  void publicSecretPoliciesFailClosed(String role, String template, String roleId) {
    if (role.equals("fanOut")) {
      return;
    }
    Statement deny = sid(template, roleId, "DenyPublicSecretPolicies");
    assertThat(deny.actions()).containsExactly("secretsmanager:PutResourcePolicy");
    // BoolIfExists: a request without the key is denied too (a plain Bool would let it through)
    assertThat(map(map(deny.body().get("Condition")).get("BoolIfExists")))
        .containsExactly(Map.entry("secretsmanager:BlockPublicPolicy", "false"));
    for (Statement s : allows(template, roleId)) {
      if (s.actions().contains("secretsmanager:PutResourcePolicy")) {
        assertThat(s.actions()).containsExactly("secretsmanager:PutResourcePolicy");
        assertThat(map(map(s.body().get("Condition")).get("Bool")))
            .containsExactly(Map.entry("secretsmanager:BlockPublicPolicy", "true"));
      }
    }
  }

  @Test
  void centralReportAndPolicyFileAccessIsPinnedToTheResourceAccount() {
    for (Statement s : allows("central.yaml", "ExecutionRole")) {
      if (s.actions().stream().anyMatch(a -> a.startsWith("s3:"))) {
        assertThat(map(map(s.body().get("Condition")).get("StringEquals")))
            .as(String.valueOf(s.body().get("Sid")))
            .containsKey("s3:ResourceAccount");
      }
    }
    assertThat(
            map(map(sid("central.yaml", "ExecutionRole", "WriteRunReports").body().get("Condition"))
                    .get("StringEquals"))
                .get("s3:ResourceAccount"))
        .isEqualTo(
            Map.of(
                "Fn::Select",
                List.of(4, Map.of("Fn::Split", List.of(":", Map.of("Ref", "SecurityTopicArn"))))));
  }

  @Test
  void centralStoreSecretsAreScopedToMemberAccountNames() {
    Statement s = sid("central.yaml", "ExecutionRole", "CentralSecretsUnderPrefix");
    assertThat(s.resources())
        .containsExactly(
            Map.of(
                "Fn::Sub",
                "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:${SecretNamePrefix}????????????/*"));
  }
}
