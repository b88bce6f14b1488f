package dev.keyrotator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.policy.IamUser;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.Notification;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who a user's messages are for: configured user tags (exact case), else the account's owner. */
class OwnersTest {
  static final Account ACCOUNT =
      new Account("333333333333", "prod", List.of(), List.of(), Map.of("owner", "platform@x.com"));
  static final Owners OWNERS = new Owners(List.of("Owner", "team"), Optional.of("owner"));

  static IamUser user(Map<String, String> tags) {
    return new IamUser("app", "/", tags, Set.of());
  }

  @Test
  void theFirstConfiguredTagTheUserCarriesWinsKeysMatchedExactly() {
    assertThat(OWNERS.ownerOf(user(Map.of("team", "t@x.com", "Owner", "o@x.com")), ACCOUNT))
        .isEqualTo("o@x.com");
    assertThat(OWNERS.ownerOf(user(Map.of("team", "t@x.com")), ACCOUNT)).isEqualTo("t@x.com");
    // `owner` (lower case) is not a configured user tag: the account's default owner applies
    assertThat(OWNERS.ownerOf(user(Map.of("owner", "lower@x.com")), ACCOUNT))
        .isEqualTo("platform@x.com");
    // a blank tag does not count
    assertThat(OWNERS.ownerOf(user(Map.of("Owner", " ", "team", "t@x.com")), ACCOUNT))
        .isEqualTo("t@x.com");
  }

  @Test
  void withoutAnAccountDefaultAnUntaggedUserHasNoOwner() {
    Owners noDefault = new Owners(List.of("Owner"), Optional.empty());
    assertThat(noDefault.ownerOf(user(Map.of()), ACCOUNT)).isEmpty();
    assertThat(Owners.DEFAULT.ownerOf(user(Map.of("owner", "o@x.com")), ACCOUNT))
        .isEqualTo("o@x.com");
    assertThat(OWNERS.ownerOf(user(Map.of()), Account.standalone("111111111111"))).isEmpty();
  }

  @Test
  void theMessageCarriesTheOwnerAttributeWhenKnownAndNoneOtherwise() {
    Notification n =
        new Notification("s", "b", Map.of("event", "key-warning", "owner", "tag-owner@x.com"));
    assertThat(Notifications.withOwner(n, "team@x.com").attributes())
        .containsEntry("owner", "team@x.com")
        .containsEntry("event", "key-warning");
    assertThat(Notifications.withOwner(n, "").attributes()).doesNotContainKey("owner");
  }
}
