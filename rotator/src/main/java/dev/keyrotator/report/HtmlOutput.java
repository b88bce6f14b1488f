package dev.keyrotator.report;

import gg.jte.Content;
import gg.jte.TemplateOutput;
import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;

/**
 * Where the report's templates write. jte calls {@link #setContext} before every {@code ${...}}
 * with the tag and attribute it stands in, and {@link #writeUserContent(String)} with its value;
 * static template text goes through {@link #writeContent} unchanged.
 *
 * <p>Element text and quoted attribute values get the report's one entity set, the same in both
 * places: {@code & < > " '} become entities and control characters (other than tab and newline)
 * spaces. That is stricter than jte's own text escaping, which leaves quotes as they are, and keeps
 * the page byte for byte what it was before the templates. Script blocks, event-handler attributes
 * and {@code href} values, which the report does not use, are left to jte's own escaping. {@code
 * $unsafe{...}} is refused.
 */
final class HtmlOutput implements HtmlTemplateOutput {
  private final TemplateOutput out;
  private final OwaspHtmlTemplateOutput jte;
  private String tag;
  private String attribute;

  HtmlOutput(TemplateOutput out) {
    this.out = out;
    this.jte = new OwaspHtmlTemplateOutput(out);
  }

  @Override
  public void setContext(String tagName, String attributeName) {
    tag = tagName;
    attribute = attributeName;
    jte.setContext(tagName, attributeName);
  }

  @Override
  public void writeUserContent(String value) {
    if (value == null) {
      return;
    }
    if ("script".equals(tag)
        || attribute != null && (attribute.startsWith("on") || attribute.equals("href"))) {
      jte.writeUserContent(value);
    } else {
      escape(value);
    }
  }

  @Override
  public void writeUserContent(Enum<?> value) {
    if (value != null) {
      writeUserContent(value.name());
    }
  }

  @Override
  public void writeUserContent(Content content) {
    if (content == null) {
      return;
    }
    if (attribute == null) {
      content.writeTo(this);
    } else {
      Buffer b = new Buffer();
      content.writeTo(b);
      writeUserContent(b.toString());
    }
  }

  @Override
  public void writeUnsafeContent(String value) {
    throw new UnsupportedOperationException("the report's templates write no unescaped text");
  }

  @Override
  public void writeContent(String value) {
    out.writeContent(value);
  }

  @Override
  public void writeContent(String value, int beginIndex, int endIndex) {
    out.writeContent(value, beginIndex, endIndex);
  }

  private void escape(String s) {
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String entity =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            default -> c < 0x20 && c != '\n' && c != '\t' ? " " : null;
          };
      if (entity != null) {
        out.writeContent(s, from, i);
        out.writeContent(entity);
        from = i + 1;
      }
    }
    out.writeContent(s, from, s.length());
  }

  /** A content block rendered for an attribute: escaped once, as a whole, by the caller. */
  private static final class Buffer extends StringOutput implements HtmlTemplateOutput {
    @Override
    public void setContext(String tagName, String attributeName) {}
  }
}
