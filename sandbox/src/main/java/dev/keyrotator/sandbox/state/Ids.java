package dev.keyrotator.sandbox.state;

import java.security.SecureRandom;
import java.util.Random;
import java.util.regex.Pattern;

/** Identifier formats AWS uses. */
public final class Ids {
  public static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  public static final String B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  public static final String ALNUM =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  public static final Pattern ACCESS_KEY_ID = Pattern.compile("AKIA[A-Z2-7]{16}");
  public static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  public static final Pattern ORG_ID = Pattern.compile("o-[a-z0-9]{10,32}");
  public static final Pattern ROOT_ID = Pattern.compile("r-[0-9a-z]{4,32}");
  public static final Pattern OU_ID = Pattern.compile("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
  public static final Pattern USER_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");

  private final Random random;

  public Ids(Random random) {
    this.random = random;
  }

  public static Ids secure() {
    return new Ids(new SecureRandom());
  }

  public String chars(String alphabet, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return b.toString();
  }

  public String accessKeyId() {
    return "AKIA" + chars(BASE32, 16);
  }

  public String tempKeyId() {
    return "ASIA" + chars(BASE32, 16);
  }

  public String secret() {
    return chars(B64, 40);
  }

  public String sessionToken() {
    return "IQoJb3JpZ2luX2VjE" + chars(B64, 240);
  }

  public String principalId(String prefix) {
    return prefix + chars(BASE32, 16);
  }

  public String lower(int n) {
    return chars("abcdefghijklmnopqrstuvwxyz0123456789", n);
  }

  public String uuid() {
    String h = chars("0123456789abcdef", 32);
    return h.substring(0, 8)
        + "-"
        + h.substring(8, 12)
        + "-"
        + h.substring(12, 16)
        + "-"
        + h.substring(16, 20)
        + "-"
        + h.substring(20);
  }
}
