package dev.keyrotator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Lease;
import dev.keyrotator.ports.LeaseRecord;
import dev.keyrotator.ports.LeaseStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Account leases as S3 objects {@code s3://<bucket>/<prefix><account id>.json}, one per account, in
 * the central account's lease bucket, with S3's conditional requests:
 *
 * <ul>
 *   <li>take a free lease: PutObject {@code If-None-Match: *} (only if absent);
 *   <li>take over an expired lease, renew one's own: PutObject {@code If-Match: <the ETag read or
 *       written>} (only if unchanged);
 *   <li>release: DeleteObject {@code If-Match: <own ETag>}.
 * </ul>
 *
 * A failed precondition (412), an {@code If-Match} on an absent key (404) or a conflicting
 * concurrent write (409) means another run got there first: the object is read again and the
 * decision made again, a bounded number of times. Every record carries a random nonce, so no two
 * writes share an ETag. {@code x-amz-expected-bucket-owner} is the central account when known.
 *
 * <p>IAM actions: s3:PutObject, s3:GetObject and s3:DeleteObject on {@code
 * arn:aws:s3:::<bucket>/<prefix>*} (a conditional delete also needs s3:GetObject).
 */
public final class S3LeaseStore implements LeaseStore {
  private static final String SERVICE = "s3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Rounds of "write, find another run's write, read again" before giving up. */
  static final int ATTEMPTS = 5;

  private final LazyClient<S3Client> s3;
  private final String bucket;
  private final String prefix;
  private final Optional<String> expectedOwner;

  public S3LeaseStore(S3Client s3, String bucket, String prefix, Optional<String> expectedOwner) {
    this(LazyClient.built(s3), bucket, prefix, expectedOwner);
  }

  public S3LeaseStore(
      LazyClient<S3Client> s3, String bucket, String prefix, Optional<String> expectedOwner) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    this.expectedOwner = Objects.requireNonNull(expectedOwner, "expectedOwner");
  }

  /** The lease object's key for an account. */
  public String key(String accountId) {
    return prefix + accountId + ".json";
  }

  @Override
  public String location() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public Acquisition acquire(LeaseRecord wanted, Instant now) {
    String key = key(wanted.accountId());
    Duration ttl = Duration.between(wanted.acquiredAt(), wanted.expiresAt());
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<String> created = put(key, wanted, null);
      if (created.isPresent()) {
        return new Granted(new Lease(wanted, created.get()), Optional.empty());
      }
      Optional<Current> current = read(key, wanted.accountId(), ttl);
      if (current.isEmpty()) {
        continue; // released between our write and our read: try to create it again
      }
      LeaseRecord found = current.get().record();
      if (sameHolding(found, wanted)) {
        // Our own create, applied although its response was lost and the SDK retried it.
        return new Granted(new Lease(wanted, current.get().etag()), Optional.empty());
      }
      if (!found.expiredAt(now)) {
        return new Held(found);
      }
      Optional<String> taken = put(key, wanted, current.get().etag());
      if (taken.isPresent()) {
        return new Granted(new Lease(wanted, taken.get()), Optional.of(found));
      }
      // Another run took it over (or released it) first: look again.
    }
    throw new AwsCallException(
        SERVICE,
        "PutObject",
        "LeaseContention",
        409,
        "the lease "
            + location()
            + wanted.accountId()
            + ".json changed under every one of "
            + ATTEMPTS
            + " attempts to take it",
        null);
  }

  @Override
  public Optional<Lease> renew(Lease lease, Instant newExpiry) {
    LeaseRecord renewed = lease.record().until(newExpiry);
    String key = key(renewed.accountId());
    Optional<String> etag = put(key, renewed, lease.version());
    if (etag.isPresent()) {
      return Optional.of(new Lease(renewed, etag.get()));
    }
    // Our own renewal, applied although its response was lost and the SDK retried it?
    Duration ttl = Duration.between(renewed.acquiredAt(), renewed.expiresAt());
    return read(key, renewed.accountId(), ttl)
        .filter(c -> sameHolding(c.record(), renewed))
        .map(c -> new Lease(renewed, c.etag()));
  }

  /** The same run's same holding, to the expiry (run ids are unique). */
  private static boolean sameHolding(LeaseRecord a, LeaseRecord b) {
    return a.runId().equals(b.runId())
        && a.acquiredAt().equals(b.acquiredAt())
        && a.expiresAt().equals(b.expiresAt());
  }

  @Override
  public boolean release(Lease lease) {
    String key = key(lease.record().accountId());
    try {
      AwsErrors.run(
          SERVICE,
          "DeleteObject",
          () ->
              s3.get()
                  .deleteObject(
                      r -> {
                        r.bucket(bucket).key(key).ifMatch(lease.version());
                        expectedOwner.ifPresent(r::expectedBucketOwner);
                      }));
      return true;
    } catch (AwsCallException e) {
      if (e.statusCode() == 404 && AwsErrors.is(e, "NoSuchKey")) {
        return true; // already gone (our own delete, retried by the SDK)
      }
      if (lostRace(e)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Writes {@code record}: only if the key is absent ({@code ifMatch} null) or still at version
   * {@code ifMatch}. Empty when the precondition failed (another run's write came first).
   */
  private Optional<String> put(String key, LeaseRecord record, String ifMatch) {
    byte[] body = render(record);
    try {
      String etag =
          AwsErrors.call(
                  SERVICE,
                  "PutObject",
                  () ->
                      s3.get()
                          .putObject(
                              r -> {
                                r.bucket(bucket)
                                    .key(key)
                                    .contentType("application/json")
                                    .serverSideEncryption(ServerSideEncryption.AES256);
                                if (ifMatch == null) {
                                  r.ifNoneMatch("*");
                                } else {
                                  r.ifMatch(ifMatch);
                                }
                                expectedOwner.ifPresent(r::expectedBucketOwner);
                              },
                              RequestBody.fromBytes(body)))
              .eTag();
      if (etag == null || etag.isEmpty()) {
        throw new AwsCallException(
            SERVICE, "PutObject", "NoETag", 200, "the lease write returned no ETag", null);
      }
      return Optional.of(etag);
    } catch (AwsCallException e) {
      if (lostRace(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private record Current(LeaseRecord record, String etag) {}

  /** The lease object as it is now; empty when there is none. */
  private Optional<Current> read(String key, String accountId, Duration ttl) {
    ResponseBytes<GetObjectResponse> got;
    try {
      got =
          AwsErrors.call(
              SERVICE,
              "GetObject",
              () ->
                  s3.get()
                      .getObjectAsBytes(
                          r -> {
                            r.bucket(bucket).key(key);
                            expectedOwner.ifPresent(r::expectedBucketOwner);
                          }));
    } catch (AwsCallException e) {
      if (e.statusCode() == 404 && AwsErrors.is(e, "NoSuchKey")) {
        return Optional.empty();
      }
      throw e;
    }
    String etag = got.response().eTag();
    Instant written =
        got.response().lastModified() == null ? Instant.EPOCH : got.response().lastModified();
    return Optional.of(new Current(parse(got.asByteArray(), accountId, written, ttl), etag));
  }

  /**
   * A lease that does not say who holds it until when (written by something else, or damaged)
   * counts as held by "unknown" for one lease time from when it was written: never worked around at
   * once, never blocking for ever.
   */
  static LeaseRecord parse(byte[] body, String accountId, Instant written, Duration ttl) {
    try {
      JsonNode n = JSON.readTree(body);
      return new LeaseRecord(
          accountId,
          n.get("runId").asText(),
          n.path("holder").asText(""),
          Instant.parse(n.get("acquiredAt").asText()),
          Instant.parse(n.get("expiresAt").asText()));
    } catch (IOException | RuntimeException e) {
      return new LeaseRecord(
          accountId, "unknown", "unreadable lease object", written, written.plus(ttl));
    }
  }

  static byte[] render(LeaseRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schemaVersion", 1);
    n.put("accountId", r.accountId());
    n.put("runId", r.runId());
    n.put("holder", r.holder());
    n.put("acquiredAt", r.acquiredAt().toString());
    n.put("expiresAt", r.expiresAt().toString());
    byte[] nonce = new byte[8];
    RANDOM.nextBytes(nonce);
    n.put("nonce", HexFormat.of().formatHex(nonce));
    return (n.toString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Another run's write came first: precondition failed, key gone, or a concurrent write. */
  private static boolean lostRace(AwsCallException e) {
    return e.statusCode() == 412
        || (e.statusCode() == 404 && AwsErrors.is(e, "NoSuchKey"))
        || (e.statusCode() == 409 && AwsErrors.is(e, "ConditionalRequestConflict"));
  }
}
