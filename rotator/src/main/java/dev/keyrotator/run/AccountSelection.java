package dev.keyrotator.run;

import dev.keyrotator.config.PolicyFile.OrganizationSettings;
import dev.keyrotator.ports.Account;
import java.util.Optional;

/**
 * Which accounts the policy file includes, and why the others are left out.
 *
 * <p>The organization's management account is left out unless {@code
 * organization.includeManagementAccount} is true: service-managed StackSets never deploy to it, so
 * the member role is not there. When it is also the central account, {@code includeCentralAccount}
 * alone decides. Like the central account, an included management account is processed even when
 * {@code includeOus} or {@code includeAccounts} narrow the selection.
 */
public final class AccountSelection {
  private AccountSelection() {}

  /** Why the management account is left out unless the policy includes it. */
  public static final String MANAGEMENT_ACCOUNT_SKIPPED =
      "the management account (organization.includeManagementAccount is false:"
          + " StackSets do not deploy the member role there)";

  /** Why {@code account} is left out, or empty when it is included. */
  public static Optional<String> exclusionReason(Account account, OrganizationSettings org) {
    if (org.excludeAccounts().contains(account.id())) {
      return Optional.of("excluded by organization.excludeAccounts");
    }
    if (account.standalone()) {
      return Optional.empty(); // single-account mode: no OUs, and it is the one account there is
    }
    for (String ou : org.excludeOus()) {
      if (account.ouPath().contains(ou) || ou.startsWith("r-")) {
        return Optional.of("excluded by organization.excludeOus (" + ou + ")");
      }
    }
    boolean central = org.centralAccountId().filter(account.id()::equals).isPresent();
    if (central && !org.includeCentralAccount()) {
      // also when it is the management account: includeCentralAccount is the setting to change
      return Optional.of("the central account (organization.includeCentralAccount is false)");
    }
    // The central account's own rule decides for it, even when it is the management account.
    if (account.management() && !central && !org.includeManagementAccount()) {
      return Optional.of(MANAGEMENT_ACCOUNT_SKIPPED);
    }
    boolean narrowed = !org.includeOus().isEmpty() || !org.includeAccounts().isEmpty();
    if (!narrowed) {
      return Optional.empty();
    }
    boolean included =
        org.includeAccounts().contains(account.id())
            || org.includeOus().stream()
                .anyMatch(ou -> ou.startsWith("r-") || account.ouPath().contains(ou))
            || (org.includeCentralAccount() && central)
            || (org.includeManagementAccount() && account.management());
    return included
        ? Optional.empty()
        : Optional.of("not under organization.includeOus or includeAccounts");
  }
}
