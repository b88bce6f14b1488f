package dev.keyrotator.sandbox.state;

import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * All mutable AWS state of one sandbox. Guarded by its own monitor: every operation runs
 * synchronized on it.
 */
public final class State {
  public static final String PARTITION = "aws";

  public final Clock clock;
  public final Ids ids; // runtime ids (keys, versions, ...)
  public final String orgId;
  public final String mgmtId;
  public final String rootId;
  public final String orgArn;
  public final Set<String> delegatedAdmins;

  /** The organization's resource-based delegation policy (PutResourcePolicy); null: none. */
  public DelegationPolicy delegationPolicy;

  /** Its id ({@code rp-} + 8 of [0-9a-z]) while attached. */
  public String delegationPolicyId;

  public final Map<String, Acct> accounts = new LinkedHashMap<>();
  public final Map<String, OuNode> ous = new LinkedHashMap<>(); // includes the root
  public final Map<String, String> parentOf =
      new HashMap<>(); // child (account or OU id) -> parent id
  public final Map<String, Principal> principals = new HashMap<>(); // access key id -> principal
  public final Map<String, Bucket> buckets = new TreeMap<>();
  public final Map<String, Topic> topics = new LinkedHashMap<>(); // ARN -> topic
  public final List<Message> messages = new ArrayList<>();

  /** How long a credential report takes to generate (SandboxOptions#withCredentialReportMs). */
  public long credentialReportMs;

  /** Security Hub findings by account, region, product ARN and id, as last imported (ASFF). */
  public final Map<String, com.fasterxml.jackson.databind.node.ObjectNode> findings =
      new LinkedHashMap<>();

  /** A message published to a topic (see {@code SnsMessage}). */
  public record Message(
      String messageId,
      String topicArn,
      String accountId,
      String subject,
      String message,
      Map<String, String> attributes,
      Instant time) {}

  public enum Kind {
    ADMIN,
    USER,
    ROLE
  }

  public static final class Principal {
    public Kind kind;
    public Acct account;
    public String keyId;
    public String secret;
    public String sessionToken; // temporary credentials only
    public Instant expiration; // temporary credentials only
    public IamKey key; // IAM user keys only
    public String arn;
    public String userId;
    public Role role; // role sessions only

    public boolean active() {
      return key == null || "Active".equals(key.status);
    }

    /**
     * Whether IAM checks this principal's requests against identity policies: role sessions of
     * roles deployed with policies. Account admins and IAM users are not checked (see README).
     */
    public boolean enforced() {
      return role != null && role.policies != null;
    }

    /** What {@code aws:PrincipalArn} holds: the role's ARN for a session, else the ARN. */
    public String principalArn() {
      return role != null ? role.arn : arn;
    }
  }

  /**
   * An IAM role deployed from a template: its trust policy (who may assume it) and its identity
   * policies. A role from the fixture's {@code memberRole} has neither and is checked by name and
   * ExternalId only.
   */
  public static final class Role {
    public Acct account;
    public String name;
    public String path;
    public String arn;
    public String roleId;
    public PolicyDocument trust; // null: not assumable through STS (a service role)
    public List<PolicyDocument> policies; // null: not enforced
  }

  public static final class Acct {
    public String id;
    public String name;
    public String email;
    public String status;
    public Instant joined;
    public boolean rootAccessKey;
    public Map<String, String> tags = new LinkedHashMap<>();
    public String roleName;
    public String roleExternalId;
    public String roleId;
    public Principal admin;
    public final TreeMap<String, IamUser> users = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    public final Map<String, TreeMap<String, Secret>> secrets =
        new HashMap<>(); // region -> name -> secret
    public Instant reportTime;
    public byte[] report;
    public Instant reportReadyAt; // the report being generated is ready from then on
    public final Map<String, Role> roles = new LinkedHashMap<>(); // name -> role

    public TreeMap<String, Secret> secrets(String region) {
      return secrets.computeIfAbsent(region, r -> new TreeMap<>());
    }
  }

  public static final class OuNode {
    public String id;
    public String name;
    public String arn;
    public boolean root;
    public final List<String> childOus = new ArrayList<>();
    public final List<String> accounts = new ArrayList<>();
  }

  public static final class IamUser {
    public String name;
    public String path;
    public String userId;
    public String arn;
    public Instant created;
    public final Map<String, String> tags = new LinkedHashMap<>();
    public final List<String> groups = new ArrayList<>();
    public final List<IamKey> keys = new ArrayList<>();

    /** Managed policy ARNs attached to the user (AttachUserPolicy), in attach order. */
    public final List<String> attachedPolicies = new ArrayList<>();

    public Acct account;
  }

  public static final class IamKey {
    public String id;
    public String secret;
    public String status;
    public Instant created;
    public Instant lastUsed;
    public String lastService;
    public String lastRegion;
    public IamUser user;
  }

  public static final class Secret {
    public String name;
    public String arn;
    public String region;
    public String description;
    public String kmsKeyId;
    public final Map<String, String> tags = new LinkedHashMap<>();
    public final Map<String, SecretVersion> versions = new LinkedHashMap<>();
    public String policy;
    public Instant created;
    public Instant lastChanged;
    public Instant lastAccessed;
    public Instant deletedDate;
    public Instant deletionDate;

    public SecretVersion byStage(String stage) {
      for (SecretVersion v : versions.values()) if (v.stages.contains(stage)) return v;
      return null;
    }
  }

  public static final class SecretVersion {
    public String id;
    public String string;
    public byte[] binary;
    public final Set<String> stages = new LinkedHashSet<>();
    public Instant created;
  }

  public static final class Topic {
    public String arn;
    public String name;
    public String region;
    public Acct owner;
    public final Map<String, String> attributes = new LinkedHashMap<>();
  }

  public static final class Bucket {
    public String name;
    public Acct owner;
    public final Set<String> writers = new LinkedHashSet<>();
    public final TreeMap<String, S3Object> objects = new TreeMap<>();

    /** When each key was last written or deleted ({@link System#nanoTime}). */
    public final Map<String, Long> lastWriteNanos = new java.util.HashMap<>();

    public PolicyDocument policy; // bucket policy, if any
  }

  public static final class S3Object {
    public String key;
    public byte[] data;
    public String contentType;
    public String etag;
    public Instant lastModified;
    public String serverSideEncryption;
    public Map<String, String> metadata = new LinkedHashMap<>();
  }

  /**
   * An organization with only its root ({@code mgmtId} null: accounts in no organization); {@code
   * fixture.Seeder} adds the fixture's accounts.
   */
  public State(
      Clock clock, String orgId, String mgmtId, String rootId, Collection<String> delegatedAdmins) {
    this.clock = clock;
    this.ids = Ids.secure();
    this.orgId = orgId;
    this.mgmtId = mgmtId;
    this.rootId = rootId;
    this.orgArn =
        mgmtId == null ? null : "arn:aws:organizations::" + mgmtId + ":organization/" + orgId;
    this.delegatedAdmins = new LinkedHashSet<>(delegatedAdmins);
    OuNode root = new OuNode();
    root.id = rootId;
    root.name = "Root";
    root.root = true;
    root.arn = "arn:aws:organizations::" + mgmtId + ":root/" + orgId + "/" + rootId;
    ous.put(root.id, root);
  }

  /** The sandbox clock's time. */
  public Instant now() {
    return clock.instant();
  }

  /** A stable pseudo-random string of [A-Z2-7] derived from a seed string. */
  public static String deterministic32(String seed, int n) {
    Random r = new Random(seed.hashCode() * 31L + seed.length());
    return new Ids(r).chars(Ids.BASE32, n);
  }

  /** Default admin key id of an account: AKIASBXA + its 12 digits mapped 0..9 -> A..J. */
  public static String defaultAdminKeyId(String accountId) {
    StringBuilder b = new StringBuilder("AKIASBXA");
    for (int i = 0; i < 12; i++) b.append(Ids.BASE32.charAt(accountId.charAt(i) - '0'));
    return b.toString();
  }

  public static String defaultAdminSecret(String accountId) {
    return ("sandbox/admin/secret/" + accountId + "/0000000000000000000").substring(0, 40);
  }

  public String uniqueKeyId(Ids gen) {
    String id;
    do {
      id = gen.accessKeyId();
    } while (principals.containsKey(id));
    return id;
  }

  public IamUser createUser(Acct a, String name, String path, Instant created, Ids gen) {
    IamUser u = new IamUser();
    u.name = name;
    u.path = path;
    u.userId = gen.principalId("AIDA");
    u.arn = "arn:aws:iam::" + a.id + ":user" + path + name;
    u.created = created;
    u.account = a;
    a.users.put(name, u);
    return u;
  }

  public void addKey(IamUser u, IamKey k) {
    k.user = u;
    u.keys.add(k);
    Principal p = new Principal();
    p.kind = Kind.USER;
    p.account = u.account;
    p.keyId = k.id;
    p.secret = k.secret;
    p.key = k;
    p.arn = u.arn;
    p.userId = u.userId;
    principals.put(k.id, p);
  }

  public void removeKey(IamKey k) {
    k.user.keys.remove(k);
    principals.remove(k.id);
  }

  public Topic createTopic(Acct a, String region, String name) {
    String arn = "arn:aws:sns:" + region + ":" + a.id + ":" + name;
    Topic t = topics.get(arn);
    if (t != null) return t;
    t = new Topic();
    t.arn = arn;
    t.name = name;
    t.region = region;
    t.owner = a;
    topics.put(arn, t);
    return t;
  }

  public boolean inOrganization(String accountId) {
    return hasOrganization() && accounts.containsKey(accountId);
  }

  /** False when the fixture's accounts are in no organization. */
  public boolean hasOrganization() {
    return mgmtId != null;
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
