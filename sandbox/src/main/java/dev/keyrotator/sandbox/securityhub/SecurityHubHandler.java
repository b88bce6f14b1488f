package dev.keyrotator.sandbox.securityhub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Json;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Request;
import dev.keyrotator.sandbox.protocol.Resp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AWS Security Hub over REST-JSON: BatchImportFindings ({@code POST /findings/import}) and
 * GetFindings ({@code POST /findings}) for findings of the account's own default product ({@code
 * arn:aws:securityhub:<region>:<account>:product/<account>/default}). As Security Hub does: a
 * finding is keyed by product ARN and id, a re-import updates it (keeping CreatedAt and the
 * workflow the customer set), and an update that archives the finding or marks its compliance
 * PASSED moves a NEW or NOTIFIED workflow to RESOLVED; one that makes it ACTIVE and FAILED again
 * reopens a RESOLVED one as NEW.
 */
public final class SecurityHubHandler implements ServiceHandler {
  /** ASFF fields BatchImportFindings requires. */
  static final List<String> REQUIRED =
      List.of(
          "SchemaVersion",
          "Id",
          "ProductArn",
          "GeneratorId",
          "AwsAccountId",
          "CreatedAt",
          "UpdatedAt",
          "Severity",
          "Title",
          "Description",
          "Resources");

  private static final Operations OPERATIONS =
      new Operations(op -> new AwsException(404, "ResourceNotFoundException", "No operation " + op))
          .on("BatchImportFindings", SecurityHubHandler::batchImportFindings)
          .on("GetFindings", SecurityHubHandler::getFindings);

  @Override
  public String name() {
    return "securityhub";
  }

  @Override
  public Protocol protocol() {
    return Protocol.REST_JSON;
  }

  @Override
  public String operation(Request r) {
    if (r.body.length > 0) {
      try {
        r.json = Json.MAPPER.readTree(r.body);
      } catch (IOException e) {
        throw new AwsException(400, "InvalidInputException", "Cannot parse the request body");
      }
    }
    String path = r.rawPath.replaceAll("/+$", "");
    if (r.method.equals("POST") && path.equals("/findings/import")) {
      return "BatchImportFindings";
    }
    if (r.method.equals("POST") && path.equals("/findings")) {
      return "GetFindings";
    }
    return r.method + " " + path;
  }

  @Override
  public Resp handle(Call c) {
    return OPERATIONS.dispatch(c);
  }

  @Override
  public AwsException throttled() {
    return new AwsException(429, "TooManyRequestsException", "Rate exceeded");
  }

  @Override
  public AwsException internalError() {
    return new AwsException(500, "InternalException", "Internal service error");
  }

  private static String defaultProduct(Call c) {
    String a = c.account().id;
    return "arn:aws:securityhub:" + c.region + ":" + a + ":product/" + a + "/default";
  }

  private static String key(Call c, String productArn, String id) {
    return c.account().id + "|" + c.region + "|" + productArn + "|" + id;
  }

  private static Resp batchImportFindings(Call c) {
    JsonNode findings = c.json.get("Findings");
    if (findings == null || !findings.isArray() || findings.isEmpty() || findings.size() > 100) {
      throw new AwsException(400, "InvalidInputException", "Findings must hold 1 to 100 findings");
    }
    ArrayNode failed = Json.MAPPER.createArrayNode();
    int ok = 0;
    for (JsonNode f : findings) {
      String problem = problem(c, f);
      if (problem != null) {
        failed
            .addObject()
            .put("Id", f.path("Id").asText(""))
            .put("ErrorCode", "InvalidInput")
            .put("ErrorMessage", problem);
        continue;
      }
      store(c, (ObjectNode) f.deepCopy());
      ok++;
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("FailedCount", failed.size());
    out.put("SuccessCount", ok);
    out.set("FailedFindings", failed);
    return Resp.of(200, "application/json", out.toString());
  }

  private static String problem(Call c, JsonNode f) {
    if (!f.isObject()) {
      return "A finding must be an object";
    }
    for (String field : REQUIRED) {
      if (!f.hasNonNull(field)) {
        return "Finding is missing required field " + field;
      }
    }
    if (!f.get("ProductArn").asText().equals(defaultProduct(c))) {
      return "ProductArn " + f.get("ProductArn").asText() + " is not " + defaultProduct(c);
    }
    if (!f.get("AwsAccountId").asText().equals(c.account().id)) {
      return "AwsAccountId must be the importing account " + c.account().id;
    }
    if (!f.get("SchemaVersion").asText().equals("2018-10-08")) {
      return "SchemaVersion must be 2018-10-08";
    }
    if (!f.get("Resources").isArray() || f.get("Resources").isEmpty()) {
      return "Resources must hold at least one resource";
    }
    if (!f.path("Severity").hasNonNull("Label") && !f.path("Severity").hasNonNull("Normalized")) {
      return "Severity needs a Label";
    }
    String record = f.path("RecordState").asText("ACTIVE");
    if (!record.equals("ACTIVE") && !record.equals("ARCHIVED")) {
      return "RecordState must be ACTIVE or ARCHIVED";
    }
    return null;
  }

  private static void store(Call c, ObjectNode f) {
    String k = key(c, f.get("ProductArn").asText(), f.get("Id").asText());
    ObjectNode old = c.state.findings.get(k);
    String record = f.path("RecordState").asText("ACTIVE");
    f.put("RecordState", record);
    String compliance = f.path("Compliance").path("Status").asText("");
    String workflow;
    if (old == null) {
      workflow = "NEW";
    } else {
      f.put("CreatedAt", old.get("CreatedAt").asText());
      workflow = old.path("Workflow").path("Status").asText("NEW");
    }
    boolean resolvedNow =
        (old == null || old.path("RecordState").asText("ACTIVE").equals("ACTIVE"))
                && record.equals("ARCHIVED")
            || compliance.equals("PASSED");
    if (resolvedNow && (workflow.equals("NEW") || workflow.equals("NOTIFIED"))) {
      workflow = "RESOLVED";
    } else if (record.equals("ACTIVE")
        && workflow.equals("RESOLVED")
        && !compliance.equals("PASSED")) {
      workflow = "NEW";
    }
    f.putObject("Workflow").put("Status", workflow);
    f.put("WorkflowState", workflow.equals("RESOLVED") ? "RESOLVED" : "NEW");
    f.put("ProcessedAt", c.state.now().toString());
    c.state.findings.put(k, f);
  }

  private static Resp getFindings(Call c) {
    JsonNode filters = c.json.path("Filters");
    int max = c.json.path("MaxResults").asInt(100);
    if (max < 1 || max > 100) {
      throw new AwsException(400, "InvalidInputException", "MaxResults must be 1 to 100");
    }
    int start = 0;
    String token = c.json.path("NextToken").asText("");
    if (!token.isEmpty()) {
      try {
        start = Integer.parseInt(token);
      } catch (NumberFormatException e) {
        throw new AwsException(400, "InvalidInputException", "Invalid NextToken");
      }
    }
    String prefix = c.account().id + "|" + c.region + "|";
    List<ObjectNode> matching = new ArrayList<>();
    for (Map.Entry<String, ObjectNode> e : c.state.findings.entrySet()) {
      if (e.getKey().startsWith(prefix) && matches(e.getValue(), filters)) {
        matching.add(e.getValue());
      }
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    ArrayNode page = out.putArray("Findings");
    for (int i = start; i < Math.min(matching.size(), start + max); i++) {
      page.add(matching.get(i));
    }
    if (start + max < matching.size()) {
      out.put("NextToken", String.valueOf(start + max));
    }
    return Resp.of(200, "application/json", out.toString());
  }

  /** String filters on top-level and Workflow fields, EQUALS, NOT_EQUALS and PREFIX. */
  private static boolean matches(ObjectNode f, JsonNode filters) {
    var names = filters.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      String value =
          switch (name) {
            case "WorkflowStatus" -> f.path("Workflow").path("Status").asText("");
            case "ComplianceStatus" -> f.path("Compliance").path("Status").asText("");
            default -> f.path(name).asText("");
          };
      boolean any = false;
      boolean allNot = true;
      boolean hasPositive = false;
      for (JsonNode cond : filters.get(name)) {
        String v = cond.path("Value").asText();
        switch (cond.path("Comparison").asText("EQUALS")) {
          case "EQUALS" -> {
            hasPositive = true;
            any |= value.equals(v);
          }
          case "PREFIX" -> {
            hasPositive = true;
            any |= value.startsWith(v);
          }
          case "NOT_EQUALS" -> allNot &= !value.equals(v);
          default ->
              throw new AwsException(
                  400, "InvalidInputException", "Unsupported comparison for " + name);
        }
      }
      if ((hasPositive && !any) || !allNot) {
        return false;
      }
    }
    return true;
  }
}
