package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3's conditional writes and deletes as the real SDK client sees them: what an account lease
 * (README "Two runs at once: the account lease") relies on. AWS's behaviour: PutObject with {@code
 * If-None-Match: *} fails with 412 when the key exists; with {@code If-Match} it fails with 412 on
 * another ETag and 404 NoSuchKey when the key is absent; DeleteObject with {@code If-Match} the
 * same; a conditional request that overlaps another write to its key gets 409
 * ConditionalRequestConflict.
 */
class S3ConditionalRequestsTest {
  static final String CENTRAL = "111111111111";
  static final String OTHER = "333333333333";
  static final String BUCKET = "key-rotator-leases-111111111111";

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  static Fixture fixture() {
    Fixture f = Fixture.create("o-conditional01", CENTRAL);
    f.account(CENTRAL, "central").bucket(BUCKET, OTHER);
    f.account(OTHER, "other");
    f.account("444444444444", "stranger");
    return f;
  }

  S3Client central = Clients.admin(SANDBOX.sandbox(), CENTRAL).s3();

  @Test
  void ifNoneMatchCreatesTheKeyOnceAndThenFailsWith412() {
    String etag = put("leases/a", "one", null, "*");
    assertThat(etag).startsWith("\"").endsWith("\"");
    assertThatThrownBy(() -> put("leases/a", "two", null, "*"))
        .satisfies(e -> assertError(e, 412, "PreconditionFailed"));
    assertThat(read("leases/a")).isEqualTo("one");
  }

  @Test
  void ifMatchReplacesOnlyTheObjectItWasReadAs() {
    String first = put("leases/b", "one", null, null);
    String second = put("leases/b", "two", first, null);
    assertThat(second).isNotEqualTo(first);
    assertThatThrownBy(() -> put("leases/b", "three", first, null))
        .satisfies(e -> assertError(e, 412, "PreconditionFailed"));
    assertThat(read("leases/b")).isEqualTo("two");
    assertThat(central.getObject(r -> r.bucket(BUCKET).key("leases/b")).response().eTag())
        .isEqualTo(second);
  }

  @Test
  void ifMatchOnAnAbsentKeyIsNoSuchKey() {
    assertThatThrownBy(() -> put("leases/none", "x", "\"0123\"", null))
        .isInstanceOf(NoSuchKeyException.class)
        .satisfies(e -> assertError(e, 404, "NoSuchKey"));
    assertThat(SANDBOX.sandbox().s3Object(BUCKET, "leases/none")).isEmpty();
  }

  @Test
  void deleteWithIfMatchDeletesOnlyTheObjectItWasReadAs() {
    String first = put("leases/c", "one", null, null);
    String second = put("leases/c", "two", first, null);
    assertThatThrownBy(
            () -> central.deleteObject(r -> r.bucket(BUCKET).key("leases/c").ifMatch(first)))
        .satisfies(e -> assertError(e, 412, "PreconditionFailed"));
    assertThat(read("leases/c")).isEqualTo("two");
    central.deleteObject(r -> r.bucket(BUCKET).key("leases/c").ifMatch(second));
    assertThat(SANDBOX.sandbox().s3Object(BUCKET, "leases/c")).isEmpty();
    assertThatThrownBy(
            () -> central.deleteObject(r -> r.bucket(BUCKET).key("leases/c").ifMatch(second)))
        .satisfies(e -> assertError(e, 404, "NoSuchKey"));
    // Unconditional: deleting an absent key succeeds, as in S3.
    central.deleteObject(r -> r.bucket(BUCKET).key("leases/c"));
  }

  @Test
  void aConditionalWriteOverlappingAnotherWriteIsConditionalRequestConflict() throws Exception {
    String etag = put("leases/d", "one", null, null);
    // The central account's write is held for 600 ms after it arrived; meanwhile another writer
    // replaces the object. S3 refuses the late conditional write with 409.
    SANDBOX.sandbox().faults().add(FaultRule.on("s3", "PutObject").account(CENTRAL).latencyMs(600));
    CompletableFuture<String> late =
        CompletableFuture.supplyAsync(() -> put("leases/d", "late", etag, null));
    Thread.sleep(200);
    Clients.admin(SANDBOX.sandbox(), OTHER)
        .s3()
        .putObject(r -> r.bucket(BUCKET).key("leases/d"), RequestBody.fromString("other"));
    assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(S3Exception.class)
        .satisfies(e -> assertError(e.getCause(), 409, "ConditionalRequestConflict"));
    assertThat(read("leases/d")).isEqualTo("other");
  }

  @Test
  void anExpectedBucketOwnerThatIsNotTheOwnerIsAccessDenied() {
    assertThatThrownBy(
            () ->
                central.putObject(
                    r -> r.bucket(BUCKET).key("leases/e").expectedBucketOwner("999999999999"),
                    RequestBody.fromString("x")))
        .satisfies(e -> assertError(e, 403, "AccessDenied"));
    central.putObject(
        r -> r.bucket(BUCKET).key("leases/e").expectedBucketOwner(CENTRAL),
        RequestBody.fromString("x"));
    assertThat(read("leases/e")).isEqualTo("x");
  }

  @Test
  void jitteredLatencyDelaysEachCallByADifferentRandomAmount() {
    SANDBOX
        .sandbox()
        .faults()
        .add(FaultRule.on("s3", "GetObject").latencyMs(0).latencyJitterMs(200).seed(7));
    put("leases/f", "x", null, null);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 6; i++) {
      long t = System.nanoTime();
      read("leases/f");
      long ms = (System.nanoTime() - t) / 1_000_000;
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(max).isLessThan(1_000);
    assertThat(max - min).isGreaterThan(20);
  }

  private String put(String key, String body, String ifMatch, String ifNoneMatch) {
    return central
        .putObject(
            r -> r.bucket(BUCKET).key(key).ifMatch(ifMatch).ifNoneMatch(ifNoneMatch),
            RequestBody.fromString(body))
        .eTag();
  }

  private String read(String key) {
    return central.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asUtf8String();
  }

  private static void assertError(Throwable e, int status, String code) {
    assertThat(e).isInstanceOf(S3Exception.class);
    S3Exception s3 = (S3Exception) e;
    assertThat(s3.statusCode()).isEqualTo(status);
    assertThat(s3.awsErrorDetails().errorCode()).isEqualTo(code);
  }
}
