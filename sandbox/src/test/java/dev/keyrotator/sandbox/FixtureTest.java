package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class FixtureTest {
  static final String VALID =
      """
        organization: { id: o-test000001, managementAccount: "111111111111" }
        accounts:
          - id: "111111111111"
            name: mgmt
            users:
              - name: alice
                keys: [ { id: AKIAABCDEFGHIJKLMNOP, ageDays: 10 } ]
        """;

  @Test
  void theDemoFixtureLoads() {
    Fixture f = Fixture.demo();
    assertThat(f.managementAccountId).isEqualTo("111111111111");
    assertThat(f.accounts).hasSizeBetween(5, 7);
    assertThat(f.accounts).filteredOn(a -> a.memberRole == null).hasSize(1);
  }

  @Test
  void aValidFixtureParses() {
    assertThat(Fixture.fromYaml(VALID, "t.yaml").accounts.get(0).users.get(0).keys.get(0).id)
        .isEqualTo("AKIAABCDEFGHIJKLMNOP");
  }

  @Test
  void aMalformedKeyIdNamesFileAndField() {
    assertThatThrownBy(
            () -> Fixture.fromYaml(VALID.replace("AKIAABCDEFGHIJKLMNOP", "AKIA123"), "org.yaml"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("org.yaml")
        .hasMessageContaining("accounts[0].users[0].keys[0].id")
        .hasMessageContaining("AKIA + 16");
  }

  @Test
  void aMalformedAccountIdIsRefused() {
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(VALID.replace("id: \"111111111111\"", "id: \"1111\""), "org.yaml"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("accounts[0].id")
        .hasMessageContaining("12 digits");
  }

  @Test
  void unknownFieldsWrongTypesAndDanglingReferencesAreRefused() {
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    VALID.replace("name: mgmt", "name: mgmt\n    colour: red"), "f.yaml"))
        .hasMessageContaining("accounts[0].colour")
        .hasMessageContaining("unknown field");
    assertThatThrownBy(
            () -> Fixture.fromYaml(VALID.replace("ageDays: 10", "ageDays: ten"), "f.yaml"))
        .hasMessageContaining("keys[0].ageDays")
        .hasMessageContaining("integer");
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    VALID + "ous: [ { name: X, accounts: [\"222222222222\"] } ]\n", "f.yaml"))
        .hasMessageContaining("ous[0].accounts[0]")
        .hasMessageContaining("not listed");
    assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("o-test000001", "org1"), "f.yaml"))
        .hasMessageContaining("organization.id");
    assertThatThrownBy(() -> Fixture.fromYaml("organization: [", "f.yaml"))
        .hasMessageContaining("f.yaml");
  }

  @Test
  void aSchemaViolationNamesTheLine() {
    FixtureException e =
        catchThrowableOfType(
            FixtureException.class,
            () -> Fixture.fromYaml(VALID.replace("AKIAABCDEFGHIJKLMNOP", "AKIA123"), "org.yaml"));
    assertThat(e.source()).isEqualTo("org.yaml");
    assertThat(e.line()).isEqualTo(7);
    assertThat(e.field()).isEqualTo("accounts[0].users[0].keys[0].id");
    assertThat(e)
        .hasMessageStartingWith(
            "org.yaml:7: accounts[0].users[0].keys[0].id: 'AKIA123' is not an access key id");
  }

  @Test
  void aCheckBeyondTheSchemaNamesTheLineToo() {
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    VALID + "ous: [ { name: X, accounts: [\"222222222222\"] } ]\n", "f.yaml"))
        .hasMessageStartingWith(
            "f.yaml:8: ous[0].accounts[0]: '222222222222' is not listed under accounts");
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    VALID.replace("ageDays: 10", "ageDays: 10, lastUsedDaysAgo: 11"), "f.yaml"))
        .hasMessageStartingWith(
            "f.yaml:7: accounts[0].users[0].keys[0].lastUsedDaysAgo: 11 must be between 0 and ageDays (10)");
  }

  @Test
  void aFixtureBuiltInCodeIsCheckedAgainstTheSameSchema() {
    Fixture f = Fixture.create("o-test000001", "111111111111");
    f.account("111111111111", "mgmt")
        .user("alice")
        .key(Fixture.Key.of(10, null).id("AKIA123", null));
    assertThatThrownBy(f::validate)
        .isInstanceOf(FixtureException.class)
        .hasMessage(
            "<code>: accounts[0].users[0].keys[0].id: 'AKIA123' is not an access key id (AKIA + 16 of [A-Z2-7])");
    Fixture g = Fixture.create("o-test000001", "111111111111");
    g.account("111111111111", "mgmt").status("GONE");
    assertThatThrownBy(g::validate)
        .hasMessageContaining("accounts[0].status: 'GONE' must be ACTIVE or SUSPENDED");
  }

  @Test
  void emptyValuesCountAsAbsentAndScalarsAsText() {
    Fixture f =
        Fixture.fromYaml(
            VALID.replace(
                "name: mgmt",
                "name: mgmt\n    status:\n    tags: { env: , n: 5 }\n    topics: [ 123 ]"),
            "f.yaml");
    assertThat(f.accounts.get(0).status).isEqualTo("ACTIVE");
    assertThat(f.accounts.get(0).tags).containsEntry("env", "").containsEntry("n", "5");
    assertThat(f.accounts.get(0).topics).containsExactly("123");
    assertThatThrownBy(
            () -> Fixture.fromYaml(VALID.replace("id: \"111111111111\"", "id: 1111"), "f.yaml"))
        .hasMessageContaining("accounts[0].id: '1111' is not an account id");
  }

  @Test
  void theBuilderGeneratesLargeOrganizationsDeterministically() {
    Fixture a = Fixture.generated(50, 20, 3);
    Fixture b = Fixture.generated(50, 20, 3);
    assertThat(a.accounts).hasSize(50);
    assertThat(a.accounts.get(7).users).hasSize(20);
    assertThat(a.accounts.get(7).users.get(5).keys.size())
        .isEqualTo(b.accounts.get(7).users.get(5).keys.size());
    try (Sandbox sb = Sandbox.start(a)) {
      assertThat(sb.users(a.accounts.get(7).id)).hasSize(20);
    }
  }
}
