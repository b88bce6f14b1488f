package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gg.jte.output.StringOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class HtmlOutputTest {
  static final String HOSTILE = "<script>alert('x')</script> & \"q\"\u0007\t\n";

  private static String write(String tag, String attribute, String value) {
    StringOutput s = new StringOutput();
    HtmlOutput out = new HtmlOutput(s);
    out.writeContent("[");
    out.setContext(tag, attribute);
    out.writeUserContent(value);
    out.writeContent("]");
    return s.toString();
  }

  @Test
  void textAndAttributeValuesGetTheSameEntities() {
    String escaped = "[&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \t\n]";
    assertThat(write("td", null, HOSTILE)).isEqualTo(escaped);
    assertThat(write("h3", "id", HOSTILE)).isEqualTo(escaped);
    assertThat(write("span", "class", HOSTILE)).isEqualTo(escaped);
    assertThat(write("td", null, "plain")).isEqualTo("[plain]");
    assertThat(write("td", null, null)).isEqualTo("[]");
  }

  @Test
  void scriptAndHandlerContextsAreLeftToJte() {
    assertThat(write("script", null, "\"</script>")).isEqualTo("[\\\"<\\/script>]");
    assertThat(write("button", "onclick", "'x'")).isEqualTo("[\\x27x\\x27]");
    assertThat(write("a", "href", "javascript:alert(1)")).isEqualTo("[]");
  }

  @Test
  void numbersAndEnumsAreWrittenAsThemselves() {
    StringOutput s = new StringOutput();
    HtmlOutput out = new HtmlOutput(s);
    out.setContext("td", null);
    out.writeUserContent(42);
    out.writeUserContent(-1L);
    out.writeUserContent(AccountStatus.NOT_REACHED);
    assertThat(s.toString()).isEqualTo("42-1NOT_REACHED");
  }

  @Test
  void unescapedOutputIsRefused() {
    HtmlOutput out = new HtmlOutput(new StringOutput());
    assertThatThrownBy(() -> out.writeUnsafeContent("<b>"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void noTemplateAsksForUnescapedOutput() throws IOException {
    List<Path> templates;
    try (Stream<Path> files = Files.list(Path.of("src/main/jte"))) {
      templates = files.filter(p -> p.toString().endsWith(".jte")).toList();
    }
    assertThat(templates).isNotEmpty();
    for (Path t : templates) {
      assertThat(Files.readString(t))
          .as(t.toString())
          .doesNotContain("$unsafe")
          .doesNotContain("@raw");
    }
  }
}
