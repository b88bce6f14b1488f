package dev.keyrotator.sandbox;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** Maps fixture YAML onto {@link Fixture}, with messages naming the file and field. */
final class FixtureYaml {
    private final String source;

    private FixtureYaml(String source) { this.source = source; }

    static Fixture parse(String yaml, String source) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new FixtureException(source, "(yaml)", e.getMessage());
        }
        return new FixtureYaml(source).fixture(root);
    }

    private Fixture fixture(Object root) {
        Map<String, Object> m = map(root, "(document)", Set.of("organization", "clock", "region", "ous", "accounts"));
        Fixture f = new Fixture();
        f.source = source;
        Map<String, Object> org = map(req(m, "organization", "organization"), "organization",
            Set.of("id", "rootId", "managementAccount", "delegatedAdministrators"));
        if (org.get("id") != null) f.organizationId = str(org.get("id"), "organization.id");
        if (org.get("rootId") != null) f.rootId = str(org.get("rootId"), "organization.rootId");
        f.managementAccountId = accountId(req(org, "managementAccount", "organization.managementAccount"), "organization.managementAccount");
        List<Object> da = list(org.get("delegatedAdministrators"), "organization.delegatedAdministrators");
        for (int i = 0; i < da.size(); i++) f.delegatedAdministrators.add(accountId(da.get(i), "organization.delegatedAdministrators[" + i + "]"));
        Object clock = m.get("clock");
        if (clock instanceof Date d) f.clock = d.toInstant();
        else if (clock != null) {
            try {
                f.clock = Instant.parse(str(clock, "clock"));
            } catch (DateTimeParseException e) {
                fail("clock", "'" + clock + "' is not an ISO-8601 instant such as 2026-11-27T09:00:00Z");
            }
        }
        if (m.get("region") != null) f.region = str(m.get("region"), "region");
        List<Object> accts = list(req(m, "accounts", "accounts"), "accounts");
        for (int i = 0; i < accts.size(); i++) f.accounts.add(account(accts.get(i), "accounts[" + i + "]"));
        f.ous = ous(m.get("ous"), "ous");
        return f;
    }

    private List<Fixture.Ou> ous(Object o, String path) {
        List<Fixture.Ou> out = new ArrayList<>();
        List<Object> l = list(o, path);
        for (int i = 0; i < l.size(); i++) {
            String p = path + "[" + i + "]";
            Map<String, Object> m = map(l.get(i), p, Set.of("name", "id", "accounts", "ous"));
            Fixture.Ou ou = new Fixture.Ou();
            ou.name = str(req(m, "name", p + ".name"), p + ".name");
            ou.id = m.get("id") == null ? null : str(m.get("id"), p + ".id");
            List<Object> a = list(m.get("accounts"), p + ".accounts");
            for (int j = 0; j < a.size(); j++) ou.accounts.add(accountId(a.get(j), p + ".accounts[" + j + "]"));
            ou.ous = ous(m.get("ous"), p + ".ous");
            out.add(ou);
        }
        return out;
    }

    private Fixture.Account account(Object o, String p) {
        Map<String, Object> m = map(o, p, Set.of("id", "name", "email", "status", "tags", "memberRole", "credentials",
            "buckets", "topics", "users"));
        Fixture.Account a = new Fixture.Account();
        a.id = accountId(req(m, "id", p + ".id"), p + ".id");
        a.name = str(req(m, "name", p + ".name"), p + ".name");
        a.email = m.get("email") == null ? a.name.replaceAll("[^A-Za-z0-9]", "-").toLowerCase() + "@example.com" : str(m.get("email"), p + ".email");
        if (m.get("status") != null) a.status = str(m.get("status"), p + ".status");
        a.tags = tags(m.get("tags"), p + ".tags");
        if (m.get("memberRole") != null) {
            Map<String, Object> r = map(m.get("memberRole"), p + ".memberRole", Set.of("name", "externalId"));
            a.memberRole = new Fixture.MemberRole(str(req(r, "name", p + ".memberRole.name"), p + ".memberRole.name"),
                r.get("externalId") == null ? null : str(r.get("externalId"), p + ".memberRole.externalId"));
        }
        if (m.get("credentials") != null) {
            Map<String, Object> c = map(m.get("credentials"), p + ".credentials", Set.of("accessKeyId", "secretAccessKey"));
            a.credentials = new Fixture.Credentials(str(req(c, "accessKeyId", p + ".credentials.accessKeyId"), p + ".credentials.accessKeyId"),
                str(req(c, "secretAccessKey", p + ".credentials.secretAccessKey"), p + ".credentials.secretAccessKey"));
        }
        List<Object> b = list(m.get("buckets"), p + ".buckets");
        for (int i = 0; i < b.size(); i++) {
            String bp = p + ".buckets[" + i + "]";
            Fixture.Bucket bk = new Fixture.Bucket();
            if (b.get(i) instanceof String s) bk.name = s;
            else {
                Map<String, Object> bm = map(b.get(i), bp, Set.of("name", "writers"));
                bk.name = str(req(bm, "name", bp + ".name"), bp + ".name");
                List<Object> w = list(bm.get("writers"), bp + ".writers");
                for (int j = 0; j < w.size(); j++) bk.writers.add(accountId(w.get(j), bp + ".writers[" + j + "]"));
            }
            a.buckets.add(bk);
        }
        List<Object> t = list(m.get("topics"), p + ".topics");
        for (int i = 0; i < t.size(); i++) a.topics.add(str(t.get(i), p + ".topics[" + i + "]"));
        List<Object> u = list(m.get("users"), p + ".users");
        for (int i = 0; i < u.size(); i++) a.users.add(user(u.get(i), p + ".users[" + i + "]"));
        return a;
    }

    private Fixture.User user(Object o, String p) {
        Map<String, Object> m = map(o, p, Set.of("name", "path", "tags", "groups", "createdDaysAgo", "keys"));
        Fixture.User u = new Fixture.User();
        u.name = str(req(m, "name", p + ".name"), p + ".name");
        if (m.get("path") != null) u.path = str(m.get("path"), p + ".path");
        u.tags = tags(m.get("tags"), p + ".tags");
        List<Object> g = list(m.get("groups"), p + ".groups");
        for (int i = 0; i < g.size(); i++) u.groups.add(str(g.get(i), p + ".groups[" + i + "]"));
        if (m.get("createdDaysAgo") != null) u.createdDaysAgo = integer(m.get("createdDaysAgo"), p + ".createdDaysAgo");
        List<Object> k = list(m.get("keys"), p + ".keys");
        for (int i = 0; i < k.size(); i++) {
            String kp = p + ".keys[" + i + "]";
            Map<String, Object> km = map(k.get(i), kp, Set.of("id", "secret", "status", "ageDays", "lastUsedDaysAgo",
                "lastUsedService", "lastUsedRegion"));
            Fixture.Key key = new Fixture.Key();
            if (km.get("id") != null) key.id = str(km.get("id"), kp + ".id");
            if (km.get("secret") != null) key.secret = str(km.get("secret"), kp + ".secret");
            if (km.get("status") != null) key.status = str(km.get("status"), kp + ".status");
            key.ageDays = integer(req(km, "ageDays", kp + ".ageDays"), kp + ".ageDays");
            if (km.get("lastUsedDaysAgo") != null) key.lastUsedDaysAgo = integer(km.get("lastUsedDaysAgo"), kp + ".lastUsedDaysAgo");
            if (km.get("lastUsedService") != null) key.lastUsedService = str(km.get("lastUsedService"), kp + ".lastUsedService");
            if (km.get("lastUsedRegion") != null) key.lastUsedRegion = str(km.get("lastUsedRegion"), kp + ".lastUsedRegion");
            u.keys.add(key);
        }
        return u;
    }

    // ---------------------------------------------------------------- typed access

    private Map<String, String> tags(Object o, String p) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o == null) return out;
        if (o instanceof List<?> l) {   // [{Key: k, Value: v}] form
            for (int i = 0; i < l.size(); i++) {
                Map<String, Object> t = map(l.get(i), p + "[" + i + "]", Set.of("Key", "Value", "key", "value"));
                Object k = t.containsKey("Key") ? t.get("Key") : t.get("key");
                Object v = t.containsKey("Value") ? t.get("Value") : t.get("value");
                out.put(str(k, p + "[" + i + "].Key"), v == null ? "" : String.valueOf(v));
            }
            return out;
        }
        Map<String, Object> m = map(o, p, null);
        m.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String p, Set<String> allowed) {
        if (!(o instanceof Map)) fail(p, "expected a mapping, found " + describe(o));
        Map<Object, Object> raw = (Map<Object, Object>) o;
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : raw.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (allowed != null && !allowed.contains(k)) fail(p + "." + k, "unknown field (expected one of " + allowed + ")");
            m.put(k, e.getValue());
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String p) {
        if (o == null) return List.of();
        if (!(o instanceof List)) fail(p, "expected a list, found " + describe(o));
        return (List<Object>) o;
    }

    private Object req(Map<String, Object> m, String key, String p) {
        Object v = m.get(key);
        if (v == null) fail(p, "is required");
        return v;
    }

    private String str(Object o, String p) {
        if (o instanceof String s) return s;
        if (o instanceof Number || o instanceof Boolean) return String.valueOf(o);
        fail(p, "expected a string, found " + describe(o));
        return null;
    }

    private int integer(Object o, String p) {
        if (o instanceof Integer i) return i;
        if (o instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) (long) l;
        fail(p, "expected an integer, found " + describe(o));
        return 0;
    }

    /** Account ids are strings of 12 digits; an unquoted number is accepted if it has 12 digits. */
    private String accountId(Object o, String p) {
        if (o instanceof Number n) return String.valueOf(n.longValue());
        return str(o, p);
    }

    private static String describe(Object o) {
        if (o == null) return "nothing";
        if (o instanceof Map) return "a mapping";
        if (o instanceof List) return "a list";
        return "'" + o + "' (" + o.getClass().getSimpleName() + ")";
    }

    private void fail(String field, String message) {
        throw new FixtureException(source, field, message);
    }
}
