package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * stacksets/organizations-delegation.yaml: the management account's resource-based delegation
 * policy grants the central account exactly the Organizations read actions the rotator calls (read
 * from aws/OrganizationsAccountDirectory), to the rotator's role only, and nothing that writes.
 */
class OrganizationsDelegationTemplateTest {
  static final String T = "organizations-delegation.yaml";

  /** Every {@code AwsErrors.call(SERVICE, "Operation", ...)} of the Organizations adapter. */
  static TreeSet<String> calledByTheRotator() throws Exception {
    Path src =
        Templates.MODULE.resolveSibling(
            "rotator/src/main/java/dev/keyrotator/aws/OrganizationsAccountDirectory.java");
    Matcher m = Pattern.compile("SERVICE,\\s*\"(\\w+)\"").matcher(Files.readString(src));
    TreeSet<String> out = new TreeSet<>();
    while (m.find()) {
      out.add("organizations:" + m.group(1));
    }
    return out;
  }

  static Map<String, Object> statement() {
    Map<String, Object> content = map(Templates.props(T, "DelegationPolicy").get("Content"));
    return map(list(content.get("Statement")).get(0));
  }

  @Test
  void itGrantsExactlyTheReadActionsTheRotatorCalls() throws Exception {
    assertThat(calledByTheRotator()).isNotEmpty();
    assertThat(list(statement().get("Action")))
        .containsExactlyInAnyOrderElementsOf(calledByTheRotator());
    assertThat(list(statement().get("Action")))
        .allSatisfy(a -> assertThat((String) a).matches("organizations:(List|Describe)\\w+"));
    assertThat(statement().get("Effect")).isEqualTo("Allow");
  }

  @Test
  void onlyTheCentralAccountsRotatorRoleIsGranted() {
    assertThat(Templates.resource(T, "DelegationPolicy").get("Type"))
        .isEqualTo("AWS::Organizations::ResourcePolicy");
    assertThat(map(statement().get("Principal")).get("AWS").toString())
        .contains(":iam::${CentralAccountId}:root");
    String condition = statement().get("Condition").toString();
    assertThat(condition)
        .contains("aws:PrincipalArn")
        .contains(":iam::${CentralAccountId}:role/${ExecutionRoleName}");
    assertThat(map(Templates.section(T, "Parameters").get("ExecutionRoleName")).get("Default"))
        .isEqualTo(
            map(Templates.section("central.yaml", "Parameters").get("ExecutionRoleName"))
                .get("Default"));
  }
}
