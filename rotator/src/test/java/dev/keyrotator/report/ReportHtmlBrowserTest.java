package dev.keyrotator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened in a real headless browser (Debian's chromium, installed by {@code
 * scripts/install-test-tools}): it renders every section and account, logs no console error, and a
 * screenshot is written to {@code target/report-screenshot.png}. At 900 and 1400 px the page does
 * not scroll sideways and no key id is broken across lines, as measured in the browser; full-page
 * screenshots at both widths go to {@code target/report-900.png} and {@code
 * target/report-1400.png}.
 */
class ReportHtmlBrowserTest {
  static final Path SCREENSHOT = Path.of("target/report-screenshot.png");

  static String chromium;

  @TempDir Path tmp;

  @BeforeAll
  static void installChromium() throws Exception {
    Path script = Path.of("../scripts/install-test-tools").toAbsolutePath().normalize();
    assertThat(script).as("the project's test-tool installer").exists();
    Process p =
        new ProcessBuilder("bash", script.toString(), "chromium").redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean finished = p.waitFor(15, TimeUnit.MINUTES);
    int rc = finished ? p.exitValue() : -1;
    // exit 3: the installer cannot install here (no root, no apt-get); anything else is a failure
    assumeTrue(rc != 3, "chromium is not installed and cannot be installed here:\n" + log);
    assertThat(rc).as("scripts/install-test-tools failed:\n%s", log).isZero();
    chromium = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : "chromium";
  }

  @Test
  void theReportRendersEverySectionAndAccountWithoutConsoleErrors() throws Exception {
    RunReport run = ReportFixtures.run();
    Path page = tmp.resolve("report.html");
    Files.writeString(page, HtmlReport.render(run));
    String url = page.toUri().toString();

    Result dom = chromium(List.of("--dump-dom", url));
    assertThat(dom.exitCode).as(dom.stderr).isZero();
    assertThat(dom.stdout)
        .as("the page is not blank")
        .contains("<main>")
        .contains("Access key rotation report");
    for (String section : HtmlReport.SECTIONS) {
      assertThat(dom.stdout).as("section " + section).contains("id=\"" + section + "\"");
    }
    for (AccountReport a : run.accounts()) {
      assertThat(dom.stdout).as("account " + a.accountId()).contains(a.accountId());
    }
    assertThat(dom.stdout).contains("<svg").doesNotContain("<script>alert");
    assertNoConsoleErrors(dom);

    Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
    Files.deleteIfExists(SCREENSHOT);
    Result shot =
        chromium(
            List.of("--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,2000", url));
    assertThat(shot.exitCode).as(shot.stderr).isZero();
    assertNoConsoleErrors(shot);
    assertThat(SCREENSHOT).exists();
    BufferedImage img = ImageIO.read(SCREENSHOT.toFile());
    assertThat(img.getWidth()).isEqualTo(1280);
    assertThat(distinctColours(img)).as("the screenshot is not blank").isGreaterThan(20);
  }

  /**
   * What the probe measures in the page once laid out: the root's scroll and client widths, the
   * page's height, how many key ids (in any text) and account ids (as a {@code <code>} of their
   * own) it found, the ids whose glyphs lie on more than one line, and the wide-table wrappers that
   * scroll.
   */
  record Layout(
      int scrollWidth,
      int clientWidth,
      int innerWidth,
      int height,
      int ids,
      List<String> broken,
      List<String> scrolling) {}

  /**
   * Measures the page in the browser. The report's CSP forbids scripts, so the measured copy is the
   * same page without the CSP meta tag and with the probe script before {@code </body>}: the layout
   * (styles, fonts, markup) is the report's own.
   */
  private Layout measure(String html, int width) throws Exception {
    String probe =
        new String(
            ReportHtmlBrowserTest.class.getResourceAsStream("layout-probe.js").readAllBytes(),
            StandardCharsets.UTF_8);
    String csp = "<meta http-equiv=\"Content-Security-Policy\"";
    int at = html.indexOf(csp);
    assertThat(at).as("the report has its CSP meta tag").isPositive();
    String measured =
        html.substring(0, at)
            + html.substring(html.indexOf('>', at) + 1)
                .replace("</body>", "<script>" + probe + "</script></body>");
    Path page = tmp.resolve("measured-" + width + ".html");
    Files.writeString(page, measured);
    Result dom =
        chromium(
            List.of("--window-size=" + width + ",2000", "--dump-dom", page.toUri().toString()));
    assertThat(dom.exitCode).as(dom.stderr).isZero();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("data-layout=\"([^\"]*)\"").matcher(dom.stdout);
    assertThat(m.find()).as("the probe ran and wrote its measurement:\n%s", dom.stderr).isTrue();
    String json =
        m.group(1)
            .replace("&quot;", "\"")
            .replace("&gt;", ">")
            .replace("&lt;", "<")
            .replace("&amp;", "&");
    return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Layout.class);
  }

  @Test
  void theReportFitsAt900And1400PixelsWithoutBreakingAKeyId() throws Exception {
    RunReport run = ReportFixtures.run();
    String html =
        HtmlReport.render(
            run,
            ReportSummary.of(run),
            PreviousReport.of(ReportFixtures.previous(), ReportFixtures.PREVIOUS_URI));
    Path page = tmp.resolve("report.html");
    Files.writeString(page, html);
    for (int width : List.of(900, 1400)) {
      Layout l = measure(html, width);
      assertThat(l.scrollWidth())
          .as("at %d px the page does not scroll sideways: %s", width, l)
          .isLessThanOrEqualTo(l.clientWidth())
          .isLessThanOrEqualTo(width);
      assertThat(l.innerWidth()).isEqualTo(width);
      assertThat(l.ids()).as("the probe found the ids").isGreaterThan(40);
      assertThat(l.broken()).as("ids broken across lines at %d px", width).isEmpty();
      assertThat(l.scrolling())
          .as("tables that scroll inside their card at %d px", width)
          .isEmpty();

      // the report itself, CSP and all, as a full-page screenshot
      Path shot = Path.of("target/report-" + width + ".png").toAbsolutePath();
      Files.createDirectories(shot.getParent());
      Files.deleteIfExists(shot);
      int height = Math.min(l.height(), 16_000);
      Result r =
          chromium(
              List.of(
                  "--screenshot=" + shot,
                  "--hide-scrollbars",
                  "--window-size=" + width + "," + height,
                  page.toUri().toString()));
      assertThat(r.exitCode).as(r.stderr).isZero();
      assertNoConsoleErrors(r);
      BufferedImage img = ImageIO.read(shot.toFile());
      assertThat(img.getWidth()).isEqualTo(width);
      assertThat(img.getHeight()).isEqualTo(height);
      assertThat(distinctColours(img)).as("the screenshot is not blank").isGreaterThan(20);
    }
  }

  @Test
  void theEdgeCasesFitAt900PixelsToo() throws Exception {
    Layout l = measure(HtmlReport.render(ReportFixtures.edges()), 900);
    assertThat(l.scrollWidth()).as("%s", l).isLessThanOrEqualTo(l.clientWidth());
    assertThat(l.ids()).isGreaterThan(100);
    assertThat(l.broken()).isEmpty();
  }

  private static void assertNoConsoleErrors(Result r) {
    List<String> bad = new ArrayList<>();
    for (String line : r.stderr.split("\n")) {
      String l = line.toLowerCase();
      if (line.contains("Uncaught")
          || (l.contains("console") && l.contains("error"))
          || l.contains("refused to")
          || l.contains("err_file_not_found")) {
        bad.add(line);
      }
    }
    assertThat(bad).as("console errors in:\n%s", r.stderr).isEmpty();
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 7) {
      for (int x = 0; x < img.getWidth(); x += 7) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result chromium(List<String> extra) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(tmp, "profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0"));
    cmd.addAll(extra);
    Path out = tmp.resolve("chromium-" + System.nanoTime() + ".out");
    Path err = tmp.resolve("chromium-" + System.nanoTime() + ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + cmd);
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
