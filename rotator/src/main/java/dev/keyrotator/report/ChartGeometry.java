package dev.keyrotator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the key-age bar chart puts things: the SVG's size, a tick every 30 days, one bar per key
 * (oldest first, as given) and a dashed line for each of the policy's create, deactivate and delete
 * ages. Numbers only; the texts it is handed pass through untouched.
 */
final class ChartGeometry {
  static final int LABEL_WIDTH = 310;
  static final int PLOT_WIDTH = 560;
  static final int ROW_HEIGHT = 18;
  static final int TOP_PAD = 26;
  static final int TICK_DAYS = 30;

  static final String YOUNG = "#2e7d32";
  static final String DUE = "#f9a825";
  static final String LATE = "#c62828";
  static final String INACTIVE = "#9e9e9e";

  private ChartGeometry() {}

  /** One key to draw. */
  record Bar(String label, String title, long ageDays, boolean active) {}

  /** The chart, laid out: the template draws it as it is. */
  record Chart(
      int width,
      int height,
      int lineTop,
      int lineBottom,
      int tickLabelY,
      List<Tick> ticks,
      List<PlacedBar> bars,
      List<Threshold> thresholds) {}

  record Tick(double x, long days) {}

  /** A bar and its texts: the label left of the plot, the age right of the bar. */
  record PlacedBar(
      String label,
      String title,
      long ageDays,
      int labelX,
      int textY,
      int x,
      int y,
      double width,
      int height,
      String fill,
      double ageX) {}

  /** A policy age as a dashed vertical line with its name and days. */
  record Threshold(
      String name, int days, double x, double labelX, int labelY, String anchor, String color) {}

  /**
   * Lays out the bars; {@code maxAge} is the oldest age among all the account's keys (the scale
   * covers it even when fewer bars are drawn), thresholds are -1 when the policy has none.
   */
  static Chart layout(List<Bar> bars, long maxAge, int create, int deactivate, int delete) {
    long scaleMax = scaleMax(maxAge, create, deactivate, delete);
    int height = TOP_PAD + bars.size() * ROW_HEIGHT + 24;
    int width = LABEL_WIDTH + PLOT_WIDTH + 20;
    List<Tick> ticks = new ArrayList<>();
    for (long d = 0; d <= scaleMax; d += TICK_DAYS) {
      ticks.add(new Tick(x(d, scaleMax), d));
    }
    List<PlacedBar> placed = new ArrayList<>();
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      int y = TOP_PAD + i * ROW_HEIGHT;
      double w = Math.max(1, PLOT_WIDTH * (double) Math.min(b.ageDays(), scaleMax) / scaleMax);
      placed.add(
          new PlacedBar(
              b.label(),
              b.title(),
              b.ageDays(),
              LABEL_WIDTH - 6,
              y + 13,
              LABEL_WIDTH,
              y + 3,
              w,
              ROW_HEIGHT - 6,
              fill(b, create, deactivate),
              LABEL_WIDTH + w + 4));
    }
    List<Threshold> thresholds = new ArrayList<>();
    addThreshold(thresholds, "create", create, scaleMax, 10, false, "#b26a00");
    addThreshold(thresholds, "deactivate", deactivate, scaleMax, 21, false, LATE);
    addThreshold(thresholds, "delete", delete, scaleMax, 10, true, "#6d1b1b");
    return new Chart(
        width, height, TOP_PAD - 4, height - 20, height - 6, ticks, placed, thresholds);
  }

  /** The scale's end: 10% past the oldest key or threshold, up to whole ticks, at least one. */
  static long scaleMax(long maxAge, int create, int deactivate, int delete) {
    long top = Math.max(maxAge, Math.max(delete, Math.max(deactivate, create)));
    return Math.max(TICK_DAYS, ((top * 11 / 10) / TICK_DAYS + 1) * TICK_DAYS);
  }

  /** Inactive grey; active red past the deactivate age, amber past the create age, else green. */
  static String fill(Bar b, int create, int deactivate) {
    if (!b.active()) {
      return INACTIVE;
    }
    if (deactivate >= 0 && b.ageDays() >= deactivate) {
      return LATE;
    }
    return create >= 0 && b.ageDays() >= create ? DUE : YOUNG;
  }

  /** A coordinate as the SVG gets it: one decimal. */
  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private static double x(long days, long scaleMax) {
    return LABEL_WIDTH + PLOT_WIDTH * (double) days / scaleMax;
  }

  private static void addThreshold(
      List<Threshold> out,
      String name,
      int days,
      long scaleMax,
      int labelY,
      boolean labelRight,
      String color) {
    if (days < 0) {
      return;
    }
    double x = x(days, scaleMax);
    out.add(
        new Threshold(
            name,
            days,
            x,
            labelRight ? x + 3 : x - 3,
            labelY,
            labelRight ? "start" : "end",
            color));
  }
}
