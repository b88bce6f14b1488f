package dev.keyrotator.ports;

import java.time.Instant;
import java.util.Optional;

/**
 * Account leases on a store with conditional writes: two runs never work one account at once. A
 * lease is taken by creating the account's lease object only if it is absent, or by replacing an
 * expired one only if it is still the version that was read; so of two runs that try at once
 * exactly one wins, and a crashed holder's lease is taken over once it has expired.
 */
public interface LeaseStore {

  /** What {@link #acquire} found. */
  sealed interface Acquisition permits Granted, Held {}

  /**
   * The lease is this run's.
   *
   * @param tookOverFrom the expired lease it replaced (a run that died or stalled), if any
   */
  record Granted(Lease lease, Optional<LeaseRecord> tookOverFrom) implements Acquisition {}

  /** Another run holds the lease, until {@code holder.expiresAt()}. */
  record Held(LeaseRecord holder) implements Acquisition {}

  /**
   * Takes the lease on {@code wanted.accountId()} for {@code wanted}, unless another run holds an
   * unexpired one at {@code now}.
   *
   * @throws AwsCallException when the store cannot be read or written; the lease is then not held
   */
  Acquisition acquire(LeaseRecord wanted, Instant now);

  /**
   * Extends a lease this run holds to {@code newExpiry}.
   *
   * @return the renewed lease; empty when it is no longer this run's (it expired and was taken
   *     over, or was removed)
   * @throws AwsCallException when the store cannot be written
   */
  Optional<Lease> renew(Lease lease, Instant newExpiry);

  /**
   * Gives a lease up at the end of an account.
   *
   * @return false when it was no longer this run's (nothing was removed then)
   * @throws AwsCallException when the store cannot be written; the lease then expires by itself
   */
  boolean release(Lease lease);

  /** Where the leases are kept ({@code s3://bucket/prefix}), for messages. */
  String location();
}
