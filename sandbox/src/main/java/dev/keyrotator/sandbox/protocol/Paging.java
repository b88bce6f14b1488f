package dev.keyrotator.sandbox.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Offset-based opaque page tokens. */
public final class Paging {
  private Paging() {}

  public record Page<T>(List<T> items, String next) {}

  public static <T> Page<T> page(List<T> all, String token, int size, String invalidCode) {
    int from = 0;
    if (token != null && !token.isEmpty()) {
      try {
        String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        if (!s.startsWith("sbx:")) throw new IllegalArgumentException();
        from = Integer.parseInt(s.substring(4));
      } catch (IllegalArgumentException e) {
        throw new AwsException(400, invalidCode, "Invalid pagination token: " + token);
      }
    }
    from = Math.min(from, all.size());
    int to = Math.min(all.size(), from + size);
    String next =
        to < all.size()
            ? Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("sbx:" + to).getBytes(StandardCharsets.UTF_8))
            : null;
    return new Page<>(all.subList(from, to), next);
  }
}
