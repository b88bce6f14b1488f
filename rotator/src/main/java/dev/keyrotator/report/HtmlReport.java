package dev.keyrotator.report;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import gg.jte.output.WriterOutput;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * The run report as one self-contained HTML page for people: inline CSS, inline SVG charts, no
 * script, no external resource (a Content-Security-Policy forbids any). Rendered from the jte
 * templates in {@code src/main/jte}, compiled to classes at build time (the jar holds no template
 * compiler), from the {@link HtmlView} that {@link HtmlViewBuilder} makes; {@link HtmlOutput}
 * escapes every text the templates print. Sections (by id): {@code at-a-glance}, {@code trend}
 * (against the previous run, see {@link PreviousReport}), {@code by-ou}, {@code key-ages}, {@code
 * changes}, {@code failures}, {@code owners} (to chase), {@code next-actions}, {@code accounts}.
 *
 * <p>The page fits a window 900 px wide and more: tables too wide for their card scroll inside it,
 * and key and account ids are never broken across lines.
 */
public final class HtmlReport {

  /** The ids of the page's sections, in order. */
  public static final List<String> SECTIONS =
      List.of(
          "at-a-glance",
          "trend",
          "by-ou",
          "key-ages",
          "changes",
          "failures",
          "owners",
          "next-actions",
          "accounts");

  /** At most this many keys are drawn per account chart (the oldest). */
  static final int MAX_CHART_KEYS = 40;

  /** At most this many users are listed per account in the details. */
  static final int MAX_DETAIL_USERS = 500;

  /** The template classes generated from src/main/jte (see the jte plugin in the pom). */
  private static final TemplateEngine TEMPLATES =
      TemplateEngine.createPrecompiled(
          null, ContentType.Html, null, HtmlReport.class.getPackageName());

  private HtmlReport() {}

  public static String render(RunReport r) {
    return render(r, ReportSummary.of(r));
  }

  /** The page for {@code r}, whose summary {@code s} the caller computed once for the run. */
  public static String render(RunReport r, ReportSummary s) {
    return render(r, s, PreviousReport.none());
  }

  /** The page for {@code r}, with the trend against {@code previous}. */
  public static String render(RunReport r, ReportSummary s, PreviousReport previous) {
    StringOutput out = new StringOutput(16_384);
    TEMPLATES.render("report.jte", HtmlViewBuilder.page(r, s, previous), new HtmlOutput(out));
    return out.toString();
  }

  /**
   * Writes the page to {@code out} as the templates go: the rows that grow with the run (accounts,
   * decisions, failures, charts, users in detail) are made one account at a time and dropped once
   * written. Does not close {@code out}.
   */
  public static void write(RunReport r, ReportSummary s, PreviousReport previous, Writer out)
      throws IOException {
    WriterOutput w = new WriterOutput(out);
    TEMPLATES.render("report.jte", HtmlViewBuilder.page(r, s, previous), new HtmlOutput(w));
    out.flush();
  }
}
