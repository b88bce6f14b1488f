package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * Written on the user before the rotator calls CreateAccessKey and removed once the new secret is
 * stored. A marker that survives a run means the run died in between: the next run looks for a key
 * created around {@link #startedAt()} whose secret was never stored, and deletes it.
 */
public record RotationMarker(String runId, Instant startedAt) {
  public RotationMarker {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(startedAt, "startedAt");
  }
}
