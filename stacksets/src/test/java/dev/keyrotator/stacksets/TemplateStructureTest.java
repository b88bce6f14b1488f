package dev.keyrotator.stacksets;

import static dev.keyrotator.stacksets.Templates.list;
import static dev.keyrotator.stacksets.Templates.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Offline well-formedness checks that do not need the linter: every Ref, GetAtt, ${} in Sub,
 * Condition and DependsOn resolves, and every Output has a Value.
 */
class TemplateStructureTest {
  private static final Set<String> PSEUDO =
      Set.of(
          "AWS::AccountId",
          "AWS::Partition",
          "AWS::Region",
          "AWS::StackName",
          "AWS::StackId",
          "AWS::URLSuffix",
          "AWS::NoValue",
          "AWS::NotificationARNs");
  private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^!}][^}]*)}");

  @ParameterizedTest
  @ValueSource(
      strings = {"member-role.yaml", "central.yaml", "security-account.yaml", "guardrails.yaml"})
  void everyReferenceResolves(String template) {
    Map<String, Object> t = Templates.get(template);
    assertThat(t.get("AWSTemplateFormatVersion")).isEqualTo("2010-09-09");
    Set<String> params = Templates.section(template, "Parameters").keySet();
    Set<String> resources = Templates.section(template, "Resources").keySet();
    Set<String> conditions = Templates.section(template, "Conditions").keySet();
    List<String> problems = new ArrayList<>();
    Set<String> refable = new HashSet<>(params);
    refable.addAll(resources);
    refable.addAll(PSEUDO);

    walk(t, Set.of(), refable, resources, conditions, problems);
    for (Map.Entry<String, Object> e : Templates.section(template, "Resources").entrySet()) {
      Map<String, Object> r = map(e.getValue());
      assertThat((String) r.get("Type")).as(e.getKey()).matches("AWS::[A-Za-z0-9]+::[A-Za-z0-9]+");
      for (Object d : list(r.get("DependsOn"))) {
        if (!resources.contains(d)) {
          problems.add(e.getKey() + " DependsOn unknown " + d);
        }
      }
      if (r.containsKey("Condition") && !conditions.contains(r.get("Condition"))) {
        problems.add(e.getKey() + " uses unknown Condition " + r.get("Condition"));
      }
    }
    for (Map.Entry<String, Object> e : Templates.section(template, "Outputs").entrySet()) {
      if (map(e.getValue()).get("Value") == null) {
        problems.add("Output " + e.getKey() + " has no Value");
      }
    }
    for (Map.Entry<String, Object> e : Templates.section(template, "Parameters").entrySet()) {
      assertThat(map(e.getValue()).get("Type"))
          .as(e.getKey())
          .isIn("String", "Number", "CommaDelimitedList");
    }
    assertThat(problems).isEmpty();
  }

  private static void walk(
      Object node,
      Set<String> subLocals,
      Set<String> refable,
      Set<String> resources,
      Set<String> conditions,
      List<String> problems) {
    if (node instanceof List<?> l) {
      l.forEach(x -> walk(x, subLocals, refable, resources, conditions, problems));
      return;
    }
    if (!(node instanceof Map<?, ?>)) {
      return;
    }
    Map<String, Object> m = map(node);
    if (m.size() == 1) {
      String k = m.keySet().iterator().next();
      Object v = m.get(k);
      switch (k) {
        case "Ref" -> {
          if (!refable.contains(v)) problems.add("Ref to unknown " + v);
          return;
        }
        case "Fn::GetAtt" -> {
          if (!resources.contains(list(v).get(0))) problems.add("GetAtt of unknown " + v);
          return;
        }
        case "Condition" -> {
          if (v instanceof String s && !conditions.contains(s))
            problems.add("unknown Condition " + s);
          return;
        }
        case "Fn::If" -> {
          if (!conditions.contains(list(v).get(0)))
            problems.add("Fn::If on unknown " + list(v).get(0));
          list(v)
              .subList(1, 3)
              .forEach(x -> walk(x, subLocals, refable, resources, conditions, problems));
          return;
        }
        case "Fn::Sub" -> {
          String text;
          Set<String> locals = new HashSet<>(subLocals);
          if (v instanceof String s) {
            text = s;
          } else {
            text = (String) list(v).get(0);
            locals.addAll(map(list(v).get(1)).keySet());
            walk(list(v).get(1), subLocals, refable, resources, conditions, problems);
          }
          Matcher mt = SUB_VAR.matcher(text);
          while (mt.find()) {
            String var = mt.group(1);
            String head = var.contains(".") ? var.substring(0, var.indexOf('.')) : var;
            boolean ok =
                locals.contains(var)
                    || refable.contains(var)
                    || (var.contains(".") && resources.contains(head));
            if (!ok) problems.add("Sub variable ${" + var + "} does not resolve");
          }
          return;
        }
        default -> {}
      }
    }
    m.values().forEach(x -> walk(x, subLocals, refable, resources, conditions, problems));
  }
}
