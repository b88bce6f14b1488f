package dev.keyrotator.stacksets;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 * Reads CloudFormation YAML, turning the short-form tags into their long form ({@code !Ref X}
 * becomes {@code {Ref: X}}, {@code !Sub s} becomes {@code {Fn::Sub: s}}, {@code !GetAtt A.B}
 * becomes {@code {Fn::GetAtt: [A, B]}}).
 */
final class CfnYaml {
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
          "ImportValue",
          "And",
          "Or",
          "Base64",
          "Cidr",
          "GetAZs",
          "Transform",
          "Length",
          "ToJsonString");

  private CfnYaml() {}

  static Map<String, Object> load(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new Yaml(new CfnConstructor()).load(r);
    }
  }

  static Map<String, Object> loadPlain(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    }
  }

  private static final class CfnConstructor extends SafeConstructor {
    CfnConstructor() {
      super(new LoaderOptions());
      yamlConstructors.put(new Tag("!Ref"), new Fn("Ref"));
      yamlConstructors.put(new Tag("!Condition"), new Fn("Condition"));
      for (String t : FN_TAGS) {
        yamlConstructors.put(new Tag("!" + t), new Fn("Fn::" + t));
      }
    }

    private final class Fn extends AbstractConstruct {
      private final String name;

      Fn(String name) {
        this.name = name;
      }

      @Override
      public Object construct(Node node) {
        Object value;
        if (node instanceof ScalarNode s) {
          String text = s.getValue();
          value = name.equals("Fn::GetAtt") ? Arrays.asList(text.split("\\.", 2)) : (Object) text;
        } else if (node instanceof SequenceNode seq) {
          value = constructSequence(seq);
        } else {
          value = constructMapping((MappingNode) node);
        }
        return Map.of(name, value);
      }
    }
  }
}
