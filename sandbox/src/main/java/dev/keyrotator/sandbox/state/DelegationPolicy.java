package dev.keyrotator.sandbox.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An organization's resource-based delegation policy (organizations PutResourcePolicy), evaluated
 * for one caller and action as AWS does for a caller outside the management account: an explicit
 * Deny wins, else an Allow grants, else the call is refused.
 *
 * <p>What it evaluates: {@code Effect}, {@code Principal} ({@code "*"}, or {@code AWS} as an
 * account id, {@code arn:aws:iam::ACCOUNT:root}, or a user or role ARN; an assumed-role session
 * matches its role), {@code Action} with {@code *} and {@code ?} wildcards (case-insensitive), and
 * conditions StringEquals, StringLike, ArnEquals, ArnLike on aws:PrincipalArn, aws:PrincipalAccount
 * and aws:PrincipalOrgID. {@code Resource} must be there but narrows nothing. A document using
 * anything else (NotAction, NotPrincipal, another condition) is refused when it is attached, so
 * that the sandbox never answers a policy it does not understand.
 */
public final class DelegationPolicy {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Verdict {
    ALLOW,
    DENY,
    NONE
  }

  private record Statement(
      boolean allow,
      boolean anyPrincipal,
      List<String> principals,
      List<Pattern> actions,
      List<Condition> conditions) {}

  private record Condition(String operator, String key, List<String> values) {}

  private final String text;
  private final List<Statement> statements;

  private DelegationPolicy(String text, List<Statement> statements) {
    this.text = text;
    this.statements = statements;
  }

  /** The document as attached. */
  public String text() {
    return text;
  }

  /**
   * Parses a policy document.
   *
   * @throws IllegalArgumentException naming what is wrong or what the sandbox does not evaluate
   */
  public static DelegationPolicy parse(String text) {
    JsonNode doc;
    try {
      doc = JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException("the policy is not JSON: " + e.getMessage());
    }
    if (doc == null || !doc.isObject() || !doc.has("Statement")) {
      throw new IllegalArgumentException("the policy has no Statement");
    }
    List<Statement> out = new ArrayList<>();
    for (JsonNode s : list(doc.get("Statement"))) {
      for (String unsupported : List.of("NotAction", "NotPrincipal", "NotResource")) {
        if (s.has(unsupported)) {
          throw new IllegalArgumentException(
              unsupported + " is not evaluated by the sandbox; use Action, Principal, Resource");
        }
      }
      String effect = s.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw new IllegalArgumentException("Effect must be Allow or Deny, got '" + effect + "'");
      }
      if (!s.has("Action") || !s.has("Resource") || !s.has("Principal")) {
        throw new IllegalArgumentException("a statement needs Principal, Action and Resource");
      }
      JsonNode p = s.get("Principal");
      boolean any = p.isTextual() && p.asText().equals("*");
      List<String> principals = new ArrayList<>();
      if (!any) {
        if (!p.isObject() || !p.has("AWS") || p.size() != 1) {
          throw new IllegalArgumentException("Principal must be \"*\" or {\"AWS\": ...}");
        }
        for (JsonNode a : list(p.get("AWS"))) {
          if (a.asText().equals("*")) {
            any = true;
          } else {
            principals.add(a.asText());
          }
        }
      }
      List<Pattern> actions = new ArrayList<>();
      for (JsonNode a : list(s.get("Action"))) {
        actions.add(glob(a.asText()));
      }
      List<Condition> conditions = new ArrayList<>();
      for (Map.Entry<String, JsonNode> op : s.path("Condition").properties()) {
        if (!List.of("StringEquals", "StringLike", "ArnEquals", "ArnLike").contains(op.getKey())) {
          throw new IllegalArgumentException(
              "condition operator " + op.getKey() + " is not evaluated by the sandbox");
        }
        for (Map.Entry<String, JsonNode> k : op.getValue().properties()) {
          String key = k.getKey().toLowerCase(Locale.ROOT);
          if (!List.of("aws:principalarn", "aws:principalaccount", "aws:principalorgid")
              .contains(key)) {
            throw new IllegalArgumentException(
                "condition key " + k.getKey() + " is not evaluated by the sandbox");
          }
          List<String> values = new ArrayList<>();
          list(k.getValue()).forEach(v -> values.add(v.asText()));
          conditions.add(new Condition(op.getKey(), key, values));
        }
      }
      out.add(new Statement(effect.equals("Allow"), any, principals, actions, conditions));
    }
    return new DelegationPolicy(text, List.copyOf(out));
  }

  /**
   * The verdict for {@code action} (e.g. {@code organizations:ListRoots}) called by {@code
   * principalArn} of {@code accountId} in organization {@code orgId}.
   */
  public Verdict evaluate(String action, String accountId, String principalArn, String orgId) {
    String roleArn = roleOf(principalArn);
    Verdict verdict = Verdict.NONE;
    for (Statement s : statements) {
      boolean principal =
          s.anyPrincipal()
              || s.principals().stream()
                  .anyMatch(
                      p ->
                          p.equals(accountId)
                              || p.equals("arn:aws:iam::" + accountId + ":root")
                              || p.equals(principalArn)
                              || p.equals(roleArn));
      boolean act = s.actions().stream().anyMatch(a -> a.matcher(action).matches());
      boolean cond =
          s.conditions().stream().allMatch(c -> holds(c, accountId, principalArn, roleArn, orgId));
      if (principal && act && cond) {
        if (!s.allow()) {
          return Verdict.DENY;
        }
        verdict = Verdict.ALLOW;
      }
    }
    return verdict;
  }

  private static boolean holds(
      Condition c, String accountId, String principalArn, String roleArn, String orgId) {
    List<String> actual =
        switch (c.key()) {
          case "aws:principalaccount" -> List.of(accountId);
          case "aws:principalorgid" -> List.of(orgId);
          default -> List.of(principalArn, roleArn);
        };
    boolean like = c.operator().endsWith("Like");
    return c.values().stream()
        .anyMatch(
            v -> actual.stream().anyMatch(a -> like ? glob(v).matcher(a).matches() : v.equals(a)));
  }

  /** {@code arn:aws:sts::A:assumed-role/R/s} as {@code arn:aws:iam::A:role/R}; else itself. */
  private static String roleOf(String arn) {
    if (arn != null && arn.contains(":assumed-role/")) {
      String[] parts = arn.split(":", 6);
      String[] res = parts[5].split("/");
      return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + res[1];
    }
    return arn;
  }

  private static Pattern glob(String s) {
    StringBuilder re = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '*') re.append(".*");
      else if (ch == '?') re.append('.');
      else re.append(Pattern.quote(String.valueOf(ch)));
    }
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
  }

  private static List<JsonNode> list(JsonNode n) {
    List<JsonNode> out = new ArrayList<>();
    if (n == null) return out;
    if (n.isArray()) n.forEach(out::add);
    else out.add(n);
    return out;
  }
}
