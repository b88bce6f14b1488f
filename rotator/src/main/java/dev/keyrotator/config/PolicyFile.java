package dev.keyrotator.config;

import java.util.List;
import java.util.Optional;

/**
 * A parsed and validated policy file.
 *
 * @param source the file name as given, for messages and provenance
 * @param sha256 hex digest of the file's bytes, the policy version a report names
 */
public record PolicyFile(
    String source,
    String sha256,
    OrganizationSettings organization,
    SecretSettings secrets,
    NotificationSettings notifications,
    ReportingSettings reporting,
    LeaseSettings leases,
    PolicyLayer defaults,
    int defaultsLine,
    List<PolicyOverride> overrides,
    SecurityHubSettings securityHub) {

  public PolicyFile {
    java.util.Objects.requireNonNull(leases, "leases");
    overrides = List.copyOf(overrides);
    java.util.Objects.requireNonNull(securityHub, "securityHub");
  }

  /**
   * Where the run's findings go in AWS Security Hub; off when the file has no {@code securityHub}
   * section.
   *
   * @param region the Security Hub region (default: the rotator's)
   * @param roleArn a role to import as (in the security account, the organization's Security Hub
   *     administrator); empty: the central account imports into its own Security Hub, which
   *     aggregates to the administrator
   */
  public record SecurityHubSettings(
      boolean enabled, Optional<String> region, Optional<String> roleArn) {
    public static final SecurityHubSettings OFF =
        new SecurityHubSettings(false, Optional.empty(), Optional.empty());
  }

  /**
   * How accounts are found and entered.
   *
   * @param centralAccountId the account the rotator runs in, when known
   * @param includeCentralAccount process the central account too
   * @param includeOus only accounts under these OUs (whole subtrees); empty means all
   * @param userPath only users under this IAM path are listed (ListUsers PathPrefix) and rotated;
   *     the member role's UserPath parameter must be the same
   * @param requireUserTag only users carrying this tag are rotated (the member role's
   *     UserScope=tagged); the others are reported as exempt
   * @param mode which accounts there are: the organization's, or only the account the rotator runs
   *     in (no organization, the seed's case); {@link OrganizationMode#AUTO} decides by asking
   *     Organizations
   * @param includeManagementAccount process the organization's management account too (where
   *     StackSets do not deploy the member role: the user deployed it there as a plain stack)
   */
  public record OrganizationSettings(
      String memberRoleName,
      String memberRolePath,
      Optional<String> externalId,
      Optional<String> centralAccountId,
      boolean includeCentralAccount,
      List<String> includeOus,
      List<String> excludeOus,
      List<String> includeAccounts,
      List<String> excludeAccounts,
      int maxConcurrentAccounts,
      String userPath,
      Optional<UserTag> requireUserTag,
      int maxConcurrentUsers,
      OrganizationMode mode,
      boolean includeManagementAccount) {
    /** Users of one account read and rotated at a time, unless the policy says otherwise. */
    public static final int DEFAULT_MAX_CONCURRENT_USERS = 4;

    public OrganizationSettings {
      java.util.Objects.requireNonNull(mode, "mode");
      includeOus = List.copyOf(includeOus);
      excludeOus = List.copyOf(excludeOus);
      includeAccounts = List.copyOf(includeAccounts);
      excludeAccounts = List.copyOf(excludeAccounts);
      userPath = userPath == null || userPath.isEmpty() ? "/" : userPath;
    }

    /** Every user (path /), no tag required. */
    public OrganizationSettings(
        String memberRoleName,
        String memberRolePath,
        Optional<String> externalId,
        Optional<String> centralAccountId,
        boolean includeCentralAccount,
        List<String> includeOus,
        List<String> excludeOus,
        List<String> includeAccounts,
        List<String> excludeAccounts,
        int maxConcurrentAccounts) {
      this(
          memberRoleName,
          memberRolePath,
          externalId,
          centralAccountId,
          includeCentralAccount,
          includeOus,
          excludeOus,
          includeAccounts,
          excludeAccounts,
          maxConcurrentAccounts,
          "/",
          Optional.empty(),
          DEFAULT_MAX_CONCURRENT_USERS,
          OrganizationMode.AUTO,
          false);
    }
  }

  /** A user tag: key and value. */
  public record UserTag(String key, String value) {
    /** {@code key=value}, as {@code KEY_ROTATOR_REQUIRE_USER_TAG} gives it. */
    public static UserTag parse(String keyEqualsValue) {
      int eq = keyEqualsValue.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "a user tag is written key=value, got '" + keyEqualsValue + "'");
      }
      return new UserTag(keyEqualsValue.substring(0, eq), keyEqualsValue.substring(eq + 1));
    }

    @Override
    public String toString() {
      return key + "=" + value;
    }
  }

  /**
   * Where new secrets go, and who may read them.
   *
   * @param readerRoleTag empty: the IAM user itself may read its secret (the secret's resource
   *     policy names the user; automatic pickup, but an old leaked key can read its successor).
   *     Present: the role named by this user tag (a role name or a role ARN of the user's account)
   *     may read it and the user itself is explicitly denied; without a valid tag nobody is named.
   */
  public record SecretSettings(
      StoreIn storeIn,
      String namePrefix,
      Optional<String> kmsKeyId,
      Optional<String> readerRoleTag) {
    public SecretSettings(StoreIn storeIn, String namePrefix, Optional<String> kmsKeyId) {
      this(storeIn, namePrefix, kmsKeyId, Optional.empty());
    }
  }

  /**
   * {@code organization.mode}: the organization's accounts, only the account the rotator runs in,
   * or (default) whichever applies: the account's own alone when Organizations answers that it is
   * in no organization (AWSOrganizationsNotInUseException).
   */
  public enum OrganizationMode {
    AUTO("auto"),
    ORGANIZATION("organization"),
    SINGLE_ACCOUNT("single-account");

    private final String label;

    OrganizationMode(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** The mode a label names ({@code auto}, {@code organization}, {@code single-account}). */
    public static OrganizationMode fromLabel(String label) {
      for (OrganizationMode m : values()) {
        if (m.label.equals(label)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "organization mode must be auto, organization or single-account, got '" + label + "'");
    }
  }

  /** Member account (default, spreads Secrets Manager's write limit) or the central account. */
  public enum StoreIn {
    MEMBER,
    CENTRAL
  }

  /**
   * Per-user events and who they are for.
   *
   * @param topicArn the SNS topic for per-user events; empty means no notifications are sent
   * @param ownerTagKeys the user tags that name a user's owner, first present one wins, keys
   *     matched exactly (case as written); default {@code [owner]}
   * @param accountOwnerTagKey the account tag (Organizations) naming the owner of users that carry
   *     none of {@code ownerTagKeys}; empty: no account default
   */
  public record NotificationSettings(
      Optional<String> topicArn, List<String> ownerTagKeys, Optional<String> accountOwnerTagKey) {
    public static final List<String> DEFAULT_OWNER_TAG_KEYS = List.of("owner");

    public NotificationSettings {
      java.util.Objects.requireNonNull(topicArn, "topicArn");
      ownerTagKeys = List.copyOf(ownerTagKeys);
      java.util.Objects.requireNonNull(accountOwnerTagKey, "accountOwnerTagKey");
    }

    /** The topic, owners from the user tag {@code owner}, no account default. */
    public NotificationSettings(Optional<String> topicArn) {
      this(topicArn, DEFAULT_OWNER_TAG_KEYS, Optional.empty());
    }

    /** With another topic. */
    public NotificationSettings withTopicArn(Optional<String> t) {
      return new NotificationSettings(t, ownerTagKeys, accountOwnerTagKey);
    }
  }

  /** Where run reports go in the security account. */
  public record ReportingSettings(
      Optional<String> securityAccountId,
      Optional<String> bucket,
      String prefix,
      Optional<String> topicArn) {}

  /**
   * The account lease (README "Two runs at once: the account lease").
   *
   * @param bucket the lease bucket in the central account; empty: no lease is taken
   * @param prefix key prefix of the lease objects, ending with {@code /}
   * @param ttl how long a lease lasts unless renewed
   */
  public record LeaseSettings(Optional<String> bucket, String prefix, java.time.Duration ttl) {
    public static final String DEFAULT_PREFIX = "leases/";
    public static final java.time.Duration DEFAULT_TTL = java.time.Duration.ofMinutes(10);

    public LeaseSettings {
      java.util.Objects.requireNonNull(bucket, "bucket");
      prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
      java.util.Objects.requireNonNull(ttl, "ttl");
    }

    /** No lease bucket configured. */
    public static LeaseSettings none() {
      return new LeaseSettings(Optional.empty(), DEFAULT_PREFIX, DEFAULT_TTL);
    }
  }
}
