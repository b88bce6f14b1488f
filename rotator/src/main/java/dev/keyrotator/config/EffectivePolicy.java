package dev.keyrotator.config;

import dev.keyrotator.policy.RotationPolicy;
import java.util.List;
import java.util.Map;

/**
 * The policy in force for one account and where each value came from.
 *
 * @param sources for each setting (mode, createAfterDays, ...), the rule that set it, e.g. {@code
 *     built-in default} or {@code ou ou-ab12-34cd5678 (rotation.yaml:40)}
 * @param exemptionSources for each exemption, in order, the rule that added it
 */
public record EffectivePolicy(
    String accountId,
    RotationPolicy policy,
    Map<String, String> sources,
    List<String> exemptionSources) {
  public EffectivePolicy {
    sources = Map.copyOf(sources);
    exemptionSources = List.copyOf(exemptionSources);
  }
}
