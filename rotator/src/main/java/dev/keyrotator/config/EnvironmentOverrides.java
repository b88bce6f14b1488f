package dev.keyrotator.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings the deployment owns (the central stack sets them as Lambda environment variables) win
 * over the policy file's: role name and path, user path and scope tag, ExternalId, topics, secret
 * store, report bucket, lease bucket and prefix, the central and security account ids (so that a
 * policy file bundled with its example ids still names the real accounts) and the organization
 * mode. The lifecycle policy itself only ever comes from the file, and {@code
 * KEY_ROTATOR_POLICY_SHA256}, when set, pins which file that may be.
 */
public final class EnvironmentOverrides {
  public static final String PREFIX = "KEY_ROTATOR_";

  private EnvironmentOverrides() {}

  public static PolicyFile apply(PolicyFile f, Map<String, String> env) {
    Optional<String> pin = get(env, "POLICY_SHA256");
    if (pin.isPresent() && !pin.get().equalsIgnoreCase(f.sha256())) {
      throw new PolicyFileException(
          List.of(
              new ConfigProblem(
                  f.source(),
                  0,
                  "",
                  "its SHA-256 is "
                      + f.sha256()
                      + ", not the pinned "
                      + PREFIX
                      + "POLICY_SHA256 "
                      + pin.get()
                      + ": refusing to run on it")));
    }
    Optional<PolicyFile.UserTag> requireTag;
    try {
      requireTag = get(env, "REQUIRE_USER_TAG").map(PolicyFile.UserTag::parse);
    } catch (IllegalArgumentException e) {
      throw new PolicyFileException(
          List.of(new ConfigProblem(PREFIX + "REQUIRE_USER_TAG", 0, "", e.getMessage())));
    }
    var o = f.organization();
    var org =
        new PolicyFile.OrganizationSettings(
            get(env, "MEMBER_ROLE_NAME").orElse(o.memberRoleName()),
            get(env, "MEMBER_ROLE_PATH").orElse(o.memberRolePath()),
            get(env, "EXTERNAL_ID").or(o::externalId),
            accountId(env, "CENTRAL_ACCOUNT_ID").or(o::centralAccountId),
            o.includeCentralAccount(),
            o.includeOus(),
            o.excludeOus(),
            o.includeAccounts(),
            o.excludeAccounts(),
            o.maxConcurrentAccounts(),
            get(env, "USER_PATH").orElse(o.userPath()),
            requireTag.or(o::requireUserTag),
            o.maxConcurrentUsers(),
            get(env, "ORGANIZATION_MODE").map(EnvironmentOverrides::mode).orElse(o.mode()),
            o.includeManagementAccount());
    var s = f.secrets();
    var secrets =
        new PolicyFile.SecretSettings(
            get(env, "SECRET_STORE")
                .map(v -> PolicyFile.StoreIn.valueOf(v.toUpperCase(java.util.Locale.ROOT)))
                .orElse(s.storeIn()),
            get(env, "SECRET_PREFIX").orElse(s.namePrefix()),
            get(env, "SECRETS_KMS_KEY_ARN").or(s::kmsKeyId),
            s.readerRoleTag());
    var notifications =
        f.notifications()
            .withTopicArn(
                get(env, "NOTIFICATION_TOPIC_ARN").or(() -> f.notifications().topicArn()));
    var r = f.reporting();
    var reporting =
        new PolicyFile.ReportingSettings(
            accountId(env, "SECURITY_ACCOUNT_ID").or(r::securityAccountId),
            get(env, "REPORT_BUCKET").or(r::bucket),
            get(env, "REPORT_PREFIX").orElse(r.prefix()),
            get(env, "SECURITY_TOPIC_ARN").or(r::topicArn));
    var l = f.leases();
    var leases =
        new PolicyFile.LeaseSettings(
            get(env, "LEASE_BUCKET").or(l::bucket),
            get(env, "LEASE_PREFIX").orElse(l.prefix()),
            l.ttl());
    PolicyFile out =
        new PolicyFile(
            f.source(),
            f.sha256(),
            org,
            secrets,
            notifications,
            reporting,
            leases,
            f.defaults(),
            f.defaultsLine(),
            f.overrides(),
            f.securityHub());
    if (!org.userPath().matches("/|/[\\u0021-\\u007E]{0,510}/")) {
      throw new PolicyFileException(
          List.of(
              new ConfigProblem(
                  PREFIX + "USER_PATH",
                  0,
                  "",
                  "not an IAM path (starts and ends with /): '" + org.userPath() + "'")));
    }
    if (!org.memberRoleName().matches("[\\w+=,.@-]{1,64}")) {
      throw new PolicyFileException(
          List.of(
              new ConfigProblem(
                  PREFIX + "MEMBER_ROLE_NAME",
                  0,
                  "",
                  "not an IAM role name: '" + org.memberRoleName() + "'")));
    }
    return out;
  }

  /** A 12-digit account id from the environment; anything else is a one-line problem. */
  private static Optional<String> accountId(Map<String, String> env, String name) {
    Optional<String> v = get(env, name).map(String::trim);
    if (v.isPresent() && !v.get().matches("\\d{12}")) {
      throw problem(name, "not an AWS account id (12 digits): '" + v.get() + "'");
    }
    return v;
  }

  private static PolicyFile.OrganizationMode mode(String value) {
    try {
      return PolicyFile.OrganizationMode.fromLabel(value.trim());
    } catch (IllegalArgumentException e) {
      throw problem("ORGANIZATION_MODE", e.getMessage());
    }
  }

  private static PolicyFileException problem(String name, String message) {
    return new PolicyFileException(List.of(new ConfigProblem(PREFIX + name, 0, "", message)));
  }

  private static Optional<String> get(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(PREFIX + name)).filter(v -> !v.isBlank());
  }
}
