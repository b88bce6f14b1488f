package dev.keyrotator.sandbox;

import dev.keyrotator.sandbox.state.State;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Secrets Manager secret as the sandbox holds it.
 *
 * @param currentValue SecretString of the AWSCURRENT version (null if none)
 * @param previousValue SecretString of the AWSPREVIOUS version (null if none)
 * @param versionStages version id -> staging labels (versions without labels included, with an
 *     empty list)
 */
public record SecretInfo(
    String arn,
    String name,
    String kmsKeyId,
    String currentValue,
    String previousValue,
    String currentVersionId,
    Map<String, List<String>> versionStages,
    Map<String, String> tags,
    String resourcePolicy,
    Instant deletedDate) {
  static SecretInfo of(State.Secret s) {
    State.SecretVersion cur = s.byStage("AWSCURRENT");
    State.SecretVersion prev = s.byStage("AWSPREVIOUS");
    Map<String, List<String>> stages = new LinkedHashMap<>();
    for (State.SecretVersion v : s.versions.values()) stages.put(v.id, List.copyOf(v.stages));
    return new SecretInfo(
        s.arn,
        s.name,
        s.kmsKeyId,
        cur == null ? null : cur.string,
        prev == null ? null : prev.string,
        cur == null ? null : cur.id,
        stages,
        Map.copyOf(s.tags),
        s.policy,
        s.deletedDate);
  }
}
