package dev.keyrotator.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The wire protocol of a service: how requests are read and errors written. */
enum Protocol {
    QUERY, JSON, REST_XML;

    static final String IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
    static final String STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
    static final String SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/";
    static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    static final String JSON_CT = "application/x-amz-json-1.1";

    static Protocol of(String service) {
        return switch (service) {
            case "organizations", "secretsmanager" -> JSON;
            case "s3" -> REST_XML;
            default -> QUERY;
        };
    }

    static String namespace(String service) {
        return switch (service) {
            case "iam" -> IAM_NS;
            case "sns" -> SNS_NS;
            default -> STS_NS;
        };
    }

    /** The service's own throttling error or 500. */
    AwsException fault(String service, FaultRule.Kind kind) {
        if (kind == FaultRule.Kind.THROTTLE) {
            return switch (service) {
                case "organizations" -> new AwsException(400, "TooManyRequestsException", "You have sent too many requests in too short a period of time.");
                case "secretsmanager" -> new AwsException(400, "ThrottlingException", "Rate exceeded");
                case "s3" -> new AwsException(503, "SlowDown", "Please reduce your request rate.");
                default -> new AwsException(400, "Throttling", "Rate exceeded");
            };
        }
        return switch (service) {
            case "iam" -> new AwsException(500, "ServiceFailure", "The request processing has failed because of an unknown error, exception or failure.");
            case "sts" -> new AwsException(500, "InternalFailure", "An internal error occurred.");
            case "sns" -> new AwsException(500, "InternalError", "An internal error occurred.");
            case "organizations" -> new AwsException(500, "ServiceException", "AWS Organizations can't complete your request because of an internal service error.");
            case "secretsmanager" -> new AwsException(500, "InternalServiceError", "An error occurred on the server side.");
            default -> new AwsException(500, "InternalError", "We encountered an internal error. Please try again.");
        };
    }

    Resp error(Ctx c, AwsException e) {
        Resp r;
        switch (this) {
            case JSON -> {
                ObjectNode n = Sandbox.JSON.createObjectNode();
                n.put("__type", e.code());
                n.put("message", e.getMessage());
                r = Resp.of(e.status(), JSON_CT, n.toString());
                r.header("x-amzn-ErrorType", e.code());
            }
            case QUERY -> {
                Xml x = new Xml().open("ErrorResponse", namespace(c.service)).open("Error")
                    .el("Type", e.senderFault() ? "Sender" : "Receiver").el("Code", e.code()).el("Message", e.getMessage())
                    .close("Error").el("RequestId", c.requestId).close("ErrorResponse");
                r = Resp.of(e.status(), "text/xml", x.toString());
            }
            default -> {
                Xml x = new Xml().raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").open("Error").el("Code", e.code())
                    .el("Message", e.getMessage()).el("RequestId", c.requestId).el("HostId", "sandbox").close("Error");
                r = Resp.of(e.status(), "application/xml", x.toString());
                r.header("x-amz-request-id", c.requestId);
            }
        }
        r.header("x-amzn-RequestId", c.requestId);
        r.errorCode = e.code();
        return r;
    }

    static Resp queryOk(Ctx c, String resultXml) {
        String op = c.operation;
        Xml x = new Xml().open(op + "Response", namespace(c.service));
        if (resultXml != null) x.open(op + "Result").raw(resultXml).close(op + "Result");
        x.open("ResponseMetadata").el("RequestId", c.requestId).close("ResponseMetadata").close(op + "Response");
        return Resp.of(200, "text/xml", x.toString()).header("x-amzn-RequestId", c.requestId);
    }

    static Resp jsonOk(Ctx c, ObjectNode n) {
        return Resp.of(200, JSON_CT, n.toString()).header("x-amzn-RequestId", c.requestId);
    }
}
