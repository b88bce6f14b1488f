package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.organizations.OrganizationsClient;
import software.amazon.awssdk.services.organizations.model.AccessDeniedException;
import software.amazon.awssdk.services.organizations.model.InvalidInputException;
import software.amazon.awssdk.services.organizations.model.ResourcePolicyNotFoundException;

/**
 * A member account reads the organization only when delegated: AccessDeniedException without a
 * delegation policy (or delegated administrator), served for exactly the actions the management
 * account's resource-based policy grants it, and a Deny wins.
 */
class OrganizationsDelegationTest {
  static final String MGMT = "111111111111";
  static final String CENTRAL = "333333333333";
  static final String OTHER = "444444444444";

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  static Fixture fixture() {
    Fixture f = Fixture.create("o-deleg000001", MGMT);
    f.account(CENTRAL, "central");
    f.account(OTHER, "other");
    return f.validate();
  }

  static String policy(String principalAccount, String actions) {
    return """
        {"Version": "2012-10-17", "Statement": [{"Sid": "KeyRotatorReadsTheOrganization",
          "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"},
          "Action": [%s], "Resource": "*"}]}
        """
        .formatted(principalAccount, actions);
  }

  OrganizationsClient org(String account) {
    return Clients.admin(SANDBOX.sandbox(), account).organizations();
  }

  @Test
  void aMemberAccountIsRefusedWithoutADelegationPolicy() {
    assertThatThrownBy(() -> org(CENTRAL).listRoots())
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("You don't have permissions to access this resource.");
    assertThatThrownBy(() -> org(CENTRAL).describeResourcePolicy(b -> {}))
        .isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> org(MGMT).describeResourcePolicy(b -> {}))
        .isInstanceOf(ResourcePolicyNotFoundException.class);
  }

  @Test
  void theDelegationPolicyGrantsExactlyItsActionsToExactlyItsPrincipal() {
    var put =
        org(MGMT)
            .putResourcePolicy(
                b ->
                    b.content(
                        policy(
                            CENTRAL,
                            "\"organizations:ListRoots\", \"organizations:ListAccountsForParent\","
                                + " \"organizations:ListOrganizationalUnitsForParent\","
                                + " \"organizations:ListTagsForResource\"")));
    assertThat(put.resourcePolicy().resourcePolicySummary().id()).matches("rp-[0-9a-z]{8}");
    String root = org(CENTRAL).listRoots().roots().get(0).id();
    assertThat(org(CENTRAL).listAccountsForParent(b -> b.parentId(root)).accounts()).hasSize(3);
    assertThat(org(CENTRAL).listOrganizationalUnitsForParent(b -> b.parentId(root))).isNotNull();
    assertThat(org(CENTRAL).listTagsForResource(b -> b.resourceId(OTHER)).tags()).isEmpty();
    // not granted: another action, another account, changing the policy
    assertThatThrownBy(() -> org(CENTRAL).listAccounts()).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> org(OTHER).listRoots()).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(
            () -> org(CENTRAL).putResourcePolicy(b -> b.content(policy(CENTRAL, "\"*\""))))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(org(MGMT).describeResourcePolicy(b -> {}).resourcePolicy().content())
        .contains("organizations:ListRoots");

    org(MGMT).deleteResourcePolicy(b -> {});
    assertThatThrownBy(() -> org(CENTRAL).listRoots()).isInstanceOf(AccessDeniedException.class);
  }

  @Test
  void wildcardsAreEvaluatedAndADenyWins() {
    org(MGMT)
        .putResourcePolicy(
            b ->
                b.content(
                    """
                    {"Statement": [
                      {"Effect": "Allow", "Principal": {"AWS": "%s"}, "Action": "organizations:List*",
                       "Resource": "*"},
                      {"Effect": "Deny", "Principal": "*", "Action": "organizations:ListAccounts",
                       "Resource": "*"}]}
                    """
                        .formatted(CENTRAL)));
    assertThat(org(CENTRAL).listRoots().roots()).hasSize(1);
    assertThatThrownBy(() -> org(CENTRAL).listAccounts())
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("denies");
    assertThatThrownBy(() -> org(CENTRAL).describeOrganization())
        .isInstanceOf(AccessDeniedException.class);
    org(MGMT).deleteResourcePolicy(b -> {});
  }

  @Test
  void aPolicyTheSandboxCannotEvaluateIsRefusedWhenAttached() {
    assertThatThrownBy(
            () ->
                org(MGMT)
                    .putResourcePolicy(
                        b ->
                            b.content(
                                "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\","
                                    + " \"NotAction\": \"x\", \"Resource\": \"*\"}]}")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("NotAction");
  }

  @Test
  void aFixtureCarriesTheDelegationPolicy() {
    Fixture f =
        Fixture.fromYaml(
            """
            organization:
              managementAccount: "111111111111"
              delegationPolicy:
                Statement:
                  - Effect: Allow
                    Principal: { AWS: "arn:aws:iam::333333333333:root" }
                    Action: [ "organizations:ListRoots" ]
                    Resource: "*"
            accounts:
              - { id: "111111111111", name: management }
              - { id: "333333333333", name: central }
            """,
            "delegated.yaml");
    try (Sandbox sb = Sandbox.start(f, SandboxOptions.defaults())) {
      assertThat(Clients.admin(sb, CENTRAL).organizations().listRoots().roots()).hasSize(1);
      assertThatThrownBy(() -> Clients.admin(sb, CENTRAL).organizations().listAccounts())
          .isInstanceOf(AccessDeniedException.class);
    }
    assertThatThrownBy(
            () ->
                Fixture.fromYaml(
                    """
                    organization:
                      managementAccount: "111111111111"
                      delegationPolicy: "not json"
                    accounts: [{ id: "111111111111", name: management }]
                    """,
                    "bad.yaml"))
        .isInstanceOf(FixtureException.class)
        .hasMessageContaining("delegationPolicy");
  }
}
