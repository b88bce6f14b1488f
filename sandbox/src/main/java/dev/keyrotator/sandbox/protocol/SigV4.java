package dev.keyrotator.sandbox.protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Parses and verifies AWS Signature Version 4 {@code Authorization} headers. */
public final class SigV4 {
  private SigV4() {}

  private static final Pattern AUTH =
      Pattern.compile(
          "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]+)");

  public record Auth(
      String keyId,
      String date,
      String region,
      String service,
      List<String> signedHeaders,
      String signature) {
    public String scope() {
      return date + "/" + region + "/" + service + "/aws4_request";
    }
  }

  public static Auth parse(String header) {
    if (header == null) return null;
    Matcher m = AUTH.matcher(header.trim());
    if (!m.find()) return null;
    return new Auth(
        m.group(1),
        m.group(2),
        m.group(3),
        m.group(4),
        List.of(m.group(5).split(";")),
        m.group(6).toLowerCase());
  }

  /**
   * Recomputes the signature.
   *
   * @param headers lower-case header name -> values
   */
  public static String sign(
      Auth a,
      String secret,
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      String payloadHash) {
    String canonicalUri =
        "s3".equals(a.service()) ? (rawPath.isEmpty() ? "/" : rawPath) : doubleEncodePath(rawPath);
    StringBuilder canon = new StringBuilder();
    canon
        .append(method)
        .append('\n')
        .append(canonicalUri)
        .append('\n')
        .append(canonicalQuery(rawQuery))
        .append('\n');
    for (String h : a.signedHeaders()) {
      List<String> vals = headers.get(h);
      List<String> norm = new ArrayList<>();
      if (vals != null) for (String v : vals) norm.add(v.trim().replaceAll("\\s+", " "));
      canon.append(h).append(':').append(String.join(",", norm)).append('\n');
    }
    canon.append('\n').append(String.join(";", a.signedHeaders())).append('\n').append(payloadHash);
    List<String> amzDate = headers.get("x-amz-date");
    String date = amzDate != null && !amzDate.isEmpty() ? amzDate.get(0) : a.date() + "T000000Z";
    String toSign =
        "AWS4-HMAC-SHA256\n"
            + date
            + "\n"
            + a.scope()
            + "\n"
            + sha256Hex(canon.toString().getBytes(StandardCharsets.UTF_8));
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), a.date());
    k = hmac(k, a.region());
    k = hmac(k, a.service());
    k = hmac(k, "aws4_request");
    return HexFormat.of().formatHex(hmac(k, toSign));
  }

  public static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return "";
    List<String[]> pairs = new ArrayList<>();
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      pairs.add(new String[] {encode(decode(k)), encode(decode(v))});
    }
    pairs.sort((x, y) -> x[0].equals(y[0]) ? x[1].compareTo(y[1]) : x[0].compareTo(y[0]));
    StringBuilder b = new StringBuilder();
    for (String[] p : pairs) {
      if (b.length() > 0) b.append('&');
      b.append(p[0]).append('=').append(p[1]);
    }
    return b.toString();
  }

  private static String doubleEncodePath(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) return "/";
    StringBuilder b = new StringBuilder();
    String[] segs = rawPath.split("/", -1);
    for (int i = 0; i < segs.length; i++) {
      if (i > 0) b.append('/');
      b.append(encode(segs[i]));
    }
    return b.toString();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  public static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        b.append((char) c);
      } else {
        b.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
