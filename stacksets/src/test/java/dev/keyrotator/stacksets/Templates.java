package dev.keyrotator.stacksets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The templates of this module, read once, and helpers to walk them. */
final class Templates {
  static final Path MODULE = locateModule();

  /** The templates of an organization deployment (scripts/deploy). */
  static final List<String> NAMES =
      List.of(
          "member-role.yaml",
          "central.yaml",
          "security-account.yaml",
          "guardrails.yaml",
          "organizations-delegation.yaml");

  /** The templates scripts/deploy deploys (guardrails.yaml is optional, by hand). */
  static final List<String> DEPLOYED =
      List.of("member-role.yaml", "central.yaml", "security-account.yaml");

  /** Every template of the module: the organization's and the single-account stack. */
  static final List<String> ALL =
      java.util.stream.Stream.concat(
              NAMES.stream(), java.util.stream.Stream.of("single-account.yaml"))
          .toList();

  private static final Map<String, Map<String, Object>> CACHE = new LinkedHashMap<>();

  private Templates() {}

  private static Path locateModule() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("permissions.yaml")) && Files.exists(p.resolve("central.yaml"))) {
        return p;
      }
      if (Files.exists(p.resolve("stacksets/permissions.yaml"))) {
        return p.resolve("stacksets");
      }
    }
    throw new IllegalStateException("cannot find the stacksets module from " + here);
  }

  static synchronized Map<String, Object> get(String name) {
    return CACHE.computeIfAbsent(
        name,
        n -> {
          try {
            return CfnYaml.load(MODULE.resolve(n));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  static Map<String, Object> permissions() {
    try {
      return CfnYaml.loadPlain(MODULE.resolve("permissions.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    if (o == null) {
      return List.of();
    }
    return o instanceof List ? (List<Object>) o : List.of(o);
  }

  static Map<String, Object> section(String template, String section) {
    return map(get(template).get(section));
  }

  static Map<String, Object> resource(String template, String logicalId) {
    return map(section(template, "Resources").get(logicalId));
  }

  static Map<String, Object> props(String template, String logicalId) {
    return map(resource(template, logicalId).get("Properties"));
  }

  static boolean isRef(Object o, String target) {
    return o instanceof Map<?, ?> m && m.size() == 1 && Objects.equals(m.get("Ref"), target);
  }

  /**
   * A policy statement and the Condition (from an enclosing Fn::If) under which it exists: the
   * condition's name in the If's true branch, {@code !name} in its false branch.
   */
  record Statement(Map<String, Object> body, String condition) {
    String effect() {
      return (String) body.get("Effect");
    }

    List<String> actions() {
      return list(body.get("Action")).stream().map(String.class::cast).toList();
    }

    List<Object> resources() {
      return list(body.get("Resource"));
    }
  }

  /** Statements of a policy document, with Fn::If branches flattened (AWS::NoValue dropped). */
  static List<Statement> statements(Object policyDocument) {
    List<Statement> out = new ArrayList<>();
    for (Object s : list(map(policyDocument).get("Statement"))) {
      collect(s, null, out);
    }
    return out;
  }

  private static void collect(Object s, String condition, List<Statement> out) {
    Map<String, Object> m = map(s);
    if (m.containsKey("Fn::If")) {
      List<Object> args = list(m.get("Fn::If"));
      String c = (String) args.get(0);
      collect(args.get(1), c, out);
      collect(args.get(2), "!" + c, out);
    } else if (!isRef(m, "AWS::NoValue")) {
      out.add(new Statement(m, condition));
    }
  }

  /** Every identity-policy statement of a role: inline Policies plus AWS::IAM::Policy resources. */
  static List<Statement> roleStatements(String template, String roleId) {
    List<Statement> out = new ArrayList<>();
    for (Object p : list(props(template, roleId).get("Policies"))) {
      out.addAll(statements(map(p).get("PolicyDocument")));
    }
    for (Map.Entry<String, Object> e : section(template, "Resources").entrySet()) {
      Map<String, Object> r = map(e.getValue());
      String type = (String) r.get("Type");
      if ("AWS::IAM::Policy".equals(type) || "AWS::IAM::RolePolicy".equals(type)) {
        Map<String, Object> p = map(r.get("Properties"));
        boolean attached =
            list(p.get("Roles")).stream().anyMatch(x -> isRef(x, roleId))
                || isRef(p.get("RoleName"), roleId);
        if (attached) {
          out.addAll(statements(p.get("PolicyDocument")));
        }
      }
    }
    return out;
  }
}
