package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import dev.keyrotator.policy.Exemption;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.UserMatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The loader applies {@code config/rotation.schema.json} itself, so the schema cannot drift from
 * it; what is left to hold: every key the schema names reaches the typed policy, and every mapping
 * of the schema refuses unknown keys, so an editor flags a typo anywhere the rotator does.
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

  static PolicyFile parse(String yaml) {
    return PolicyFileLoader.parse("p.yaml", yaml.getBytes(StandardCharsets.UTF_8));
  }

  static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (PolicyFileException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
    throw new AssertionError("accepted:\n" + yaml);
  }

  /** A file that sets every key the schema names is accepted, and each value is in the result. */
  @Test
  void everyKeyTheSchemaNamesReachesTheTypedPolicy() {
    String yaml =
        """
        version: 1
        organization:
          mode: organization
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
          maxConcurrentUsers: 6
          userPath: /apps/
          requireUserTag: {key: KeyRotation, value: rotate}
        secrets:
          storeIn: central
          namePrefix: p/
          kmsKeyId: alias/k
          readers: {roleFromUserTag: KeyRotationReader}
        notifications:
          topicArn: "arn:aws:sns:us-east-1:111111111111:t"
          ownerTagKeys: [Owner, team]
          accountOwnerTagKey: owner-team
        reporting:
          securityAccountId: "222222222222"
          bucket: reports-bucket
          prefix: r/
          topicArn: "arn:aws:sns:us-east-1:222222222222:s"
        securityHub:
          region: eu-west-1
          roleArn: arn:aws:iam::222222222222:role/FindingsImporter
        leases: {bucket: lease-bucket, prefix: l/, ttlMinutes: 7}
        defaults:
          mode: enforce
          createAfterDays: 100
          deactivateAfterDays: 110
          deleteAfterDays: 120
          unusedForDays: 5
          forceDeactivateAfterDays: 130
          reminderDays: [9]
          warningIntervalDays: 3
          retireOldKeyEarly: true
          exemptions:
            - {userNamePattern: "a*", owner: o, reason: r, expires: 2030-01-01}
            - {userTag: {key: k, value: v}, owner: o, reason: r, expires: 2030-01-01}
            - {group: g, owner: o, reason: r, expires: 2030-01-01}
        overrides:
          - {ou: ou-abcd-11111111, mode: dry-run}
          - {accountTag: {key: env, value: prod}, createAfterDays: 90}
          - {account: "222222222222", mode: report-only}
        """;
    PolicyFile f = parse(yaml);

    var o = f.organization();
    assertThat(
            List.of(
                o.memberRoleName(),
                o.memberRolePath(),
                o.externalId().orElseThrow(),
                o.centralAccountId().orElseThrow()))
        .containsExactly("R", "/rotator/", "ext-id", "111111111111");
    assertThat(o.includeCentralAccount()).isTrue();
    assertThat(List.of(o.includeOus(), o.excludeOus(), o.includeAccounts(), o.excludeAccounts()))
        .containsExactly(
            List.of("ou-abcd-11111111"),
            List.of("r-abcd"),
            List.of("222222222222"),
            List.of("333333333333"));
    assertThat(o.maxConcurrentAccounts()).isEqualTo(4);
    assertThat(o.maxConcurrentUsers()).isEqualTo(6);
    assertThat(o.userPath()).isEqualTo("/apps/");
    assertThat(o.requireUserTag()).hasValue(new PolicyFile.UserTag("KeyRotation", "rotate"));
    assertThat(o.mode()).isEqualTo(PolicyFile.OrganizationMode.ORGANIZATION);
    assertThat(f.secrets())
        .isEqualTo(
            new PolicyFile.SecretSettings(
                PolicyFile.StoreIn.CENTRAL,
                "p/",
                Optional.of("alias/k"),
                Optional.of("KeyRotationReader")));
    assertThat(f.notifications().topicArn()).hasValue("arn:aws:sns:us-east-1:111111111111:t");
    assertThat(f.notifications().ownerTagKeys()).containsExactly("Owner", "team");
    assertThat(f.notifications().accountOwnerTagKey()).hasValue("owner-team");
    assertThat(f.reporting())
        .isEqualTo(
            new PolicyFile.ReportingSettings(
                Optional.of("222222222222"),
                Optional.of("reports-bucket"),
                "r/",
                Optional.of("arn:aws:sns:us-east-1:222222222222:s")));
    assertThat(f.securityHub())
        .isEqualTo(
            new PolicyFile.SecurityHubSettings(
                true,
                Optional.of("eu-west-1"),
                Optional.of("arn:aws:iam::222222222222:role/FindingsImporter")));
    assertThat(f.leases())
        .isEqualTo(
            new PolicyFile.LeaseSettings(
                Optional.of("lease-bucket"), "l/", java.time.Duration.ofMinutes(7)));
    PolicyLayer d = f.defaults();
    assertThat(d.mode()).hasValue(Mode.ENFORCE);
    assertThat(d.retireOldKeyEarly()).hasValue(true);
    assertThat(
            List.of(
                d.createAfterDays(),
                d.deactivateAfterDays(),
                d.deleteAfterDays(),
                d.unusedForDays(),
                d.forceDeactivateAfterDays(),
                d.warningIntervalDays()))
        .containsExactly(
            OptionalInt.of(100),
            OptionalInt.of(110),
            OptionalInt.of(120),
            OptionalInt.of(5),
            OptionalInt.of(130),
            OptionalInt.of(3));
    assertThat(d.reminderDays()).hasValue(List.of(9));
    assertThat(d.exemptions())
        .extracting(Exemption::match)
        .containsExactly(
            new UserMatch.NamePattern("a*"), new UserMatch.Tag("k", "v"), new UserMatch.Group("g"));
    assertThat(d.exemptions().get(0).expires()).isEqualTo(LocalDate.of(2030, 1, 1));
    assertThat(f.overrides())
        .extracting(PolicyOverride::selector)
        .containsExactly(
            new Selector.Ou("ou-abcd-11111111"),
            new Selector.AccountTag("env", "prod"),
            new Selector.Account("222222222222"));
    assertThat(f.overrides())
        .extracting(v -> v.layer().mode().map(Mode::label).orElse("-"))
        .containsExactly("dry-run", "-", "report-only");
    assertThat(f.overrides().get(1).layer().createAfterDays()).hasValue(90);
    // the keys used above are exactly the schema's
    assertThat(keys(SCHEMA.get("properties")))
        .containsExactlyInAnyOrder(
            "version",
            "organization",
            "secrets",
            "notifications",
            "reporting",
            "securityHub",
            "leases",
            "defaults",
            "overrides");
    assertThat(keys(SCHEMA.at("/properties/organization/properties")))
        .containsExactlyInAnyOrder(
            "mode",
            "memberRoleName",
            "memberRolePath",
            "externalId",
            "centralAccountId",
            "includeCentralAccount",
            "includeManagementAccount",
            "includeOus",
            "excludeOus",
            "includeAccounts",
            "excludeAccounts",
            "maxConcurrentAccounts",
            "maxConcurrentUsers",
            "userPath",
            "requireUserTag");
    assertThat(keys(SCHEMA.at("/properties/secrets/properties")))
        .containsExactlyInAnyOrder("storeIn", "namePrefix", "kmsKeyId", "readers");
    assertThat(keys(SCHEMA.at("/properties/reporting/properties")))
        .containsExactlyInAnyOrder("securityAccountId", "bucket", "prefix", "topicArn");
    assertThat(keys(SCHEMA.at("/properties/notifications/properties")))
        .containsExactlyInAnyOrder("topicArn", "ownerTagKeys", "accountOwnerTagKey");
    assertThat(keys(SCHEMA.at("/properties/leases/properties")))
        .containsExactlyInAnyOrder("bucket", "prefix", "ttlMinutes");
    List<String> layer =
        List.of(
            "mode",
            "createAfterDays",
            "deactivateAfterDays",
            "deleteAfterDays",
            "unusedForDays",
            "forceDeactivateAfterDays",
            "reminderDays",
            "warningIntervalDays",
            "retireOldKeyEarly",
            "exemptions");
    assertThat(keys(SCHEMA.at("/$defs/layer/properties")))
        .containsExactlyInAnyOrderElementsOf(layer);
    List<String> override = new ArrayList<>(layer);
    override.addAll(List.of("ou", "accountTag", "account"));
    assertThat(keys(SCHEMA.at("/$defs/override/properties")))
        .containsExactlyInAnyOrderElementsOf(override);
    assertThat(keys(SCHEMA.at("/$defs/exemption/properties")))
        .containsExactlyInAnyOrder(
            "userNamePattern", "userTag", "group", "owner", "reason", "expires");
  }

  /**
   * Editors apply {@code additionalProperties} but not always {@code unevaluatedProperties}: every
   * mapping the schema describes says {@code additionalProperties: false} next to its properties.
   */
  @Test
  void everyMappingOfTheSchemaRefusesUnknownKeys() {
    List<String> open = new ArrayList<>();
    walk(SCHEMA, "#", open);
    assertThat(open).isEmpty();
    assertThat(SCHEMA.toString()).doesNotContain("unevaluatedProperties");
  }

  static void walk(JsonNode node, String at, List<String> open) {
    if (node.isObject()
        && node.has("properties")
        && !at.matches(".*/(oneOf/\\d+|if)(/.*)?$")
        && !node.path("additionalProperties").equals(BooleanNode.FALSE)) {
      open.add(at);
    }
    node.fields().forEachRemaining(e -> walk(e.getValue(), at + "/" + e.getKey(), open));
    for (int i = 0; node.isArray() && i < node.size(); i++) {
      walk(node.get(i), at + "/" + i, open);
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "organization: {memberRoleName: R, regoin: x}                          | organization.regoin",
        "organization: {memberRoleName: R}\\nsecrets: {storIn: member}          | secrets.storIn",
        "organization: {memberRoleName: R}\\nnotifications: {topic: x}          | notifications.topic",
        "organization: {memberRoleName: R}\\nreporting: {bukcet: b}             | reporting.bukcet",
        "organization: {memberRoleName: R}\\ndefaults: {creatAfterDays: 9}      | defaults.creatAfterDays",
        "organization: {memberRoleName: R}\\noverrides: [{ou: r-abcd, mdoe: x}] | overrides[0].mdoe",
        "organization: {memberRoleName: R}\\noverrides: [{accountTag: {key: k, value: v, vaule: w}}]"
            + " | overrides[0].accountTag.vaule",
        "organization: {memberRoleName: R}\\ndefaults: {exemptions: [{group: g, owner: o, reason: r,"
            + " expires: 2030-01-01, expiry: x}]} | defaults.exemptions[0].expiry",
        "organization: {memberRoleName: R}\\noverrides: [{account: \"222222222222\", exemptions: [{userTag:"
            + " {key: k, vlaue: v}, owner: o, reason: r, expires: 2030-01-01}]}]"
            + " | overrides[0].exemptions[0].userTag.vlaue"
      })
  void aTypoIsAnUnknownKeyWherever(String settings, String field) {
    assertThat(problems("version: 1\n" + settings.replace("\\n", "\n") + "\n"))
        .singleElement()
        .asString()
        .startsWith("p.yaml:")
        .contains(": " + field + ": unknown key");
  }

  /** YAML reads 011111111111 as a number (and drops the 0): the schema and the loader want text. */
  @Test
  void anUnquotedAccountIdIsRefusedWithHowToQuoteIt() {
    assertThat(
            problems(
                """
        version: 1
        organization:
          memberRoleName: R
          centralAccountId: 011111111111
          excludeAccounts: [222222222222]
        overrides:
          - account: 333333333333
            mode: dry-run
        """))
        .containsExactly(
            "p.yaml:4: organization.centralAccountId: must be a string, got 011111111111 (YAML reads"
                + " it as a number): quote it, \"011111111111\"",
            "p.yaml:5: organization.excludeAccounts[0]: must be a string, got 222222222222 (YAML reads"
                + " it as a number): quote it, \"222222222222\"",
            "p.yaml:7: overrides[0].account: must be a string, got 333333333333 (YAML reads it as a"
                + " number): quote it, \"333333333333\"");
  }

  @Test
  void optionalTextSettingsMayBeLeftEmpty() {
    PolicyFile f =
        parse(
            """
        version: 1
        organization: {memberRoleName: R, externalId: , centralAccountId: }
        secrets: {kmsKeyId: }
        notifications: {topicArn: }
        reporting: {securityAccountId: , bucket: , topicArn: }
        defaults: {forceDeactivateAfterDays: }
        """);

    assertThat(f.organization().externalId()).isEmpty();
    assertThat(f.secrets().kmsKeyId()).isEmpty();
    assertThat(f.reporting().bucket()).isEmpty();
    assertThat(f.defaults().forceDeactivateAfterDays()).isEmpty();
  }

  @Test
  void theOrganizationModeDefaultsToAutoAndSingleAccountNeedsNoMemberRole() {
    assertThat(parse("version: 1\norganization: {memberRoleName: R}\n").organization().mode())
        .isEqualTo(PolicyFile.OrganizationMode.AUTO);
    PolicyFile single = parse("version: 1\norganization: {mode: single-account}\n");
    assertThat(single.organization().mode()).isEqualTo(PolicyFile.OrganizationMode.SINGLE_ACCOUNT);
    assertThat(single.organization().memberRoleName()).isEqualTo("OrgKeyRotatorMemberRole");
    assertThat(problems("version: 1\norganization: {mode: organization}\n"))
        .containsExactly("p.yaml:2: organization.memberRoleName: required");
    assertThat(problems("version: 1\norganization: {mode: auto}\n"))
        .containsExactly("p.yaml:2: organization.memberRoleName: required");
    assertThat(problems("version: 1\norganization: {mode: solo, memberRoleName: R}\n"))
        .containsExactly(
            "p.yaml:2: organization.mode: must be auto, organization or single-account, got 'solo'");
  }

  @Test
  void includeManagementAccountDefaultsToFalseAndMustBeABoolean() {
    assertThat(
            parse("version: 1\norganization: {memberRoleName: R}\n")
                .organization()
                .includeManagementAccount())
        .isFalse();
    assertThat(
            parse("version: 1\norganization: {memberRoleName: R, includeManagementAccount: true}\n")
                .organization()
                .includeManagementAccount())
        .isTrue();
    assertThat(
            problems(
                "version: 1\norganization:\n  memberRoleName: R\n  includeManagementAccount: maybe\n"))
        .containsExactly(
            "p.yaml:4: organization.includeManagementAccount: must be true or false, got 'maybe'");
  }
}
