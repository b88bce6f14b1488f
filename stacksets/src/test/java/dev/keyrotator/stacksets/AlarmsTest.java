package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.stacksets.Templates.Statement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The central stack's alarms: on what they fire, where they go, and that every metric of the
 * rotator's own namespace an alarm names is one the code emits (read from EmbeddedMetrics.java).
 */
class AlarmsTest {
  private static final String C = "central.yaml";
  private static final Path EMBEDDED_METRICS =
      Templates.MODULE
          .resolveSibling("rotator")
          .resolve("src/main/java/dev/keyrotator/report/EmbeddedMetrics.java");

  /** What EmbeddedMetrics.java emits: namespace, the one dimension and its value, metric names. */
  record Emitted(String namespace, String dimension, String service, Set<String> metrics) {
    static Emitted read() throws IOException {
      String src = Files.readString(EMBEDDED_METRICS);
      Set<String> names = new LinkedHashSet<>();
      Matcher m = Pattern.compile("m\\.put\\(\\s*\"([A-Za-z]+)\"").matcher(src);
      while (m.find()) {
        names.add(m.group(1));
      }
      return new Emitted(
          constant(src, "NAMESPACE"),
          one(src, "putArray\\(\"Dimensions\"\\)\\.addArray\\(\\)\\.add\\(\"([A-Za-z]+)\"\\)"),
          constant(src, "SERVICE"),
          names);
    }

    private static String constant(String src, String name) {
      return one(src, "static final String " + name + " = \"([^\"]+)\";");
    }

    private static String one(String src, String regex) {
      Matcher m = Pattern.compile(regex).matcher(src);
      assertThat(m.find()).as("%s in %s", regex, EMBEDDED_METRICS).isTrue();
      return m.group(1);
    }
  }

  static Map<String, Map<String, Object>> alarms() {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : Templates.section(C, "Resources").entrySet()) {
      if ("AWS::CloudWatch::Alarm".equals(map(e.getValue()).get("Type"))) {
        out.put(e.getKey(), map(map(e.getValue()).get("Properties")));
      }
    }
    return out;
  }

  /** Every metric an alarm reads: {Namespace, MetricName, Dimensions}, single or metric math. */
  static List<Map<String, Object>> metricsOf(Map<String, Object> alarm) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (alarm.containsKey("MetricName")) {
      out.add(alarm);
    }
    for (Object q : list(alarm.get("Metrics"))) {
      Map<String, Object> stat = map(map(q).get("MetricStat"));
      if (!stat.isEmpty()) {
        out.add(map(stat.get("Metric")));
      }
    }
    return out;
  }

  @Test
  void theCodeEmitsTheMetricsTheAlarmsAreAbout() throws IOException {
    Emitted e = Emitted.read();
    assertThat(e.namespace()).isEqualTo("OrgKeyRotator");
    assertThat(e.metrics()).contains("AccountsFailed", "ReportDeliveryFailed");
  }

  @Test
  void everyAlarmOnTheRotatorsNamespaceNamesAMetricTheCodeEmitsWithItsDimension()
      throws IOException {
    Emitted e = Emitted.read();
    Set<String> alarmed = new LinkedHashSet<>();
    for (Map.Entry<String, Map<String, Object>> a : alarms().entrySet()) {
      for (Map<String, Object> metric : metricsOf(a.getValue())) {
        String ns = (String) metric.get("Namespace");
        assertThat(ns).as(a.getKey()).isNotNull();
        if (!ns.startsWith("AWS/")) {
          assertThat(ns).as("%s: the rotator's namespace", a.getKey()).isEqualTo(e.namespace());
          assertThat(e.metrics())
              .as("%s: metrics EmbeddedMetrics emits", a.getKey())
              .contains((String) metric.get("MetricName"));
          // EMF metrics exist per dimension set: an alarm must name exactly the emitted one.
          assertThat(list(metric.get("Dimensions")))
              .as(a.getKey())
              .containsExactly(Map.of("Name", e.dimension(), "Value", e.service()));
          alarmed.add((String) metric.get("MetricName"));
        }
      }
    }
    assertThat(alarmed).containsExactlyInAnyOrder("AccountsFailed", "ReportDeliveryFailed");
  }

  @Test
  void failureCountersAlarmOnAnyFailureAndNotOnARunThatDidNotHappen() {
    Map<String, Map<String, Object>> a = alarms();
    assertThat(a)
        .containsKeys(
            "ErrorsAlarm",
            "DeadLetterQueueAlarm",
            "AccountsFailedAlarm",
            "ReportDeliveryFailedAlarm",
            "FanOutFailedAlarm");
    for (String id : List.of("AccountsFailedAlarm", "ReportDeliveryFailedAlarm")) {
      assertThat(a.get(id))
          .as(id)
          .containsEntry("Threshold", 0)
          .containsEntry("ComparisonOperator", "GreaterThanThreshold")
          .containsEntry("EvaluationPeriods", 1);
    }
    assertThat(a.get("AccountsFailedAlarm")).containsEntry("MetricName", "AccountsFailed");
    assertThat(a.get("ReportDeliveryFailedAlarm"))
        .containsEntry("MetricName", "ReportDeliveryFailed");
    a.forEach(
        (id, alarm) -> assertThat(alarm).as(id).containsEntry("TreatMissingData", "notBreaching"));
    assertThat(Templates.resource(C, "FanOutFailedAlarm"))
        .containsEntry("Condition", "FanOutEnabled");
  }

  @Test
  void everyAlarmGoesToTheSecurityTopicAndTheOptionalOpsTopicNeverToTheOwners() {
    Object ops =
        Map.of(
            "Fn::If",
            List.of("HasOpsTopic", Map.of("Ref", "OpsTopicArn"), Map.of("Ref", "AWS::NoValue")));
    alarms()
        .forEach(
            (id, alarm) -> {
              assertThat(list(alarm.get("AlarmActions")))
                  .as(id)
                  .containsExactly(Map.of("Ref", "SecurityTopicArn"), ops);
              assertThat(alarm.toString()).as(id).doesNotContain("NotificationTopic");
            });
    Map<String, Object> param = map(Templates.section(C, "Parameters").get("OpsTopicArn"));
    assertThat(param).containsEntry("Default", "");
    assertThat("").matches((String) param.get("AllowedPattern"));
    assertThat("arn:aws:sns:us-east-1:444444444444:ops-alarms")
        .matches((String) param.get("AllowedPattern"));
    assertThat(Templates.section(C, "Conditions").get("HasOpsTopic"))
        .isEqualTo(
            Map.of(
                "Fn::Not",
                List.of(Map.of("Fn::Equals", List.of(Map.of("Ref", "OpsTopicArn"), "")))));
  }

  @Test
  void theOwnersTopicAndItsKeyNoLongerAdmitCloudWatch() {
    assertThat(Templates.props(C, "NotificationKey").toString()).doesNotContain("cloudwatch");
    assertThat(Templates.props(C, "NotificationTopicPolicy").toString())
        .doesNotContain("cloudwatch");
  }

  @Test
  void theSecurityTopicAndItsKeyAdmitCloudWatchOfTheCentralAccountOnly() {
    String s = "security-account.yaml";
    List<Statement> key =
        Templates.statements(Templates.props(s, "SecurityTopicKey").get("KeyPolicy"));
    assertThat(key)
        .filteredOn(st -> map(st.body().get("Principal")).containsValue("cloudwatch.amazonaws.com"))
        .singleElement()
        .satisfies(
            st -> {
              assertThat(st.actions())
                  .containsExactlyInAnyOrder("kms:GenerateDataKey", "kms:Decrypt");
              assertThat(map(map(st.body().get("Condition")).get("StringEquals")))
                  .containsEntry("aws:SourceAccount", ResourcesTest.CENTRAL_ACCOUNT);
            });
    List<Statement> topic =
        Templates.statements(Templates.props(s, "SecurityTopicPolicy").get("PolicyDocument"));
    assertThat(topic)
        .filteredOn(st -> "OnlyCentralRotatorPublishes".equals(st.body().get("Sid")))
        .singleElement()
        .satisfies(
            st -> {
              Map<String, Object> cond = map(st.body().get("Condition"));
              assertThat(map(cond.get("ArnNotEquals")))
                  .containsEntry("aws:PrincipalArn", Map.of("Ref", "CentralExecutionRoleArn"));
              assertThat(map(cond.get("StringNotEquals")))
                  .containsEntry("aws:SourceAccount", ResourcesTest.CENTRAL_ACCOUNT);
            });
  }
}
