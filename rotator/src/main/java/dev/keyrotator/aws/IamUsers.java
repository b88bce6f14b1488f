package dev.keyrotator.aws;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserScan;
import dev.keyrotator.ports.UserSnapshot;
import java.time.Duration;
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
import software.amazon.awssdk.services.iam.model.EntityType;
import software.amazon.awssdk.services.iam.model.GenerateCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.GetCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.Group;
import software.amazon.awssdk.services.iam.model.ReportStateType;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.iam.model.UserDetail;

/**
 * IAM users and access keys of one account. The rotator's own state (marker, per-key history) lives
 * in user tags, see {@link IamTags}; those tags are not part of {@link IamUser#tags()}.
 *
 * <p>Reading a user costs GetUser + ListUserTags + ListGroupsForUser + ListAccessKeys + one
 * GetAccessKeyLastUsed per key. In bulk, {@link #userDetails} costs one
 * GetAccountAuthorizationDetails per 1,000 users and {@link #credentialReport} one
 * GenerateCredentialReport and one GetCredentialReport per account, plus one GetCredentialReport
 * per poll (about one a second) while IAM is still generating it. The secret of a created key is
 * only in the returned {@link NewAccessKey}; it is never logged or put in an exception.
 */
public final class IamUsers implements UserKeys, UserScan {
  private static final String SERVICE = "iam";

  private final IamClient iam;
  private final String pathPrefix;

  /** User paths seen by {@link #read}, so {@link #createKey} can name the user's ARN. */
  private final Map<String, String> paths = new ConcurrentHashMap<>();

  /** Every user of the account (path prefix /). */
  public IamUsers(IamClient iam) {
    this(iam, "/");
  }

  /**
   * @param pathPrefix only users under this IAM path are listed (ListUsers PathPrefix) and scanned:
   *     the member role may read and write no other user
   */
  public IamUsers(IamClient iam, String pathPrefix) {
    this.iam = Objects.requireNonNull(iam, "iam");
    this.pathPrefix = pathPrefix == null || pathPrefix.isEmpty() ? "/" : pathPrefix;
  }

  @Override
  public List<String> userNames() {
    return AwsErrors.call(
        SERVICE,
        "ListUsers",
        () -> {
          List<String> names = new ArrayList<>();
          for (User u : iam.listUsersPaginator(r -> r.pathPrefix(pathPrefix)).users()) {
            names.add(u.userName());
            paths.put(u.userName(), u.path() == null ? "/" : u.path());
          }
          return List.copyOf(names);
        });
  }

  @Override
  public UserSnapshot read(String userName) {
    User user =
        AwsErrors.call(SERVICE, "GetUser", () -> iam.getUser(r -> r.userName(userName))).user();
    String path = user.path() == null ? "/" : user.path();
    paths.put(userName, path);

    Map<String, String> allTags = new LinkedHashMap<>();
    AwsErrors.run(
        SERVICE,
        "ListUserTags",
        () -> {
          for (Tag t : iam.listUserTagsPaginator(r -> r.userName(userName)).tags()) {
            allTags.put(t.key(), t.value() == null ? "" : t.value());
          }
        });
    Set<String> groups = new LinkedHashSet<>();
    AwsErrors.run(
        SERVICE,
        "ListGroupsForUser",
        () -> {
          for (Group g : iam.listGroupsForUserPaginator(r -> r.userName(userName)).groups()) {
            groups.add(g.groupName());
          }
        });
    List<AccessKeyMetadata> metadata = listAccessKeys(userName);
    List<AccessKey> keys = new ArrayList<>();
    for (AccessKeyMetadata m : metadata) {
      keys.add(withLastUse(m.accessKeyId(), status(m.status()), m.createDate()));
    }

    SplitTags split = SplitTags.of(allTags);
    IamUser facts = new IamUser(user.userName(), path, split.userTags(), groups);
    return new UserSnapshot(facts, keys, split.marker(), split.history());
  }

  @Override
  public List<AccessKey> listKeys(String userName) {
    List<AccessKey> keys = new ArrayList<>();
    for (AccessKeyMetadata m : listAccessKeys(userName)) {
      keys.add(
          new AccessKey(m.accessKeyId(), status(m.status()), m.createDate(), Optional.empty()));
    }
    return List.copyOf(keys);
  }

  @Override
  public UserSnapshot read(UserDetails known, List<AccessKey> listed) {
    paths.putIfAbsent(known.user().name(), known.user().path());
    List<AccessKey> keys = new ArrayList<>();
    for (AccessKey k : listed) {
      keys.add(withLastUse(k.id(), k.status(), k.created()));
    }
    return new UserSnapshot(known.user(), keys, known.marker(), known.history());
  }

  private List<AccessKeyMetadata> listAccessKeys(String userName) {
    return AwsErrors.call(
        SERVICE,
        "ListAccessKeys",
        () ->
            iam.listAccessKeysPaginator(r -> r.userName(userName)).accessKeyMetadata().stream()
                .toList());
  }

  /** A user's tags split into its own tags and the rotator's state (marker, history). */
  private record SplitTags(
      Map<String, String> userTags,
      Optional<RotationMarker> marker,
      Map<String, KeyHistory> history,
      boolean stateTags) {
    static SplitTags of(Map<String, String> allTags) {
      Map<String, String> userTags = new LinkedHashMap<>();
      Optional<RotationMarker> marker = Optional.empty();
      Map<String, KeyHistory> history = new LinkedHashMap<>();
      boolean stateTags = false;
      for (Map.Entry<String, String> e : allTags.entrySet()) {
        String k = e.getKey();
        if (k.equals(IamTags.MARKER)) {
          stateTags = true;
          marker = IamTags.parseMarker(e.getValue());
        } else if (k.startsWith(IamTags.HISTORY_PREFIX)) {
          stateTags = true;
          KeyHistory h = IamTags.parseHistory(e.getValue());
          String keyId = k.substring(IamTags.HISTORY_PREFIX.length());
          if (!h.isEmpty() && !keyId.isEmpty()) {
            history.put(keyId, h);
          }
        } else {
          userTags.put(k, e.getValue());
        }
      }
      return new SplitTags(userTags, marker, history, stateTags);
    }
  }

  /** GetCredentialReport's answer while IAM is generating the report: ask again later. */
  static final String REPORT_IN_PROGRESS = "ReportInProgress";

  /** GetCredentialReport's answers that mean "there is no report to wait for: generate one". */
  private static final Set<String> REPORT_ABSENT = Set.of("ReportNotPresent", "ReportExpired");

  /** The first pause between polls of a report in progress; it doubles up to {@link #POLL_MAX}. */
  static final Duration POLL_FIRST = Duration.ofMillis(250);

  /**
   * The longest pause between polls: a report that becomes ready is read at most this late, at
   * about one GetCredentialReport a second per waiting account (IAM's limits are per account).
   */
  static final Duration POLL_MAX = Duration.ofSeconds(1);

  @Override
  public boolean requestCredentialReport() throws ScanUnavailableException {
    try {
      return generateReport();
    } catch (AwsCallException e) {
      throw new ScanUnavailableException(e.getMessage(), e);
    }
  }

  private boolean generateReport() {
    GenerateCredentialReportResponse r =
        AwsErrors.call(
            SERVICE, "GenerateCredentialReport", () -> iam.generateCredentialReport(b -> {}));
    return r.state() == ReportStateType.COMPLETE;
  }

  /**
   * GetCredentialReport first (after {@link #requestCredentialReport} it is usually ready). While
   * IAM answers ReportInProgress, GetCredentialReport again after a pause (250 ms doubling to 1 s)
   * without asking IAM to generate anew; only an absent or expired report is generated again (once
   * each time IAM says so). Gives up when {@code maxWait} has passed.
   */
  @Override
  public CredentialReport credentialReport(Duration maxWait) throws ScanUnavailableException {
    try {
      return awaitReport(maxWait);
    } catch (AwsCallException | IllegalArgumentException e) {
      throw new ScanUnavailableException(e.getMessage(), e);
    }
  }

  private CredentialReport awaitReport(Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    long pauseMs = POLL_FIRST.toMillis();
    while (true) {
      try {
        GetCredentialReportResponse r =
            AwsErrors.call(SERVICE, "GetCredentialReport", () -> iam.getCredentialReport(b -> {}));
        String csv = r.content() == null ? "" : r.content().asUtf8String();
        return CredentialReportCsv.parse(
            csv, r.generatedTime() == null ? Instant.EPOCH : r.generatedTime());
      } catch (AwsCallException e) {
        if (REPORT_ABSENT.contains(e.errorCode())) {
          generateReport();
        } else if (!REPORT_IN_PROGRESS.equals(e.errorCode())) {
          throw e;
        }
      }
      if (System.nanoTime() + pauseMs * 1_000_000L > deadline) {
        throw new AwsCallException(
            SERVICE,
            "GetCredentialReport",
            "ReportNotReady",
            0,
            "the credential report was not ready within " + maxWait.toSeconds() + " s",
            null);
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AwsCallException(
            SERVICE,
            "GetCredentialReport",
            "Interrupted",
            0,
            "interrupted while waiting for the credential report",
            e);
      }
      pauseMs = Math.min(pauseMs * 2, POLL_MAX.toMillis());
    }
  }

  @Override
  public List<UserDetails> userDetails() throws ScanUnavailableException {
    try {
      return authorizationDetails();
    } catch (AwsCallException e) {
      throw new ScanUnavailableException(e.getMessage(), e);
    }
  }

  private List<UserDetails> authorizationDetails() {
    return AwsErrors.call(
        SERVICE,
        "GetAccountAuthorizationDetails",
        () -> {
          List<UserDetails> out = new ArrayList<>();
          for (var page :
              iam.getAccountAuthorizationDetailsPaginator(
                  r -> r.filter(EntityType.USER).maxItems(1000))) {
            for (UserDetail u : page.userDetailList()) {
              String path = u.path() == null ? "/" : u.path();
              if (!path.startsWith(pathPrefix)) {
                continue; // IAM has no path filter here; the same users ListUsers would give
              }
              Map<String, String> allTags = new LinkedHashMap<>();
              for (Tag t : u.tags()) {
                allTags.put(t.key(), t.value() == null ? "" : t.value());
              }
              SplitTags split = SplitTags.of(allTags);
              paths.put(u.userName(), path);
              IamUser facts =
                  new IamUser(
                      u.userName(), path, split.userTags(), new LinkedHashSet<>(u.groupList()));
              out.add(
                  new UserDetails(
                      facts,
                      u.createDate() == null ? Instant.EPOCH : u.createDate(),
                      split.marker(),
                      split.history(),
                      split.stateTags()));
            }
          }
          return List.copyOf(out);
        });
  }

  @Override
  public Optional<String> ownerOf(String keyId) {
    try {
      return Optional.ofNullable(
              AwsErrors.call(
                      SERVICE,
                      "GetAccessKeyLastUsed",
                      () -> iam.getAccessKeyLastUsed(r -> r.accessKeyId(keyId)))
                  .userName())
          .filter(n -> !n.isBlank());
    } catch (AwsCallException e) {
      // IAM answers AccessDenied for a key id it does not know in this account
      if (e.isAccessDenied() || "NoSuchEntity".equals(e.errorCode())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<String> attachedPolicies(String userName) {
    return AwsErrors.call(
        SERVICE,
        "ListAttachedUserPolicies",
        () ->
            iam
                .listAttachedUserPoliciesPaginator(r -> r.userName(userName))
                .attachedPolicies()
                .stream()
                .map(p -> p.policyName())
                .toList());
  }

  /**
   * The key with its last use from GetAccessKeyLastUsed: date, service and region (IAM answers
   * {@code N/A} for a key never used, read as unknown).
   */
  private AccessKey withLastUse(String keyId, KeyStatus status, Instant created) {
    AccessKeyLastUsed used =
        AwsErrors.call(
                SERVICE,
                "GetAccessKeyLastUsed",
                () -> iam.getAccessKeyLastUsed(r -> r.accessKeyId(keyId)))
            .accessKeyLastUsed();
    if (used == null || used.lastUsedDate() == null) {
      return new AccessKey(keyId, status, created, Optional.empty());
    }
    return new AccessKey(
        keyId,
        status,
        created,
        Optional.of(used.lastUsedDate()),
        used.serviceName(),
        used.region());
  }

  private static KeyStatus status(StatusType s) {
    return s == StatusType.INACTIVE ? KeyStatus.INACTIVE : KeyStatus.ACTIVE;
  }

  @Override
  public NewAccessKey createKey(String userName) {
    String path = paths.computeIfAbsent(userName, this::fetchPath);
    CreateAccessKeyResponse r =
        AwsErrors.call(
            SERVICE, "CreateAccessKey", () -> iam.createAccessKey(b -> b.userName(userName)));
    var k = r.accessKey();
    AccessKey key =
        new AccessKey(
            k.accessKeyId(),
            status(k.status()),
            k.createDate() == null ? Instant.now() : k.createDate(),
            Optional.empty());
    return new NewAccessKey(userName, path, key, k.secretAccessKey());
  }

  private String fetchPath(String userName) {
    User u =
        AwsErrors.call(SERVICE, "GetUser", () -> iam.getUser(r -> r.userName(userName))).user();
    return u.path() == null ? "/" : u.path();
  }

  @Override
  public void setStatus(String userName, String keyId, KeyStatus status) {
    AwsErrors.run(
        SERVICE,
        "UpdateAccessKey",
        () ->
            iam.updateAccessKey(
                r ->
                    r.userName(userName)
                        .accessKeyId(keyId)
                        .status(
                            status == KeyStatus.ACTIVE ? StatusType.ACTIVE : StatusType.INACTIVE)));
  }

  @Override
  public void deleteKey(String userName, String keyId) {
    AwsErrors.run(
        SERVICE,
        "DeleteAccessKey",
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
    AwsErrors.run(
        SERVICE,
        "TagUser",
        () ->
            iam.tagUser(
                r -> r.userName(userName).tags(Tag.builder().key(key).value(value).build())));
  }

  private void untag(String userName, String key) {
    AwsErrors.run(
        SERVICE, "UntagUser", () -> iam.untagUser(r -> r.userName(userName).tagKeys(key)));
  }
}
