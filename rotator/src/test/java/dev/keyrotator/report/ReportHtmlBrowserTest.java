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
 * screenshot is written to {@code target/report-screenshot.png}.
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
