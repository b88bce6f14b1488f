package dev.keyrotator.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * What the rotator recorded the first time one of its runs saw a key used. IAM keeps only a key's
 * <em>last</em> use, so the true first use is not known: it was after the key's creation and at or
 * before {@code lastUsed}.
 *
 * @param seenAt when the run that first saw the key used ran
 * @param lastUsed the key's last use as IAM reported it to that run (the first use is at or before)
 * @param service that use's service ({@code sts}); empty when IAM did not say
 * @param region that use's region ({@code us-east-1}); empty when IAM did not say
 */
public record FirstUse(Instant seenAt, Instant lastUsed, String service, String region) {
  public FirstUse {
    Objects.requireNonNull(seenAt, "seenAt");
    Objects.requireNonNull(lastUsed, "lastUsed");
    service = service == null ? "" : service;
    region = region == null ? "" : region;
  }

  /** From a key IAM reports used, seen by a run at {@code now}. */
  public static FirstUse of(AccessKey k, Instant now) {
    return new FirstUse(now, k.lastUsed().orElseThrow(), k.lastUsedService(), k.lastUsedRegion());
  }
}
