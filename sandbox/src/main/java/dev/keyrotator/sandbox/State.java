package dev.keyrotator.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** All mutable AWS state of one sandbox. Guarded by its own monitor: every operation runs synchronized on it. */
final class State {
    static final String PARTITION = "aws";

    final SandboxClock clock;
    final Ids ids;                // runtime ids (keys, versions, ...)
    final Fixture fixture;
    final String orgId;
    final String mgmtId;
    final String rootId;
    final String orgArn;
    final Set<String> delegatedAdmins;
    final Map<String, Acct> accounts = new LinkedHashMap<>();
    final Map<String, OuNode> ous = new LinkedHashMap<>();     // includes the root
    final Map<String, String> parentOf = new HashMap<>();      // child (account or OU id) -> parent id
    final Map<String, Principal> principals = new HashMap<>(); // access key id -> principal
    final Map<String, Bucket> buckets = new TreeMap<>();
    final Map<String, Topic> topics = new LinkedHashMap<>();   // ARN -> topic
    final List<SnsMessage> messages = new ArrayList<>();

    enum Kind { ADMIN, USER, ROLE }

    static final class Principal {
        Kind kind;
        Acct account;
        String keyId;
        String secret;
        String sessionToken;   // temporary credentials only
        Instant expiration;    // temporary credentials only
        IamKey key;            // IAM user keys only
        String arn;
        String userId;

        boolean active() { return key == null || "Active".equals(key.status); }
    }

    static final class Acct {
        String id;
        String name;
        String email;
        String status;
        Instant joined;
        Map<String, String> tags = new LinkedHashMap<>();
        String roleName;
        String roleExternalId;
        String roleId;
        Principal admin;
        final TreeMap<String, IamUser> users = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final Map<String, TreeMap<String, Secret>> secrets = new HashMap<>();   // region -> name -> secret
        Instant reportTime;
        byte[] report;

        TreeMap<String, Secret> secrets(String region) { return secrets.computeIfAbsent(region, r -> new TreeMap<>()); }
    }

    static final class OuNode {
        String id;
        String name;
        String arn;
        boolean root;
        final List<String> childOus = new ArrayList<>();
        final List<String> accounts = new ArrayList<>();
    }

    static final class IamUser {
        String name;
        String path;
        String userId;
        String arn;
        Instant created;
        final Map<String, String> tags = new LinkedHashMap<>();
        final List<String> groups = new ArrayList<>();
        final List<IamKey> keys = new ArrayList<>();
        Acct account;
    }

    static final class IamKey {
        String id;
        String secret;
        String status;
        Instant created;
        Instant lastUsed;
        String lastService;
        String lastRegion;
        IamUser user;
    }

    static final class Secret {
        String name;
        String arn;
        String region;
        String description;
        String kmsKeyId;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, SecretVersion> versions = new LinkedHashMap<>();
        String policy;
        Instant created;
        Instant lastChanged;
        Instant lastAccessed;
        Instant deletedDate;
        Instant deletionDate;

        SecretVersion byStage(String stage) {
            for (SecretVersion v : versions.values()) if (v.stages.contains(stage)) return v;
            return null;
        }
    }

    static final class SecretVersion {
        String id;
        String string;
        byte[] binary;
        final Set<String> stages = new LinkedHashSet<>();
        Instant created;
    }

    static final class Topic {
        String arn;
        String name;
        String region;
        Acct owner;
        final Map<String, String> attributes = new LinkedHashMap<>();
    }

    static final class Bucket {
        String name;
        Acct owner;
        final Set<String> writers = new LinkedHashSet<>();
        final TreeMap<String, S3Object> objects = new TreeMap<>();
    }

    static final class S3Object {
        String key;
        byte[] data;
        String contentType;
        String etag;
        Instant lastModified;
        Map<String, String> metadata = new LinkedHashMap<>();
    }

    State(Fixture f, SandboxClock clock, long seed) {
        this.fixture = f;
        this.clock = clock;
        this.ids = Ids.secure();
        Ids seeded = new Ids(new Random(seed));
        Instant now = clock.now();
        orgId = f.organizationId;
        mgmtId = f.managementAccountId;
        rootId = f.rootId;
        orgArn = "arn:aws:organizations::" + mgmtId + ":organization/" + orgId;
        delegatedAdmins = new LinkedHashSet<>(f.delegatedAdministrators);

        OuNode root = new OuNode();
        root.id = rootId;
        root.name = "Root";
        root.root = true;
        root.arn = "arn:aws:organizations::" + mgmtId + ":root/" + orgId + "/" + rootId;
        ous.put(root.id, root);

        for (Fixture.Account fa : f.accounts) {
            Acct a = new Acct();
            a.id = fa.id;
            a.name = fa.name;
            a.email = fa.email;
            a.status = fa.status;
            a.joined = now.minus(Duration.ofDays(800));
            a.tags.putAll(fa.tags);
            if (fa.memberRole != null) {
                a.roleName = fa.memberRole.name;
                a.roleExternalId = fa.memberRole.externalId;
                a.roleId = "AROA" + deterministic32(a.id + "/" + a.roleName, 16);
            }
            Principal admin = new Principal();
            admin.kind = Kind.ADMIN;
            admin.account = a;
            if (fa.credentials != null) {
                admin.keyId = fa.credentials.accessKeyId;
                admin.secret = fa.credentials.secretAccessKey;
            } else {
                admin.keyId = defaultAdminKeyId(a.id);
                admin.secret = defaultAdminSecret(a.id);
            }
            admin.arn = "arn:aws:iam::" + a.id + ":user/sandbox-admin";
            admin.userId = "AIDA" + deterministic32(a.id + "/admin", 16);
            a.admin = admin;
            principals.put(admin.keyId, admin);
            accounts.put(a.id, a);
            root.accounts.add(a.id);
            parentOf.put(a.id, rootId);

            for (Fixture.Bucket fb : fa.buckets) {
                Bucket b = new Bucket();
                b.name = fb.name;
                b.owner = a;
                b.writers.addAll(fb.writers);
                buckets.put(b.name, b);
            }
            for (String tn : fa.topics) createTopic(a, f.region, tn);
            for (Fixture.User fu : fa.users) {
                int oldest = fu.keys.stream().mapToInt(k -> k.ageDays).max().orElse(29);
                int created = fu.createdDaysAgo != null ? Math.max(fu.createdDaysAgo, oldest) : oldest + 1;
                IamUser u = createUser(a, fu.name, fu.path, now.minus(Duration.ofDays(created)), seeded);
                u.tags.putAll(fu.tags);
                u.groups.addAll(fu.groups);
                for (Fixture.Key fk : fu.keys) {
                    IamKey k = new IamKey();
                    k.id = fk.id != null ? fk.id : uniqueKeyId(seeded);
                    k.secret = fk.secret != null ? fk.secret : seeded.secret();
                    k.status = fk.status;
                    k.created = now.minus(Duration.ofDays(fk.ageDays));
                    if (fk.lastUsedDaysAgo != null) {
                        k.lastUsed = now.minus(Duration.ofDays(fk.lastUsedDaysAgo));
                        k.lastService = fk.lastUsedService != null ? fk.lastUsedService : "iam";
                        k.lastRegion = fk.lastUsedRegion != null ? fk.lastUsedRegion : f.region;
                    }
                    addKey(u, k);
                }
            }
        }
        addOus(root, f.ous);
    }

    private void addOus(OuNode parent, List<Fixture.Ou> list) {
        String rootSuffix = rootId.substring(2);
        for (Fixture.Ou fo : list) {
            OuNode o = new OuNode();
            o.id = fo.id != null ? fo.id : "ou-" + rootSuffix + "-" + deterministic32(parent.id + "/" + fo.name, 8).toLowerCase();
            o.name = fo.name;
            o.arn = "arn:aws:organizations::" + mgmtId + ":ou/" + orgId + "/" + o.id;
            ous.put(o.id, o);
            parent.childOus.add(o.id);
            parentOf.put(o.id, parent.id);
            for (String acct : fo.accounts) {
                ous.get(rootId).accounts.remove(acct);
                o.accounts.add(acct);
                parentOf.put(acct, o.id);
            }
            addOus(o, fo.ous);
        }
    }

    /** A stable pseudo-random string of [A-Z2-7] derived from a seed string. */
    static String deterministic32(String seed, int n) {
        Random r = new Random(seed.hashCode() * 31L + seed.length());
        return new Ids(r).chars(Ids.BASE32, n);
    }

    /** Default admin key id of an account: AKIASBXA + its 12 digits mapped 0..9 -> A..J. */
    static String defaultAdminKeyId(String accountId) {
        StringBuilder b = new StringBuilder("AKIASBXA");
        for (int i = 0; i < 12; i++) b.append(Ids.BASE32.charAt(accountId.charAt(i) - '0'));
        return b.toString();
    }

    static String defaultAdminSecret(String accountId) {
        return ("sandbox/admin/secret/" + accountId + "/0000000000000000000").substring(0, 40);
    }

    String uniqueKeyId(Ids gen) {
        String id;
        do {
            id = gen.accessKeyId();
        } while (principals.containsKey(id));
        return id;
    }

    IamUser createUser(Acct a, String name, String path, Instant created, Ids gen) {
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

    void addKey(IamUser u, IamKey k) {
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

    void removeKey(IamKey k) {
        k.user.keys.remove(k);
        principals.remove(k.id);
    }

    Topic createTopic(Acct a, String region, String name) {
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

    boolean inOrganization(String accountId) { return accounts.containsKey(accountId); }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
