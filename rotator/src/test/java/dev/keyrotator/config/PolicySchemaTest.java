package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema users point their editors at names exactly the keys the loader accepts: a key
 * added to one and not the other fails here.
 */
class PolicySchemaTest {

  static final JsonNode SCHEMA = read();

  static JsonNode read() {
    try {
      return new ObjectMapper().readTree(Path.of("../config/rotation.schema.json").toFile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> keys(JsonNode properties) {
    List<String> out = new ArrayList<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** A file that sets every key the schema names is accepted by the loader. */
  @Test
  void everyKeyTheSchemaNamesIsAcceptedByTheLoader() {
    String yaml = """
        version: 1
        organization:
          memberRoleName: R
          memberRolePath: /rotator/
          externalId: ext-id
          centralAccountId: "111111111111"
          includeCentralAccount: true
          includeOus: [ou-abcd-11111111]
          excludeOus: [r-abcd]
          includeAccounts: ["222222222222"]
          excludeAccounts: ["333333333333"]
          maxConcurrentAccounts: 4
        secrets: {storeIn: central, namePrefix: p/, kmsKeyId: alias/k}
        notifications: {topicArn: "arn:aws:sns:us-east-1:111111111111:t"}
        reporting:
          securityAccountId: "222222222222"
          bucket: reports-bucket
          prefix: r/
          topicArn: "arn:aws:sns:us-east-1:222222222222:s"
        defaults:
          mode: enforce
          createAfterDays: 100
          deactivateAfterDays: 110
          deleteAfterDays: 120
          unusedForDays: 5
          forceDeactivateAfterDays: 130
          reminderDays: [9]
          warningIntervalDays: 3
          exemptions:
            - {userNamePattern: "a*", owner: o, reason: r, expires: 2030-01-01}
            - {userTag: {key: k, value: v}, owner: o, reason: r, expires: 2030-01-01}
            - {group: g, owner: o, reason: r, expires: 2030-01-01}
        overrides:
          - {ou: ou-abcd-11111111, mode: dry-run}
          - {accountTag: {key: env, value: prod}, createAfterDays: 90}
          - {account: "222222222222", mode: report-only}
        """;
    PolicyFile f = PolicyFileLoader.parse("all.yaml", yaml.getBytes(StandardCharsets.UTF_8));

    assertThat(f.overrides()).hasSize(3);
    assertThat(f.defaults().exemptions()).hasSize(3);
    // the keys used above are exactly the schema's
    assertThat(keys(SCHEMA.get("properties"))).containsExactlyInAnyOrder("version",
        "organization", "secrets", "notifications", "reporting", "defaults", "overrides");
    assertThat(keys(SCHEMA.at("/properties/organization/properties"))).containsExactlyInAnyOrder(
        "memberRoleName", "memberRolePath", "externalId", "centralAccountId",
        "includeCentralAccount", "includeOus", "excludeOus", "includeAccounts", "excludeAccounts",
        "maxConcurrentAccounts");
    assertThat(keys(SCHEMA.at("/properties/secrets/properties")))
        .containsExactlyInAnyOrder("storeIn", "namePrefix", "kmsKeyId");
    assertThat(keys(SCHEMA.at("/properties/reporting/properties")))
        .containsExactlyInAnyOrder("securityAccountId", "bucket", "prefix", "topicArn");
    assertThat(keys(SCHEMA.at("/$defs/layerFields/properties"))).containsExactlyInAnyOrder(
        "mode", "createAfterDays", "deactivateAfterDays", "deleteAfterDays", "unusedForDays",
        "forceDeactivateAfterDays", "reminderDays", "warningIntervalDays", "exemptions");
    assertThat(keys(SCHEMA.at("/$defs/exemption/properties"))).containsExactlyInAnyOrder(
        "userNamePattern", "userTag", "group", "owner", "reason", "expires");
  }

  @Test
  void aKeyOutsideTheSchemaIsRefusedByTheLoader() {
    assertThat(keys(SCHEMA.at("/properties/organization/properties"))).doesNotContain("region");
    try {
      PolicyFileLoader.parse("x.yaml", "version: 1\norganization: {memberRoleName: R, region: x}\n"
          .getBytes(StandardCharsets.UTF_8));
    } catch (PolicyFileException e) {
      assertThat(e.problems()).singleElement()
          .satisfies(p -> assertThat(p.field()).isEqualTo("organization.region"));
      return;
    }
    throw new AssertionError("an unknown key was accepted");
  }
}
