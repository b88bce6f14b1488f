package dev.keyrotator.ports;

import java.util.Objects;

/**
 * A lease this run holds: the record it wrote and the version (S3: the ETag) it wrote it as. Every
 * renewal and the release are conditional on that version, so a lease taken over by another run can
 * never be extended or removed by this one.
 */
public record Lease(LeaseRecord record, String version) {
  public Lease {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(version, "version");
  }
}
