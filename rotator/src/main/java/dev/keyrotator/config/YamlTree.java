package dev.keyrotator.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A composed YAML document as the JSON tree a schema validates, with the YAML node behind each JSON
 * pointer (for lines and for quoting values as they were written). Scalars become what YAML reads
 * them as: {@code 011111111111} is a number, {@code "011111111111"} a string; dates stay text. Keys
 * that JSON cannot hold (lists, mappings, repeats) are problems here.
 */
final class YamlTree {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> TRUE = Set.of("true", "yes", "on", "y");

  final JsonNode root;
  private final Map<String, Node> values = new HashMap<>();
  private final Map<String, Node> keys = new HashMap<>();
  final List<ConfigProblem> problems = new ArrayList<>();
  private final String file;

  YamlTree(String file, Node root) {
    this.file = file;
    this.root = root == null ? JSON.nullNode() : convert(root, "", "");
  }

  /** The YAML node at a JSON pointer; null when there is none. */
  Node node(String pointer) {
    return values.get(pointer);
  }

  /** The line of the value at {@code pointer}, 0 when unknown. */
  int line(String pointer) {
    return line(values.get(pointer));
  }

  /** The line of the key whose value is at {@code pointer}. */
  int keyLine(String pointer) {
    return line(keys.get(pointer));
  }

  static int line(Node node) {
    return node == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private JsonNode convert(Node node, String pointer, String field) {
    values.put(pointer, node);
    if (node instanceof MappingNode map) {
      ObjectNode out = JSON.objectNode();
      Map<String, Integer> seen = new HashMap<>();
      for (NodeTuple t : map.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          problems.add(
              new ConfigProblem(file, line(t.getKeyNode()), field, "keys must be plain names"));
          continue;
        }
        String key = k.getValue();
        String path = field.isEmpty() ? key : field + "." + key;
        Integer first = seen.putIfAbsent(key, line(k));
        if (first != null) {
          problems.add(
              new ConfigProblem(file, line(k), path, "repeated key (first on line " + first + ")"));
          continue;
        }
        String p = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
        keys.put(p, k);
        out.set(key, convert(t.getValueNode(), p, path));
      }
      return out;
    }
    if (node instanceof SequenceNode seq) {
      ArrayNode out = JSON.arrayNode();
      for (int i = 0; i < seq.getValue().size(); i++) {
        out.add(convert(seq.getValue().get(i), pointer + "/" + i, field + "[" + i + "]"));
      }
      return out;
    }
    return scalar((ScalarNode) node);
  }

  private static JsonNode scalar(ScalarNode s) {
    String v = s.getValue();
    Tag tag = s.getTag();
    if (Tag.NULL.equals(tag)) {
      return JSON.nullNode();
    }
    if (Tag.BOOL.equals(tag)) {
      return JSON.booleanNode(TRUE.contains(v.toLowerCase(Locale.ROOT)));
    }
    try {
      if (Tag.INT.equals(tag)) {
        // decimal only, as written: 0x10 or 1:30 stay text and are refused where a number belongs
        BigInteger n = new BigInteger(v.replace("_", ""));
        return n.bitLength() < 64 ? JSON.numberNode(n.longValue()) : JSON.numberNode(n);
      }
      if (Tag.FLOAT.equals(tag)) {
        return JSON.numberNode(Double.parseDouble(v.replace("_", "")));
      }
    } catch (NumberFormatException e) {
      // falls through: kept as text
    }
    return JSON.stringNode(v);
  }
}
