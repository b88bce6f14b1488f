package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixtureTest {
    static final String VALID = """
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
        assertThat(Fixture.fromYaml(VALID, "t.yaml").accounts.get(0).users.get(0).keys.get(0).id).isEqualTo("AKIAABCDEFGHIJKLMNOP");
    }

    @Test
    void aMalformedKeyIdNamesFileAndField() {
        assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("AKIAABCDEFGHIJKLMNOP", "AKIA123"), "org.yaml"))
            .isInstanceOf(FixtureException.class)
            .hasMessageContaining("org.yaml")
            .hasMessageContaining("accounts[0].users[0].keys[0].id")
            .hasMessageContaining("AKIA + 16");
    }

    @Test
    void aMalformedAccountIdIsRefused() {
        assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("id: \"111111111111\"", "id: \"1111\""), "org.yaml"))
            .isInstanceOf(FixtureException.class).hasMessageContaining("accounts[0].id").hasMessageContaining("12 digits");
    }

    @Test
    void unknownFieldsWrongTypesAndDanglingReferencesAreRefused() {
        assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("name: mgmt", "name: mgmt\n    colour: red"), "f.yaml"))
            .hasMessageContaining("accounts[0].colour").hasMessageContaining("unknown field");
        assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("ageDays: 10", "ageDays: ten"), "f.yaml"))
            .hasMessageContaining("keys[0].ageDays").hasMessageContaining("integer");
        assertThatThrownBy(() -> Fixture.fromYaml(VALID + "ous: [ { name: X, accounts: [\"222222222222\"] } ]\n", "f.yaml"))
            .hasMessageContaining("ous[0].accounts[0]").hasMessageContaining("not listed");
        assertThatThrownBy(() -> Fixture.fromYaml(VALID.replace("o-test000001", "org1"), "f.yaml"))
            .hasMessageContaining("organization.id");
        assertThatThrownBy(() -> Fixture.fromYaml("organization: [", "f.yaml")).hasMessageContaining("f.yaml");
    }

    @Test
    void theBuilderGeneratesLargeOrganizationsDeterministically() {
        Fixture a = Fixture.generated(50, 20, 3);
        Fixture b = Fixture.generated(50, 20, 3);
        assertThat(a.accounts).hasSize(50);
        assertThat(a.accounts.get(7).users).hasSize(20);
        assertThat(a.accounts.get(7).users.get(5).keys.size()).isEqualTo(b.accounts.get(7).users.get(5).keys.size());
        try (Sandbox sb = Sandbox.start(a)) {
            assertThat(sb.users(a.accounts.get(7).id)).hasSize(20);
        }
    }
}
