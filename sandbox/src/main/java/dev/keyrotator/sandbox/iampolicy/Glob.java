package dev.keyrotator.sandbox.iampolicy;

/** IAM's wildcard matching: {@code *} any run of characters, {@code ?} exactly one. */
final class Glob {
  private Glob() {}

  static boolean matches(String pattern, String text, boolean ignoreCase) {
    if (ignoreCase) {
      pattern = pattern.toLowerCase(java.util.Locale.ROOT);
      text = text.toLowerCase(java.util.Locale.ROOT);
    }
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') p++;
    return p == pattern.length();
  }
}
