package dev.keyrotator.sandbox.s3;

import dev.keyrotator.sandbox.handler.Call;
import dev.keyrotator.sandbox.handler.Operations;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import dev.keyrotator.sandbox.iampolicy.AuthRequest;
import dev.keyrotator.sandbox.protocol.AwsException;
import dev.keyrotator.sandbox.protocol.Paging;
import dev.keyrotator.sandbox.protocol.Protocol;
import dev.keyrotator.sandbox.protocol.Request;
import dev.keyrotator.sandbox.protocol.Resp;
import dev.keyrotator.sandbox.protocol.Xml;
import dev.keyrotator.sandbox.state.State;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * S3 REST, path style ({@code /bucket/key}): PutObject, GetObject, HeadObject, DeleteObject,
 * ListObjectsV2, with S3's conditional writes and deletes: PutObject with {@code If-None-Match: *}
 * (only if the key is absent) or {@code If-Match: <etag>} (only if the object is unchanged), and
 * DeleteObject with {@code If-Match}. A failed precondition is 412 {@code PreconditionFailed}; an
 * {@code If-Match} on an absent key is 404 {@code NoSuchKey}; a conditional request during which
 * another write to the same key was applied (it arrived before that write and was applied after it,
 * e.g. delayed by a fault rule) is 409 {@code ConditionalRequestConflict}, as S3 answers concurrent
 * conditional writes. {@code x-amz-expected-bucket-owner} is checked.
 */
public final class S3Handler implements ServiceHandler {
  @Override
  public String operation(Request c) {
    String[] bk = bucketAndKey(c);
    boolean hasKey = bk[1] != null && !bk[1].isEmpty();
    return switch (c.method) {
      case "PUT" -> hasKey ? "PutObject" : "CreateBucket";
      case "GET" -> hasKey ? "GetObject" : (bk[0] == null ? "ListBuckets" : "ListObjectsV2");
      case "HEAD" -> hasKey ? "HeadObject" : "HeadBucket";
      case "DELETE" -> hasKey ? "DeleteObject" : "DeleteBucket";
      default -> c.method;
    };
  }

  static String[] bucketAndKey(Request c) {
    String p = c.rawPath.startsWith("/") ? c.rawPath.substring(1) : c.rawPath;
    if (p.isEmpty()) return new String[] {null, null};
    int slash = p.indexOf('/');
    String bucket = slash < 0 ? p : p.substring(0, slash);
    String key =
        slash < 0
            ? null
            : URLDecoder.decode(p.substring(slash + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    return new String[] {bucket, key};
  }

  private static final Operations OPERATIONS =
      new Operations(
              op ->
                  new AwsException(
                      501,
                      "NotImplemented",
                      "A header you provided implies functionality that is not implemented"))
          .on("PutObject", c -> put(c, bucket(c), key(c)))
          .on("GetObject", c -> get(c, bucket(c), key(c), false))
          .on("HeadObject", c -> get(c, bucket(c), key(c), true))
          .on("DeleteObject", c -> delete(c, bucket(c), key(c)))
          .on("ListObjectsV2", c -> list(c, bucket(c)))
          .on(
              "HeadBucket",
              c -> {
                bucket(c);
                return new Resp();
              });

  @Override
  public String name() {
    return "s3";
  }

  @Override
  public Protocol protocol() {
    return Protocol.REST_XML;
  }

  @Override
  public Resp handle(Call c) {
    return OPERATIONS.dispatch(c);
  }

  /**
   * s3:PutObject / s3:GetObject on {@code arn:aws:s3:::bucket/key} (HeadObject is GetObject),
   * s3:ListBucket on the bucket (ListObjectsV2 with {@code s3:prefix}, HeadBucket), with {@code
   * s3:ResourceAccount} (the bucket owner), and for PutObject the {@code
   * s3:x-amz-server-side-encryption} and {@code s3:if-none-match} of the request. The bucket's
   * policy is evaluated as the resource policy.
   */
  @Override
  public List<AuthRequest> authorization(Call c) {
    String[] bk = bucketAndKey(c);
    State.Bucket b = bk[0] == null ? null : c.state.buckets.get(bk[0]);
    if (b == null) return List.of(); // NoSuchBucket from the operation
    String action =
        switch (c.operation) {
          case "PutObject" -> "s3:PutObject";
          case "GetObject", "HeadObject" -> "s3:GetObject";
          case "ListObjectsV2", "HeadBucket" -> "s3:ListBucket";
          default -> "s3:" + c.operation;
        };
    String arn =
        action.equals("s3:ListBucket")
            ? "arn:aws:s3:::" + b.name
            : "arn:aws:s3:::" + b.name + "/" + bk[1];
    AuthRequest r =
        new AuthRequest(action, arn, b.owner.id)
            .key("s3:ResourceAccount", b.owner.id)
            .resourcePolicy(b.policy);
    if (c.operation.equals("ListObjectsV2")) {
      r.key("s3:prefix", Request.parseForm(c.rawQuery).getOrDefault("prefix", ""));
    }
    if (c.operation.equals("PutObject")) {
      r.key("s3:x-amz-server-side-encryption", c.header("x-amz-server-side-encryption"))
          .key("s3:if-none-match", c.header("if-none-match"));
    }
    return List.of(r);
  }

  @Override
  public AwsException throttled() {
    return new AwsException(503, "SlowDown", "Please reduce your request rate.");
  }

  @Override
  public AwsException internalError() {
    return new AwsException(
        500, "InternalError", "We encountered an internal error. Please try again.");
  }

  private static String key(Call c) {
    return bucketAndKey(c)[1];
  }

  /** The addressed bucket, if the caller owns it or may write to it. */
  private static State.Bucket bucket(Call c) {
    String name = bucketAndKey(c)[0];
    State.Bucket b = c.state.buckets.get(name);
    if (b == null) {
      throw new AwsException(404, "NoSuchBucket", "The specified bucket does not exist");
    }
    // A bucket with a policy was authorized by it (the gateway); without one, the fixture's
    // writers.
    String expected = c.header("x-amz-expected-bucket-owner");
    if (expected != null && !expected.equals(b.owner.id)) {
      throw new AwsException(403, "AccessDenied", "Access Denied");
    }
    if (b.policy == null && b.owner != c.account() && !b.writers.contains(c.account().id)) {
      throw new AwsException(403, "AccessDenied", "Access Denied");
    }
    String expectedOwner = c.header("x-amz-expected-bucket-owner");
    if (expectedOwner != null && !expectedOwner.equals(b.owner.id)) {
      throw new AwsException(403, "AccessDenied", "Access Denied");
    }
    return b;
  }

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private static Resp put(Call c, State.Bucket b, String key) {
    String ifNoneMatch = c.header("if-none-match");
    String ifMatch = c.header("if-match");
    if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
      throw new AwsException(
          501,
          "NotImplemented",
          "A header you provided implies functionality that is not implemented");
    }
    if (ifNoneMatch != null || ifMatch != null) {
      conflictCheck(c, b, key);
      State.S3Object existing = b.objects.get(key);
      if (ifNoneMatch != null && existing != null) throw preconditionFailed("If-None-Match");
      if (ifMatch != null) matches(ifMatch, existing);
    }
    byte[] data = c.body;
    String sha = c.header("x-amz-content-sha256");
    String enc = c.header("content-encoding");
    if ((sha != null && sha.startsWith("STREAMING-"))
        || (enc != null && enc.contains("aws-chunked"))) data = dechunk(data);
    State.S3Object o = new State.S3Object();
    o.key = key;
    o.data = data;
    String ct = c.header("content-type");
    o.contentType = ct == null ? "binary/octet-stream" : ct;
    o.lastModified = c.state.now();
    o.etag = "\"" + md5(data) + "\"";
    o.serverSideEncryption = c.header("x-amz-server-side-encryption");
    for (Map.Entry<String, List<String>> h : c.headers.entrySet()) {
      if (h.getKey().startsWith("x-amz-meta-"))
        o.metadata.put(h.getKey().substring(11), h.getValue().get(0));
    }
    b.objects.put(key, o);
    b.lastWriteNanos.put(key, System.nanoTime());
    return new Resp().header("ETag", o.etag);
  }

  private static Resp delete(Call c, State.Bucket b, String key) {
    String ifMatch = c.header("if-match");
    if (ifMatch != null) {
      conflictCheck(c, b, key);
      matches(ifMatch, b.objects.get(key));
    }
    if (b.objects.remove(key) != null) b.lastWriteNanos.put(key, System.nanoTime());
    return Resp.of(204, null, "");
  }

  /** {@code If-Match}: the object exists and has that ETag ({@code *}: any). */
  private static void matches(String ifMatch, State.S3Object existing) {
    if (existing == null) {
      throw new AwsException(404, "NoSuchKey", "The specified key does not exist.");
    }
    String want = ifMatch.trim();
    if (!want.equals("*") && !unquote(want).equals(unquote(existing.etag))) {
      throw preconditionFailed("If-Match");
    }
  }

  /** Another write to {@code key} was applied while this conditional request was under way. */
  private static void conflictCheck(Call c, State.Bucket b, String key) {
    Long last = b.lastWriteNanos.get(key);
    if (last != null && c.arrivedNanos != 0 && last - c.arrivedNanos > 0) {
      throw new AwsException(
          409,
          "ConditionalRequestConflict",
          "A conflicting conditional action is currently in progress against this resource.");
    }
  }

  private static AwsException preconditionFailed(String condition) {
    return new AwsException(
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold (" + condition + ")");
  }

  private static String unquote(String etag) {
    String e = etag.startsWith("W/") ? etag.substring(2) : etag;
    return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")
        ? e.substring(1, e.length() - 1)
        : e;
  }

  private static Resp get(Call c, State.Bucket b, String key, boolean head) {
    State.S3Object o = b.objects.get(key);
    if (o == null) throw new AwsException(404, "NoSuchKey", "The specified key does not exist.");
    Resp r = new Resp();
    r.contentType = o.contentType;
    r.header("ETag", o.etag).header("Last-Modified", HTTP_DATE.format(o.lastModified));
    o.metadata.forEach((k, v) -> r.header("x-amz-meta-" + k, v));
    if (head) {
      r.noBody = true;
      r.header("Content-Length", String.valueOf(o.data.length));
    } else {
      r.body = o.data;
    }
    return r;
  }

  private static Resp list(Call c, State.Bucket b) {
    Map<String, String> q = Request.parseForm(c.rawQuery);
    String prefix = q.getOrDefault("prefix", "");
    int max = q.containsKey("max-keys") ? Integer.parseInt(q.get("max-keys")) : 1000;
    List<State.S3Object> all = new ArrayList<>();
    for (State.S3Object o : b.objects.values()) if (o.key.startsWith(prefix)) all.add(o);
    Paging.Page<State.S3Object> p =
        Paging.page(all, q.get("continuation-token"), Math.max(1, max), "InvalidArgument");
    Xml x =
        new Xml()
            .raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .open("ListBucketResult", Protocol.S3_NS)
            .el("Name", b.name)
            .el("Prefix", prefix)
            .el("KeyCount", p.items().size())
            .el("MaxKeys", max)
            .el("IsTruncated", p.next() != null);
    if (q.get("continuation-token") != null) x.el("ContinuationToken", q.get("continuation-token"));
    if (p.next() != null) x.el("NextContinuationToken", p.next());
    for (State.S3Object o : p.items()) {
      x.open("Contents")
          .el("Key", o.key)
          .el(
              "LastModified",
              o.lastModified.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString())
          .el("ETag", o.etag)
          .el("Size", o.data.length)
          .el("StorageClass", "STANDARD")
          .close("Contents");
    }
    x.close("ListBucketResult");
    return Resp.of(200, "application/xml", x.toString());
  }

  /**
   * Decodes an aws-chunked body ({@code hex-size[;chunk-signature=..]\r\n data \r\n ... 0\r\n
   * trailers}).
   */
  static byte[] dechunk(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < in.length) {
      int eol = indexOf(in, i);
      if (eol < 0) break;
      String line = new String(in, i, eol - i, StandardCharsets.US_ASCII);
      int semi = line.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
      i = eol + 2;
      if (size == 0) break;
      out.write(in, i, size);
      i += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
    return -1;
  }

  static String md5(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
