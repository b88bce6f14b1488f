package dev.keyrotator.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.keyrotator.sandbox.admin.AdminApi;
import dev.keyrotator.sandbox.fixture.Seeder;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import dev.keyrotator.sandbox.state.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An offline AWS endpoint: one HTTP server on 127.0.0.1 speaking Organizations, STS, IAM, SNS,
 * Secrets Manager and S3 (path style) to the real AWS SDK v2 clients (and the AWS CLI). Requests
 * are routed by the service in the SigV4 credential scope; the caller's account follows from the
 * access key id.
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
  private final Fixture fixture;
  private final SandboxOptions options;
  private final SandboxClock clock;
  private final Faults faults = new Faults();
  private final CallLog calls = new CallLog();
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile State state;

  private Sandbox(Fixture fixture, SandboxOptions options) throws IOException {
    this.fixture = fixture.validate();
    this.options = options;
    this.clock = new SandboxClock(startInstant());
    this.state = seeded();
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK and every call costs ~40 ms. Read once, when the server classes load.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            options.threads(),
            r -> {
              Thread t = new Thread(r, "sandbox-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    Gateway gateway =
        new Gateway(options, clock, faults.injector(), calls, () -> state, new Controls());
    server.createContext("/", gateway::handle);
    server.start();
  }

  private State seeded() {
    State s = Seeder.seed(fixture, clock, options.seed());
    s.credentialReportMs = options.credentialReportMs();
    return s;
  }

  private Instant startInstant() {
    return options.clockStart() != null ? options.clockStart() : fixture.clock;
  }

  /** Starts a sandbox seeded from {@code fixture}; with port 0 it takes a free port. */
  public static Sandbox start(Fixture fixture, SandboxOptions options) {
    try {
      return new Sandbox(fixture, options);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start sandbox on " + options.host() + ":" + options.port(), e);
    }
  }

  public static Sandbox start(Fixture fixture) {
    return start(fixture, SandboxOptions.defaults());
  }

  // ------------------------------------------------------------------------------- public API

  /** {@code http://127.0.0.1:<port>} — pass to {@code endpointOverride} of every client. */
  public URI endpoint() {
    return URI.create("http://" + options.host() + ":" + port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public SandboxClock clock() {
    return clock;
  }

  public Faults faults() {
    return faults;
  }

  public CallLog calls() {
    return calls;
  }

  public Fixture fixture() {
    return fixture;
  }

  public SandboxOptions options() {
    return options;
  }

  public String organizationId() {
    return fixture.organizationId;
  }

  public String managementAccountId() {
    return fixture.managementAccountId;
  }

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
      return s.messages.stream().map(SnsMessage::of).toList();
    }
  }

  /**
   * The Security Hub findings imported in {@code accountId}'s {@code region}, as Security Hub keeps
   * them (ASFF JSON, with the workflow status it set), in import order.
   */
  public List<String> securityHubFindings(String accountId, String region) {
    State s = state;
    synchronized (s) {
      String prefix = accountId + "|" + region + "|";
      return s.findings.entrySet().stream()
          .filter(e -> e.getKey().startsWith(prefix))
          .map(e -> e.getValue().toString())
          .toList();
    }
  }

  /**
   * The admin (bootstrap) credentials of an account; this identity is not an IAM user and is not
   * listed.
   */
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

  /**
   * Attaches a managed policy to a user, as AWS attaches {@code AWSCompromisedKeyQuarantineV3} to
   * the owner of a key it found exposed. Only reported: the policy evaluation does not read it.
   */
  public void attachUserPolicy(String accountId, String userName, String policyArn) {
    State s = state;
    synchronized (s) {
      State.IamUser u = acct(s, accountId).users.get(userName);
      if (u == null) throw new IllegalArgumentException("no user " + userName + " in " + accountId);
      if (!u.attachedPolicies.contains(policyArn)) u.attachedPolicies.add(policyArn);
    }
  }

  /** A user's attached managed policy ARNs. */
  public List<String> attachedUserPolicies(String accountId, String userName) {
    State s = state;
    synchronized (s) {
      State.IamUser u = acct(s, accountId).users.get(userName);
      return u == null ? List.of() : List.copyOf(u.attachedPolicies);
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

  /**
   * Every version of a secret (staged or not), version id -> SecretString, oldest first; empty when
   * absent.
   */
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

  // ------------------------------------------------------------------ IAM roles and policies

  /**
   * Deploys an IAM role, as a stack would: its trust policy (who may assume it through STS; null
   * for a role only a service assumes, see {@link #roleCredentials}) and its identity policies,
   * which the sandbox then enforces for every session of the role: each call is authorized for its
   * IAM action, resource ARN and condition keys, and refused with the service's AccessDenied
   * otherwise. Replaces a role of the same name in the account, the fixture's {@code memberRole}
   * included. Until {@link #reset}.
   *
   * @param path the role's IAM path, {@code /} or {@code /a/b/}
   * @throws IllegalArgumentException when a document is not a policy the sandbox can evaluate
   */
  public void deployRole(
      String accountId,
      String path,
      String name,
      String trustPolicyJson,
      List<String> identityPoliciesJson) {
    State s = state;
    synchronized (s) {
      State.Acct a = acct(s, accountId);
      State.Role r = new State.Role();
      r.account = a;
      r.name = name;
      r.path = path;
      r.arn = "arn:aws:iam::" + accountId + ":role" + path + name;
      r.roleId = "AROA" + State.deterministic32(r.arn, 17);
      r.trust =
          trustPolicyJson == null
              ? null
              : PolicyDocument.parse(name + " trust policy", trustPolicyJson);
      List<PolicyDocument> docs = new ArrayList<>();
      for (int i = 0; i < identityPoliciesJson.size(); i++) {
        docs.add(PolicyDocument.parse(name + " policy " + (i + 1), identityPoliciesJson.get(i)));
      }
      r.policies = List.copyOf(docs);
      if (name.equals(a.roleName)) {
        a.roleName = null;
        a.roleExternalId = null;
      }
      a.roles.put(name, r);
    }
  }

  /** Removes a role (deployed, or the fixture's member role) from an account. */
  public void removeRole(String accountId, String name) {
    State s = state;
    synchronized (s) {
      State.Acct a = acct(s, accountId);
      a.roles.remove(name);
      if (name.equals(a.roleName)) {
        a.roleName = null;
        a.roleExternalId = null;
      }
      s.principals
          .values()
          .removeIf(p -> p.role != null && p.role.account == a && p.role.name.equals(name));
    }
  }

  /** Whether a role of that name can be assumed in the account (deployed or from the fixture). */
  public boolean hasRole(String accountId, String name) {
    State s = state;
    synchronized (s) {
      State.Acct a = acct(s, accountId);
      return a.roles.containsKey(name) || name.equals(a.roleName);
    }
  }

  public boolean hasBucket(String bucket) {
    State s = state;
    synchronized (s) {
      return s.buckets.containsKey(bucket);
    }
  }

  /** Sets a bucket's policy; the sandbox evaluates it for every request to the bucket. */
  public void putBucketPolicy(String bucket, String policyJson) {
    State s = state;
    synchronized (s) {
      State.Bucket b = s.buckets.get(bucket);
      if (b == null) throw new IllegalArgumentException("no bucket " + bucket + " in the sandbox");
      b.policy = PolicyDocument.parse(bucket + " bucket policy", policyJson);
    }
  }

  /**
   * Credentials of a session of a deployed role, as the Lambda service hands its execution role to
   * the function (no trust policy is checked; the session does not expire, as Lambda keeps it
   * fresh).
   */
  public SandboxCredentials roleCredentials(String accountId, String roleName, String session) {
    State s = state;
    synchronized (s) {
      State.Acct a = acct(s, accountId);
      State.Role r = a.roles.get(roleName);
      if (r == null) {
        throw new IllegalArgumentException("no role " + roleName + " deployed in " + accountId);
      }
      State.Principal p = new State.Principal();
      p.kind = State.Kind.ROLE;
      p.account = a;
      p.keyId = s.ids.tempKeyId();
      p.secret = s.ids.secret();
      p.sessionToken = s.ids.sessionToken();
      p.expiration = Instant.parse("9999-12-31T00:00:00Z");
      p.arn = "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + session;
      p.userId = r.roleId + ":" + session;
      p.role = r;
      s.principals.put(p.keyId, p);
      return new SandboxCredentials(accountId, p.keyId, p.secret, p.sessionToken);
    }
  }

  /** The server-side encryption an object was written with ({@code AES256}), if any. */
  public Optional<String> s3ObjectEncryption(String bucket, String key) {
    State s = state;
    synchronized (s) {
      State.Bucket b = s.buckets.get(bucket);
      State.S3Object o = b == null ? null : b.objects.get(key);
      return o == null ? Optional.empty() : Optional.ofNullable(o.serverSideEncryption);
    }
  }

  /** Back to the fixture: state, clock, call log, faults (stalled responses are released). */
  public void reset() {
    faults.clear();
    calls.clear();
    clock.set(startInstant() != null ? startInstant() : Instant.now());
    state = seeded();
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

  /** The sandbox as the admin API sees it. */
  private final class Controls implements AdminApi.Controls {
    @Override
    public URI endpoint() {
      return Sandbox.this.endpoint();
    }

    @Override
    public String organizationId() {
      return Sandbox.this.organizationId();
    }

    @Override
    public String managementAccountId() {
      return Sandbox.this.managementAccountId();
    }

    @Override
    public boolean signatureCheck() {
      return options.signatureCheck();
    }

    @Override
    public Instant now() {
      return clock.now();
    }

    @Override
    public void setClock(Instant t) {
      clock.set(t);
    }

    @Override
    public void advanceClock(Duration d) {
      clock.advance(d);
    }

    @Override
    public List<SnsMessage> snsMessages() {
      return Sandbox.this.snsMessages();
    }

    @Override
    public List<CallRecord> calls() {
      return calls.all();
    }

    @Override
    public int connections() {
      return calls.connections();
    }

    @Override
    public Map<String, Long> callCounts() {
      return calls.countsByOperation();
    }

    @Override
    public void clearCalls() {
      calls.clear();
    }

    @Override
    public List<FaultRule> faultRules() {
      return faults.rules();
    }

    @Override
    public void addFault(FaultRule rule) {
      faults.add(rule);
    }

    @Override
    public void clearFaults() {
      faults.clear();
    }

    @Override
    public ObjectNode stateJson(boolean withSecrets) {
      return Sandbox.this.stateJson(withSecrets);
    }

    @Override
    public List<String> accountIds() {
      return Sandbox.this.accountIds();
    }

    @Override
    public SandboxCredentials credentialsFor(String accountId) {
      return Sandbox.this.credentialsFor(accountId);
    }

    @Override
    public void reset() {
      Sandbox.this.reset();
    }
  }
}
