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
          "secretsmanager:ListSecrets", "no resource type; returns metadata only",
          "organizations:DescribeOrganization", "no resource type",
          "organizations:ListAccounts", "no resource type",
          "organizations:ListRoots", "no resource type");

  record Needed(String action, String reason, String onlyIf) {}

  static Map<String, Needed> needed(String role) {
    Map<String, Object> r = map(map(Templates.permissions().get("roles")).get(role));
    Map<String, Needed> out = new TreeMap<>();
    for (Object o : list(r.get("actions"))) {
      Map<String, Object> a = map(o);
      Needed n =
          new Needed((String) a.get("action"), (String) a.get("reason"), (String) a.get("onlyIf"));
      assertThat(out.put(n.action(), n)).as("duplicate action %s in %s", n.action(), role).isNull();
    }
    return out;
  }

  static Stream<Arguments> roles() {
    return Stream.of(
        Arguments.of("member", "member-role.yaml", "MemberRole"),
        Arguments.of("central", "central.yaml", "ExecutionRole"),
        Arguments.of("fanOut", "central.yaml", "FanOutRole"));
  }

  static List<Statement> allows(String template, String roleId) {
    return Templates.roleStatements(template, roleId).stream()
        .filter(s -> "Allow".equals(s.effect()))
        .toList();
  }

  @Test
  void permissionsFileNamesEachRoleTemplateAndGivesEveryActionAReason() {
    Map<String, Object> roles = map(Templates.permissions().get("roles"));
    assertThat(roles).containsOnlyKeys("member", "central", "fanOut");
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
      List<String> where = new ArrayList<>();
      for (Statement s : allows(template, roleId)) {
        if (s.actions().contains(n.action())) {
          where.add(String.valueOf(s.condition()));
        }
      }
      assertThat(where).as(n.action()).containsOnly(String.valueOf(n.onlyIf()));
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
        assertThat(s.resources())
            .containsExactly(
                Map.of(
                    "Fn::Sub",
                    "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:${SecretNamePrefix}*"));
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
        .containsEntry("aws:TagKeys", "key-rotator:*");
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
    assertThat(deny.body().get("NotResource"))
        .isEqualTo(
            Map.of(
                "Fn::Sub",
                "arn:${AWS::Partition}:secretsmanager:*:${AWS::AccountId}:secret:${SecretNamePrefix}*"));
  }
}
