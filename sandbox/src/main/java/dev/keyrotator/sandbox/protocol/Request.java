package dev.keyrotator.sandbox.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One AWS request as read off the wire: the parts every protocol needs, and typed access to its
 * parameters.
 */
public class Request {
  public String method;
  public String rawPath;
  public String rawQuery;
  public Map<String, List<String>> headers; // lower-case names
  public byte[] body;
  public String service;
  public String region;
  public String operation;
  public Map<String, String> params = new LinkedHashMap<>(); // Query protocol: form + query string
  public JsonNode json = JsonNodeFactory.instance.objectNode();
  public String requestId;

  /** When the request arrived ({@link System#nanoTime}), before any injected delay. */
  public long arrivedNanos;

  public String header(String name) {
    List<String> v = headers.get(name.toLowerCase());
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  // ------------------------------------------------------------------ Query protocol parameters

  public static Map<String, String> parseForm(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (s == null || s.isEmpty()) return m;
    for (String part : s.split("&")) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      m.put(k, v);
    }
    return m;
  }

  public String param(String name) {
    return params.get(name);
  }

  public String required(String name) {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      throw new AwsException(
          400,
          "ValidationError",
          "1 validation error detected: Value null at '"
              + Character.toLowerCase(name.charAt(0))
              + name.substring(1)
              + "' failed to satisfy constraint: Member must not be null");
    }
    return v;
  }

  public Integer intParam(String name) {
    String v = params.get(name);
    if (v == null) return null;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new AwsException(400, "ValidationError", "Invalid value for " + name + ": " + v);
    }
  }

  /** {@code Name.member.N} list, in N order. */
  public List<String> memberList(String name) {
    TreeMap<Integer, String> m = new TreeMap<>();
    String prefix = name + ".member.";
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        String rest = e.getKey().substring(prefix.length());
        if (rest.matches("\\d+")) m.put(Integer.parseInt(rest), e.getValue());
      }
    }
    return new ArrayList<>(m.values());
  }

  /** {@code Name.member.N.Field} structures, in N order. */
  public List<Map<String, String>> memberStructs(String name) {
    return indexed(name + ".member.");
  }

  /** {@code Name.entry.N.Field...} map entries, in N order. */
  public List<Map<String, String>> entries(String name) {
    return indexed(name + ".entry.");
  }

  private List<Map<String, String>> indexed(String prefix) {
    TreeMap<Integer, Map<String, String>> m = new TreeMap<>();
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (!e.getKey().startsWith(prefix)) continue;
      String rest = e.getKey().substring(prefix.length());
      int dot = rest.indexOf('.');
      if (dot < 0) continue;
      try {
        int n = Integer.parseInt(rest.substring(0, dot));
        m.computeIfAbsent(n, x -> new LinkedHashMap<>()).put(rest.substring(dot + 1), e.getValue());
      } catch (NumberFormatException ignored) {
        // not an indexed member
      }
    }
    return new ArrayList<>(m.values());
  }

  // ------------------------------------------------------------------ JSON protocol members

  public String str(String field) {
    JsonNode n = json.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  public String requiredStr(String field, String exceptionCode) {
    String v = str(field);
    if (v == null || v.isEmpty())
      throw new AwsException(
          400, exceptionCode, "You must provide a value for the " + field + " parameter.");
    return v;
  }

  public Integer integer(String field) {
    JsonNode n = json.get(field);
    return n == null || n.isNull() ? null : n.asInt();
  }

  public boolean bool(String field) {
    JsonNode n = json.get(field);
    return n != null && n.asBoolean();
  }
}
