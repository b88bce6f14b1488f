package dev.keyrotator.sandbox.cfn;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A CloudFormation template (YAML, short-form tags understood) rendered the way CloudFormation
 * would for given parameters: Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::Select, Fn::Split, Fn::Join and
 * the condition functions resolve, AWS::NoValue disappears. The sandbox uses it to deploy the IAM
 * roles a template defines (their trust and identity policies) from the template file itself.
 *
 * <p>References to resources (a topic's {@code Ref}, a key's {@code Arn}) resolve from the values
 * given to {@link #render}: {@code "NotificationTopic"} for {@code Ref}, {@code "LogGroup.Arn"} for
 * {@code Fn::GetAtt}.
 */
public final class CfnTemplate {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^!}][^}]*)}");
  private static final List<String> FN_TAGS =
      List.of(
          "Sub",
          "GetAtt",
          "Join",
          "If",
          "Equals",
          "Not",
          "Select",
          "Split",
          "FindInMap",
          "And",
          "Or",
          "Base64",
          "Cidr",
          "GetAZs",
          "ImportValue",
          "Transform",
          "Length",
          "ToJsonString");

  private final String name;
  private final Map<String, Object> root;

  private CfnTemplate(String name, Map<String, Object> root) {
    this.name = name;
    this.root = root;
  }

  public static CfnTemplate load(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new CfnTemplate(file.getFileName().toString(), new Yaml(new Constructor()).load(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  /**
   * Renders the template.
   *
   * @param parameters parameter values; absent ones take their Default (a missing required one
   *     fails)
   * @param accountId {@code AWS::AccountId}
   * @param region {@code AWS::Region}
   * @param resources values of resource references ({@code Logical} for Ref, {@code Logical.Attr}
   *     for GetAtt)
   */
  public Rendered render(
      Map<String, String> parameters,
      String accountId,
      String region,
      Map<String, String> resources) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : section("Parameters").entrySet()) {
      Map<String, Object> p = map(e.getValue());
      Object v = parameters.containsKey(e.getKey()) ? parameters.get(e.getKey()) : p.get("Default");
      if (v == null) {
        throw new IllegalArgumentException(name + ": parameter " + e.getKey() + " has no value");
      }
      String s = String.valueOf(v);
      params.put(
          e.getKey(),
          "CommaDelimitedList".equals(p.get("Type"))
              ? (s.isEmpty() ? List.of() : Arrays.asList(s.split(",", -1)))
              : s);
    }
    for (String given : parameters.keySet()) {
      if (!params.containsKey(given)) {
        throw new IllegalArgumentException(name + " has no parameter " + given);
      }
    }
    params.put("AWS::AccountId", accountId);
    params.put("AWS::Region", region);
    params.put("AWS::Partition", "aws");
    params.put("AWS::URLSuffix", "amazonaws.com");
    params.put("AWS::StackName", "sandbox-" + name.replace(".yaml", ""));
    Resolver r = new Resolver(params, resources);
    for (String c : section("Conditions").keySet()) r.condition(c);
    return new Rendered(this, r);
  }

  private Map<String, Object> section(String s) {
    return map(root.get(s));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o == null ? List.of() : o instanceof List ? (List<Object>) o : List.of(o);
  }

  /** The template, rendered. */
  public static final class Rendered {
    private final CfnTemplate t;
    private final Resolver r;

    private Rendered(CfnTemplate t, Resolver r) {
      this.t = t;
      this.r = r;
    }

    public boolean condition(String name) {
      return r.condition(name);
    }

    /** Whether the resource exists under the rendered conditions. */
    public boolean exists(String logicalId) {
      Map<String, Object> res = map(t.section("Resources").get(logicalId));
      if (res.isEmpty()) return false;
      Object c = res.get("Condition");
      return c == null || r.condition((String) c);
    }

    /** A resource's resolved Properties. */
    public Map<String, Object> properties(String logicalId) {
      if (!exists(logicalId)) {
        throw new IllegalArgumentException(t.name + ": no resource " + logicalId + " here");
      }
      return map(r.resolve(map(t.section("Resources").get(logicalId)).get("Properties")));
    }

    /** Logical ids of the resources of a type that exist under the rendered conditions. */
    public List<String> resourcesOfType(String type) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, Object> e : t.section("Resources").entrySet()) {
        if (type.equals(map(e.getValue()).get("Type")) && exists(e.getKey())) out.add(e.getKey());
      }
      return out;
    }

    /**
     * A role's identity policies as JSON: its inline Policies and every AWS::IAM::Policy attached
     * to it in the template.
     */
    public List<String> rolePolicies(String roleLogicalId) {
      List<String> out = new ArrayList<>();
      for (Object p : list(properties(roleLogicalId).get("Policies"))) {
        out.add(json(map(p).get("PolicyDocument")));
      }
      for (String id : resourcesOfType("AWS::IAM::Policy")) {
        Map<String, Object> raw = map(map(t.section("Resources").get(id)).get("Properties"));
        boolean attached =
            list(raw.get("Roles")).stream()
                .anyMatch(x -> x instanceof Map<?, ?> m && roleLogicalId.equals(m.get("Ref")));
        if (attached) out.add(json(properties(id).get("PolicyDocument")));
      }
      return out;
    }

    public String trustPolicy(String roleLogicalId) {
      return json(properties(roleLogicalId).get("AssumeRolePolicyDocument"));
    }

    /** A policy-document property ({@code PolicyDocument} of a bucket policy, say) as JSON. */
    public String document(String logicalId, String property) {
      return json(properties(logicalId).get(property));
    }

    private static String json(Object o) {
      try {
        return JSON.writeValueAsString(o);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Evaluates intrinsic functions. */
  private final class Resolver {
    private final Map<String, Object> params;
    private final Map<String, String> resources;
    private final Map<String, Boolean> conditions = new LinkedHashMap<>();

    Resolver(Map<String, Object> params, Map<String, String> resources) {
      this.params = params;
      this.resources = resources;
    }

    boolean condition(String c) {
      Boolean v = conditions.get(c);
      if (v == null) {
        Object def = section("Conditions").get(c);
        if (def == null) throw new IllegalArgumentException(name + ": no Condition " + c);
        v = truth(def);
        conditions.put(c, v);
      }
      return v;
    }

    private boolean truth(Object o) {
      Map<String, Object> m = map(o);
      if (m.containsKey("Condition")) return condition((String) m.get("Condition"));
      if (m.containsKey("Fn::Equals")) {
        List<Object> a = list(m.get("Fn::Equals"));
        return String.valueOf(resolve(a.get(0))).equals(String.valueOf(resolve(a.get(1))));
      }
      if (m.containsKey("Fn::Not")) return !truth(list(m.get("Fn::Not")).get(0));
      if (m.containsKey("Fn::And")) return list(m.get("Fn::And")).stream().allMatch(this::truth);
      if (m.containsKey("Fn::Or")) return list(m.get("Fn::Or")).stream().anyMatch(this::truth);
      throw new IllegalArgumentException(name + ": unsupported condition " + o);
    }

    private static final Object NO_VALUE = new Object();

    Object resolve(Object o) {
      Object v = eval(o);
      return v == NO_VALUE ? null : v;
    }

    private Object eval(Object o) {
      if (o instanceof List<?> l) {
        List<Object> out = new ArrayList<>();
        for (Object x : l) {
          Object v = eval(x);
          if (v != NO_VALUE) out.add(v);
        }
        return out;
      }
      if (!(o instanceof Map<?, ?>)) return o;
      Map<String, Object> m = map(o);
      if (m.size() == 1) {
        String k = m.keySet().iterator().next();
        Object a = m.get(k);
        switch (k) {
          case "Ref":
            if ("AWS::NoValue".equals(a)) return NO_VALUE;
            return ref((String) a);
          case "Fn::GetAtt":
            {
              List<Object> p = list(a);
              return resourceValue(p.get(0) + "." + p.get(1));
            }
          case "Fn::Sub":
            return sub(a);
          case "Fn::If":
            {
              List<Object> p = list(a);
              return eval(condition((String) p.get(0)) ? p.get(1) : p.get(2));
            }
          case "Fn::Select":
            {
              List<Object> p = list(a);
              int i = Integer.parseInt(String.valueOf(eval(p.get(0))));
              return list(eval(p.get(1))).get(i);
            }
          case "Fn::Split":
            {
              List<Object> p = list(a);
              String sep = String.valueOf(eval(p.get(0)));
              String s = String.valueOf(eval(p.get(1)));
              return new ArrayList<Object>(Arrays.asList(s.split(Pattern.quote(sep), -1)));
            }
          case "Fn::Join":
            {
              List<Object> p = list(a);
              List<String> parts = new ArrayList<>();
              for (Object x : list(eval(p.get(1)))) parts.add(String.valueOf(x));
              return String.join(String.valueOf(eval(p.get(0))), parts);
            }
          default:
            if (k.startsWith("Fn::")) {
              throw new IllegalArgumentException(name + ": " + k + " is not supported");
            }
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : m.entrySet()) {
        Object v = eval(e.getValue());
        if (v != NO_VALUE) out.put(e.getKey(), v);
      }
      return out;
    }

    private Object ref(String n) {
      if (params.containsKey(n)) return params.get(n);
      return resourceValue(n);
    }

    private String resourceValue(String key) {
      String v = resources.get(key);
      if (v == null) {
        throw new IllegalArgumentException(name + ": no value given for resource reference " + key);
      }
      return v;
    }

    private String sub(Object a) {
      String text;
      Map<String, Object> locals = new LinkedHashMap<>();
      if (a instanceof String s) {
        text = s;
      } else {
        List<Object> p = list(a);
        text = (String) p.get(0);
        map(p.get(1)).forEach((k, v) -> locals.put(k, eval(v)));
      }
      Matcher mt = SUB_VAR.matcher(text);
      StringBuilder b = new StringBuilder();
      while (mt.find()) {
        String var = mt.group(1);
        Object v;
        if (locals.containsKey(var)) v = locals.get(var);
        else if (params.containsKey(var)) v = params.get(var);
        else v = resourceValue(var.contains(".") ? var : var);
        mt.appendReplacement(b, Matcher.quoteReplacement(String.valueOf(v)));
      }
      mt.appendTail(b);
      return b.toString().replace("${!", "${");
    }
  }

  /** SnakeYAML constructor turning {@code !Ref x} into {@code {Ref: x}} and so on. */
  private static final class Constructor extends SafeConstructor {
    Constructor() {
      super(new LoaderOptions());
      yamlConstructors.put(new Tag("!Ref"), new Fn("Ref"));
      yamlConstructors.put(new Tag("!Condition"), new Fn("Condition"));
      for (String t : FN_TAGS) yamlConstructors.put(new Tag("!" + t), new Fn("Fn::" + t));
    }

    private final class Fn extends AbstractConstruct {
      private final String fn;

      Fn(String fn) {
        this.fn = fn;
      }

      @Override
      public Object construct(Node node) {
        Object value;
        if (node instanceof ScalarNode s) {
          value =
              fn.equals("Fn::GetAtt")
                  ? new ArrayList<Object>(Arrays.asList(s.getValue().split("\\.", 2)))
                  : s.getValue();
        } else if (node instanceof SequenceNode seq) {
          value = constructSequence(seq);
        } else {
          value = constructMapping((MappingNode) node);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(fn, value);
        return m;
      }
    }
  }
}
