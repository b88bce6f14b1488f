package dev.keyrotator.aws;

import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.RoleAssumer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Which accounts there are and how each is entered: the organization's, through the member role
 * ({@link OrganizationsAccountDirectory}, {@link StsRoleAssumer}), or the account the rotator runs
 * in alone, with its own credentials ({@link AwsClientFactory#centralSession}: no organization, no
 * role to assume, the seed's case).
 *
 * <p>In {@link Mode#AUTO} the organization decides: when Organizations answers
 * AWSOrganizationsNotInUseException (the account is in no organization) the run is single-account;
 * any other answer, AccessDenied included, is the organization's and is reported as it is. The
 * detection costs no call of its own: it is the organization walk's first call (ListRoots). In
 * {@link Mode#SINGLE_ACCOUNT} Organizations is never called, so a role without any {@code
 * organizations:*} action works (stacksets/single-account.yaml).
 *
 * <p>IAM actions in single-account mode: sts:GetCallerIdentity (needs no permission).
 */
public final class AccountScope implements AccountDirectory, RoleAssumer {
  /** The error Organizations answers to an account that is in no organization. */
  static final String NOT_IN_USE = "AWSOrganizationsNotInUseException";

  /** {@code organization.mode} as the adapters see it. */
  public enum Mode {
    AUTO,
    ORGANIZATION,
    SINGLE_ACCOUNT
  }

  private final Mode mode;
  private final OrganizationsAccountDirectory organization;
  private final StsRoleAssumer roles;
  private final StsClient sts;
  private final AwsClientFactory clients;

  /** Decided: empty until known; then the standalone account, or empty in an organization. */
  private volatile Optional<Optional<String>> standalone = Optional.empty();

  @Inject
  AccountScope(
      Mode mode,
      OrganizationsAccountDirectory organization,
      StsRoleAssumer roles,
      StsClient sts,
      AwsClientFactory clients) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.organization = Objects.requireNonNull(organization, "organization");
    this.roles = Objects.requireNonNull(roles, "roles");
    this.sts = Objects.requireNonNull(sts, "sts");
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  @Override
  public List<Account> activeAccounts() {
    return activeAccounts(true);
  }

  @Override
  public List<Account> activeAccounts(boolean withTags) {
    if (mode == Mode.SINGLE_ACCOUNT) {
      return List.of(Account.standalone(callerAccount()));
    }
    try {
      List<Account> accounts = organization.activeAccounts(withTags);
      decided(Optional.empty());
      return accounts;
    } catch (AwsCallException e) {
      if (mode == Mode.AUTO && AwsErrors.is(e, NOT_IN_USE)) {
        return List.of(Account.standalone(callerAccount()));
      }
      throw e;
    }
  }

  @Override
  public synchronized void listedBefore(List<Account> accounts) {
    if (mode != Mode.SINGLE_ACCOUNT
        && standalone.isEmpty()
        && !accounts.isEmpty()
        && accounts.stream().noneMatch(Account::standalone)) {
      decided(Optional.empty());
    }
  }

  /**
   * The standalone account when the run is single-account, else empty; in {@link Mode#AUTO} before
   * any account was listed, asks Organizations once (ListRoots).
   */
  public synchronized Optional<String> standaloneAccount() {
    if (standalone.isPresent()) {
      return standalone.get();
    }
    switch (mode) {
      case SINGLE_ACCOUNT:
        return callerAccountOptional();
      case ORGANIZATION:
        return decided(Optional.empty());
      default:
        try {
          organization.roots();
          return decided(Optional.empty());
        } catch (AwsCallException e) {
          if (AwsErrors.is(e, NOT_IN_USE)) {
            return callerAccountOptional();
          }
          throw e;
        }
    }
  }

  @Override
  public AccountSession open(String accountId, String runId) {
    if (standaloneAccount().filter(accountId::equals).isPresent()) {
      return clients.centralSession(accountId);
    }
    return roles.open(accountId, runId);
  }

  private Optional<String> callerAccountOptional() {
    return Optional.of(callerAccount());
  }

  /** The account of the rotator's own credentials (STS GetCallerIdentity), remembered. */
  private synchronized String callerAccount() {
    if (standalone.isPresent() && standalone.get().isPresent()) {
      return standalone.get().get();
    }
    String id = AwsErrors.call("sts", "GetCallerIdentity", () -> sts.getCallerIdentity().account());
    decided(Optional.of(id));
    return id;
  }

  private synchronized Optional<String> decided(Optional<String> account) {
    standalone = Optional.of(account);
    return account;
  }
}
