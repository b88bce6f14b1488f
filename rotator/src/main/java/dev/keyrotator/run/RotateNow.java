package dev.keyrotator.run;

import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.policy.DeferredDeactivation;
import dev.keyrotator.policy.ForcedRotation;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.report.AccountReport;
import dev.keyrotator.report.AccountStatus;
import dev.keyrotator.report.PolicyInForce;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * {@code rotate-now}: one user's key replaced and deactivated at once (or, with {@code --deactivate
 * after:N}, left active N days with its deadline recorded for ordinary runs), through the same
 * protocol as a scheduled rotation (account lease, marker, create, store, notify; {@link
 * UserRotation} and {@link LossFreeKeyCreation}), planned by {@link ForcedRotation}. A refusal
 * (unknown or excluded account, unknown user, a key that is not the user's, two keys neither of
 * which may go) is an {@link IllegalArgumentException} thrown before anything is changed.
 */
public final class RotateNow {

  /**
   * What was asked.
   *
   * @param keyId the key to replace; empty: the user's newest active key
   * @param reason why, in a word ({@code manual}, {@code exposed})
   * @param deactivateAfterDays empty: the old key is deactivated now; N: it stays active N days
   *     ({@code --deactivate after:N}), then ordinary runs deactivate it
   */
  public record Request(
      String runId,
      String accountId,
      String userName,
      Optional<String> keyId,
      boolean dryRun,
      String reason,
      OptionalInt deactivateAfterDays) {
    public Request(
        String runId,
        String accountId,
        String userName,
        Optional<String> keyId,
        boolean dryRun,
        String reason) {
      this(runId, accountId, userName, keyId, dryRun, reason, OptionalInt.empty());
    }

    /**
     * {@code now} or {@code after:N}, N a whole number of days from 1 to {@link
     * DeferredDeactivation#MAX_DAYS}.
     *
     * @throws IllegalArgumentException otherwise, in one line
     */
    public static OptionalInt parseDeactivate(String option, String value) {
      if (value == null || value.equals("now")) {
        return OptionalInt.empty();
      }
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("after:(\\d{1,2})").matcher(value);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(1));
        if (n >= 1 && n <= DeferredDeactivation.MAX_DAYS) {
          return OptionalInt.of(n);
        }
      }
      throw new IllegalArgumentException(
          option
              + " must be now or after:N, N a whole number of days from 1 to "
              + DeferredDeactivation.MAX_DAYS
              + ", got '"
              + value
              + "'");
    }

    public Request {
      Objects.requireNonNull(deactivateAfterDays, "deactivateAfterDays");
      if (deactivateAfterDays.isPresent()
          && (deactivateAfterDays.getAsInt() < 1
              || deactivateAfterDays.getAsInt() > DeferredDeactivation.MAX_DAYS)) {
        throw new IllegalArgumentException(
            "--deactivate after:N needs N from 1 to "
                + DeferredDeactivation.MAX_DAYS
                + ", got "
                + deactivateAfterDays.getAsInt());
      }
      Objects.requireNonNull(runId, "runId");
      if (accountId == null || !accountId.matches("\\d{12}")) {
        throw new IllegalArgumentException(
            "--account must be a 12-digit account id, got '" + accountId + "'");
      }
      if (userName == null || !userName.matches("[\\w+=,.@-]{1,64}")) {
        throw new IllegalArgumentException(
            "--user must be an IAM user name (1..64 of A-Z a-z 0-9 _+=,.@-), got '"
                + userName
                + "'");
      }
      Objects.requireNonNull(keyId, "keyId");
      keyId.ifPresent(
          k -> {
            if (!k.matches("(AKIA|ASIA)[A-Z0-9]{12,124}")) {
              throw new IllegalArgumentException(
                  "--key must be an access key id (AKIA...), got '" + k + "'");
            }
          });
      if (reason == null || !reason.matches("[a-z][a-z0-9-]{0,31}")) {
        throw new IllegalArgumentException("reason must be a short word, got '" + reason + "'");
      }
    }
  }

  /**
   * What was done.
   *
   * @param exempt the user is exempt: nothing was changed, the security topic was told
   */
  public record Result(
      RunReport report,
      UserReport user,
      String keyId,
      boolean exempt,
      Optional<Instant> deactivateBy) {
    public Result(RunReport report, UserReport user, String keyId, boolean exempt) {
      this(report, user, keyId, exempt, Optional.empty());
    }

    /** The key was not replaced as asked (exempt user, or a step failed). */
    public boolean notDone() {
      return exempt || user.failed();
    }
  }

  private final PolicyFile policy;
  private final Supplier<List<Account>> accounts;
  private final RoleAssumer roles;
  private final Notifier notifier;
  private final Optional<SecretVault> centralVault;
  private final Planner planner;
  private final Clock clock;
  private final AccountLeasing leasing;

  RotateNow(
      PolicyFile policy,
      Supplier<List<Account>> accounts,
      RoleAssumer roles,
      Notifier notifier,
      Optional<SecretVault> centralVault,
      Planner planner,
      Clock clock,
      AccountLeasing leasing) {
    this.policy = policy;
    this.accounts = accounts;
    this.roles = roles;
    this.notifier = notifier;
    this.centralVault = centralVault;
    this.planner = planner;
    this.clock = clock;
    this.leasing = leasing;
  }

  /**
   * Rotates the key now.
   *
   * @throws IllegalArgumentException when refused; nothing has been changed then
   * @throws IllegalStateException when another run holds the account's lease; nothing changed
   * @throws AwsCallException when the organization, the role or the user cannot be read
   */
  public Result run(Request request) {
    return run(request, Optional.empty());
  }

  /**
   * An exposed key AWS reported ({@code AWS_RISK_CREDENTIALS_EXPOSED}): its owner found through IAM
   * (GetAccessKeyLastUsed names the user), then rotated now with reason {@code exposed}. A replay
   * of the same event finds the key inactive and its replacement stored, and changes nothing.
   *
   * @throws IllegalArgumentException when the account is not the organization's or the key is not
   *     one of its users'; nothing has been changed then
   */
  public Result exposed(
      String runId, String accountId, String keyId, ForcedRotation.Incident incident) {
    Account account = account(accountId);
    Optional<String> owner;
    try (AccountSession session = roles.open(account.id(), runId)) {
      owner = session.keys().ownerOf(keyId);
    }
    if (owner.isEmpty()) {
      throw new IllegalArgumentException(
          "exposed key "
              + keyId
              + " is not a key of any IAM user of account "
              + accountId
              + "; nothing was changed");
    }
    return run(
        // an exposed key is always deactivated now
        new Request(
            runId,
            accountId,
            owner.get(),
            Optional.of(keyId),
            false,
            "exposed",
            OptionalInt.empty()),
        Optional.of(incident));
  }

  private Account account(String accountId) {
    return accounts.get().stream()
        .filter(a -> a.id().equals(accountId))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "account "
                        + accountId
                        + " is not an ACTIVE account of this organization; nothing was changed"));
  }

  private Result run(Request request, Optional<ForcedRotation.Incident> incident) {
    Instant started = clock.instant();
    Account account =
        accounts.get().stream()
            .filter(a -> a.id().equals(request.accountId()))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "account "
                            + request.accountId()
                            + " is not an ACTIVE account of this organization; nothing was"
                            + " changed"));
    Optional<String> excluded = AccountSelection.exclusionReason(account, policy.organization());
    if (excluded.isPresent()) {
      throw new IllegalArgumentException(
          "account "
              + account.id()
              + " is left out by the policy ("
              + excluded.get()
              + "); nothing was changed");
    }
    EffectivePolicy effective =
        PolicyResolver.resolve(
            policy, new AccountContext(account.id(), account.ouPath(), account.tags()));
    Mode mode = request.dryRun() ? Mode.DRY_RUN : effective.policy().mode();
    RotationPolicy rules = effective.policy().withMode(mode);
    if (mode != Mode.DRY_RUN) {
      checkTopic();
    }
    ForcedRotation.Request forced =
        new ForcedRotation.Request(
            request.keyId(), request.reason(), request.deactivateAfterDays());
    try (AccountSession session = roles.open(account.id(), request.runId())) {
      UserRotation rotation = rotation(request, account, rules, session);
      refuseIfRefused(prepare(rotation, request, forced), request);
      AccountLeasing.Guard lease =
          mode == Mode.DRY_RUN ? leasing.notNeeded() : leasing.take(account.id(), request.runId());
      try {
        Optional<LeaseRecord> other = lease.heldByAnother();
        if (other.isPresent()) {
          throw new IllegalStateException(
              "account "
                  + account.id()
                  + " is being worked by "
                  + other.get().describeHolder()
                  + " until "
                  + other.get().expiresAt()
                  + "; try again after that; nothing was changed");
        }
        // read again under the lease: what another run did meanwhile is seen
        UserRotation.Prepared p = prepare(rotation, request, forced);
        refuseIfRefused(p, request);
        UserReport user = rotation.carryOut(p, request.reason(), incident);
        AccountReport ar =
            new AccountReport(
                    account.id(),
                    account.name(),
                    account.ouPathNames(),
                    switch (mode) {
                      case ENFORCE -> AccountStatus.DONE;
                      case DRY_RUN -> AccountStatus.DRY_RUN;
                      case REPORT_ONLY -> AccountStatus.REPORT_ONLY;
                    },
                    user.failed() ? "1 of 1 users failed" : "",
                    Optional.of(mode),
                    Optional.of(
                        new PolicyInForce(
                            effective.policy().mode(),
                            effective.policy().thresholds(),
                            effective.sources())),
                    1,
                    List.of(user),
                    List.of(),
                    Optional.empty(),
                    "rotate-now (reason: " + request.reason() + ")")
                .withLease(lease.report());
        RunReport report =
            new RunReport(
                request.runId(),
                started,
                clock.instant(),
                mode.label(),
                policy.source(),
                policy.sha256(),
                List.of(ar),
                Map.of());
        return new Result(
            report,
            user,
            p.result().keyId().orElse(""),
            p.result().exempt(),
            p.result().deactivateBy());
      } finally {
        lease.release();
      }
    }
  }

  private static UserRotation.Prepared prepare(
      UserRotation rotation, Request request, ForcedRotation.Request forced) {
    try {
      return rotation.prepare(request.userName(), forced);
    } catch (AwsCallException e) {
      if ("NoSuchEntity".equals(e.errorCode())) {
        throw new IllegalArgumentException(
            "user "
                + request.userName()
                + " does not exist in account "
                + request.accountId()
                + "; nothing was changed");
      }
      throw e;
    }
  }

  private static void refuseIfRefused(UserRotation.Prepared p, Request request) {
    if (p.result().refused()) {
      throw new IllegalArgumentException(
          "rotate-now refused in account "
              + request.accountId()
              + ": "
              + p.result().refusal().get()
              + "; nothing was changed");
    }
  }

  private UserRotation rotation(
      Request request, Account account, RotationPolicy rules, AccountSession session) {
    SecretVault vault =
        policy.secrets().storeIn() == PolicyFile.StoreIn.CENTRAL
            ? centralVault.orElseThrow(
                () ->
                    new IllegalStateException(
                        "secrets.storeIn is central but no central vault is configured"))
            : session.vault();
    return new UserRotation(
        planner,
        clock,
        new UserRotation.Context(
            request.runId(),
            account,
            rules,
            request.dryRun(),
            session.keys(),
            vault,
            notifier,
            policy.notifications().topicArn(),
            Optional.ofNullable(policy.reporting()).flatMap(r -> r.topicArn()),
            policy.secrets().readerRoleTag(),
            Owners.of(policy.notifications())));
  }

  /** The owners' topic can take messages, or nothing is changed. */
  private void checkTopic() {
    Optional<String> topic = Optional.ofNullable(policy.notifications()).flatMap(n -> n.topicArn());
    if (topic.isPresent()) {
      Optional<String> problem = notifier.problem(topic.get());
      if (problem.isPresent()) {
        throw new IllegalArgumentException(problem.get() + "; nothing was changed");
      }
    }
  }
}
