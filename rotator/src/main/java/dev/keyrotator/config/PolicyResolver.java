package dev.keyrotator.config;

import dev.keyrotator.policy.Exemption;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.RotationPolicy;
import dev.keyrotator.policy.Thresholds;
import dev.keyrotator.policy.UserMatch;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Resolves the policy for one account. Most specific wins: built-in defaults, then the file's
 * {@code defaults}, then OU overrides from the top of the tree down (an OU override covers its
 * whole subtree), then account-tag overrides, then account overrides (each group in file order).
 * Exemptions accumulate across all matching rules.
 */
public final class PolicyResolver {

  public static final String BUILT_IN = "built-in default";

  /** Field names in the order a report shows them. */
  public static final List<String> FIELDS =
      List.of(
          "mode",
          "createAfterDays",
          "deactivateAfterDays",
          "deleteAfterDays",
          "unusedForDays",
          "forceDeactivateAfterDays",
          "reminderDays",
          "warningIntervalDays",
          "retireOldKeyEarly");

  private PolicyResolver() {}

  public static EffectivePolicy resolve(PolicyFile file, AccountContext account) {
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule("defaults (" + where(file, file.defaultsLine()) + ")", file.defaults()));
    file.overrides().stream()
        .filter(o -> o.selector() instanceof Selector.Ou ou && account.ouPath().contains(ou.ouId()))
        .sorted(
            Comparator.comparingInt(
                o -> account.ouPath().indexOf(((Selector.Ou) o.selector()).ouId())))
        .forEach(o -> rules.add(rule(file, o)));
    file.overrides().stream()
        .filter(
            o ->
                o.selector() instanceof Selector.AccountTag t
                    && t.value().equals(account.tags().get(t.key())))
        .forEach(o -> rules.add(rule(file, o)));
    file.overrides().stream()
        .filter(
            o ->
                o.selector() instanceof Selector.Account a
                    && a.accountId().equals(account.accountId()))
        .forEach(o -> rules.add(rule(file, o)));

    Map<String, String> sources = new LinkedHashMap<>();
    FIELDS.forEach(f -> sources.put(f, BUILT_IN));
    List<Exemption> exemptions = new ArrayList<>();
    List<String> exemptionSources = new ArrayList<>();
    for (Rule r : rules) {
      PolicyLayer l = r.layer();
      set(sources, "mode", l.mode().isPresent(), r.name());
      set(sources, "createAfterDays", l.createAfterDays().isPresent(), r.name());
      set(sources, "deactivateAfterDays", l.deactivateAfterDays().isPresent(), r.name());
      set(sources, "deleteAfterDays", l.deleteAfterDays().isPresent(), r.name());
      set(sources, "unusedForDays", l.unusedForDays().isPresent(), r.name());
      set(sources, "forceDeactivateAfterDays", l.forceDeactivateAfterDays().isPresent(), r.name());
      set(sources, "reminderDays", l.reminderDays().isPresent(), r.name());
      set(sources, "warningIntervalDays", l.warningIntervalDays().isPresent(), r.name());
      set(sources, "retireOldKeyEarly", l.retireOldKeyEarly().isPresent(), r.name());
      for (Exemption e : l.exemptions()) {
        exemptions.add(e);
        exemptionSources.add(r.name());
      }
    }
    file.organization()
        .requireUserTag()
        .ifPresent(
            t -> {
              exemptions.add(
                  new Exemption(
                      new UserMatch.WithoutTag(t.key(), t.value()),
                      "the deployment",
                      "out of the member role's scope (UserScope=tagged: IAM allows key writes"
                          + " only on users tagged "
                          + t
                          + ")",
                      LocalDate.of(9999, 12, 31)));
              exemptionSources.add("organization.requireUserTag");
            });
    List<PolicyLayer> layers = rules.stream().map(Rule::layer).toList();
    Mode mode = last(layers, PolicyLayer::mode).orElse(Mode.ENFORCE);
    Thresholds thresholds;
    try {
      thresholds = thresholds(layers);
    } catch (IllegalArgumentException e) {
      throw new PolicyFileException(
          List.of(
              new ConfigProblem(
                  file.source(),
                  0,
                  "account " + account.accountId(),
                  "the overrides that apply to this account combine into invalid thresholds: "
                      + e.getMessage()
                      + " (rules: "
                      + rules.stream().map(Rule::name).toList()
                      + ")")));
    }
    return new EffectivePolicy(
        account.accountId(),
        new RotationPolicy(mode, thresholds, exemptions),
        sources,
        exemptionSources);
  }

  /** Merges layers over the built-in defaults; throws when the result is not ordered. */
  static Thresholds thresholds(List<PolicyLayer> layers) {
    Thresholds d = Thresholds.DEFAULTS;
    return new Thresholds(
        lastInt(layers, PolicyLayer::createAfterDays).orElse(d.createAfterDays()),
        lastInt(layers, PolicyLayer::deactivateAfterDays).orElse(d.deactivateAfterDays()),
        lastInt(layers, PolicyLayer::deleteAfterDays).orElse(d.deleteAfterDays()),
        lastInt(layers, PolicyLayer::unusedForDays).orElse(d.unusedForDays()),
        lastInt(layers, PolicyLayer::forceDeactivateAfterDays),
        last(layers, PolicyLayer::reminderDays).orElse(d.reminderDays()),
        lastInt(layers, PolicyLayer::warningIntervalDays).orElse(d.warningIntervalDays()),
        last(layers, PolicyLayer::retireOldKeyEarly).orElse(d.retireOldKeyEarly()));
  }

  private static <T> Optional<T> last(
      List<PolicyLayer> layers, Function<PolicyLayer, Optional<T>> f) {
    Optional<T> out = Optional.empty();
    for (PolicyLayer l : layers) {
      Optional<T> v = f.apply(l);
      if (v.isPresent()) {
        out = v;
      }
    }
    return out;
  }

  private static OptionalInt lastInt(
      List<PolicyLayer> layers, Function<PolicyLayer, OptionalInt> f) {
    OptionalInt out = OptionalInt.empty();
    for (PolicyLayer l : layers) {
      OptionalInt v = f.apply(l);
      if (v.isPresent()) {
        out = v;
      }
    }
    return out;
  }

  private static void set(Map<String, String> sources, String field, boolean present, String by) {
    if (present) {
      sources.put(field, by);
    }
  }

  private static Rule rule(PolicyFile file, PolicyOverride o) {
    return new Rule(o.selector().describe() + " (" + where(file, o.line()) + ")", o.layer());
  }

  private static String where(PolicyFile file, int line) {
    String name = java.nio.file.Path.of(file.source()).getFileName().toString();
    return name + ":" + line;
  }

  private record Rule(String name, PolicyLayer layer) {}
}
