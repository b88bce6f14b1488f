package dev.keyrotator.config;

import dev.keyrotator.policy.Exemption;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.UserMatch;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;
import tools.jackson.databind.JsonNode;

/**
 * Reads a policy file (YAML or JSON): its rules are {@code config/rotation.schema.json}, applied by
 * {@link PolicySchema} with every problem located to its line. What a schema cannot say is checked
 * here: thresholds stay ordered once an override lands on the defaults.
 */
public final class PolicyFileLoader {
  /**
   * Accounts processed at once unless the policy says otherwise. Measured with scripts/bench (200
   * accounts x 50 users, 20 ms per call): 8 took 24.4 s, 16 13.8 s, 32 8.5 s, 64 7.3 s; each
   * account is a sequence of calls on its own IAM token bucket, so 32 scales almost linearly and
   * stays far below STS's AssumeRole rate in the central account. README "Performance".
   */
  static final int DEFAULT_MAX_CONCURRENT_ACCOUNTS = 32;

  public static final int CURRENT_VERSION = 1;

  /**
   * The member role's name when the file has none: only a single-account file may leave it out
   * (nothing is assumed there); it is stacksets/member-role.yaml's default.
   */
  static final String DEFAULT_MEMBER_ROLE_NAME = "OrgKeyRotatorMemberRole";

  private PolicyFileLoader() {}

  /** Loads and validates {@code path}. */
  public static PolicyFile load(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw fail(path.toString(), 0, "cannot read the file: " + e.getMessage());
    }
    return parse(path.toString(), bytes);
  }

  /** Parses and validates a policy file's bytes; {@code name} is used in messages. */
  public static PolicyFile parse(String name, byte[] bytes) {
    YamlTree tree = new YamlTree(name, compose(name, bytes));
    List<ConfigProblem> problems = new ArrayList<>(tree.problems);
    problems.addAll(PolicySchema.check(name, tree));
    JsonNode root = tree.root;
    if (problems.isEmpty()) {
      PolicyLayer defaults = layer(root.path("defaults"));
      ordered(problems, name, tree.line("/defaults"), "defaults", PolicyLayer.EMPTY, defaults);
      for (int i = 0; i < root.path("overrides").size(); i++) {
        ordered(
            problems,
            name,
            tree.line("/overrides/" + i),
            "overrides[" + i + "]",
            defaults,
            layer(root.path("overrides").get(i)));
      }
    }
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparingInt(ConfigProblem::line));
      throw new PolicyFileException(problems);
    }
    return build(name, bytes, tree);
  }

  private static Node compose(String name, byte[] bytes) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    try {
      return new Yaml(options).compose(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw fail(name, line, "not valid YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      throw fail(name, 0, "not valid YAML: " + e.getMessage());
    }
  }

  /** Thresholds must stay ordered once {@code layer} lands on {@code under}. */
  private static void ordered(
      List<ConfigProblem> problems,
      String file,
      int line,
      String where,
      PolicyLayer under,
      PolicyLayer layer) {
    try {
      PolicyResolver.thresholds(List.of(under, layer));
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigProblem(file, line, where, e.getMessage()));
    }
  }

  // ------------------------------------------------------------------ the typed file

  private static PolicyFile build(String name, byte[] bytes, YamlTree tree) {
    JsonNode root = tree.root;
    JsonNode o = root.path("organization");
    var org =
        new PolicyFile.OrganizationSettings(
            text(o, "memberRoleName").orElse(DEFAULT_MEMBER_ROLE_NAME),
            text(o, "memberRolePath").orElse("/"),
            text(o, "externalId"),
            text(o, "centralAccountId"),
            o.path("includeCentralAccount").asBoolean(false),
            strings(o.path("includeOus")),
            strings(o.path("excludeOus")),
            strings(o.path("includeAccounts")),
            strings(o.path("excludeAccounts")),
            o.path("maxConcurrentAccounts").asInt(DEFAULT_MAX_CONCURRENT_ACCOUNTS),
            text(o, "userPath").orElse("/"),
            o.has("requireUserTag")
                ? Optional.of(
                    new PolicyFile.UserTag(
                        o.get("requireUserTag").get("key").asString(),
                        o.get("requireUserTag").get("value").asString()))
                : Optional.empty(),
            o.path("maxConcurrentUsers")
                .asInt(PolicyFile.OrganizationSettings.DEFAULT_MAX_CONCURRENT_USERS),
            text(o, "mode")
                .map(PolicyFile.OrganizationMode::fromLabel)
                .orElse(PolicyFile.OrganizationMode.AUTO),
            o.path("includeManagementAccount").asBoolean(false));
    JsonNode s = root.path("secrets");
    JsonNode readers = s.path("readers");
    var secrets =
        new PolicyFile.SecretSettings(
            "central".equals(s.path("storeIn").asString(""))
                ? PolicyFile.StoreIn.CENTRAL
                : PolicyFile.StoreIn.MEMBER,
            text(s, "namePrefix").orElse("key-rotator/"),
            text(s, "kmsKeyId"),
            readers.isObject() ? text(readers, "roleFromUserTag") : Optional.empty());
    JsonNode n = root.path("notifications");
    var notifications =
        new PolicyFile.NotificationSettings(
            text(n, "topicArn"),
            n.has("ownerTagKeys")
                ? strings(n.get("ownerTagKeys"))
                : PolicyFile.NotificationSettings.DEFAULT_OWNER_TAG_KEYS,
            text(n, "accountOwnerTagKey"));
    JsonNode r = root.path("reporting");
    var reporting =
        new PolicyFile.ReportingSettings(
            text(r, "securityAccountId"),
            text(r, "bucket"),
            text(r, "prefix").orElse("reports/"),
            text(r, "topicArn"));
    JsonNode l = root.path("leases");
    var leases =
        new PolicyFile.LeaseSettings(
            text(l, "bucket"),
            text(l, "prefix").orElse(PolicyFile.LeaseSettings.DEFAULT_PREFIX),
            l.path("ttlMinutes").isNumber()
                ? java.time.Duration.ofMinutes(l.path("ttlMinutes").asInt())
                : PolicyFile.LeaseSettings.DEFAULT_TTL);
    List<PolicyOverride> overrides = new ArrayList<>();
    for (int i = 0; i < root.path("overrides").size(); i++) {
      JsonNode v = root.path("overrides").get(i);
      Selector selector =
          v.has("ou")
              ? new Selector.Ou(v.get("ou").asString())
              : v.has("account")
                  ? new Selector.Account(v.get("account").asString())
                  : new Selector.AccountTag(
                      v.get("accountTag").get("key").asString(),
                      v.get("accountTag").get("value").asString());
      overrides.add(new PolicyOverride(selector, layer(v), tree.line("/overrides/" + i)));
    }
    return new PolicyFile(
        name,
        sha256(bytes),
        org,
        secrets,
        notifications,
        reporting,
        leases,
        layer(root.path("defaults")),
        tree.line("/defaults"),
        overrides,
        root.has("securityHub")
            ? new PolicyFile.SecurityHubSettings(
                true,
                text(root.path("securityHub"), "region"),
                text(root.path("securityHub"), "roleArn"))
            : PolicyFile.SecurityHubSettings.OFF);
  }

  private static PolicyLayer layer(JsonNode m) {
    List<Exemption> exemptions = new ArrayList<>();
    for (JsonNode e : m.path("exemptions")) {
      UserMatch match =
          e.has("userNamePattern")
              ? new UserMatch.NamePattern(e.get("userNamePattern").asString())
              : e.has("group")
                  ? new UserMatch.Group(e.get("group").asString())
                  : new UserMatch.Tag(
                      e.get("userTag").get("key").asString(),
                      text(e.get("userTag"), "value").orElse(null));
      exemptions.add(
          new Exemption(
              match,
              e.get("owner").asString(),
              e.get("reason").asString(),
              LocalDate.parse(e.get("expires").asString())));
    }
    return new PolicyLayer(
        text(m, "mode").map(Mode::fromLabel),
        days(m, "createAfterDays"),
        days(m, "deactivateAfterDays"),
        days(m, "deleteAfterDays"),
        days(m, "unusedForDays"),
        days(m, "forceDeactivateAfterDays"),
        m.has("reminderDays")
            ? Optional.of(list(m.get("reminderDays"), JsonNode::asInt))
            : Optional.empty(),
        days(m, "warningIntervalDays"),
        m.path("retireOldKeyEarly").isBoolean()
            ? Optional.of(m.get("retireOldKeyEarly").asBoolean())
            : Optional.empty(),
        exemptions);
  }

  private static OptionalInt days(JsonNode m, String key) {
    JsonNode v = m.path(key);
    return v.isNumber() ? OptionalInt.of(v.asInt()) : OptionalInt.empty();
  }

  private static Optional<String> text(JsonNode m, String key) {
    JsonNode v = m.path(key);
    return v.isString() ? Optional.of(v.asString()) : Optional.empty();
  }

  private static List<String> strings(JsonNode list) {
    return list(list, JsonNode::asString);
  }

  private static <T> List<T> list(JsonNode list, Function<JsonNode, T> f) {
    List<T> out = new ArrayList<>();
    list.forEach(v -> out.add(f.apply(v)));
    return out;
  }

  private static PolicyFileException fail(String file, int line, String message) {
    return new PolicyFileException(List.of(new ConfigProblem(file, line, "", message)));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
