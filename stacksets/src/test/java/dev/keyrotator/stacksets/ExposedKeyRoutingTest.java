package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exposed-key events (issue 16): each member account forwards only AWS Health's
 * AWS_RISK_CREDENTIALS_EXPOSED events to the central incident bus, which only the organization may
 * put events on, and whose one rule invokes the rotator with a permission scoped to that rule.
 */
class ExposedKeyRoutingTest {
  static final Map<String, Object> PATTERN =
      Map.of(
          "source", List.of("aws.health"),
          "detail-type", List.of("AWS Health Event"),
          "detail", Map.of("eventTypeCode", List.of("AWS_RISK_CREDENTIALS_EXPOSED")));

  @Test
  void memberRuleForwardsOnlyExposureEventsToTheCentralIncidentBus() {
    Map<String, Object> rule = Templates.props("member-role.yaml", "ExposedKeyForwardRule");
    assertThat(rule.get("EventPattern")).isEqualTo(PATTERN);
    Map<String, Object> target = map(list(rule.get("Targets")).get(0));
    assertThat(String.valueOf(target.get("Arn")))
        .contains(":event-bus/org-key-rotator-incidents")
        .contains("CentralAccountId");
    assertThat(String.valueOf(target.get("RoleArn"))).contains("ExposedKeyForwardRole");
    assertThat(Templates.resource("member-role.yaml", "ExposedKeyForwardRule").get("Condition"))
        .isEqualTo("RoleInThisAccount");
    String role = String.valueOf(Templates.props("member-role.yaml", "ExposedKeyForwardRole"));
    assertThat(role).contains("events:PutEvents").contains("event-bus/org-key-rotator-incidents");
  }

  @Test
  void centralBusTakesEventsOnlyFromTheOrganizationAndRoutesThemToTheFunction() {
    assertThat(Templates.props("central.yaml", "IncidentBus"))
        .containsEntry("Name", "org-key-rotator-incidents");
    Map<String, Object> statement =
        map(Templates.props("central.yaml", "IncidentBusPolicy").get("Statement"));
    assertThat(statement).containsEntry("Action", "events:PutEvents");
    assertThat(String.valueOf(map(map(statement.get("Condition")).get("StringEquals"))))
        .contains("aws:PrincipalOrgID")
        .contains("OrganizationId");
    Map<String, Object> rule = Templates.props("central.yaml", "ExposedKeyRule");
    assertThat(rule.get("EventPattern")).isEqualTo(PATTERN);
    assertThat(String.valueOf(rule.get("EventBusName"))).contains("IncidentBus");
    assertThat(String.valueOf(list(rule.get("Targets")).get(0))).contains("RotatorFunction");
    Map<String, Object> permission = Templates.props("central.yaml", "ExposedKeyPermission");
    assertThat(permission)
        .containsEntry("Principal", "events.amazonaws.com")
        .containsEntry("Action", "lambda:InvokeFunction");
    assertThat(String.valueOf(permission.get("SourceArn"))).contains("ExposedKeyRule");
  }
}
