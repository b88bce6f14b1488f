package dev.keyrotator.ports;

import java.util.Objects;

/**
 * Who the resource policy of a user's secret lets read it (the policy setting {@code
 * secrets.readers}).
 */
public sealed interface SecretReader {

  /** The IAM user itself: automatic pickup, but an old (leaked) key can read its successor. */
  SecretReader OWNER = new Owner();

  /** The IAM user itself. */
  record Owner() implements SecretReader {}

  /**
   * Only this role of the user's account; the user itself is explicitly denied.
   *
   * @param pathAndName the role's path (without the leading /) and name, e.g. {@code ci/deployer}
   */
  record Role(String pathAndName) implements SecretReader {
    public Role {
      Objects.requireNonNull(pathAndName, "pathAndName");
    }
  }

  /** No reader is named (the user's tag is missing or names no role); the user is denied. */
  record Nobody(String why) implements SecretReader {
    public Nobody {
      Objects.requireNonNull(why, "why");
    }
  }
}
