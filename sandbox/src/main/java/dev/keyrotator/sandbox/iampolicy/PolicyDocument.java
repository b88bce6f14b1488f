package dev.keyrotator.sandbox.iampolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An IAM policy document (identity or resource policy) and IAM's statement evaluation: {@code
 * Effect}, {@code Action}/{@code NotAction} (wildcards, case-insensitive), {@code Resource}/{@code
 * NotResource} (ARN wildcards), {@code Principal} (resource policies) and {@code Condition} with
 * the String, Arn, Bool and Null operators, the {@code IfExists} suffix and the {@code
 * ForAllValues:}/{@code ForAnyValue:} set qualifiers.
 *
 * <p>Condition semantics follow the IAM reference: a key missing from the request makes a positive
 * operator false and a negated one ({@code StringNotEquals}, {@code ArnNotLike}, ...) true; {@code
 * ...IfExists} is true when the key is missing; {@code ForAllValues} is true for a missing or empty
 * key; several keys in one operator, and several operators, must all match; several values for one
 * key are alternatives.
 */
public final class PolicyDocument {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a set of statements says about a request. */
  public enum Verdict {
    /** An Allow statement matches and no Deny does. */
    ALLOW,
    /** A Deny statement matches. */
    EXPLICIT_DENY,
    /** No statement matches. */
    NOT_APPLICABLE
  }

  private final String source;
  private final List<Statement> statements;

  private PolicyDocument(String source, List<Statement> statements) {
    this.source = source;
    this.statements = List.copyOf(statements);
  }

  /**
   * Parses a policy document.
   *
   * @throws IllegalArgumentException naming {@code source} when it is not a policy document
   */
  public static PolicyDocument parse(String source, String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject() || !root.has("Statement")) {
      throw new IllegalArgumentException(source + ": a policy document needs a Statement");
    }
    List<Statement> out = new ArrayList<>();
    JsonNode st = root.get("Statement");
    if (st.isArray()) {
      for (JsonNode s : st) out.add(Statement.parse(source, s));
    } else {
      out.add(Statement.parse(source, st));
    }
    return new PolicyDocument(source, out);
  }

  public String source() {
    return source;
  }

  /** Identity-policy evaluation: statements without a Principal. */
  public Verdict evaluate(AuthRequest r) {
    return evaluate(r, null);
  }

  /**
   * Evaluates every statement; for a resource policy ({@code caller} given) a statement applies
   * only when its Principal names the caller.
   */
  public Verdict evaluate(AuthRequest r, Caller caller) {
    boolean allowed = false;
    for (Statement s : statements) {
      if (caller != null && !s.principalMatches(caller)) continue;
      if (!s.matches(r)) continue;
      if (s.deny) return Verdict.EXPLICIT_DENY;
      allowed = true;
    }
    return allowed ? Verdict.ALLOW : Verdict.NOT_APPLICABLE;
  }

  /** Every action an Allow statement names (wildcards as written). */
  public List<String> allowedActions() {
    List<String> out = new ArrayList<>();
    for (Statement s : statements) if (!s.deny && !s.notAction) out.addAll(s.actions);
    return out;
  }

  /** Combines the verdicts of several documents: a Deny anywhere wins, else any Allow. */
  public static Verdict combine(List<Verdict> verdicts) {
    boolean allow = false;
    for (Verdict v : verdicts) {
      if (v == Verdict.EXPLICIT_DENY) return v;
      if (v == Verdict.ALLOW) allow = true;
    }
    return allow ? Verdict.ALLOW : Verdict.NOT_APPLICABLE;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) return out;
    if (n.isArray()) n.forEach(v -> out.add(v.asText()));
    else out.add(n.asText());
    return out;
  }

  private static final class Statement {
    final boolean deny;
    final List<String> actions;
    final boolean notAction;
    final List<String> resources;
    final boolean notResource;
    final JsonNode principal;
    final List<Condition> conditions;

    private Statement(
        boolean deny,
        List<String> actions,
        boolean notAction,
        List<String> resources,
        boolean notResource,
        JsonNode principal,
        List<Condition> conditions) {
      this.deny = deny;
      this.actions = actions;
      this.notAction = notAction;
      this.resources = resources;
      this.notResource = notResource;
      this.principal = principal;
      this.conditions = conditions;
    }

    static Statement parse(String source, JsonNode s) {
      String effect = s.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw new IllegalArgumentException(source + ": Effect must be Allow or Deny: " + s);
      }
      boolean notAction = s.has("NotAction");
      boolean notResource = s.has("NotResource");
      List<String> actions = strings(notAction ? s.get("NotAction") : s.get("Action"));
      if (actions.isEmpty()) {
        throw new IllegalArgumentException(source + ": statement without Action: " + s);
      }
      List<String> resources = strings(notResource ? s.get("NotResource") : s.get("Resource"));
      List<Condition> conditions = new ArrayList<>();
      JsonNode c = s.get("Condition");
      if (c != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> op = it.next();
          for (Iterator<Map.Entry<String, JsonNode>> k = op.getValue().fields(); k.hasNext(); ) {
            Map.Entry<String, JsonNode> key = k.next();
            conditions.add(Condition.parse(source, op.getKey(), key.getKey(), key.getValue()));
          }
        }
      }
      return new Statement(
          effect.equals("Deny"),
          actions,
          notAction,
          resources,
          notResource,
          s.get("Principal"),
          conditions);
    }

    boolean matches(AuthRequest r) {
      boolean action = actions.stream().anyMatch(a -> Glob.matches(a, r.action, true));
      if (action == notAction) return false;
      if (!resources.isEmpty()) {
        boolean resource = resources.stream().anyMatch(p -> Glob.matches(p, r.resource, false));
        if (resource == notResource) return false;
      }
      for (Condition c : conditions) if (!c.holds(r.context)) return false;
      return true;
    }

    boolean principalMatches(Caller caller) {
      if (principal == null) return false;
      if (principal.isTextual()) return principal.asText().equals("*");
      for (String p : strings(principal.get("AWS"))) {
        if (p.equals("*")
            || p.equals(caller.account())
            || p.equals("arn:aws:iam::" + caller.account() + ":root")
            || p.equals(caller.arn())) return true;
      }
      return false; // Service, Federated, CanonicalUser principals are never sandbox callers
    }
  }

  private record Condition(
      String operator,
      String base,
      boolean negated,
      boolean ifExists,
      String set,
      String key,
      List<String> values) {

    static Condition parse(String source, String op, String key, JsonNode v) {
      String set = null;
      String rest = op;
      if (rest.startsWith("ForAllValues:") || rest.startsWith("ForAnyValue:")) {
        set = rest.substring(0, rest.indexOf(':'));
        rest = rest.substring(rest.indexOf(':') + 1);
      }
      boolean ifExists = rest.endsWith("IfExists");
      if (ifExists) rest = rest.substring(0, rest.length() - "IfExists".length());
      boolean negated = false;
      String base;
      switch (rest) {
        case "StringEquals", "StringLike", "StringEqualsIgnoreCase", "ArnEquals", "ArnLike" ->
            base = rest;
        case "StringNotEquals", "StringNotLike", "StringNotEqualsIgnoreCase" -> {
          negated = true;
          base = rest.replace("Not", "");
        }
        case "ArnNotEquals", "ArnNotLike" -> {
          negated = true;
          base = rest.replace("Not", "");
        }
        case "Bool", "Null" -> base = rest;
        default ->
            throw new IllegalArgumentException(
                source + ": condition operator " + op + " is not supported by the sandbox");
      }
      return new Condition(op, base, negated, ifExists, set, key, strings(v));
    }

    private boolean one(String value) {
      for (String want : values) {
        boolean hit =
            switch (base) {
              case "StringEquals" -> want.equals(value);
              case "StringEqualsIgnoreCase", "Bool" -> want.equalsIgnoreCase(value);
              case "StringLike", "ArnLike", "ArnEquals" -> Glob.matches(want, value, false);
              default -> throw new IllegalStateException(base);
            };
        if (hit) return true;
      }
      return false;
    }

    boolean holds(Map<String, List<String>> context) {
      List<String> present = null;
      for (Map.Entry<String, List<String>> e : context.entrySet()) {
        if (e.getKey().equalsIgnoreCase(key)) present = e.getValue();
      }
      if (base.equals("Null")) {
        boolean absent = present == null || present.isEmpty();
        return values.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).equals("true") == absent);
      }
      if (present == null || present.isEmpty()) {
        if (ifExists) return true;
        if ("ForAllValues".equals(set)) return true;
        if ("ForAnyValue".equals(set)) return false;
        return negated;
      }
      if ("ForAllValues".equals(set)) {
        return present.stream().allMatch(v -> one(v) != negated);
      }
      if ("ForAnyValue".equals(set)) {
        return present.stream().anyMatch(v -> one(v) != negated);
      }
      // single-valued key
      boolean hit = present.stream().anyMatch(this::one);
      return hit != negated;
    }
  }
}
