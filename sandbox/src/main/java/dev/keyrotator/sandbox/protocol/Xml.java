package dev.keyrotator.sandbox.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;

/** Minimal XML writer for Query and S3 responses. */
public final class Xml {
  private final StringBuilder sb = new StringBuilder();

  public static String esc(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        case '\r' -> b.append("&#13;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  public static String iso(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  public Xml open(String tag) {
    sb.append('<').append(tag).append('>');
    return this;
  }

  public Xml open(String tag, String xmlns) {
    sb.append('<').append(tag).append(" xmlns=\"").append(xmlns).append("\">");
    return this;
  }

  public Xml close(String tag) {
    sb.append("</").append(tag).append('>');
    return this;
  }

  public Xml el(String tag, Object value) {
    if (value == null) return this;
    String v = value instanceof Instant i ? iso(i) : String.valueOf(value);
    sb.append('<').append(tag).append('>').append(esc(v)).append("</").append(tag).append('>');
    return this;
  }

  public Xml members(String tag, Collection<String> values) {
    open(tag);
    for (String v : values) el("member", v);
    return close(tag);
  }

  public Xml tags(String tag, Map<String, String> tags) {
    open(tag);
    for (Map.Entry<String, String> e : tags.entrySet()) {
      open("member").el("Key", e.getKey()).el("Value", e.getValue()).close("member");
    }
    return close(tag);
  }

  public Xml raw(String s) {
    sb.append(s);
    return this;
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
