package dev.keyrotator.sandbox.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The wire protocol of a service: how requests are read and errors written. */
public enum Protocol {
  QUERY,
  JSON,
  REST_XML,
  /** REST with JSON bodies (Security Hub): operations by method and path. */
  REST_JSON;

  public static final String IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
  public static final String STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
  public static final String SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/";
  public static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  public static final String JSON_CT = "application/x-amz-json-1.1";

  static String namespace(String service) {
    return switch (service) {
      case "iam" -> IAM_NS;
      case "sns" -> SNS_NS;
      default -> STS_NS;
    };
  }

  /**
   * Reads the operation name (JSON: {@code X-Amz-Target}, Query: {@code Action}) and the parameters
   * into {@code r}. REST services name their operations by method and path, which only the service
   * knows: for {@link #REST_XML} this throws.
   */
  public String operation(Request r) {
    switch (this) {
      case JSON -> {
        String target = r.header("x-amz-target");
        if (target == null || target.indexOf('.') < 0)
          throw new AwsException(400, "UnknownOperationException", "Missing X-Amz-Target");
        if (r.body.length > 0) {
          try {
            r.json = Json.MAPPER.readTree(r.body);
          } catch (IOException e) {
            throw new AwsException(400, "SerializationException", "Cannot parse JSON body");
          }
        }
        return target.substring(target.indexOf('.') + 1);
      }
      case QUERY -> {
        r.params.putAll(Request.parseForm(r.rawQuery));
        String ct = r.header("content-type");
        if (ct == null || ct.startsWith("application/x-www-form-urlencoded")) {
          r.params.putAll(Request.parseForm(new String(r.body, StandardCharsets.UTF_8)));
        }
        String action = r.params.get("Action");
        if (action == null) throw new AwsException(400, "MissingAction", "Missing Action");
        return action;
      }
      default -> throw new IllegalStateException("a REST service names its own operations");
    }
  }

  public Resp error(Request c, AwsException e) {
    Resp r;
    switch (this) {
      case JSON -> {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("__type", e.code());
        n.put("message", e.getMessage());
        r = Resp.of(e.status(), JSON_CT, n.toString());
        r.header("x-amzn-ErrorType", e.code());
      }
      case QUERY -> {
        Xml x =
            new Xml()
                .open("ErrorResponse", namespace(c.service))
                .open("Error")
                .el("Type", e.senderFault() ? "Sender" : "Receiver")
                .el("Code", e.code())
                .el("Message", e.getMessage())
                .close("Error")
                .el("RequestId", c.requestId)
                .close("ErrorResponse");
        r = Resp.of(e.status(), "text/xml", x.toString());
      }
      case REST_JSON -> {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("Code", e.code());
        n.put("Message", e.getMessage());
        r = Resp.of(e.status(), "application/json", n.toString());
        r.header("x-amzn-ErrorType", e.code());
      }
      default -> {
        Xml x =
            new Xml()
                .raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .open("Error")
                .el("Code", e.code())
                .el("Message", e.getMessage())
                .el("RequestId", c.requestId)
                .el("HostId", "sandbox")
                .close("Error");
        r = Resp.of(e.status(), "application/xml", x.toString());
        r.header("x-amz-request-id", c.requestId);
      }
    }
    r.header("x-amzn-RequestId", c.requestId);
    r.errorCode = e.code();
    return r;
  }

  public static Resp queryOk(Request c, String resultXml) {
    String op = c.operation;
    Xml x = new Xml().open(op + "Response", namespace(c.service));
    if (resultXml != null) x.open(op + "Result").raw(resultXml).close(op + "Result");
    x.open("ResponseMetadata")
        .el("RequestId", c.requestId)
        .close("ResponseMetadata")
        .close(op + "Response");
    return Resp.of(200, "text/xml", x.toString()).header("x-amzn-RequestId", c.requestId);
  }

  public static Resp jsonOk(Request c, ObjectNode n) {
    return Resp.of(200, JSON_CT, n.toString()).header("x-amzn-RequestId", c.requestId);
  }
}
