package dev.keyrotator.sandbox;

import dev.keyrotator.sandbox.state.State;
import java.time.Instant;

/** An IAM access key as the sandbox holds it (the secret included, for tests). */
public record AccessKeyInfo(
    String accessKeyId,
    String userName,
    String status,
    Instant createDate,
    Instant lastUsedDate,
    String lastUsedService,
    String lastUsedRegion,
    String secretAccessKey) {
  static AccessKeyInfo of(State.IamKey k) {
    return new AccessKeyInfo(
        k.id, k.user.name, k.status, k.created, k.lastUsed, k.lastService, k.lastRegion, k.secret);
  }

  public boolean active() {
    return "Active".equals(status);
  }
}
