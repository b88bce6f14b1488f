package dev.keyrotator.sandbox;

import com.sun.net.httpserver.HttpExchange;
import dev.keyrotator.sandbox.admin.AdminApi;
import dev.keyrotator.sandbox.faults.Decision;
import dev.keyrotator.sandbox.faults.Fault;
import dev.keyrotator.sandbox.faults.FaultInjector;
import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iam.IamHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.iampolicy.Caller;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import dev.keyrotator.sandbox.organizations.OrganizationsHandler;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.protocol.SigV4;
import dev.keyrotator.sandbox.s3.S3Handler;
import dev.keyrotator.sandbox.secretsmanager.SecretsManagerHandler;
import dev.keyrotator.sandbox.securityhub.SecurityHubHandler;
import dev.keyrotator.sandbox.sns.SnsHandler;
import dev.keyrotator.sandbox.state.State;
import dev.keyrotator.sandbox.sts.StsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The sandbox's HTTP front: {@code /_sandbox/} goes to the admin API; everything else is an AWS
 * request, routed by the service in its SigV4 credential scope to that service's {@link
 * ServiceHandler} after the caller is authenticated and the fault rules have had their say. Every
 * AWS request is recorded.
 */
final class Gateway {
  /** The services the sandbox speaks, by SigV4 signing name. */
  static final Map<String, ServiceHandler> HANDLERS =
      byName(
          List.of(
              new IamHandler(),
              new StsHandler(),
              new OrganizationsHandler(),
              new SecretsManagerHandler(),
              new SnsHandler(),
              new S3Handler(),
              new SecurityHubHandler()));

  /** Answers a service the sandbox does not speak (read as Query, so the error is well-formed). */
  private static final ServiceHandler UNKNOWN =
      new ServiceHandler() {
        @Override
        public String name() {
          return "unknown";
        }

        @Override
        public Protocol protocol() {
          return Protocol.QUERY;
        }

        @Override
        public Resp handle(Call c) {
          throw new AwsException(400, "UnknownService", "The sandbox does not speak " + c.service);
        }

        @Override
        public AwsException internalError() {
          return new AwsException(
              500, "InternalError", "We encountered an internal error. Please try again.");
        }
      };

  private final SandboxOptions options;
  private final SandboxClock clock;
  private final FaultInjector faults;
  private final CallLog calls;
  private final Supplier<State> state;
  private final AdminApi.Controls admin;

  Gateway(
      SandboxOptions options,
      SandboxClock clock,
      FaultInjector faults,
      CallLog calls,
      Supplier<State> state,
      AdminApi.Controls admin) {
    this.options = options;
    this.clock = clock;
    this.faults = faults;
    this.calls = calls;
    this.state = state;
    this.admin = admin;
  }

  private static Map<String, ServiceHandler> byName(List<ServiceHandler> handlers) {
    Map<String, ServiceHandler> m = new LinkedHashMap<>();
    for (ServiceHandler h : handlers) m.put(h.name(), h);
    return Map.copyOf(m);
  }

  void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (ex.getRemoteAddress() != null) calls.connectionFrom(ex.getRemoteAddress().toString());
      String path = ex.getRequestURI().getRawPath();
      Resp resp;
      if (path.startsWith("/_sandbox/") || path.equals("/_sandbox")) {
        resp =
            AdminApi.handle(
                admin, ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), body);
      } else {
        resp = aws(ex, body);
      }
      send(ex, resp);
    } catch (RuntimeException e) {
      e.printStackTrace();
      try {
        send(ex, Resp.of(500, "text/plain", "sandbox internal error: " + e));
      } catch (IOException ignored) {
        // client went away
      }
    }
  }

  private static void send(HttpExchange ex, Resp r) throws IOException {
    if (r.contentType != null) ex.getResponseHeaders().set("Content-Type", r.contentType);
    r.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    boolean head = "HEAD".equals(ex.getRequestMethod());
    if (head || r.noBody) {
      ex.sendResponseHeaders(r.status, -1);
    } else {
      ex.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
      if (r.body.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(r.body);
        }
      }
    }
  }

  private Resp aws(HttpExchange ex, byte[] body) {
    Call c = new Call();
    c.arrivedNanos = System.nanoTime();
    c.method = ex.getRequestMethod();
    c.rawPath = ex.getRequestURI().getRawPath();
    c.rawQuery = ex.getRequestURI().getRawQuery();
    c.headers = new TreeMap<>();
    ex.getRequestHeaders().forEach((k, v) -> c.headers.put(k.toLowerCase(), v));
    c.body = body;
    c.requestId = UUID.randomUUID().toString();
    SigV4.Auth auth = SigV4.parse(c.header("authorization"));
    c.service = auth != null ? auth.service() : guessService(c);
    c.region = auth != null ? auth.region() : "us-east-1";
    ServiceHandler handler = HANDLERS.getOrDefault(c.service, UNKNOWN);
    Protocol proto = handler.protocol();
    Resp resp;
    String accountId = null;
    String keyId = auth != null ? auth.keyId() : null;
    try {
      c.operation = handler.operation(c);
    } catch (AwsException e) {
      c.operation = "Unknown";
      Resp r = proto.error(c, e);
      record(c, null, keyId, r);
      return r;
    }
    boolean fault = false;
    Decision d = null;
    try {
      if (auth == null)
        throw new AwsException(
            403, "MissingAuthenticationToken", "Request is missing Authentication Token");
      State s = state.get();
      State.Principal p;
      synchronized (s) {
        p = authenticate(s, c, auth, proto);
        accountId = p.account.id;
      }
      c.caller = p;
      c.state = s;
      d = faults.decide(c.service, c.operation, accountId);
      if (d.stallBefore) faults.stall();
      if (d.latencyMs > 0) sleep(d.latencyMs);
      if (d.fail != null) {
        fault = true;
        throw d.fail == Fault.THROTTLE ? handler.throttled() : handler.internalError();
      }
      synchronized (s) {
        if (p.kind == State.Kind.USER) {
          p.key.lastUsed = clock.now();
          p.key.lastService = c.service;
          p.key.lastRegion = c.region;
        }
        authorize(handler, c, p);
        resp = handler.handle(c);
      }
    } catch (AwsException e) {
      resp = proto.error(c, e);
    }
    resp.fault = fault;
    record(c, accountId, keyId, resp);
    if (d != null && d.stallAfter) faults.stall();
    if (!options.quiet()) {
      System.err.printf(
          "%s %s %s %s:%s -> %d %s%n",
          clock.now(),
          accountId,
          keyId,
          c.service,
          c.operation,
          resp.status,
          resp.errorCode == null ? "" : resp.errorCode);
    }
    return resp;
  }

  private void record(Call c, String accountId, String keyId, Resp r) {
    calls.add(
        new CallRecord(
            clock.now(),
            accountId,
            keyId,
            c.service,
            c.operation,
            r.status,
            r.fault,
            r.errorCode,
            c.caller == null ? null : c.caller.principalArn(),
            c.authorizedActions,
            c.caller != null && c.caller.enforced(),
            "iam".equals(c.service) ? c.param("UserName") : null));
  }

  /**
   * IAM's decision for the call: the caller's identity policies (for deployed roles; admins and
   * users are not checked) and the resource's policy (a bucket policy). An explicit Deny in either
   * refuses; within one account an Allow in either suffices; across accounts the identity policy
   * must allow and so must the resource policy (a resource without one keeps the sandbox's simple
   * cross-account rule, which its handler applies). The actions evaluated go to the call log (the
   * last one is the refused one when the call is denied).
   */
  private static void authorize(ServiceHandler handler, Call c, State.Principal p) {
    List<AuthRequest> requests = handler.authorization(c);
    List<String> actions = new ArrayList<>();
    c.authorizedActions = actions;
    State s = c.state;
    for (AuthRequest r : requests) {
      actions.add(r.action);
      r.key("aws:PrincipalArn", p.principalArn())
          .key("aws:PrincipalAccount", p.account.id)
          .key("aws:PrincipalOrgID", s.inOrganization(p.account.id) ? s.orgId : null)
          .key("aws:SecureTransport", "true")
          .key("aws:RequestedRegion", c.region);
      if (r.resourceAccount != null) {
        r.key("aws:ResourceAccount", r.resourceAccount)
            .key("aws:ResourceOrgID", s.inOrganization(r.resourceAccount) ? s.orgId : null);
      }
      PolicyDocument.Verdict identity = PolicyDocument.Verdict.ALLOW;
      if (p.enforced()) {
        List<PolicyDocument.Verdict> vs = new ArrayList<>();
        for (PolicyDocument d : p.role.policies) vs.add(d.evaluate(r));
        identity = PolicyDocument.combine(vs);
      }
      PolicyDocument.Verdict resource =
          r.resourcePolicy == null
              ? PolicyDocument.Verdict.NOT_APPLICABLE
              : r.resourcePolicy.evaluate(r, new Caller(p.account.id, p.principalArn()));
      if (identity == PolicyDocument.Verdict.EXPLICIT_DENY) {
        throw handler.accessDenied(c, r, "with an explicit deny in an identity-based policy");
      }
      if (resource == PolicyDocument.Verdict.EXPLICIT_DENY) {
        throw handler.accessDenied(c, r, "with an explicit deny in a resource-based policy");
      }
      boolean sameAccount = r.resourceAccount == null || r.resourceAccount.equals(p.account.id);
      boolean identityAllows = identity == PolicyDocument.Verdict.ALLOW;
      boolean resourceAllows = resource == PolicyDocument.Verdict.ALLOW;
      if (sameAccount ? !(identityAllows || resourceAllows) : !identityAllows) {
        throw handler.accessDenied(
            c, r, "because no identity-based policy allows the " + r.action + " action");
      }
      if (!sameAccount && r.resourcePolicy != null && !resourceAllows) {
        throw handler.accessDenied(
            c, r, "because no resource-based policy allows the " + r.action + " action");
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String guessService(Call c) {
    String target = c.header("x-amz-target");
    if (target != null)
      return target.startsWith("secretsmanager") ? "secretsmanager" : "organizations";
    return "sts";
  }

  private State.Principal authenticate(State s, Call c, SigV4.Auth auth, Protocol proto) {
    State.Principal p = s.principals.get(auth.keyId());
    boolean s3 = proto == Protocol.REST_XML;
    if (p == null || !p.active()) {
      throw s3
          ? new AwsException(
              403,
              "InvalidAccessKeyId",
              "The AWS Access Key Id you provided does not exist in our records.")
          : new AwsException(
              403,
              proto == Protocol.JSON ? "UnrecognizedClientException" : "InvalidClientTokenId",
              "The security token included in the request is invalid.");
    }
    if (p.sessionToken != null) {
      String token = c.header("x-amz-security-token");
      if (options.signatureCheck() && !p.sessionToken.equals(token)) {
        throw new AwsException(
            403,
            s3
                ? "InvalidToken"
                : proto == Protocol.JSON ? "UnrecognizedClientException" : "InvalidClientTokenId",
            "The security token included in the request is invalid.");
      }
      if (!clock.now().isBefore(p.expiration)) {
        throw proto == Protocol.JSON
            ? new AwsException(
                400,
                "ExpiredTokenException",
                "The security token included in the request is expired")
            : new AwsException(
                s3 ? 400 : 403,
                "ExpiredToken",
                "The security token included in the request is expired");
      }
    }
    if (options.signatureCheck()) {
      String payloadHash = c.header("x-amz-content-sha256");
      if (payloadHash == null) payloadHash = SigV4.sha256Hex(c.body);
      String expected =
          SigV4.sign(auth, p.secret, c.method, c.rawPath, c.rawQuery, c.headers, payloadHash);
      if (!expected.equals(auth.signature())) {
        throw new AwsException(
            403,
            proto == Protocol.JSON ? "InvalidSignatureException" : "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
      }
    }
    return p;
  }
}
