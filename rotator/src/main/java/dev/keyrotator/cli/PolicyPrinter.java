package dev.keyrotator.cli;

import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyResolver;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Prints an effective policy with the rule behind each value. */
public final class PolicyPrinter {
  private PolicyPrinter() {}

  /** The value of each field of {@link PolicyResolver#FIELDS}, as text. */
  public static Map<String, String> values(EffectivePolicy p) {
    var t = p.policy().thresholds();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("mode", p.policy().mode().label());
    values.put("createAfterDays", String.valueOf(t.createAfterDays()));
    values.put("deactivateAfterDays", String.valueOf(t.deactivateAfterDays()));
    values.put("deleteAfterDays", String.valueOf(t.deleteAfterDays()));
    values.put("unusedForDays", String.valueOf(t.unusedForDays()));
    values.put(
        "forceDeactivateAfterDays",
        t.forceDeactivateAfterDays().isPresent()
            ? String.valueOf(t.forceDeactivateAfterDays().getAsInt())
            : "never");
    values.put("reminderDays", t.reminderDays().toString());
    values.put("warningIntervalDays", String.valueOf(t.warningIntervalDays()));
    values.put("retireOldKeyEarly", String.valueOf(t.retireOldKeyEarly()));
    return values;
  }

  public static void print(PrintWriter out, EffectivePolicy p) {
    Map<String, String> values = values(p);
    out.printf("Effective policy for account %s%n", p.accountId());
    for (String field : PolicyResolver.FIELDS) {
      out.printf("  %-26s %-12s from %s%n", field, values.get(field), p.sources().get(field));
    }
    List<String> sources = p.exemptionSources();
    if (p.policy().exemptions().isEmpty()) {
      out.println("  exemptions                 none");
    }
    for (int i = 0; i < p.policy().exemptions().size(); i++) {
      out.printf(
          "  exemption                  %s from %s%n",
          p.policy().exemptions().get(i).describe(), sources.get(i));
    }
    out.flush();
  }
}
