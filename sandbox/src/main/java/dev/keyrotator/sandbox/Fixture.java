package dev.keyrotator.sandbox;

import dev.keyrotator.sandbox.fixture.FixtureChecks;
import dev.keyrotator.sandbox.fixture.FixtureReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The organization the sandbox starts with. Load it from YAML ({@link #load(Path)}, {@link
 * #fromYaml}, {@link #demo()}), build it in code (the fluent {@code add...} methods), or generate a
 * large one for benchmarks ({@link #generated(int, int, long)}). See {@code sandbox/README.md} for
 * the YAML shape:
 *
 * <pre>
 * organization:
 *   id: o-demo000001               # o- + 10..32 [a-z0-9]; default o-sandbox0001
 *   rootId: r-demo                 # optional, default r-sbx0
 *   managementAccount: "111111111111"
 *   delegatedAdministrators: ["222222222222"]   # may call Organizations too
 *   delegationPolicy:              # optional: organizations PutResourcePolicy's document
 *     Statement: [ { Effect: Allow, Principal: { AWS: "arn:aws:iam::333333333333:root" },
 *                    Action: [ "organizations:List*" ], Resource: "*" } ]
 *                                  # (no organization: at all = accounts in no organization)
 * clock: 2026-11-27T09:00:00Z      # optional start instant of the sandbox clock
 * region: us-east-1                # region of fixture topics (default us-east-1)
 * ous:                             # OU tree under the root; accounts not placed stay under the root
 *   - name: Workloads
 *     id: ou-sbx0-workload          # optional
 *     accounts: ["333333333333"]
 *     ous: [ { name: Prod, accounts: [...] } ]
 * accounts:
 *   - id: "111111111111"           # 12 digits, quote it
 *     name: management
 *     email: mgmt@example.com      # optional
 *     status: ACTIVE               # ACTIVE | SUSPENDED
 *     tags: { team: platform }
 *     memberRole: { name: OrgKeyRotatorMemberRole, externalId: key-rotator-demo }   # absent = not deployed
 *     credentials: { accessKeyId: AKIA..., secretAccessKey: ... }                   # optional admin identity
 *     buckets: [ { name: reports, writers: ["111111111111"] } ]
 *     topics: [ key-rotation-events ]
 *     users:
 *       - name: alice
 *         path: /engineering/      # default /
 *         tags: { owner: alice }
 *         groups: [ developers ]
 *         createdDaysAgo: 400      # optional; default oldest key age + 1 (or 30)
 *         keys:
 *           - id: AKIA...          # optional: AKIA + 16 of [A-Z2-7]
 *             secret: ...          # optional: 40 chars
 *             status: Active       # Active | Inactive
 *             ageDays: 100
 *             lastUsedDaysAgo: 3   # absent/null = never used
 *             lastUsedService: s3  # default iam
 *             lastUsedRegion: us-east-1
 * </pre>
 */
public final class Fixture {
  public String source = "<code>";
  public String organizationId = "o-sandbox0001";
  public String rootId = "r-sbx0";
  public String managementAccountId;
  public List<String> delegatedAdministrators = new ArrayList<>();

  /**
   * The accounts are in no organization (a fixture without {@code organization:}): every
   * Organizations call answers AWSOrganizationsNotInUseException, as AWS does for such an account.
   */
  public boolean noOrganization;

  /**
   * The organization's resource-based delegation policy (JSON), as the management account attaches
   * it with organizations PutResourcePolicy; null: none. It grants other accounts the Organizations
   * actions its Allow statements name (a Deny wins).
   */
  public String delegationPolicy;

  public Instant clock;
  public String region = "us-east-1";
  public List<Ou> ous = new ArrayList<>();
  public List<Account> accounts = new ArrayList<>();

  public static final class Ou {
    public String name;
    public String id;
    public List<String> accounts = new ArrayList<>();
    public List<Ou> ous = new ArrayList<>();

    public Ou ou(String childName) {
      Ou o = new Ou();
      o.name = childName;
      ous.add(o);
      return o;
    }

    public Ou account(String accountId) {
      accounts.add(accountId);
      return this;
    }
  }

  public static final class MemberRole {
    public String name;
    public String externalId;

    public MemberRole() {}

    public MemberRole(String name, String externalId) {
      this.name = name;
      this.externalId = externalId;
    }
  }

  public static final class Credentials {
    public String accessKeyId;
    public String secretAccessKey;

    public Credentials() {}

    public Credentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = accessKeyId;
      this.secretAccessKey = secretAccessKey;
    }
  }

  public static final class Bucket {
    public String name;
    public List<String> writers = new ArrayList<>();
  }

  public static final class Account {
    public String id;
    public String name;
    public String email;
    public String status = "ACTIVE";
    public Map<String, String> tags = new LinkedHashMap<>();
    public MemberRole memberRole;
    public Credentials credentials;
    public List<Bucket> buckets = new ArrayList<>();
    public List<String> topics = new ArrayList<>();
    public List<User> users = new ArrayList<>();

    /** The root user holds an active access key (shown in the credential report's root row). */
    public boolean rootAccessKey;

    /** The root user holds an active access key, as an auditor should never find. */
    public Account rootAccessKey() {
      this.rootAccessKey = true;
      return this;
    }

    public Account status(String s) {
      this.status = s;
      return this;
    }

    public Account tag(String k, String v) {
      tags.put(k, v);
      return this;
    }

    public Account memberRole(String roleName, String externalId) {
      this.memberRole = new MemberRole(roleName, externalId);
      return this;
    }

    public Account noMemberRole() {
      this.memberRole = null;
      return this;
    }

    public Account credentials(String keyId, String secret) {
      this.credentials = new Credentials(keyId, secret);
      return this;
    }

    public Account topic(String topicName) {
      topics.add(topicName);
      return this;
    }

    public Account bucket(String bucketName, String... writerAccounts) {
      Bucket b = new Bucket();
      b.name = bucketName;
      b.writers.addAll(List.of(writerAccounts));
      buckets.add(b);
      return this;
    }

    /** Adds a user and returns it (to add keys). */
    public User user(String userName) {
      User u = new User();
      u.name = userName;
      users.add(u);
      return u;
    }
  }

  public static final class User {
    public String name;
    public String path = "/";
    public Map<String, String> tags = new LinkedHashMap<>();
    public List<String> groups = new ArrayList<>();
    public Integer createdDaysAgo;
    public List<Key> keys = new ArrayList<>();

    public User path(String p) {
      this.path = p;
      return this;
    }

    public User tag(String k, String v) {
      tags.put(k, v);
      return this;
    }

    public User group(String g) {
      groups.add(g);
      return this;
    }

    public User createdDaysAgo(int d) {
      this.createdDaysAgo = d;
      return this;
    }

    /**
     * Adds an active key {@code ageDays} old, last used {@code lastUsedDaysAgo} days ago (null =
     * never).
     */
    public User key(int ageDays, Integer lastUsedDaysAgo) {
      Key k = new Key();
      k.ageDays = ageDays;
      k.lastUsedDaysAgo = lastUsedDaysAgo;
      keys.add(k);
      return this;
    }

    public User key(Key k) {
      keys.add(k);
      return this;
    }
  }

  public static final class Key {
    public String id;
    public String secret;
    public String status = "Active";
    public int ageDays;
    public Integer lastUsedDaysAgo;
    public String lastUsedService;
    public String lastUsedRegion;

    public static Key of(int ageDays, Integer lastUsedDaysAgo) {
      Key k = new Key();
      k.ageDays = ageDays;
      k.lastUsedDaysAgo = lastUsedDaysAgo;
      return k;
    }

    public Key id(String keyId, String keySecret) {
      this.id = keyId;
      this.secret = keySecret;
      return this;
    }

    public Key inactive() {
      this.status = "Inactive";
      return this;
    }

    public Key lastUsedService(String s) {
      this.lastUsedService = s;
      return this;
    }
  }

  // ---------------------------------------------------------------- construction

  /** An empty organization whose management account is {@code managementAccountId}. */
  public static Fixture create(String organizationId, String managementAccountId) {
    Fixture f = new Fixture();
    f.organizationId = organizationId;
    f.managementAccountId = managementAccountId;
    f.account(managementAccountId, "management");
    return f;
  }

  /**
   * One account in no organization (the seed article's case): Organizations answers
   * AWSOrganizationsNotInUseException, everything else works as in an organization.
   */
  public static Fixture withoutOrganization(String accountId, String name) {
    Fixture f = new Fixture();
    f.noOrganization = true;
    f.account(accountId, name);
    return f;
  }

  /** Attaches the organization's delegation policy (a JSON policy document). */
  public Fixture delegationPolicy(String json) {
    this.delegationPolicy = json;
    return this;
  }

  /**
   * Adds an account (under the root unless an OU lists it) and returns it; returns the existing one
   * if present.
   */
  public Account account(String id, String name) {
    for (Account a : accounts) if (a.id.equals(id)) return a;
    Account a = new Account();
    a.id = id;
    a.name = name;
    a.email = name.replaceAll("[^A-Za-z0-9]", "-").toLowerCase() + "@example.com";
    accounts.add(a);
    return a;
  }

  public Ou ou(String name) {
    Ou o = new Ou();
    o.name = name;
    ous.add(o);
    return o;
  }

  public Fixture delegatedAdministrator(String accountId) {
    delegatedAdministrators.add(accountId);
    return this;
  }

  public Fixture clock(Instant start) {
    this.clock = start;
    return this;
  }

  /** Reads and validates a YAML fixture file. */
  public static Fixture load(Path file) {
    try {
      return fromYaml(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + file, e);
    }
  }

  /** Parses and validates YAML text; {@code sourceName} names it in error messages. */
  public static Fixture fromYaml(String yaml, String sourceName) {
    return FixtureReader.read(yaml, sourceName);
  }

  /** The bundled demo organization ({@code fixtures/demo.yaml}). */
  public static Fixture demo() {
    return resource("fixtures/demo.yaml");
  }

  public static Fixture resource(String name) {
    try (InputStream in = Fixture.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalArgumentException("no fixture resource " + name);
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A large generated organization for benchmarks: management account 111111111111 (hosts the
   * {@code key-rotation-events} topic) plus {@code accounts - 1} members spread over OUs
   * Prod/Dev/Sandbox, each with {@code usersPerAccount} users holding 0..2 keys of random ages
   * (0..400 days) and last use. Every account carries the member role {@code
   * OrgKeyRotatorMemberRole} / {@code key-rotator-demo}. Same seed, same organization.
   */
  public static Fixture generated(int accounts, int usersPerAccount, long seed) {
    Random r = new Random(seed);
    Fixture f = create("o-generated01", "111111111111");
    Account mgmt = f.accounts.get(0);
    mgmt.memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo").topic("key-rotation-events");
    Ou[] ous = {f.ou("Prod"), f.ou("Dev"), f.ou("Sandbox")};
    List<Account> all = new ArrayList<>();
    all.add(mgmt);
    for (int i = 1; i < accounts; i++) {
      String id = String.format("%012d", 200000000000L + i);
      Account a =
          f.account(id, "member-" + i).memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo");
      ous[i % ous.length].account(id);
      all.add(a);
    }
    for (Account a : all) {
      for (int u = 0; u < usersPerAccount; u++) {
        User user = a.user(String.format("user-%04d", u));
        int nKeys = r.nextInt(10) < 2 ? 0 : (r.nextInt(10) < 2 ? 2 : 1);
        for (int k = 0; k < nKeys; k++) {
          int age = r.nextInt(400);
          Integer used = r.nextInt(5) == 0 ? null : r.nextInt(age + 1);
          Key key = Key.of(age, used);
          if (r.nextInt(20) == 0) key.inactive();
          user.key(key);
        }
      }
    }
    return f.validate();
  }

  // ---------------------------------------------------------------- validation

  /**
   * Checks ids, references and formats (the shape against {@code fixture.schema.json}, then what a
   * schema cannot say); throws {@link FixtureException} naming the source and field.
   */
  public Fixture validate() {
    FixtureChecks.validate(this);
    return this;
  }
}
