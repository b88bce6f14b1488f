package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.organizations.model.AwsOrganizationsNotInUseException;

/** Accounts in no organization: Organizations refuses as AWS does, everything else works. */
class NoOrganizationTest {
  static final String ACCOUNT = "123456789012";

  @RegisterExtension
  static final SandboxExtension SANDBOX =
      SandboxExtension.withFixture(
          Fixture.fromYaml(
              """
              accounts:
                - id: "123456789012"
                  name: solo
                  topics: [key-rotation-events]
                  users:
                    - name: alice
                      keys: [{ ageDays: 170, lastUsedDaysAgo: 1 }]
              """,
              "no-org.yaml"));

  @Test
  void everyOrganizationsCallAnswersAwsOrganizationsNotInUse() {
    var org = Clients.admin(SANDBOX.sandbox(), ACCOUNT).organizations();
    assertThatThrownBy(() -> org.listRoots())
        .isInstanceOf(AwsOrganizationsNotInUseException.class)
        .satisfies(
            e -> {
              var ase = (AwsOrganizationsNotInUseException) e;
              assertThat(ase.statusCode()).isEqualTo(400);
              assertThat(ase.awsErrorDetails().errorCode())
                  .isEqualTo("AWSOrganizationsNotInUseException");
              assertThat(ase.awsErrorDetails().errorMessage())
                  .startsWith("Your account isn't a member of an organization.");
            });
    assertThatThrownBy(() -> org.describeOrganization())
        .isInstanceOf(AwsOrganizationsNotInUseException.class);
    assertThatThrownBy(() -> org.listAccounts())
        .isInstanceOf(AwsOrganizationsNotInUseException.class);
  }

  @Test
  void stsAndIamStillWork() {
    Clients c = Clients.admin(SANDBOX.sandbox(), ACCOUNT);
    assertThat(c.sts().getCallerIdentity().account()).isEqualTo(ACCOUNT);
    assertThat(c.iam().listUsers().users()).extracting(u -> u.userName()).containsExactly("alice");
  }

  @Test
  void aFixtureWithoutOrganizationCannotHaveOus() {
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    """
                    ous: [{ name: Prod, accounts: ["123456789012"] }]
                    accounts: [{ id: "123456789012", name: solo }]
                    """,
                    "bad.yaml"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("OUs need an organization");
    Fixture code = Fixture.withoutOrganization(ACCOUNT, "solo").validate();
    assertThat(code.noOrganization).isTrue();
  }
}
