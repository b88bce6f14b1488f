package dev.keyrotator.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response to send. */
final class Resp {
    int status = 200;
    String contentType;
    byte[] body = new byte[0];
    final Map<String, String> headers = new LinkedHashMap<>();
    String errorCode;
    boolean fault;
    boolean noBody;   // HEAD: headers only, Content-Length taken from headers

    static Resp of(int status, String contentType, String body) {
        Resp r = new Resp();
        r.status = status;
        r.contentType = contentType;
        r.body = body.getBytes(StandardCharsets.UTF_8);
        return r;
    }

    Resp header(String k, String v) { headers.put(k, v); return this; }
}
