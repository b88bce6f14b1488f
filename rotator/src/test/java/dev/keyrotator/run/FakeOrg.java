package dev.keyrotator.run;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.IamUser;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.ports.SecretReader;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.StoredSecret;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserScan;
import dev.keyrotator.ports.UserSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** An in-memory organization behind the adapter interfaces, for orchestrator unit tests. */
final class FakeOrg implements AccountDirectory, RoleAssumer, Notifier {

  static final class User {
    final IamUser facts;
    final List<AccessKey> keys = new ArrayList<>();
    final Map<String, KeyHistory> history = new HashMap<>();
    Optional<RotationMarker> marker = Optional.empty();

    /** When IAM created the user (credential report and user details). */
    Instant created = Instant.parse("2020-01-01T00:00:00Z");

    /** key id -> secret, as the vault holds it. */
    final Map<String, String> vault = new LinkedHashMap<>();

    User(IamUser facts) {
      this.facts = facts;
    }
  }

  static final class Member {
    final Account account;
    boolean roleDeployed = true;
    boolean iamFails;

    /** GenerateCredentialReport / GetCredentialReport refused (AccessDenied). */
    boolean reportFails;

    /** When set, the credential report served instead of one made from the current state. */
    CredentialReport staleReport;

    /** TagUser of a history fails (AccessDenied). */
    boolean failTagWrites;

    final Map<String, User> users = new LinkedHashMap<>();

    /**
     * Bulk reads made: GenerateCredentialReport, GetCredentialReport,
     * GetAccountAuthorizationDetails.
     */
    final List<String> bulkReads = new CopyOnWriteArrayList<>();

    /** Users read one by one ({@link KeyStore#read}). */
    final List<String> userReads = new CopyOnWriteArrayList<>();

    /** Users whose keys were listed (ListAccessKeys alone). */
    final List<String> keyLists = new CopyOnWriteArrayList<>();

    Member(Account account) {
      this.account = account;
    }
  }

  final Clock clock;
  final Map<String, Member> accounts = new LinkedHashMap<>();
  final List<String> mutatingCalls = new CopyOnWriteArrayList<>();
  final List<String> opened = new CopyOnWriteArrayList<>();
  final List<Notification> published = new CopyOnWriteArrayList<>();
  final List<String> issuedSecrets = new CopyOnWriteArrayList<>();
  final AtomicInteger nextKey = new AtomicInteger();
  boolean vaultFails;
  boolean snsFails;

  FakeOrg(Clock clock) {
    this.clock = clock;
  }

  Member account(String id, String name, List<String> ouPath, Map<String, String> tags) {
    Member m = new Member(new Account(id, name, ouPath, ouPath, tags));
    accounts.put(id, m);
    return m;
  }

  User user(String accountId, String name, Map<String, String> tags) {
    User u = new User(new IamUser(name, "/", tags, Set.of()));
    accounts.get(accountId).users.put(name, u);
    return u;
  }

  AccessKey key(User u, KeyStatus status, int ageDays, Integer lastUsedDaysAgo) {
    AccessKey k =
        new AccessKey(
            "AKIAFAKE" + String.format("%012d", nextKey.incrementAndGet()),
            status,
            clock.instant().minus(Duration.ofDays(ageDays)),
            Optional.ofNullable(lastUsedDaysAgo)
                .map(d -> clock.instant().minus(Duration.ofDays(d))));
    u.keys.add(k);
    return k;
  }

  /** The credential report IAM would give for the account now (times to the second). */
  CredentialReport reportOf(Member m) {
    Map<String, CredentialReport.ReportedUser> rows = new LinkedHashMap<>();
    for (User u : m.users.values()) {
      List<CredentialReport.ReportedKey> keys = new ArrayList<>();
      List<AccessKey> sorted =
          u.keys.stream().sorted(java.util.Comparator.comparing(AccessKey::created)).toList();
      for (int i = 0; i < sorted.size(); i++) {
        AccessKey k = sorted.get(i);
        keys.add(
            new CredentialReport.ReportedKey(
                i + 1,
                k.isActive(),
                k.created().truncatedTo(ChronoUnit.SECONDS),
                k.lastUsed().map(t -> t.truncatedTo(ChronoUnit.SECONDS)),
                k.lastUsedService(),
                k.lastUsedRegion()));
      }
      rows.put(u.facts.name(), new CredentialReport.ReportedUser(u.facts.name(), u.created, keys));
    }
    return new CredentialReport(clock.instant().truncatedTo(ChronoUnit.SECONDS), rows);
  }

  @Override
  public List<Account> activeAccounts() {
    return accounts.values().stream().map(m -> m.account).toList();
  }

  @Override
  public AccountSession open(String accountId, String runId) {
    opened.add(accountId);
    Member m = accounts.get(accountId);
    if (!m.roleDeployed) {
      throw new AwsCallException(
          "sts",
          "AssumeRole",
          "AccessDenied",
          403,
          "not authorized to assume role in " + accountId,
          null);
    }
    return new Session(m);
  }

  @Override
  public void publish(String topicArn, Notification n) {
    if (snsFails) {
      throw new AwsCallException("sns", "Publish", "InternalError", 500, "SNS down", null);
    }
    published.add(n);
  }

  private final class Session implements AccountSession, UserKeys, UserScan, SecretVault {
    final Member m;

    Session(Member m) {
      this.m = m;
    }

    @Override
    public String accountId() {
      return m.account.id();
    }

    @Override
    public UserKeys keys() {
      return this;
    }

    @Override
    public UserScan scan() {
      return this;
    }

    @Override
    public SecretVault vault() {
      return this;
    }

    @Override
    public void close() {}

    private User u(String name) {
      if (m.iamFails) {
        throw new AwsCallException(
            "iam", "ListAccessKeys", "ServiceFailure", 500, "IAM down", null);
      }
      return m.users.get(name);
    }

    private void mutate(String what) {
      mutatingCalls.add(m.account.id() + ":" + what);
    }

    @Override
    public List<String> userNames() {
      if (m.iamFails) {
        throw new AwsCallException("iam", "ListUsers", "ServiceFailure", 500, "IAM down", null);
      }
      return List.copyOf(m.users.keySet());
    }

    @Override
    public boolean requestCredentialReport() throws ScanUnavailableException {
      m.bulkReads.add("GenerateCredentialReport");
      if (m.reportFails) {
        throw unavailable(
            "GenerateCredentialReport",
            "AccessDenied",
            403,
            "not authorized to perform iam:GenerateCredentialReport");
      }
      return true;
    }

    @Override
    public CredentialReport credentialReport(Duration maxWait) throws ScanUnavailableException {
      requestCredentialReport();
      m.bulkReads.add("GetCredentialReport");
      return m.staleReport != null ? m.staleReport : reportOf(m);
    }

    @Override
    public List<UserDetails> userDetails() throws ScanUnavailableException {
      m.bulkReads.add("GetAccountAuthorizationDetails");
      if (m.iamFails) {
        throw unavailable("GetAccountAuthorizationDetails", "ServiceFailure", 500, "IAM down");
      }
      return m.users.values().stream()
          .map(
              u ->
                  new UserDetails(
                      u.facts,
                      u.created,
                      u.marker,
                      u.history,
                      u.marker.isPresent() || !u.history.isEmpty()))
          .toList();
    }

    private ScanUnavailableException unavailable(
        String op, String code, int status, String message) {
      AwsCallException e = new AwsCallException("iam", op, code, status, message, null);
      return new ScanUnavailableException(e.getMessage(), e);
    }

    @Override
    public List<AccessKey> listKeys(String userName) {
      m.keyLists.add(userName);
      return u(userName).keys.stream()
          .map(k -> new AccessKey(k.id(), k.status(), k.created(), Optional.empty()))
          .toList();
    }

    @Override
    public UserSnapshot read(UserDetails known, List<AccessKey> listed) {
      m.userReads.add(known.user().name());
      User u = u(known.user().name());
      List<AccessKey> keys = new java.util.ArrayList<>();
      for (AccessKey k : listed) {
        keys.add(
            u.keys.stream()
                .filter(t -> t.id().equals(k.id()))
                .findFirst()
                .map(
                    t ->
                        new AccessKey(
                            k.id(),
                            k.status(),
                            k.created(),
                            t.lastUsed(),
                            t.lastUsedService(),
                            t.lastUsedRegion()))
                .orElse(k));
      }
      return new UserSnapshot(known.user(), keys, known.marker(), known.history());
    }

    @Override
    public UserSnapshot read(String userName) {
      m.userReads.add(userName);
      User u = u(userName);
      return new UserSnapshot(u.facts, u.keys, u.marker, u.history);
    }

    @Override
    public java.util.Optional<String> ownerOf(String keyId) {
      return java.util.Optional.empty();
    }

    @Override
    public List<String> attachedPolicies(String userName) {
      return List.of();
    }

    @Override
    public NewAccessKey createKey(String userName) {
      mutate("CreateAccessKey " + userName);
      User u = u(userName);
      AccessKey k =
          new AccessKey(
              "AKIANEW" + String.format("%013d", nextKey.incrementAndGet()),
              KeyStatus.ACTIVE,
              clock.instant(),
              Optional.empty());
      u.keys.add(k);
      String secret = "fakeSecret/" + java.util.UUID.randomUUID() + "+xyzXYZ";
      issuedSecrets.add(secret);
      return new NewAccessKey(userName, k, secret);
    }

    @Override
    public void setStatus(String userName, String keyId, KeyStatus status) {
      mutate("UpdateAccessKey " + keyId);
      u(userName).keys.replaceAll(k -> k.id().equals(keyId) ? k.withStatus(status) : k);
    }

    @Override
    public void deleteKey(String userName, String keyId) {
      mutate("DeleteAccessKey " + keyId);
      u(userName).keys.removeIf(k -> k.id().equals(keyId));
    }

    @Override
    public void writeMarker(String userName, RotationMarker marker) {
      mutate("TagUser marker");
      u(userName).marker = Optional.of(marker);
    }

    @Override
    public void clearMarker(String userName) {
      mutate("UntagUser marker");
      u(userName).marker = Optional.empty();
    }

    @Override
    public void writeHistory(String userName, String keyId, KeyHistory history) {
      if (m.failTagWrites) {
        throw new AwsCallException("iam", "TagUser", "AccessDenied", 403, "denied", null);
      }
      mutate("TagUser history");
      u(userName).history.put(keyId, history);
    }

    @Override
    public void forgetHistory(String userName, String keyId) {
      mutate("UntagUser history");
      u(userName).history.remove(keyId);
    }

    @Override
    public Set<String> storedKeyIds(String accountId, String userName, Collection<String> ids) {
      return ids.stream().filter(u(userName).vault::containsKey).collect(Collectors.toSet());
    }

    @Override
    public Optional<String> refusal(String accountId, String userName) {
      return Optional.empty();
    }

    @Override
    public StoredSecret store(String accountId, NewAccessKey key, SecretReader reader) {
      if (vaultFails) {
        throw new AwsCallException(
            "secretsmanager", "PutSecretValue", "InternalServiceError", 500, "vault down", null);
      }
      mutate("PutSecretValue " + key.key().id());
      u(key.userName()).vault.put(key.key().id(), key.revealSecret());
      return locate(accountId, key.userName(), key.key().id());
    }

    @Override
    public StoredSecret completeStore(
        String accountId, String userName, String userPath, String keyId, SecretReader reader) {
      mutate("CompleteStore " + keyId);
      return locate(accountId, userName, keyId);
    }

    @Override
    public StoredSecret locate(String accountId, String userName, String keyId) {
      String name = "key-rotator/" + accountId + "/" + userName;
      return new StoredSecret(
          "arn:aws:secretsmanager:us-east-1:" + accountId + ":secret:" + name + "-AbCdEf",
          name,
          keyId,
          "us-east-1");
    }
  }
}
