package dev.keyrotator.run;

import dev.keyrotator.config.PolicyFile.OrganizationSettings;
import dev.keyrotator.ports.Account;
import java.util.Optional;

/** Which accounts the policy file includes, and why the others are left out. */
public final class AccountSelection {
  private AccountSelection() {}

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
    if (org.centralAccountId().filter(account.id()::equals).isPresent()
        && !org.includeCentralAccount()) {
      return Optional.of("the central account (organization.includeCentralAccount is false)");
    }
    boolean narrowed = !org.includeOus().isEmpty() || !org.includeAccounts().isEmpty();
    if (!narrowed) {
      return Optional.empty();
    }
    boolean included =
        org.includeAccounts().contains(account.id())
            || org.includeOus().stream()
                .anyMatch(ou -> ou.startsWith("r-") || account.ouPath().contains(ou))
            || (org.includeCentralAccount()
                && org.centralAccountId().filter(account.id()::equals).isPresent());
    return included
        ? Optional.empty()
        : Optional.of("not under organization.includeOus or includeAccounts");
  }
}
