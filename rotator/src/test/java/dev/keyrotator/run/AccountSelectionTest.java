package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.config.PolicyFile.OrganizationMode;
import dev.keyrotator.config.PolicyFile.OrganizationSettings;
import dev.keyrotator.ports.Account;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccountSelectionTest {
  private static final String MANAGEMENT = "111111111111";
  private static final String CENTRAL = "222222222222";
  private static final Account MGMT =
      Account.inOrganization(MANAGEMENT, "management", List.of(), List.of(), Map.of(), true);
  private static final Account MEMBER =
      new Account("333333333333", "prod", List.of("ou-prod"), List.of("Prod"), Map.of());

  private static OrganizationSettings org(
      String central,
      boolean includeCentral,
      boolean includeManagement,
      List<String> includeOus,
      List<String> excludeAccounts) {
    return new OrganizationSettings(
        "Role",
        "/",
        Optional.empty(),
        Optional.of(central),
        includeCentral,
        includeOus,
        List.of(),
        List.of(),
        excludeAccounts,
        8,
        "/",
        Optional.empty(),
        4,
        OrganizationMode.ORGANIZATION,
        includeManagement);
  }

  @Test
  void theManagementAccountIsSkippedByDefaultWithTheReason() {
    var org = org(CENTRAL, false, false, List.of(), List.of());

    assertThat(AccountSelection.exclusionReason(MGMT, org))
        .contains(
            "the management account (organization.includeManagementAccount is false:"
                + " StackSets do not deploy the member role there)");
    assertThat(AccountSelection.exclusionReason(MEMBER, org)).isEmpty();
  }

  @Test
  void includeManagementAccountProcessesItLikeAnyOther() {
    assertThat(
            AccountSelection.exclusionReason(MGMT, org(CENTRAL, false, true, List.of(), List.of())))
        .isEmpty();
    // like the central account, included even when includeOus narrows (it sits at the root)
    assertThat(
            AccountSelection.exclusionReason(
                MGMT, org(CENTRAL, false, true, List.of("ou-prod"), List.of())))
        .isEmpty();
    // excludeAccounts still wins
    assertThat(
            AccountSelection.exclusionReason(
                MGMT, org(CENTRAL, false, true, List.of(), List.of(MANAGEMENT))))
        .contains("excluded by organization.excludeAccounts");
  }

  @Test
  void whenTheManagementAccountIsTheCentralAccountIncludeCentralAccountDecides() {
    assertThat(
            AccountSelection.exclusionReason(
                MGMT, org(MANAGEMENT, false, true, List.of(), List.of())))
        .contains("the central account (organization.includeCentralAccount is false)");
    assertThat(
            AccountSelection.exclusionReason(
                MGMT, org(MANAGEMENT, true, false, List.of(), List.of())))
        .isEmpty();
  }

  @Test
  void anAccountNotMarkedAsManagementIsNotSkippedAsOne() {
    Account unmarked = new Account(MANAGEMENT, "management", List.of(), List.of(), Map.of());
    assertThat(
            AccountSelection.exclusionReason(
                unmarked, org(CENTRAL, false, false, List.of(), List.of())))
        .isEmpty();
  }
}
