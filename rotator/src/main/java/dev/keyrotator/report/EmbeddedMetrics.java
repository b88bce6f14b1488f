package dev.keyrotator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.policy.Action;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The run's headline counts as one CloudWatch embedded-metric-format (EMF) log line: printed to the
 * Lambda's log, CloudWatch turns it into metrics in {@link #NAMESPACE} with the dimension {@code
 * Service=org-key-rotator}, so alarms and dashboards need no extra code. The run id and mode ride
 * along as properties (searchable in Logs Insights, not dimensions).
 */
public final class EmbeddedMetrics {
  public static final String NAMESPACE = "OrgKeyRotator";
  public static final String SERVICE = "org-key-rotator";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EmbeddedMetrics() {}

  /** The line for a run whose report delivery is not known (or not configured). */
  public static String line(RunReport r) {
    return line(r, null);
  }

  /** The line, with {@code ReportDeliveryFailed} set from {@code delivery} when given. */
  public static String line(RunReport r, DeliveryResult delivery) {
    return line(r, ReportSummary.of(r), Optional.ofNullable(delivery));
  }

  /** The line for {@code r}, whose summary {@code s} the caller computed once for the run. */
  public static String line(RunReport r, ReportSummary s, Optional<DeliveryResult> delivery) {
    Map<String, Long> m = metrics(s, delivery);
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode aws = root.putObject("_aws");
    long ts = r.finishedAt().toEpochMilli();
    aws.put("Timestamp", ts);
    ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
    directive.put("Namespace", NAMESPACE);
    directive.putArray("Dimensions").addArray().add("Service");
    ArrayNode defs = directive.putArray("Metrics");
    m.keySet()
        .forEach(
            name ->
                defs.addObject()
                    .put("Name", name)
                    .put("Unit", name.endsWith("Days") ? "None" : "Count"));
    root.put("Service", SERVICE);
    root.put("RunId", r.runId());
    root.put("Mode", r.mode());
    m.forEach(root::put);
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Long> metrics(ReportSummary s, Optional<DeliveryResult> delivery) {
    ReportSummary.Totals t = s.totals();
    ReportSummary.Compliance c = s.compliance();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("Accounts", (long) t.accounts());
    m.put(
        "AccountsFailed", (long) t.accountsByStatus().getOrDefault(AccountStatus.FAILED.name(), 0));
    m.put(
        "AccountsNotReached",
        (long) t.accountsByStatus().getOrDefault(AccountStatus.NOT_REACHED.name(), 0));
    m.put("UsersScanned", (long) t.usersScanned());
    m.put("UsersFailed", (long) t.usersFailed());
    m.put("KeysCreated", t.actionsDone().getOrDefault(Action.CREATE_KEY.name(), 0L));
    m.put("KeysDeactivated", t.actionsDone().getOrDefault(Action.DEACTIVATE_KEY.name(), 0L));
    m.put("KeysDeleted", t.actionsDone().getOrDefault(Action.DELETE_KEY.name(), 0L));
    m.put("OwnersWarned", t.actionsDone().getOrDefault(Action.WARN.name(), 0L));
    m.put("ActionsPlanned", t.actionsPlanned().values().stream().mapToLong(Long::longValue).sum());
    m.put("ActionsFailed", t.actionsFailed());
    m.put("ActiveKeysPastDeactivateAge", (long) c.keysPastDeactivateAgeActive());
    m.put("KeysNeverUsed", (long) c.keysNeverUsed());
    m.put("OldestActiveKeyAgeDays", Math.max(0, c.oldestActiveKeyAgeDays()));
    m.put("NotificationsLost", t.notificationsLost());
    m.put("AwsCalls", t.awsCalls());
    m.put("AwsRetries", t.awsRetries());
    m.put("AwsThrottled", t.awsThrottled());
    delivery.ifPresent(d -> m.put("ReportDeliveryFailed", d.ok() ? 0L : 1L));
    return m;
  }
}
