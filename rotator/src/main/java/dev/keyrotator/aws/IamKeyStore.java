package dev.keyrotator.aws;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyLastUsed;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;

/**
 * IAM users and access keys of one account. The rotator's own state (marker, per-key history)
 * lives in user tags, see {@link IamTags}; those tags are not part of {@link IamUser#tags()}.
 *
 * <p>Reading a user costs GetUser + ListUserTags + ListGroupsForUser + ListAccessKeys + one
 * GetAccessKeyLastUsed per key. The secret of a created key is only in the returned {@link
 * NewAccessKey}; it is never logged or put in an exception.
 */
public final class IamKeyStore implements KeyStore {
  private static final String SERVICE = "iam";

  private final IamClient iam;
  /** User paths seen by {@link #read}, so {@link #createKey} can name the user's ARN. */
  private final Map<String, String> paths = new ConcurrentHashMap<>();

  public IamKeyStore(IamClient iam) {
    this.iam = Objects.requireNonNull(iam, "iam");
  }

  @Override
  public List<String> userNames() {
    return AwsErrors.call(SERVICE, "ListUsers", () -> {
      List<String> names = new ArrayList<>();
      for (User u : iam.listUsersPaginator(r -> {}).users()) {
        names.add(u.userName());
        paths.put(u.userName(), u.path() == null ? "/" : u.path());
      }
      return List.copyOf(names);
    });
  }

  @Override
  public UserSnapshot read(String userName) {
    User user = AwsErrors.call(SERVICE, "GetUser", () -> iam.getUser(r -> r.userName(userName)))
        .user();
    String path = user.path() == null ? "/" : user.path();
    paths.put(userName, path);

    Map<String, String> allTags = new LinkedHashMap<>();
    AwsErrors.run(SERVICE, "ListUserTags", () -> {
      for (Tag t : iam.listUserTagsPaginator(r -> r.userName(userName)).tags()) {
        allTags.put(t.key(), t.value() == null ? "" : t.value());
      }
    });
    Set<String> groups = new LinkedHashSet<>();
    AwsErrors.run(SERVICE, "ListGroupsForUser", () -> {
      for (Group g : iam.listGroupsForUserPaginator(r -> r.userName(userName)).groups()) {
        groups.add(g.groupName());
      }
    });
    List<AccessKeyMetadata> metadata = AwsErrors.call(SERVICE, "ListAccessKeys",
        () -> iam.listAccessKeysPaginator(r -> r.userName(userName)).accessKeyMetadata().stream()
            .toList());
    List<AccessKey> keys = new ArrayList<>();
    for (AccessKeyMetadata m : metadata) {
      keys.add(new AccessKey(m.accessKeyId(), status(m.status()), m.createDate(),
          lastUsed(m.accessKeyId())));
    }

    Map<String, String> userTags = new LinkedHashMap<>();
    Optional<RotationMarker> marker = Optional.empty();
    Map<String, KeyHistory> history = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : allTags.entrySet()) {
      String k = e.getKey();
      if (k.equals(IamTags.MARKER)) {
        marker = IamTags.parseMarker(e.getValue());
      } else if (k.startsWith(IamTags.HISTORY_PREFIX)) {
        KeyHistory h = IamTags.parseHistory(e.getValue());
        String keyId = k.substring(IamTags.HISTORY_PREFIX.length());
        if (!h.isEmpty() && !keyId.isEmpty()) {
          history.put(keyId, h);
        }
      } else {
        userTags.put(k, e.getValue());
      }
    }
    IamUser facts = new IamUser(user.userName(), path, userTags, groups);
    return new UserSnapshot(facts, keys, marker, history);
  }

  private Optional<Instant> lastUsed(String keyId) {
    AccessKeyLastUsed used = AwsErrors.call(SERVICE, "GetAccessKeyLastUsed",
        () -> iam.getAccessKeyLastUsed(r -> r.accessKeyId(keyId))).accessKeyLastUsed();
    return used == null ? Optional.empty() : Optional.ofNullable(used.lastUsedDate());
  }

  private static KeyStatus status(StatusType s) {
    return s == StatusType.INACTIVE ? KeyStatus.INACTIVE : KeyStatus.ACTIVE;
  }

  @Override
  public NewAccessKey createKey(String userName) {
    String path = paths.computeIfAbsent(userName, this::fetchPath);
    CreateAccessKeyResponse r = AwsErrors.call(SERVICE, "CreateAccessKey",
        () -> iam.createAccessKey(b -> b.userName(userName)));
    var k = r.accessKey();
    AccessKey key = new AccessKey(k.accessKeyId(), status(k.status()),
        k.createDate() == null ? Instant.now() : k.createDate(), Optional.empty());
    return new NewAccessKey(userName, path, key, k.secretAccessKey());
  }

  private String fetchPath(String userName) {
    User u = AwsErrors.call(SERVICE, "GetUser", () -> iam.getUser(r -> r.userName(userName)))
        .user();
    return u.path() == null ? "/" : u.path();
  }

  @Override
  public void setStatus(String userName, String keyId, KeyStatus status) {
    AwsErrors.run(SERVICE, "UpdateAccessKey", () -> iam.updateAccessKey(r -> r.userName(userName)
        .accessKeyId(keyId).status(status == KeyStatus.ACTIVE
            ? StatusType.ACTIVE : StatusType.INACTIVE)));
  }

  @Override
  public void deleteKey(String userName, String keyId) {
    AwsErrors.run(SERVICE, "DeleteAccessKey",
        () -> iam.deleteAccessKey(r -> r.userName(userName).accessKeyId(keyId)));
  }

  @Override
  public void writeMarker(String userName, RotationMarker marker) {
    tag(userName, IamTags.MARKER, IamTags.markerValue(marker));
  }

  @Override
  public void clearMarker(String userName) {
    untag(userName, IamTags.MARKER);
  }

  @Override
  public void writeHistory(String userName, String keyId, KeyHistory history) {
    if (history.isEmpty()) {
      forgetHistory(userName, keyId);
      return;
    }
    tag(userName, IamTags.historyKey(keyId), IamTags.historyValue(history));
  }

  @Override
  public void forgetHistory(String userName, String keyId) {
    untag(userName, IamTags.historyKey(keyId));
  }

  private void tag(String userName, String key, String value) {
    AwsErrors.run(SERVICE, "TagUser", () -> iam.tagUser(r -> r.userName(userName)
        .tags(Tag.builder().key(key).value(value).build())));
  }

  private void untag(String userName, String key) {
    AwsErrors.run(SERVICE, "UntagUser",
        () -> iam.untagUser(r -> r.userName(userName).tagKeys(key)));
  }
}
