package dev.keyrotator.report;

import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.FirstUse;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.WarningKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed run over the demo organization's shape: every account status, every action and outcome,
 * an exempt user, a user without keys, and text that needs escaping in every format.
 */
final class ReportFixtures {
  private ReportFixtures() {}

  static final String RUN_ID = "20250601T020000Z-0a1b2c3d";
  static final String STARTED = "2025-06-01T02:00:00Z";
  static final String NEW_KEY = "AKIASANDBOXNEW000001";
  static final String NEW_SECRET_ARN =
      "arn:aws:secretsmanager:us-east-1:333333333333:secret:key-rotator/333333333333/app-orders-AbCdEf";

  /** An owner tag with markup, quotes and a comma: escaped in HTML, quoted in CSV. */
  static final String HOSTILE_OWNER = "Ops, \"Night\" <script>alert(1)</script>";

  /** A valid IAM user name a spreadsheet would run as a formula. */
  static final String FORMULA_USER = "=cmd+x@evil";

  static RunReport run() {
    return new RunReport(
        RUN_ID,
        Instant.parse(STARTED),
        Instant.parse("2025-06-01T02:00:07.250Z"),
        "per-account",
        "config/rotation.yaml",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        List.of(central(), security(), prod(), dev(), sandbox()),
        calls());
  }

  private static Map<String, Long> calls() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("iam:ListUsers", 3L);
    m.put("iam:ListAccessKeys", 12L);
    m.put("iam:CreateAccessKey", 1L);
    m.put("secretsmanager:CreateSecret", 1L);
    m.put("sts:AssumeRole", 4L);
    m.put("total.calls", 41L);
    m.put("total.retries", 3L);
    m.put("total.throttled", 2L);
    m.put("total.failed", 2L);
    return m;
  }

  static Map<String, String> policy(String mode) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("mode", mode);
    m.put("createAfterDays", "165");
    m.put("deactivateAfterDays", "180");
    m.put("deleteAfterDays", "185");
    m.put("unusedForDays", "10");
    m.put("forceDeactivateAfterDays", "never");
    m.put("reminderDays", "[15, 7]");
    m.put("warningIntervalDays", "7");
    return m;
  }

  static Map<String, String> sources(String modeSource) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String f : policy("enforce").keySet()) {
      m.put(f, "defaults (line 32)");
    }
    m.put("mode", modeSource);
    return m;
  }

  private static AccountReport central() {
    return account(
        "111111111111",
        "central",
        "",
        AccountStatus.SKIPPED,
        "the central account is not included (organization.includeCentralAccount: false)",
        "",
        Map.of(),
        Map.of(),
        0,
        List.of(),
        List.of());
  }

  private static AccountReport security() {
    return account(
        "222222222222",
        "security",
        "Security",
        AccountStatus.DONE,
        "",
        "enforce",
        policy("enforce"),
        sources("defaults (line 32)"),
        1,
        List.of(
            user(
                "siem-forwarder",
                "secops@example.com",
                List.of(
                    key(
                        "AKIASANDBOX222000001",
                        "Active",
                        40,
                        "2025-04-22T02:00:00Z",
                        "2025-06-01T01:00:00Z")),
                List.of(
                    decision(
                        "NOTHING",
                        "AKIASANDBOX222000001",
                        "",
                        "key is 40 days old",
                        Outcome.NONE,
                        "",
                        "")))),
        List.of());
  }

  private static AccountReport prod() {
    return account(
        "333333333333",
        "prod-workloads",
        "Workloads/Prod",
        AccountStatus.DONE,
        "1 of 8 users failed",
        "enforce",
        policy("enforce"),
        sources("defaults (line 32)"),
        8,
        List.of(
            user(
                "app-orders",
                "orders-team@example.com",
                List.of(
                    key(
                        "AKIASANDBOX333000002",
                        "Active",
                        165,
                        "2024-12-18T02:00:00Z",
                        "2025-05-30T02:00:00Z")),
                List.of(
                    decision(
                        "CREATE_KEY",
                        NEW_KEY,
                        "",
                        "newest active key AKIASANDBOX333000002 is 165 days old (rotate at 165)",
                        Outcome.DONE,
                        NEW_SECRET_ARN,
                        ""))),
            exposed(
                "batch-reports",
                "data-team@example.com",
                List.of(
                    key("AKIASANDBOX333000003", "Active", 181, "2024-12-02T02:00:00Z", ""),
                    withUse(
                        key(
                            "AKIASANDBOX333000004",
                            "Active",
                            16,
                            "2025-05-16T02:00:00Z",
                            "2025-06-01T00:00:00Z"),
                        "sts",
                        "us-east-1",
                        Optional.of(
                            new FirstUse(
                                Instant.parse("2025-05-17T06:00:00Z"),
                                Instant.parse("2025-05-17T05:41:00Z"),
                                "sts",
                                "us-east-1")))),
                List.of(
                    decision(
                        "DEACTIVATE_KEY",
                        "AKIASANDBOX333000003",
                        "",
                        "181 days old, never used, newer key AKIASANDBOX333000004 is stored",
                        Outcome.DONE,
                        "",
                        ""),
                    decision(
                        "NOTHING",
                        "AKIASANDBOX333000004",
                        "",
                        "key is 16 days old",
                        Outcome.NONE,
                        "",
                        ""))),
            user(
                "etl-loader",
                "data-team@example.com",
                List.of(
                    withUse(
                        key(
                            "AKIASANDBOX333000005",
                            "Active",
                            181,
                            "2024-12-02T02:00:00Z",
                            "2025-05-29T02:00:00Z"),
                        "s3",
                        "eu-west-1",
                        Optional.empty())),
                List.of(
                    decision(
                        "WARN",
                        "AKIASANDBOX333000005",
                        "STILL_IN_USE",
                        "181 days old but last used 3 days ago (s3 in eu-west-1): kept active,"
                            + " owner warned",
                        Outcome.DONE,
                        "",
                        ""))),
            user(
                "old-integration",
                "",
                List.of(
                    key(
                        "AKIASANDBOX333000006",
                        "Inactive",
                        186,
                        "2024-11-27T02:00:00Z",
                        "2025-04-22T02:00:00Z")),
                List.of(
                    decision(
                        "DELETE_KEY",
                        "AKIASANDBOX333000006",
                        "",
                        "inactive and 186 days old (delete at 185)",
                        Outcome.DONE,
                        "",
                        ""))),
            user(
                "break-glass",
                "secops@example.com",
                List.of(key("AKIASANDBOX333000007", "Active", 300, "2024-08-05T02:00:00Z", "")),
                List.of(
                    decision(
                        "EXEMPT",
                        "",
                        "",
                        "exempt by user tag KeyRotation=exempt (owner security-team@example.com, "
                            + "until 2027-03-31): break-glass and other keys rotated by hand",
                        Outcome.NONE,
                        "",
                        ""))),
            user(
                "readonly-auditor",
                "",
                List.of(),
                List.of(decision("NOTHING", "", "", "no access keys", Outcome.NONE, "", ""))),
            new UserReport(
                "ci-legacy",
                "platform-team@example.com",
                List.of(key("AKIASANDBOX333000008", "Inactive", 190, "2024-11-23T02:00:00Z", "")),
                List.of(
                    decision(
                        "DELETE_KEY",
                        "AKIASANDBOX333000008",
                        "",
                        "inactive and 190 days old (delete at 185)",
                        Outcome.FAILED,
                        "",
                        "iam DeleteAccessKey failed: Throttling (Rate exceeded)")),
                List.of("notification 'key-failure' not sent: sns Publish failed: Throttling"),
                0,
                1),
            user(
                FORMULA_USER,
                HOSTILE_OWNER,
                List.of(
                    key(
                        "AKIASANDBOX333000009",
                        "Active",
                        120,
                        "2025-02-01T02:00:00Z",
                        "2025-05-31T02:00:00Z")),
                List.of(
                    decision(
                        "NOTHING",
                        "AKIASANDBOX333000009",
                        "",
                        "key is 120 days old",
                        Outcome.NONE,
                        "",
                        "")))),
        List.of());
  }

  private static AccountReport dev() {
    return account(
        "444444444444",
        "dev-workloads",
        "Workloads/Dev",
        AccountStatus.DRY_RUN,
        "",
        "dry-run",
        policy("dry-run"),
        sources("overrides[0] account 444444444444 (line 48)"),
        1,
        List.of(
            user(
                "dev-ci",
                "dev-team@example.com",
                List.of(
                    key(
                        "AKIASANDBOX444000001",
                        "Active",
                        170,
                        "2024-12-13T02:00:00Z",
                        "2025-05-31T02:00:00Z")),
                List.of(
                    decision(
                        "CREATE_KEY",
                        "AKIASANDBOX444000001",
                        "",
                        "newest active key AKIASANDBOX444000001 is 170 days old (rotate at 165)",
                        Outcome.PLANNED,
                        "",
                        "")))),
        List.of());
  }

  private static AccountReport sandbox() {
    return account(
        "555555555555",
        "sandbox-experiments",
        "Sandbox",
        AccountStatus.FAILED,
        "sts AssumeRole failed: AccessDenied (arn:aws:iam::555555555555:role/"
            + "OrgKeyRotatorMemberRole is not assumable: role not deployed)",
        "enforce",
        policy("enforce"),
        sources("defaults (line 32)"),
        0,
        List.of(),
        List.of());
  }

  static final String PREVIOUS_RUN_ID = "20250525T020000Z-99aa88bb";

  /**
   * The run a week before {@link #run()}, for the trend: the same accounts and keys seven days
   * younger, nothing done, the sandbox account still reachable, a dev key past the deactivate age
   * that was deleted since, and another policy file.
   */
  static RunReport previous() {
    RunReport now = run();
    List<AccountReport> accounts = new ArrayList<>();
    for (AccountReport a : now.accounts()) {
      List<UserReport> users = new ArrayList<>();
      for (UserReport u : a.users()) {
        List<KeyReport> keys =
            u.keys().stream()
                .map(
                    k ->
                        new KeyReport(
                            k.keyId(),
                            k.status(),
                            k.ageDays() - 7,
                            k.created(),
                            k.lastUsed().filter(t -> t.isBefore(Instant.parse(PREVIOUS_STARTED))),
                            k.secretArn()))
                .toList();
        users.add(
            user(
                u.userName(),
                u.owner(),
                keys,
                keys.isEmpty()
                    ? List.of(decision("NOTHING", "", "", "no access keys", Outcome.NONE, "", ""))
                    : keys.stream()
                        .map(k -> decision("NOTHING", k.keyId(), "", "", Outcome.NONE, "", ""))
                        .toList()));
      }
      if (a.accountId().equals("444444444444")) {
        users.add(
            user(
                "dev-old",
                "dev-team@example.com",
                List.of(key("AKIASANDBOX444000009", "Active", 250, "2024-09-17T02:00:00Z", "")),
                List.of(
                    decision("NOTHING", "AKIASANDBOX444000009", "", "", Outcome.NONE, "", ""))));
      }
      boolean sandbox = a.accountId().equals("555555555555");
      accounts.add(
          new AccountReport(
              a.accountId(),
              a.accountName(),
              a.ouPath(),
              sandbox ? AccountStatus.DONE : a.status(),
              sandbox ? "" : a.reason(),
              a.mode(),
              a.policy(),
              users.size(),
              users,
              List.of(),
              a.scan(),
              a.scanNote()));
    }
    return new RunReport(
        PREVIOUS_RUN_ID,
        Instant.parse(PREVIOUS_STARTED),
        Instant.parse("2025-05-25T02:00:05Z"),
        "per-account",
        "config/rotation.yaml",
        "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        accounts,
        Map.of());
  }

  static final String PREVIOUS_STARTED = "2025-05-25T02:00:00Z";
  static final String PREVIOUS_URI =
      "s3://org-key-rotator-reports-222222222222/reports/2025/05/25/20250525T020000Z-99aa88bb/report.json";

  /** A run with no account at all: every "none" branch of the HTML. */
  static RunReport empty() {
    return new RunReport(
        RUN_ID,
        Instant.parse(STARTED),
        Instant.parse("2025-06-01T02:00:01Z"),
        "dry-run",
        "",
        "",
        List.of(),
        Map.of());
  }

  /**
   * The HTML's remaining branches: an account not reached, users left for the next run, a skipped
   * action, lost notifications, more keys than one chart draws, more users than the details list, a
   * long user name, a policy without a delete age, and control characters.
   */
  static RunReport edges() {
    Map<String, String> reportOnlyPolicy = policy("report-only");
    List<UserReport> many = new ArrayList<>();
    for (int i = 0; i < 21; i++) {
      String name = i == 0 ? "a-very-long-service-account-name-for-the-chart" : "svc-" + i;
      long age = 10L * i;
      many.add(
          new UserReport(
              name,
              i % 2 == 0 ? "team-" + i + "@example.com" : "",
              List.of(
                  key(
                      "AKIAEDGE" + String.format("%012d", 2 * i),
                      "Active",
                      age + 5,
                      "2025-01-01T00:00:00Z",
                      i % 3 == 0 ? "" : "2025-05-31T00:00:00Z"),
                  key(
                      "AKIAEDGE" + String.format("%012d", 2 * i + 1),
                      i % 4 == 0 ? "Inactive" : "Active",
                      age,
                      "2025-01-02T00:00:00Z",
                      "")),
              i == 1
                  ? List.of(
                      decision(
                          "DEACTIVATE_KEY",
                          "AKIAEDGE000000000002",
                          "",
                          "older key",
                          Outcome.FAILED,
                          "",
                          "iam UpdateAccessKey failed:\tAccessDenied\u0007 (bell)"),
                      decision(
                          "DELETE_KEY",
                          "AKIAEDGE000000000002",
                          "",
                          "after the deactivation",
                          Outcome.SKIPPED,
                          "",
                          ""),
                      decision(
                          "CREATE_KEY",
                          "AKIAEDGE000000000003",
                          "",
                          "no error text",
                          Outcome.SKIPPED,
                          "",
                          ""))
                  : List.of(
                      decision(
                          "WARN",
                          "AKIAEDGE" + String.format("%012d", 2 * i),
                          "EXPIRING",
                          "warn 'owner' & \"team\"\r\nnext line",
                          Outcome.PLANNED,
                          "",
                          "")),
              i == 2 ? List.of("a note <b>not bold</b>") : List.of(),
              1,
              i == 2 ? 2 : 0));
    }
    List<UserReport> keyless = new ArrayList<>();
    for (int i = 0; i < HtmlReport.MAX_DETAIL_USERS + 1; i++) {
      keyless.add(user(String.format("u%03d", i), "", List.of(), List.of()));
    }
    AccountReport late =
        account(
            "666666666666",
            "late & <slow>",
            "Late",
            AccountStatus.NOT_REACHED,
            "not started before the deadline",
            "",
            Map.of(),
            Map.of(),
            0,
            List.of(),
            List.of());
    AccountReport reportOnly =
        account(
            "777777777777",
            "report-only",
            "Audit",
            AccountStatus.REPORT_ONLY,
            "",
            "report-only",
            reportOnlyPolicy,
            sources("overrides[1] ou Audit (line 60)"),
            23,
            many,
            List.of("late-1", "late-2"));
    AccountReport big =
        account(
            "888888888888",
            "many-users",
            "",
            AccountStatus.DONE,
            "",
            "enforce",
            policy("enforce"),
            sources("defaults (line 32)"),
            keyless.size(),
            keyless,
            List.of());
    AccountReport skipped =
        account(
            "999999999999",
            "skipped",
            "Excluded",
            AccountStatus.SKIPPED,
            "excluded by organization.excludeOus",
            "",
            Map.of(),
            Map.of(),
            0,
            List.of(),
            List.of());
    return new RunReport(
        "edges-run",
        Instant.parse(STARTED),
        Instant.parse("2025-06-01T02:10:00Z"),
        "report-only",
        "s3://bucket/rotation.yaml",
        "abc",
        List.of(late, reportOnly, big, skipped),
        Map.of());
  }

  private static UserReport user(
      String name, String owner, List<KeyReport> keys, List<DecisionReport> decisions) {
    return new UserReport(name, owner, keys, decisions, List.of(), 0, 0);
  }

  /** A user whose older key AWS reported exposed: rotate-now deactivated it. */
  private static UserReport exposed(
      String name, String owner, List<KeyReport> keys, List<DecisionReport> decisions) {
    return new UserReport(
        name,
        owner,
        keys,
        decisions,
        List.of(),
        0,
        0,
        Optional.of(
            new IncidentReport(
                "exposed",
                "AKIASANDBOX333000003",
                Optional.of("arn:aws:health:global::event/IAM/AWS_RISK_CREDENTIALS_EXPOSED/ev1"),
                Optional.of(Instant.parse("2025-06-01T01:50:00Z")),
                Optional.of("AKIASANDBOX333000004"),
                Optional.empty(),
                Optional.of(Instant.parse("2025-06-01T02:00:05Z")),
                Optional.empty(),
                Optional.of(true),
                List.of("AWSCompromisedKeyQuarantineV3"))));
  }

  private static KeyReport key(
      String id, String status, long age, String created, String lastUsed) {
    return new KeyReport(
        id,
        KeyStatus.fromIam(status),
        age,
        Instant.parse(created),
        lastUsed.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(lastUsed)),
        "");
  }

  private static KeyReport withUse(
      KeyReport k, String service, String region, Optional<FirstUse> first) {
    return new KeyReport(
        k.keyId(),
        k.status(),
        k.ageDays(),
        k.created(),
        k.lastUsed(),
        k.secretArn(),
        service,
        region,
        first);
  }

  private static DecisionReport decision(
      String action,
      String keyId,
      String warning,
      String reason,
      Outcome outcome,
      String secretArn,
      String error) {
    return new DecisionReport(
        Action.valueOf(action),
        keyId,
        warning.isEmpty() ? Optional.empty() : Optional.of(WarningKind.valueOf(warning)),
        reason,
        outcome,
        secretArn,
        error);
  }

  /** An account as the report's text gives it (mode and policy as the JSON spells them). */
  private static AccountReport account(
      String id,
      String name,
      String ou,
      AccountStatus status,
      String reason,
      String mode,
      Map<String, String> policy,
      Map<String, String> sources,
      int scanned,
      List<UserReport> users,
      List<String> notReached) {
    return account(
        id, name, ou, status, reason, mode, policy, sources, scanned, users, notReached, "", "");
  }

  private static AccountReport account(
      String id,
      String name,
      String ou,
      AccountStatus status,
      String reason,
      String mode,
      Map<String, String> policy,
      Map<String, String> sources,
      int scanned,
      List<UserReport> users,
      List<String> notReached,
      String scan,
      String scanNote) {
    return new AccountReport(
        id,
        name,
        ou,
        status,
        reason,
        mode.isEmpty() ? Optional.empty() : Optional.of(Mode.fromLabel(mode)),
        ReportJson.policyInForce(policy, sources),
        scanned,
        users,
        notReached,
        scan.isEmpty() ? Optional.empty() : Optional.of(ScanMode.fromLabel(scan)),
        scanNote);
  }
}
