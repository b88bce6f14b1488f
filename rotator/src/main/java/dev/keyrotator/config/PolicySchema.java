package dev.keyrotator.config;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import dev.keyrotator.policy.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code rotation.schema.json} (bundled from {@code config/}) applied to a policy file: each schema
 * error becomes a {@code FILE:LINE: field: problem} in the rotator's words. The words come from the
 * schema where it has them ({@code errorMessage} for a wrong type, {@code patternErrorMessage}, the
 * keys a mapping allows, enum values, bounds) and from the table below for the few required
 * settings that deserve more than "required".
 */
final class PolicySchema {
  static final String RESOURCE = "rotation.schema.json";
  static final JsonNode JSON = read();
  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(
              SpecificationVersion.DRAFT_2020_12,
              b ->
                  b.schemaRegistryConfig(
                      SchemaRegistryConfig.builder()
                          .formatAssertionsEnabled(true)
                          .pathType(PathType.JSON_POINTER)
                          .build()))
          .getSchema(SchemaLocation.of("classpath:" + RESOURCE), JSON);

  /** A missing setting that deserves more than "required"; line 0 when the file has none. */
  private record Missing(String message, boolean onParent, boolean lineOfParent) {}

  private static final Missing PLAIN = new Missing("required", false, true);
  private static final Missing TAG = new Missing("needs key and value", true, true);
  private static final Map<String, Missing> REQUIRED =
      Map.of(
          "version",
          new Missing(
              "required (the current version is " + PolicyFileLoader.CURRENT_VERSION + ")",
              false,
              true),
          "organization",
          new Missing("required (at least memberRoleName)", false, false),
          "organization.centralAccountId",
          new Missing("required when includeCentralAccount is true", false, true),
          "overrides[].accountTag.key",
          TAG,
          "overrides[].accountTag.value",
          TAG);

  private PolicySchema() {}

  private static JsonNode read() {
    try (InputStream in = PolicySchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return JsonMapper.builder().build().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every problem the schema finds in {@code tree}, in the file's order. */
  static List<ConfigProblem> check(String file, YamlTree tree) {
    List<Error> errors = SCHEMA.validate(tree.root);
    Set<String> mistyped =
        errors.stream()
            .filter(e -> e.getKeyword().equals("type"))
            .map(e -> e.getInstanceLocation().toString())
            .collect(Collectors.toSet());
    Set<ConfigProblem> out = new LinkedHashSet<>();
    for (Error e : errors) {
      String at = e.getInstanceLocation().toString();
      boolean inBranch = e.getEvaluationPath().toString().matches(".*/oneOf/\\d+/.*");
      if (inBranch || !e.getKeyword().equals("type") && mistyped.contains(at)) {
        continue; // a oneOf branch's own failures, or more about a value of the wrong type
      }
      out.add(problem(file, tree, e));
    }
    List<ConfigProblem> problems = new ArrayList<>(out);
    cascade(file, tree, problems);
    return problems;
  }

  private static ConfigProblem problem(String file, YamlTree tree, Error e) {
    String at = e.getInstanceLocation().toString();
    String field = field(e.getInstanceLocation());
    Node node = tree.node(at);
    JsonNode schema = schemaAt(e.getSchemaLocation().getFragment().getParent());
    switch (e.getKeyword()) {
      case "required":
        {
          String path = field.isEmpty() ? e.getProperty() : field + "." + e.getProperty();
          Missing m = REQUIRED.getOrDefault(path.replaceAll("\\[\\d+]", "[]"), PLAIN);
          return new ConfigProblem(
              file, m.lineOfParent() ? tree.line(at) : 0, m.onParent() ? field : path, m.message());
        }
      case "additionalProperties":
        {
          String key = e.getProperty();
          String p = at + "/" + key.replace("~", "~0").replace("/", "~1");
          return new ConfigProblem(
              file,
              tree.keyLine(p),
              field.isEmpty() ? key : field + "." + key,
              "unknown key (expected one of "
                  + schema.get("properties").propertyNames().stream().sorted().toList()
                  + ")");
        }
      default:
        return new ConfigProblem(file, tree.line(at), field, message(e, schema, node));
    }
  }

  private static String message(Error e, JsonNode schema, Node node) {
    String text = node instanceof ScalarNode s ? s.getValue() : null;
    switch (e.getKeyword()) {
      case "type":
        if (schema.has("errorMessage")) {
          return schema.get("errorMessage").asString();
        }
        String types = schema.get("type").toString();
        if (types.contains("object")) {
          return "must be a mapping, got " + describe(node);
        } else if (types.contains("array")) {
          return "must be a list";
        } else if (types.contains("integer")) {
          return "must be a whole number, got " + describe(node);
        } else if (types.contains("boolean")) {
          return "must be true or false, got " + describe(node);
        } else if (text != null && !isNull(node)) {
          return "must be a string, got "
              + text
              + " (YAML reads it as a "
              + (Tag.BOOL.equals(node.getTag()) ? "boolean" : "number")
              + "): quote it, \""
              + text
              + "\"";
        }
        return "must be a single value, got " + describe(node);
      case "pattern":
        String expected = schema.get("patternErrorMessage").asString();
        int cut = expected.indexOf(" (");
        return expected.substring(0, cut) + " '" + text + "'" + expected.substring(cut);
      case "enum":
        if (text == null || isNull(node)) {
          return "must be a single value, got " + describe(node);
        }
        if (e.getSchemaLocation().toString().contains("/layer/properties/mode/")) {
          try {
            Mode.fromLabel(text);
          } catch (IllegalArgumentException wrong) {
            return wrong.getMessage();
          }
        }
        List<String> values = new ArrayList<>();
        schema.get("enum").values().forEach(v -> values.add(v.asString()));
        return "must be "
            + String.join(", ", values.subList(0, values.size() - 1))
            + " or "
            + values.get(values.size() - 1)
            + ", got '"
            + text
            + "'";
      case "minimum":
      case "maximum":
        return "must be between "
            + schema.get("minimum")
            + " and "
            + schema.get("maximum")
            + ", got "
            + e.getInstanceNode();
      case "minItems":
        return "must not be an empty list";
      case "format":
        return "must be a date like 2027-06-30, got '" + text + "'";
      case "oneOf":
        List<String> names = new ArrayList<>();
        schema.get("oneOf").values().forEach(b -> names.add(b.get("required").get(0).asString()));
        return "needs exactly one of "
            + String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.get(names.size() - 1)
            + ", got "
            + e.getArguments()[0];
      default:
        return e.getMessage();
    }
  }

  /**
   * What one mistake implies, as the rotator always said it: an accountTag with a wrong key or
   * value lacks a key and value; an override whose selector is wrong is not also told to have
   * exactly one selector.
   */
  private static void cascade(String file, YamlTree tree, List<ConfigProblem> problems) {
    for (ConfigProblem p : List.copyOf(problems)) {
      if (p.field().matches("overrides\\[\\d+]\\.accountTag\\.(key|value)")) {
        String tag = p.field().substring(0, p.field().lastIndexOf('.'));
        ConfigProblem whole =
            new ConfigProblem(file, tree.line(pointer(tag)), tag, "needs key and value");
        if (!problems.contains(whole)) {
          problems.add(whole);
        }
      }
    }
    Set<String> layerKeys = Set.copyOf(JSON.at("/$defs/layer/properties").propertyNames());
    problems.removeIf(
        p ->
            p.message().startsWith("needs exactly one of ou,")
                && problems.stream()
                    .anyMatch(
                        o ->
                            o.field().startsWith(p.field() + ".")
                                && !layerKeys.contains(
                                    o.field()
                                        .substring(p.field().length() + 1)
                                        .split("[.\\[]")[0])));
  }

  /** {@code overrides[2].accountTag} as a JSON pointer. */
  private static String pointer(String field) {
    return "/" + field.replaceAll("\\[(\\d+)]", "/$1").replace('.', '/');
  }

  /** {@code /overrides/2/accountTag} as {@code overrides[2].accountTag}. */
  private static String field(NodePath path) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      if (element instanceof Integer n) {
        out.append('[').append(n).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(element);
      }
    }
    return out.toString();
  }

  private static JsonNode schemaAt(NodePath fragment) {
    JsonNode node = JSON;
    for (int i = 0; i < fragment.getNameCount(); i++) {
      Object element = fragment.getElement(i);
      node = element instanceof Integer n ? node.get(n) : node.get(element.toString());
    }
    return node;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  static String describe(Node node) {
    if (node instanceof ScalarNode s) {
      return Tag.NULL.equals(s.getTag()) ? "nothing (null)" : "'" + s.getValue() + "'";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return node instanceof MappingNode ? "a mapping" : "nothing";
  }
}
