package dev.keyrotator.sandbox.protocol;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response to send. */
public final class Resp {
  public int status = 200;
  public String contentType;
  public byte[] body = new byte[0];
  public final Map<String, String> headers = new LinkedHashMap<>();
  public String errorCode;
  public boolean fault;
  public boolean noBody; // HEAD: headers only, Content-Length taken from headers

  public static Resp of(int status, String contentType, String body) {
    Resp r = new Resp();
    r.status = status;
    r.contentType = contentType;
    r.body = body.getBytes(StandardCharsets.UTF_8);
    return r;
  }

  public Resp header(String k, String v) {
    headers.put(k, v);
    return this;
  }
}
