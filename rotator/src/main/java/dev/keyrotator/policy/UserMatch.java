package dev.keyrotator.policy;

import java.util.Objects;
import java.util.regex.Pattern;

/** Which users an exemption covers. */
public sealed interface UserMatch {

  boolean matches(IamUser user);

  /** How the match reads in a report, e.g. {@code user name breakglass-*}. */
  String describe();

  /** A glob on the user name: {@code *} matches any run of characters, {@code ?} one. */
  record NamePattern(String glob) implements UserMatch {
    public NamePattern {
      Objects.requireNonNull(glob, "glob");
    }

    @Override
    public boolean matches(IamUser user) {
      return globToRegex(glob).matcher(user.name()).matches();
    }

    @Override
    public String describe() {
      return "user name " + glob;
    }

    static Pattern globToRegex(String glob) {
      StringBuilder sb = new StringBuilder();
      for (char c : glob.toCharArray()) {
        switch (c) {
          case '*' -> sb.append(".*");
          case '?' -> sb.append('.');
          default -> sb.append(Pattern.quote(String.valueOf(c)));
        }
      }
      return Pattern.compile(sb.toString());
    }
  }

  /** A user tag with the given key and, when {@code value} is non-null, that value. */
  record Tag(String key, String value) implements UserMatch {
    public Tag {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean matches(IamUser user) {
      String actual = user.tags().get(key);
      return actual != null && (value == null || value.equals(actual));
    }

    @Override
    public String describe() {
      return value == null ? "user tag " + key : "user tag " + key + "=" + value;
    }
  }

  /**
   * Users that do NOT carry the tag {@code key=value}: with the member role's UserScope=tagged, IAM
   * lets the rotator write keys only on users that carry it, so the others are out of scope.
   */
  record WithoutTag(String key, String value) implements UserMatch {
    public WithoutTag {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean matches(IamUser user) {
      return !value.equals(user.tags().get(key));
    }

    @Override
    public String describe() {
      return "no user tag " + key + "=" + value;
    }
  }

  /** Membership of an IAM group. */
  record Group(String name) implements UserMatch {
    public Group {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public boolean matches(IamUser user) {
      return user.groups().contains(name);
    }

    @Override
    public String describe() {
      return "group " + name;
    }
  }
}
