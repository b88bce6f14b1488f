package dev.keyrotator.run;

import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Decision;
import dev.keyrotator.policy.PlanEffects;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.policy.UserPlan;
import dev.keyrotator.policy.UserState;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.UserSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What will happen each day of the coming days, read-only: the current state of every included
 * account, then the planner applied day after day to its own results.
 *
 * <p>Usage model: a user whose newest active key was used within {@code unusedForDays} keeps using
 * its newest active key every day (so owners switch to a new key the day it is created); keys of
 * other users stay unused. Creations, deactivations and deletions follow from that.
 */
public final class Forecast {

  /** One forecast decision. */
  public record Entry(LocalDate day, String accountId, String userName, Decision decision) {}

  private final PolicyFile policy;
  private final AccountDirectory directory;
  private final RoleAssumer roles;
  private final Planner planner;
  private final Clock clock;

  public Forecast(
      PolicyFile policy,
      AccountDirectory directory,
      RoleAssumer roles,
      Planner planner,
      Clock clock) {
    this.policy = policy;
    this.directory = directory;
    this.roles = roles;
    this.planner = planner;
    this.clock = clock;
  }

  /** Entries for today and the next {@code days} days, in day order; failures in {@code errors}. */
  public List<Entry> run(int days, List<String> errors) {
    Instant start = clock.instant();
    List<Entry> out = new ArrayList<>();
    for (Account a : directory.activeAccounts()) {
      if (AccountSelection.exclusionReason(a, policy.organization()).isPresent()) {
        continue;
      }
      RotationPolicy p =
          PolicyResolver.resolve(policy, new AccountContext(a.id(), a.ouPath(), a.tags())).policy();
      try (AccountSession s = roles.open(a.id(), "forecast")) {
        for (String user : s.keys().userNames()) {
          UserSnapshot snap = s.keys().read(user);
          UserState state =
              new UserState(
                  snap.user(),
                  snap.keys(),
                  s.vault()
                      .storedKeyIds(a.id(), user, snap.keys().stream().map(AccessKey::id).toList()),
                  snap.marker(),
                  snap.history());
          simulate(a.id(), state, p, start, days, out);
        }
      } catch (AwsCallException e) {
        errors.add("account " + a.id() + ": " + e.getMessage());
      }
    }
    out.sort((x, y) -> x.day().compareTo(y.day()));
    return out;
  }

  void simulate(
      String accountId,
      UserState initial,
      RotationPolicy p,
      Instant start,
      int days,
      List<Entry> out) {
    AtomicInteger n = new AtomicInteger();
    boolean activeUser =
        initial.keys().stream()
            .filter(AccessKey::isActive)
            .reduce((x, y) -> y)
            .flatMap(AccessKey::lastUsed)
            .map(u -> Duration.between(u, start).toDays() < p.thresholds().unusedForDays())
            .orElse(false);
    UserState state = initial;
    for (int d = 0; d <= days; d++) {
      Instant now = start.plus(Duration.ofDays(d));
      if (activeUser && d > 0) {
        state = state.withNewestActiveKeyUsedAt(now);
      }
      UserPlan plan = planner.plan(state, p, now);
      for (Decision decision : plan.decisions()) {
        if (decision.action() != Action.NOTHING && decision.action() != Action.EXEMPT) {
          out.add(
              new Entry(
                  LocalDate.ofInstant(now, ZoneOffset.UTC),
                  accountId,
                  initial.user().name(),
                  decision));
        }
      }
      state = PlanEffects.apply(state, plan, now, () -> "(new key " + n.incrementAndGet() + ")");
    }
  }
}
