package dev.keyrotator.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.Thresholds;
import dev.keyrotator.policy.WarningKind;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON shape of the run report, schema version 1, as records whose every value is what the file
 * holds (strings, numbers, lists, maps), and the mapping to and from the typed report. Only this
 * class spells the report's values as JSON text.
 */
final class ReportJson {
  private ReportJson() {}

  static Run of(RunReport r) {
    return new Run(
        r.runId(),
        r.startedAt().toString(),
        r.finishedAt().toString(),
        r.mode(),
        r.policySource(),
        r.policySha256(),
        r.accounts().stream().map(ReportJson::of).toList(),
        r.awsCalls());
  }

  static Account of(AccountReport a) {
    return new Account(
        a.accountId(),
        a.accountName(),
        a.ouPath(),
        a.status().name(),
        a.reason(),
        a.mode().map(Mode::label).orElse(""),
        a.policy().map(ReportText::policyValues).orElse(Map.of()),
        a.policy().map(PolicyInForce::sources).orElse(Map.of()),
        a.usersScanned(),
        a.users().stream().map(ReportJson::of).toList(),
        a.usersNotReached(),
        a.scan().map(ScanMode::label).orElse(""),
        a.scanNote(),
        new Lease(
            a.lease().state().name(),
            a.lease().holder(),
            a.lease().until().map(Instant::toString).orElse(""),
            a.lease().note()),
        a.rootAccessKeys().isPresent() ? a.rootAccessKeys().getAsInt() : null);
  }

  private static User of(UserReport u) {
    return new User(
        u.userName(),
        u.owner(),
        u.keys().stream().map(ReportJson::of).toList(),
        u.decisions().stream().map(ReportJson::of).toList(),
        u.notes(),
        u.notificationsSent(),
        u.notificationsLost(),
        u.incident().map(ReportJson::of).orElse(null));
  }

  private static Incident of(IncidentReport i) {
    return new Incident(
        i.reason(),
        i.keyId(),
        i.eventId().orElse(""),
        i.reportedAt().map(Instant::toString).orElse(""),
        i.newKeyId().orElse(""),
        i.newKeyStoredAt().map(Instant::toString).orElse(""),
        i.keyInactiveAt().map(Instant::toString).orElse(""),
        i.deactivationScheduledAt().map(Instant::toString).orElse(""),
        i.quarantinePolicyAttached().orElse(null),
        i.quarantinePolicies());
  }

  private static Key of(KeyReport k) {
    return new Key(
        k.keyId(),
        k.status().iamName(),
        k.ageDays(),
        k.created().toString(),
        k.lastUsed().map(Instant::toString).orElse(""),
        k.secretArn(),
        k.lastUsedService(),
        k.lastUsedRegion(),
        k.firstUseSeen()
            .map(
                f ->
                    new FirstUseSeen(
                        f.seenAt().toString(), f.lastUsed().toString(), f.service(), f.region()))
            .orElse(null));
  }

  private static Decision of(DecisionReport d) {
    return new Decision(
        d.action().name(),
        d.keyId(),
        d.warning().map(Enum::name).orElse(""),
        d.reason(),
        d.outcome().name(),
        d.secretArn(),
        d.error());
  }

  record Run(
      String runId,
      String startedAt,
      String finishedAt,
      String mode,
      String policySource,
      String policySha256,
      List<Account> accounts,
      Map<String, Long> awsCalls) {
    RunReport toReport() {
      return toReport(
          accounts == null ? List.of() : accounts.stream().map(Account::toReport).toList());
    }

    /** The report with {@code reports} as its accounts (read apart, one at a time). */
    RunReport toReport(List<AccountReport> reports) {
      return new RunReport(
          runId,
          Instant.parse(startedAt),
          Instant.parse(finishedAt),
          mode,
          policySource,
          policySha256,
          reports,
          awsCalls == null ? Map.of() : awsCalls);
    }
  }

  record Account(
      String accountId,
      String accountName,
      String ouPath,
      String status,
      String reason,
      String mode,
      Map<String, String> policy,
      Map<String, String> policySources,
      int usersScanned,
      List<User> users,
      List<String> usersNotReached,
      String scan,
      String scanNote,
      Lease lease,
      Integer rootAccessKeys) {
    AccountReport toReport() {
      return new AccountReport(
          accountId,
          accountName,
          ouPath,
          AccountStatus.valueOf(status),
          reason,
          text(mode).map(Mode::fromLabel),
          policyInForce(policy, policySources),
          usersScanned,
          users == null ? List.of() : users.stream().map(User::toReport).toList(),
          usersNotReached == null ? List.of() : usersNotReached,
          text(scan).map(ScanMode::fromLabel),
          scanNote,
          lease == null ? LeaseReport.notTaken() : lease.toReport(),
          rootAccessKeys == null
              ? java.util.OptionalInt.empty()
              : java.util.OptionalInt.of(rootAccessKeys));
    }
  }

  /** {@code accounts[].lease}; absent in reports written before it existed. */
  record Lease(String state, String holder, String until, String note) {
    LeaseReport toReport() {
      return new LeaseReport(
          java.util.Arrays.stream(LeaseState.values())
              .filter(v -> v.name().equals(state))
              .findFirst()
              .orElse(LeaseState.NOT_TAKEN),
          holder,
          text(until).map(Instant::parse),
          note);
    }
  }

  record User(
      String userName,
      String owner,
      List<Key> keys,
      List<Decision> decisions,
      List<String> notes,
      int notificationsSent,
      int notificationsLost,
      @JsonInclude(JsonInclude.Include.NON_NULL) Incident incident) {
    UserReport toReport() {
      return new UserReport(
          userName,
          owner == null ? "" : owner,
          keys == null ? List.of() : keys.stream().map(Key::toReport).toList(),
          decisions == null ? List.of() : decisions.stream().map(Decision::toReport).toList(),
          notes == null ? List.of() : notes,
          notificationsSent,
          notificationsLost,
          Optional.ofNullable(incident).map(Incident::toReport));
    }
  }

  /**
   * {@code accounts[].users[].incident}: only on a rotate-now's user; absent elsewhere and in
   * reports written before it existed.
   */
  record Incident(
      String reason,
      String keyId,
      String eventId,
      String reportedAt,
      String newKeyId,
      String newKeyStoredAt,
      String keyInactiveAt,
      String deactivationScheduledAt,
      Boolean quarantinePolicyAttached,
      List<String> quarantinePolicies) {
    IncidentReport toReport() {
      return new IncidentReport(
          reason == null ? "" : reason,
          keyId == null ? "" : keyId,
          text(eventId),
          text(reportedAt).map(Instant::parse),
          text(newKeyId),
          text(newKeyStoredAt).map(Instant::parse),
          text(keyInactiveAt).map(Instant::parse),
          text(deactivationScheduledAt).map(Instant::parse),
          Optional.ofNullable(quarantinePolicyAttached),
          quarantinePolicies == null ? List.of() : quarantinePolicies);
    }
  }

  record Key(
      String keyId,
      String status,
      long ageDays,
      String created,
      String lastUsed,
      String secretArn,
      String lastUsedService,
      String lastUsedRegion,
      FirstUseSeen firstUseSeen) {
    KeyReport toReport() {
      return new KeyReport(
          keyId,
          KeyStatus.fromIam(status),
          ageDays,
          Instant.parse(created),
          text(lastUsed).map(Instant::parse),
          secretArn,
          lastUsedService,
          lastUsedRegion,
          Optional.ofNullable(firstUseSeen).map(FirstUseSeen::toReport));
    }
  }

  /** A key's first use as the first run that saw it recorded it (additive to schema v1). */
  record FirstUseSeen(String seenAt, String lastUsed, String service, String region) {
    dev.keyrotator.policy.FirstUse toReport() {
      return new dev.keyrotator.policy.FirstUse(
          Instant.parse(seenAt), Instant.parse(lastUsed), service, region);
    }
  }

  record Decision(
      String action,
      String keyId,
      String warning,
      String reason,
      String outcome,
      String secretArn,
      String error) {
    DecisionReport toReport() {
      return new DecisionReport(
          Action.valueOf(action),
          keyId,
          text(warning).map(WarningKind::valueOf),
          reason,
          Outcome.valueOf(outcome),
          secretArn,
          error);
    }
  }

  private static Optional<String> text(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /** The policy values as the file holds them back into their types; empty when none. */
  static Optional<PolicyInForce> policyInForce(
      Map<String, String> values, Map<String, String> sources) {
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> v = new LinkedHashMap<>(values);
    String force = v.getOrDefault("forceDeactivateAfterDays", "never");
    String reminders = v.getOrDefault("reminderDays", "[]").replaceAll("[\\[\\]\\s]", "");
    Thresholds t =
        new Thresholds(
            Integer.parseInt(v.get("createAfterDays")),
            Integer.parseInt(v.get("deactivateAfterDays")),
            Integer.parseInt(v.get("deleteAfterDays")),
            Integer.parseInt(v.get("unusedForDays")),
            force.equals("never")
                ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(Integer.parseInt(force)),
            reminders.isEmpty()
                ? List.of()
                : java.util.Arrays.stream(reminders.split(",")).map(Integer::valueOf).toList(),
            Integer.parseInt(v.get("warningIntervalDays")));
    return Optional.of(
        new PolicyInForce(Mode.fromLabel(v.get("mode")), t, sources == null ? Map.of() : sources));
  }
}
