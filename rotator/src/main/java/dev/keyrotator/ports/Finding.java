package dev.keyrotator.ports;

import java.util.List;
import java.util.Objects;

/**
 * One Security Hub finding the rotator raises, in domain terms; the adapter writes it as ASFF.
 * Never holds a secret.
 *
 * @param id stable across runs ({@code key-rotator/<kind>/<account>/<user>/<key>}), so the next run
 *     updates the same finding
 * @param generatorId {@code key-rotator/<kind>}
 * @param resourceType ASFF resource type, e.g. {@code AwsIamAccessKey}, {@code AwsIamUser}, {@code
 *     AwsAccount}
 * @param resourceId the resource's ARN (or key id)
 * @param resourceAccountId the account the resource is in
 * @param active false: the cause is gone; the finding is archived (Security Hub resolves it)
 */
public record Finding(
    String id,
    String generatorId,
    Severity severity,
    String title,
    String description,
    String resourceType,
    String resourceId,
    String resourceAccountId,
    List<String> types,
    boolean active) {
  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(generatorId, "generatorId");
    Objects.requireNonNull(severity, "severity");
    types = List.copyOf(types);
  }

  /** ASFF severity labels. */
  public enum Severity {
    INFORMATIONAL,
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL
  }

  /** The same finding, archived: its cause is gone. */
  public Finding resolved() {
    return new Finding(
        id,
        generatorId,
        Severity.INFORMATIONAL,
        title,
        description,
        resourceType,
        resourceId,
        resourceAccountId,
        types,
        false);
  }
}
