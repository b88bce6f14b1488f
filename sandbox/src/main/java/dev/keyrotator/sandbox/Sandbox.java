package dev.keyrotator.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An offline AWS endpoint: one HTTP server on 127.0.0.1 speaking Organizations, STS, IAM, SNS, Secrets
 * Manager and S3 (path style) to the real AWS SDK v2 clients (and the AWS CLI). Requests are routed by
 * the service in the SigV4 credential scope; the caller's account follows from the access key id.
 *
 * <pre>
 * try (Sandbox sb = Sandbox.start(Fixture.demo(), SandboxOptions.defaults())) {
 *     IamClient iam = IamClient.builder().endpointOverride(sb.endpoint()).region(Region.US_EAST_1)
 *         .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
 *             sb.credentialsFor("111111111111").accessKeyId(), sb.credentialsFor("111111111111").secretAccessKey())))
 *         .httpClient(UrlConnectionHttpClient.create()).build();
 * }
 * </pre>
 */
public final class Sandbox implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Fixture fixture;
    private final SandboxOptions options;
    private final SandboxClock clock;
    private final Faults faults = new Faults();
    private final CallLog calls = new CallLog();
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile State state;
    private final Map<String, Object> services = new LinkedHashMap<>();
    private final AtomicInteger requestIds = new AtomicInteger();

    private Sandbox(Fixture fixture, SandboxOptions options) throws IOException {
        this.fixture = fixture.validate();
        this.options = options;
        this.clock = new SandboxClock(startInstant());
        this.state = new State(fixture, clock, options.seed());
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
        // delayed ACK and every call costs ~40 ms. Read once, when the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "sandbox-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private Instant startInstant() {
        return options.clockStart() != null ? options.clockStart() : fixture.clock;
    }

    /** Starts a sandbox seeded from {@code fixture}; with port 0 it takes a free port. */
    public static Sandbox start(Fixture fixture, SandboxOptions options) {
        try {
            return new Sandbox(fixture, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start sandbox on " + options.host() + ":" + options.port(), e);
        }
    }

    public static Sandbox start(Fixture fixture) { return start(fixture, SandboxOptions.defaults()); }

    // ------------------------------------------------------------------------------- public API

    /** {@code http://127.0.0.1:<port>} — pass to {@code endpointOverride} of every client. */
    public URI endpoint() { return URI.create("http://" + options.host() + ":" + port()); }

    public int port() { return server.getAddress().getPort(); }

    public SandboxClock clock() { return clock; }

    public Faults faults() { return faults; }

    public CallLog calls() { return calls; }

    public Fixture fixture() { return fixture; }

    public SandboxOptions options() { return options; }

    public String organizationId() { return fixture.organizationId; }

    public String managementAccountId() { return fixture.managementAccountId; }

    /** Account ids in fixture order. */
    public List<String> accountIds() {
        synchronized (state) {
            return List.copyOf(state.accounts.keySet());
        }
    }

    /** Messages published to any topic, oldest first. */
    public List<SnsMessage> snsMessages() {
        State s = state;
        synchronized (s) {
            return List.copyOf(s.messages);
        }
    }

    /** The admin (bootstrap) credentials of an account; this identity is not an IAM user and is not listed. */
    public SandboxCredentials credentialsFor(String accountId) {
        State s = state;
        synchronized (s) {
            State.Acct a = acct(s, accountId);
            return new SandboxCredentials(a.id, a.admin.keyId, a.admin.secret, null);
        }
    }

    /** Names of the IAM users of an account. */
    public List<String> users(String accountId) {
        State s = state;
        synchronized (s) {
            return List.copyOf(acct(s, accountId).users.keySet());
        }
    }

    /** Access keys of a user (with secrets), oldest first; empty when the user does not exist. */
    public List<AccessKeyInfo> iamKeys(String accountId, String userName) {
        State s = state;
        synchronized (s) {
            State.IamUser u = acct(s, accountId).users.get(userName);
            if (u == null) return List.of();
            List<AccessKeyInfo> out = new ArrayList<>();
            for (State.IamKey k : u.keys) out.add(AccessKeyInfo.of(k));
            return out;
        }
    }

    /** Tags of a user; empty when the user does not exist. */
    public Map<String, String> userTags(String accountId, String userName) {
        State s = state;
        synchronized (s) {
            State.IamUser u = acct(s, accountId).users.get(userName);
            return u == null ? Map.of() : Map.copyOf(u.tags);
        }
    }

    /** A secret by name (not deleted), with its current value and stages. */
    public Optional<SecretInfo> secret(String accountId, String region, String name) {
        State s = state;
        synchronized (s) {
            State.Secret sec = acct(s, accountId).secrets(region).get(name);
            return sec == null ? Optional.empty() : Optional.of(SecretInfo.of(sec));
        }
    }

    /** Every version of a secret (staged or not), version id -> SecretString, oldest first; empty when absent. */
    public Map<String, String> secretVersionValues(String accountId, String region, String name) {
        State s = state;
        synchronized (s) {
            State.Secret sec = acct(s, accountId).secrets(region).get(name);
            Map<String, String> out = new LinkedHashMap<>();
            if (sec != null) for (State.SecretVersion v : sec.versions.values()) out.put(v.id, v.string);
            return out;
        }
    }

    /** Names of all secrets of an account in a region. */
    public List<String> secretNames(String accountId, String region) {
        State s = state;
        synchronized (s) {
            return List.copyOf(acct(s, accountId).secrets(region).keySet());
        }
    }

    /** Content of an S3 object, if present. */
    public Optional<byte[]> s3Object(String bucket, String key) {
        State s = state;
        synchronized (s) {
            State.Bucket b = s.buckets.get(bucket);
            State.S3Object o = b == null ? null : b.objects.get(key);
            return o == null ? Optional.empty() : Optional.of(o.data.clone());
        }
    }

    /** Keys of the objects in a bucket. */
    public List<String> s3Keys(String bucket) {
        State s = state;
        synchronized (s) {
            State.Bucket b = s.buckets.get(bucket);
            return b == null ? List.of() : List.copyOf(b.objects.keySet());
        }
    }

    /** Back to the fixture: state, clock, call log, faults (stalled responses are released). */
    public void reset() {
        faults.clear();
        calls.clear();
        clock.set(startInstant() != null ? startInstant() : Instant.now());
        state = new State(fixture, clock, options.seed());
    }

    /** The whole state as JSON (what {@code GET /_sandbox/state} returns). */
    public ObjectNode stateJson(boolean withSecrets) {
        State s = state;
        synchronized (s) {
            return AdminApi.state(s, withSecrets);
        }
    }

    @Override
    public void close() {
        faults.clear();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static State.Acct acct(State s, String id) {
        State.Acct a = s.accounts.get(id);
        if (a == null) throw new IllegalArgumentException("no account " + id + " in the sandbox");
        return a;
    }

    State state() { return state; }

    // ------------------------------------------------------------------------------- HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getRawPath();
            Resp resp;
            if (path.startsWith("/_sandbox/") || path.equals("/_sandbox")) {
                resp = AdminApi.handle(this, ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), body);
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
        Ctx c = new Ctx();
        c.method = ex.getRequestMethod();
        c.rawPath = ex.getRequestURI().getRawPath();
        c.rawQuery = ex.getRequestURI().getRawQuery();
        c.headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> c.headers.put(k.toLowerCase(), v));
        c.body = body;
        c.requestId = java.util.UUID.randomUUID().toString();
        SigV4.Auth auth = SigV4.parse(c.header("authorization"));
        c.service = auth != null ? auth.service() : guessService(c);
        c.region = auth != null ? auth.region() : "us-east-1";
        Protocol proto = Protocol.of(c.service);
        Resp resp;
        String accountId = null;
        String keyId = auth != null ? auth.keyId() : null;
        try {
            c.operation = operation(c, proto);
        } catch (AwsException e) {
            c.operation = "Unknown";
            Resp r = proto.error(c, e);
            record(c, null, keyId, r);
            return r;
        }
        boolean fault = false;
        Faults.Decision d = null;
        try {
            if (auth == null) throw new AwsException(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
            State s = state;
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
                throw proto.fault(c.service, d.fail);
            }
            if (p.kind == State.Kind.USER) {
                synchronized (s) {
                    p.key.lastUsed = clock.now();
                    p.key.lastService = c.service;
                    p.key.lastRegion = c.region;
                }
            }
            resp = dispatch(c, proto);
        } catch (AwsException e) {
            resp = proto.error(c, e);
        }
        resp.fault = fault;
        record(c, accountId, keyId, resp);
        if (d != null && d.stallAfter) faults.stall();
        if (!options.quiet()) {
            System.err.printf("%s %s %s %s:%s -> %d %s%n", clock.now(), accountId, keyId, c.service, c.operation, resp.status,
                resp.errorCode == null ? "" : resp.errorCode);
        }
        return resp;
    }

    private void record(Ctx c, String accountId, String keyId, Resp r) {
        calls.add(new CallRecord(clock.now(), accountId, keyId, c.service, c.operation, r.status, r.fault, r.errorCode));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String guessService(Ctx c) {
        String target = c.header("x-amz-target");
        if (target != null) return target.startsWith("secretsmanager") ? "secretsmanager" : "organizations";
        return "sts";
    }

    private String operation(Ctx c, Protocol proto) {
        switch (proto) {
            case JSON -> {
                String target = c.header("x-amz-target");
                if (target == null || target.indexOf('.') < 0) throw new AwsException(400, "UnknownOperationException", "Missing X-Amz-Target");
                if (c.body.length > 0) {
                    try {
                        c.json = JSON.readTree(c.body);
                    } catch (IOException e) {
                        throw new AwsException(400, "SerializationException", "Cannot parse JSON body");
                    }
                }
                return target.substring(target.indexOf('.') + 1);
            }
            case QUERY -> {
                c.params.putAll(Ctx.parseForm(c.rawQuery));
                String ct = c.header("content-type");
                if (ct == null || ct.startsWith("application/x-www-form-urlencoded")) {
                    c.params.putAll(Ctx.parseForm(new String(c.body, StandardCharsets.UTF_8)));
                }
                String action = c.params.get("Action");
                if (action == null) throw new AwsException(400, "MissingAction", "Missing Action");
                return action;
            }
            default -> {
                return S3Api.operation(c);
            }
        }
    }

    private State.Principal authenticate(State s, Ctx c, SigV4.Auth auth, Protocol proto) {
        State.Principal p = s.principals.get(auth.keyId());
        boolean s3 = proto == Protocol.REST_XML;
        if (p == null) {
            throw s3 ? new AwsException(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
                : new AwsException(403, proto == Protocol.JSON ? "UnrecognizedClientException" : "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
        }
        if (!p.active()) {
            throw s3 ? new AwsException(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
                : new AwsException(403, proto == Protocol.JSON ? "UnrecognizedClientException" : "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
        }
        if (p.sessionToken != null) {
            String token = c.header("x-amz-security-token");
            if (options.signatureCheck() && !p.sessionToken.equals(token)) {
                throw new AwsException(403, s3 ? "InvalidToken" : proto == Protocol.JSON ? "UnrecognizedClientException" : "InvalidClientTokenId",
                    "The security token included in the request is invalid.");
            }
            if (!clock.now().isBefore(p.expiration)) {
                throw proto == Protocol.JSON ? new AwsException(400, "ExpiredTokenException", "The security token included in the request is expired")
                    : new AwsException(s3 ? 400 : 403, "ExpiredToken", "The security token included in the request is expired");
            }
        }
        if (options.signatureCheck()) {
            String payloadHash = c.header("x-amz-content-sha256");
            if (payloadHash == null) payloadHash = SigV4.sha256Hex(c.body);
            String expected = SigV4.sign(auth, p.secret, c.method, c.rawPath, c.rawQuery, c.headers, payloadHash);
            if (!expected.equals(auth.signature())) {
                throw new AwsException(403, proto == Protocol.JSON ? "InvalidSignatureException" : "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
            }
        }
        return p;
    }

    private Resp dispatch(Ctx c, Protocol proto) {
        State s = c.state;
        synchronized (s) {
            return switch (c.service) {
                case "iam" -> IamApi.handle(c);
                case "sts" -> StsApi.handle(c);
                case "sns" -> SnsApi.handle(c);
                case "organizations" -> OrganizationsApi.handle(c);
                case "secretsmanager" -> SecretsManagerApi.handle(c);
                case "s3" -> S3Api.handle(c);
                default -> throw new AwsException(400, "UnknownService", "The sandbox does not speak " + c.service);
            };
        }
    }

    static String b64(byte[] b) { return Base64.getEncoder().encodeToString(b); }
}
