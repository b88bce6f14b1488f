package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.policy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What each format must hold, beyond the golden files. */
class ReportFormatsTest {
  private final RunReport run = ReportFixtures.run();

  // ------------------------------------------------------------------ CSV

  @Test
  void csvHasOneRowPerKeyAndKeepsAccountsAndUsersWithoutKeys() {
    List<List<String>> rows = Rfc4180.parse(CsvReport.render(run));
    List<String> header = rows.get(0);
    assertThat(header).isEqualTo(CsvReport.COLUMNS);
    List<Map<String, String>> records =
        rows.subList(1, rows.size()).stream()
            .map(
                r -> {
                  assertThat(r).hasSize(header.size());
                  Map<String, String> m = new java.util.LinkedHashMap<>();
                  for (int i = 0; i < r.size(); i++) {
                    m.put(header.get(i), r.get(i));
                  }
                  return m;
                })
            .toList();
    // every key found, plus the created one
    assertThat(records.stream().filter(r -> r.get("row_type").endsWith("key")).count())
        .isEqualTo(
            run.accounts().stream()
                    .flatMap(a -> a.users().stream())
                    .mapToLong(u -> u.keys().size())
                    .sum()
                + 1);
    assertThat(records)
        .anySatisfy(
            r ->
                assertThat(r)
                    .containsEntry("row_type", "account")
                    .containsEntry("account_id", "555555555555")
                    .containsEntry("account_status", "FAILED"));
    assertThat(records)
        .anySatisfy(
            r ->
                assertThat(r)
                    .containsEntry("row_type", "account")
                    .containsEntry("account_id", "111111111111")
                    .containsEntry("account_status", "SKIPPED"));
    assertThat(records)
        .anySatisfy(
            r ->
                assertThat(r)
                    .containsEntry("row_type", "user")
                    .containsEntry("user_name", "readonly-auditor"));
    assertThat(records.stream().map(r -> r.get("account_id")).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "111111111111", "222222222222", "333333333333", "444444444444", "555555555555");
  }

  @Test
  void csvQuotesPerRfc4180AndDefusesFormulas() {
    String csv = CsvReport.render(run);
    assertThat(csv).contains("\r\n").doesNotContain("\n\n");
    assertThat(csv.replace("\r\n", "")).doesNotContain("\n");
    List<List<String>> rows = Rfc4180.parse(csv);
    List<String> hostile =
        rows.stream()
            .filter(r -> r.contains("'" + ReportFixtures.FORMULA_USER))
            .findFirst()
            .orElseThrow();
    assertThat(hostile).contains(ReportFixtures.HOSTILE_OWNER);
    assertThat(CsvReport.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(CsvReport.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(CsvReport.field("two\nlines")).isEqualTo("\"two\nlines\"");
    assertThat(CsvReport.field("=SUM(A1)")).isEqualTo("'=SUM(A1)");
    assertThat(CsvReport.field("-12")).isEqualTo("-12");
    assertThat(CsvReport.field("plain")).isEqualTo("plain");
  }

  // ------------------------------------------------------------------ HTML

  @Test
  void htmlEscapesEverythingAndLoadsNothingFromOutside() {
    String html = HtmlReport.render(run);
    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("alert(1)</script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("Ops, &quot;Night&quot;");
    assertThat(html.toLowerCase())
        .doesNotContain("src=\"http")
        .doesNotContain("href=\"http")
        .doesNotContain("@import")
        .doesNotContain("url(");
    assertThat(html).contains("default-src 'none'");
  }

  @Test
  void htmlHasEverySectionAndAccountAndAChartPerScannedAccount() {
    String html = HtmlReport.render(run);
    for (String s : HtmlReport.SECTIONS) {
      assertThat(html).contains("<section id=\"" + s + "\">");
    }
    for (AccountReport a : run.accounts()) {
      assertThat(html).contains(a.accountId());
    }
    assertThat(html)
        .contains("aria-label=\"Key ages in account 333333333333\"")
        .contains("aria-label=\"Key ages in account 444444444444\"")
        .contains(">deactivate 180<")
        .contains(">create 165<")
        .contains(">delete 185<");
    assertThat(html).contains("iam DeleteAccessKey failed: Throttling");
  }

  // ------------------------------------------------------------------ summary

  @Test
  void complianceCountsTheKeysAsTheRunLeftThem() {
    ReportSummary s = ReportSummary.of(run);
    // etl-loader (181, in use) and break-glass (300, exempt); batch-reports' 181-day key was
    // deactivated by this run and no longer counts
    assertThat(s.compliance().keysPastDeactivateAgeActive()).isEqualTo(2);
    assertThat(s.compliance().keysPastDeactivateAgeActiveExempt()).isEqualTo(1);
    assertThat(s.compliance().accountsFailed()).containsExactly("555555555555");
    assertThat(s.compliance().oldestActiveKeyAgeDays()).isEqualTo(300);
    assertThat(s.totals().actionsDone())
        .containsEntry("CREATE_KEY", 1L)
        .containsEntry("DEACTIVATE_KEY", 1L)
        .containsEntry("DELETE_KEY", 1L)
        .containsEntry("WARN", 1L);
    assertThat(s.totals().awsRetries()).isEqualTo(3);
    assertThat(s.totals().awsThrottled()).isEqualTo(2);
    // the exempt user's keys have no next action; the deleted key is gone
    assertThat(s.nextActions())
        .noneMatch(n -> n.userName().equals("break-glass"))
        .noneMatch(n -> n.keyId().equals("AKIASANDBOX333000006"));
    assertThat(s.nextActions())
        .anySatisfy(
            n -> {
              assertThat(n.keyId()).isEqualTo("AKIASANDBOX333000003");
              assertThat(n.action()).isEqualTo(Action.DELETE_KEY);
              assertThat(n.dueInDays()).isEqualTo(4);
              assertThat(n.dueOn()).isEqualTo("2025-06-05");
            });
  }

  @Test
  void failedDryRunAndExemptAppearWithTheirStatusAndReason() {
    String text = SummaryText.render(run);
    assertThat(text)
        .contains("555555555555 sandbox-experiments: FAILED - sts AssumeRole failed")
        .contains("1 dry-run")
        .contains("1 exempt");
    String csv = CsvReport.render(run);
    assertThat(csv)
        .contains("444444444444,dev-workloads,Workloads/Dev,DRY_RUN,dry-run")
        .contains("break-glass,secops@example.com,true");
  }

  // ------------------------------------------------------------------ EMF

  @Test
  void embeddedMetricLineDeclaresEveryMetricItCarries() throws Exception {
    JsonNode line = new ObjectMapper().readTree(EmbeddedMetrics.line(run));
    JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
    assertThat(line.get("_aws").get("Timestamp").asLong()).isEqualTo(1748743207250L);
    assertThat(directive.get("Namespace").asText()).isEqualTo("OrgKeyRotator");
    assertThat(directive.get("Dimensions").get(0).get(0).asText()).isEqualTo("Service");
    assertThat(line.get("Service").asText()).isEqualTo("org-key-rotator");
    List<String> names = new ArrayList<>();
    directive.get("Metrics").forEach(m -> names.add(m.get("Name").asText()));
    for (String n : names) {
      assertThat(line.get(n)).as(n).isNotNull();
      assertThat(line.get(n).isNumber()).as(n).isTrue();
    }
    assertThat(names)
        .contains("AccountsFailed", "KeysCreated", "ActiveKeysPastDeactivateAge", "AwsThrottled");
    assertThat(line.get("AccountsFailed").asLong()).isEqualTo(1);
    assertThat(line.get("KeysCreated").asLong()).isEqualTo(1);
    assertThat(EmbeddedMetrics.line(run)).doesNotContain("\n");
    assertThat(
            new ObjectMapper()
                .readTree(
                    EmbeddedMetrics.line(
                        run, new DeliveryResult(true, List.of(), false, List.of("boom"))))
                .get("ReportDeliveryFailed")
                .asLong())
        .isEqualTo(1);
  }

  /** A strict RFC 4180 reader for the tests. */
  static final class Rfc4180 {
    static List<List<String>> parse(String s) {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      boolean quoted = false;
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
            f.append('"');
            i += 2;
            continue;
          }
          if (c == '"') {
            quoted = false;
          } else {
            f.append(c);
          }
          i++;
          continue;
        }
        if (c == '"') {
          if (f.length() != 0) {
            throw new IllegalArgumentException("quote inside an unquoted field at " + i);
          }
          quoted = true;
        } else if (c == ',') {
          row.add(f.toString());
          f.setLength(0);
        } else if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          row.add(f.toString());
          f.setLength(0);
          rows.add(row);
          row = new ArrayList<>();
          i++;
        } else if (c == '\n' || c == '\r') {
          throw new IllegalArgumentException("bare line break at " + i);
        } else {
          f.append(c);
        }
        i++;
      }
      if (quoted) {
        throw new IllegalArgumentException("unterminated quote");
      }
      if (f.length() > 0 || !row.isEmpty()) {
        row.add(f.toString());
        rows.add(row);
      }
      return rows;
    }
  }
}
