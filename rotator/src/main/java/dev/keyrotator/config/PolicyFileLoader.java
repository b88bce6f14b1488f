package dev.keyrotator.config;

import dev.keyrotator.policy.Exemption;
import dev.keyrotator.policy.Mode;
import dev.keyrotator.policy.UserMatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a policy file (YAML or JSON) and checks every field, collecting all problems with their
 * line before giving up. The shape is documented in {@code config/rotation.schema.json}.
 */
public final class PolicyFileLoader {
  /**
   * Accounts processed at once unless the policy says otherwise. Measured with scripts/bench (200
   * accounts x 50 users, 20 ms per call): 8 took 24.4 s, 16 13.8 s, 32 8.5 s, 64 7.3 s; each account
   * is a sequence of calls on its own IAM token bucket, so 32 scales almost linearly and stays far
   * below STS's AssumeRole rate in the central account. README "Performance".
   */
  static final int DEFAULT_MAX_CONCURRENT_ACCOUNTS = 32;

  public static final int CURRENT_VERSION = 1;

  static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
  static final Pattern OU_ID = Pattern.compile("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
  static final Pattern ROOT_ID = Pattern.compile("r-[0-9a-z]{4,32}");
  static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1,64}");
  static final Pattern ROLE_PATH = Pattern.compile("/|/[\\u0021-\\u007E]{0,510}/");
  static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");
  static final Pattern SNS_ARN =
      Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?");
  static final Pattern SECRET_PREFIX = Pattern.compile("[\\w/+=.@-]{1,200}");
  static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private static final Set<String> LAYER_KEYS = Set.of("mode", "createAfterDays",
      "deactivateAfterDays", "deleteAfterDays", "unusedForDays", "forceDeactivateAfterDays",
      "reminderDays", "warningIntervalDays", "exemptions");

  private final List<ConfigProblem> problems = new ArrayList<>();
  private final String file;

  private PolicyFileLoader(String file) {
    this.file = file;
  }

  /** Loads and validates {@code path}. */
  public static PolicyFile load(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new PolicyFileException(List.of(new ConfigProblem(path.toString(), 0, "",
          "cannot read the file: " + e.getMessage())));
    }
    return parse(path.toString(), bytes);
  }

  /** Parses and validates a policy file's bytes; {@code name} is used in messages. */
  public static PolicyFile parse(String name, byte[] bytes) {
    return new PolicyFileLoader(name).read(bytes);
  }

  private PolicyFile read(byte[] bytes) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      options.setMaxAliasesForCollections(10);
      root = new Yaml(options).compose(
          new java.io.StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw fail(line, "", "not valid YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      throw fail(0, "", "not valid YAML: " + e.getMessage());
    }
    if (!(root instanceof MappingNode top)) {
      throw fail(root == null ? 0 : line(root), "", "the file must be a mapping of settings");
    }
    Map<String, Node> m = fields(top, "", Set.of("version", "organization", "secrets",
        "notifications", "reporting", "defaults", "overrides"));
    Node version = m.get("version");
    if (version == null) {
      problem(line(top), "version", "required (the current version is " + CURRENT_VERSION + ")");
    } else {
      int v = intValue(version, "version", 1, 1);
      if (v != CURRENT_VERSION && v != Integer.MIN_VALUE) {
        problem(line(version), "version", "unsupported version " + v + " (this rotator reads "
            + CURRENT_VERSION + ")");
      }
    }
    PolicyFile.OrganizationSettings org = organization(m.get("organization"));
    PolicyFile.SecretSettings secrets = secrets(m.get("secrets"));
    PolicyFile.NotificationSettings notifications = notifications(m.get("notifications"));
    PolicyFile.ReportingSettings reporting = reporting(m.get("reporting"));
    Node defaultsNode = m.get("defaults");
    PolicyLayer defaults = defaultsNode == null ? PolicyLayer.EMPTY
        : layer(defaultsNode, "defaults");
    List<PolicyOverride> overrides = overrides(m.get("overrides"));

    if (problems.isEmpty()) {
      checkOrdering(defaults, defaultsNode == null ? 0 : line(defaultsNode), "defaults",
          PolicyLayer.EMPTY);
      for (int i = 0; i < overrides.size(); i++) {
        PolicyOverride o = overrides.get(i);
        checkOrdering(o.layer(), o.line(), "overrides[" + i + "]", defaults);
      }
    }
    if (!problems.isEmpty()) {
      throw new PolicyFileException(problems);
    }
    return new PolicyFile(file, sha256(bytes), org, secrets, notifications, reporting, defaults,
        defaultsNode == null ? 0 : line(defaultsNode), overrides);
  }

  private void checkOrdering(PolicyLayer layer, int line, String where, PolicyLayer under) {
    try {
      PolicyResolver.thresholds(List.of(under, layer));
    } catch (IllegalArgumentException e) {
      problem(line, where, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ sections

  private PolicyFile.OrganizationSettings organization(Node node) {
    String where = "organization";
    if (node == null) {
      problem(0, where, "required (at least memberRoleName)");
      return null;
    }
    Map<String, Node> m = fields(node, where, Set.of("memberRoleName", "memberRolePath",
        "externalId", "centralAccountId", "includeCentralAccount", "includeOus", "excludeOus",
        "includeAccounts", "excludeAccounts", "maxConcurrentAccounts"));
    if (m == null) {
      return null;
    }
    String role = m.containsKey("memberRoleName")
        ? string(m.get("memberRoleName"), where + ".memberRoleName", ROLE_NAME,
            "an IAM role name (1-64 of letters, digits and +=,.@_-)")
        : null;
    if (!m.containsKey("memberRoleName")) {
      problem(line(node), where + ".memberRoleName", "required");
    }
    String path = m.containsKey("memberRolePath")
        ? string(m.get("memberRolePath"), where + ".memberRolePath", ROLE_PATH,
            "an IAM path that starts and ends with /")
        : "/";
    Optional<String> externalId = optionalString(m.get("externalId"), where + ".externalId",
        EXTERNAL_ID, "2-1224 characters of letters, digits and +=,.@:/-");
    Optional<String> central = optionalString(m.get("centralAccountId"),
        where + ".centralAccountId", ACCOUNT_ID, "a 12-digit account id");
    boolean includeCentral = bool(m.get("includeCentralAccount"),
        where + ".includeCentralAccount", false);
    if (includeCentral && central.isEmpty()) {
      problem(line(node), where + ".centralAccountId",
          "required when includeCentralAccount is true");
    }
    List<String> includeOus = ids(m.get("includeOus"), where + ".includeOus", true);
    List<String> excludeOus = ids(m.get("excludeOus"), where + ".excludeOus", true);
    List<String> includeAccounts = ids(m.get("includeAccounts"), where + ".includeAccounts", false);
    List<String> excludeAccounts = ids(m.get("excludeAccounts"), where + ".excludeAccounts", false);
    int concurrency = m.containsKey("maxConcurrentAccounts")
        ? intValue(m.get("maxConcurrentAccounts"), where + ".maxConcurrentAccounts", 1, 64)
        : DEFAULT_MAX_CONCURRENT_ACCOUNTS;
    return new PolicyFile.OrganizationSettings(role, path, externalId, central, includeCentral,
        includeOus, excludeOus, includeAccounts, excludeAccounts, concurrency);
  }

  private PolicyFile.SecretSettings secrets(Node node) {
    String where = "secrets";
    if (node == null) {
      return new PolicyFile.SecretSettings(PolicyFile.StoreIn.MEMBER, "key-rotator/",
          Optional.empty());
    }
    Map<String, Node> m = fields(node, where, Set.of("storeIn", "namePrefix", "kmsKeyId"));
    if (m == null) {
      return null;
    }
    PolicyFile.StoreIn storeIn = PolicyFile.StoreIn.MEMBER;
    if (m.containsKey("storeIn")) {
      String v = scalar(m.get("storeIn"), where + ".storeIn");
      if ("member".equals(v)) {
        storeIn = PolicyFile.StoreIn.MEMBER;
      } else if ("central".equals(v)) {
        storeIn = PolicyFile.StoreIn.CENTRAL;
      } else if (v != null) {
        problem(line(m.get("storeIn")), where + ".storeIn",
            "must be member or central, got '" + v + "'");
      }
    }
    String prefix = m.containsKey("namePrefix")
        ? string(m.get("namePrefix"), where + ".namePrefix", SECRET_PREFIX,
            "letters, digits and /_+=.@-")
        : "key-rotator/";
    Optional<String> kms = optionalString(m.get("kmsKeyId"), where + ".kmsKeyId", null, null);
    return new PolicyFile.SecretSettings(storeIn, prefix, kms);
  }

  private PolicyFile.NotificationSettings notifications(Node node) {
    if (node == null) {
      return new PolicyFile.NotificationSettings(Optional.empty());
    }
    Map<String, Node> m = fields(node, "notifications", Set.of("topicArn"));
    if (m == null) {
      return null;
    }
    return new PolicyFile.NotificationSettings(optionalString(m.get("topicArn"),
        "notifications.topicArn", SNS_ARN, "an SNS topic ARN"));
  }

  private PolicyFile.ReportingSettings reporting(Node node) {
    String where = "reporting";
    if (node == null) {
      return new PolicyFile.ReportingSettings(Optional.empty(), Optional.empty(),
          "reports/", Optional.empty());
    }
    Map<String, Node> m = fields(node, where,
        Set.of("securityAccountId", "bucket", "prefix", "topicArn"));
    if (m == null) {
      return null;
    }
    return new PolicyFile.ReportingSettings(
        optionalString(m.get("securityAccountId"), where + ".securityAccountId", ACCOUNT_ID,
            "a 12-digit account id"),
        optionalString(m.get("bucket"), where + ".bucket", BUCKET, "an S3 bucket name"),
        m.containsKey("prefix") ? string(m.get("prefix"), where + ".prefix", null, null)
            : "reports/",
        optionalString(m.get("topicArn"), where + ".topicArn", SNS_ARN, "an SNS topic ARN"));
  }

  private List<PolicyOverride> overrides(Node node) {
    List<PolicyOverride> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(line(node), "overrides", "must be a list");
      return out;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node item = seq.getValue().get(i);
      String where = "overrides[" + i + "]";
      Set<String> allowed = new HashSet<>(LAYER_KEYS);
      allowed.addAll(Set.of("ou", "accountTag", "account"));
      Map<String, Node> m = fields(item, where, allowed);
      if (m == null) {
        continue;
      }
      List<Selector> selectors = new ArrayList<>();
      if (m.containsKey("ou")) {
        String ou = scalar(m.get("ou"), where + ".ou");
        if (ou != null && !OU_ID.matcher(ou).matches() && !ROOT_ID.matcher(ou).matches()) {
          problem(line(m.get("ou")), where + ".ou", "malformed OU id '" + ou
              + "' (expected ou-xxxx-xxxxxxxx or r-xxxx)");
        } else if (ou != null) {
          selectors.add(new Selector.Ou(ou));
        }
      }
      if (m.containsKey("accountTag")) {
        Map<String, Node> t = fields(m.get("accountTag"), where + ".accountTag",
            Set.of("key", "value"));
        if (t != null) {
          String k = t.containsKey("key") ? scalar(t.get("key"), where + ".accountTag.key") : null;
          String v = t.containsKey("value")
              ? scalar(t.get("value"), where + ".accountTag.value") : null;
          if (k == null || v == null) {
            problem(line(m.get("accountTag")), where + ".accountTag", "needs key and value");
          } else {
            selectors.add(new Selector.AccountTag(k, v));
          }
        }
      }
      if (m.containsKey("account")) {
        String a = scalar(m.get("account"), where + ".account");
        if (a != null && !ACCOUNT_ID.matcher(a).matches()) {
          problem(line(m.get("account")), where + ".account",
              "malformed account id '" + a + "' (expected 12 digits)");
        } else if (a != null) {
          selectors.add(new Selector.Account(a));
        }
      }
      if (selectors.size() != 1
          && problems.stream().noneMatch(p -> p.field().startsWith(where + "."))) {
        problem(line(item), where, "needs exactly one of ou, accountTag or account, got "
            + selectors.size());
      }
      PolicyLayer layer = layer(m, where);
      if (selectors.size() == 1) {
        out.add(new PolicyOverride(selectors.get(0), layer, line(item)));
      }
    }
    return out;
  }

  private PolicyLayer layer(Node node, String where) {
    Map<String, Node> m = fields(node, where, LAYER_KEYS);
    return m == null ? PolicyLayer.EMPTY : layer(m, where);
  }

  /** The layer fields of a mapping whose keys were already checked. */
  private PolicyLayer layer(Map<String, Node> m, String where) {
    Optional<Mode> mode = Optional.empty();
    if (m.containsKey("mode")) {
      String v = scalar(m.get("mode"), where + ".mode");
      try {
        mode = v == null ? Optional.empty() : Optional.of(Mode.fromLabel(v));
      } catch (IllegalArgumentException e) {
        problem(line(m.get("mode")), where + ".mode", e.getMessage());
      }
    }
    Optional<List<Integer>> reminders = Optional.empty();
    if (m.containsKey("reminderDays")) {
      Node r = m.get("reminderDays");
      if (r instanceof SequenceNode s) {
        List<Integer> days = new ArrayList<>();
        for (int i = 0; i < s.getValue().size(); i++) {
          int d = intValue(s.getValue().get(i), where + ".reminderDays[" + i + "]", 1, 3650);
          if (d != Integer.MIN_VALUE) {
            days.add(d);
          }
        }
        reminders = Optional.of(days);
      } else {
        problem(line(r), where + ".reminderDays", "must be a list of day counts, e.g. [15, 7]");
      }
    }
    OptionalInt force = OptionalInt.empty();
    if (m.containsKey("forceDeactivateAfterDays")
        && !isNull(m.get("forceDeactivateAfterDays"))) {
      force = days(m, "forceDeactivateAfterDays", where);
    }
    return new PolicyLayer(mode,
        days(m, "createAfterDays", where),
        days(m, "deactivateAfterDays", where),
        days(m, "deleteAfterDays", where),
        daysFrom(m, "unusedForDays", where, 0),
        force,
        reminders,
        days(m, "warningIntervalDays", where),
        exemptions(m.get("exemptions"), where + ".exemptions"));
  }

  private List<Exemption> exemptions(Node node, String where) {
    List<Exemption> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(line(node), where, "must be a list");
      return out;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      String w = where + "[" + i + "]";
      Node item = seq.getValue().get(i);
      Map<String, Node> m = fields(item, w,
          Set.of("userNamePattern", "userTag", "group", "owner", "reason", "expires"));
      if (m == null) {
        continue;
      }
      List<UserMatch> matches = new ArrayList<>();
      if (m.containsKey("userNamePattern")) {
        String p = scalar(m.get("userNamePattern"), w + ".userNamePattern");
        if (p != null) {
          matches.add(new UserMatch.NamePattern(p));
        }
      }
      if (m.containsKey("userTag")) {
        Map<String, Node> t = fields(m.get("userTag"), w + ".userTag", Set.of("key", "value"));
        if (t != null && t.containsKey("key")) {
          String k = scalar(t.get("key"), w + ".userTag.key");
          String v = t.containsKey("value") ? scalar(t.get("value"), w + ".userTag.value") : null;
          if (k != null) {
            matches.add(new UserMatch.Tag(k, v));
          }
        } else if (t != null) {
          problem(line(m.get("userTag")), w + ".userTag.key", "required");
        }
      }
      if (m.containsKey("group")) {
        String g = scalar(m.get("group"), w + ".group");
        if (g != null) {
          matches.add(new UserMatch.Group(g));
        }
      }
      if (matches.size() != 1) {
        problem(line(item), w,
            "needs exactly one of userNamePattern, userTag or group, got " + matches.size());
      }
      String owner = required(m, "owner", w, item);
      String reason = required(m, "reason", w, item);
      String expiresText = required(m, "expires", w, item);
      LocalDate expires = null;
      if (expiresText != null) {
        try {
          expires = LocalDate.parse(expiresText);
        } catch (DateTimeParseException e) {
          problem(line(m.get("expires")), w + ".expires",
              "must be a date like 2027-06-30, got '" + expiresText + "'");
        }
      }
      if (matches.size() == 1 && owner != null && reason != null && expires != null) {
        out.add(new Exemption(matches.get(0), owner, reason, expires));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ scalars

  private String required(Map<String, Node> m, String key, String where, Node parent) {
    if (!m.containsKey(key)) {
      problem(line(parent), where + "." + key, "required");
      return null;
    }
    return scalar(m.get(key), where + "." + key);
  }

  private OptionalInt days(Map<String, Node> m, String key, String where) {
    return daysFrom(m, key, where, 1);
  }

  private OptionalInt daysFrom(Map<String, Node> m, String key, String where, int min) {
    if (!m.containsKey(key)) {
      return OptionalInt.empty();
    }
    int v = intValue(m.get(key), where + "." + key, min, 3650);
    return v == Integer.MIN_VALUE ? OptionalInt.empty() : OptionalInt.of(v);
  }

  private int intValue(Node node, String field, int min, int max) {
    if (!(node instanceof ScalarNode s) || !Tag.INT.equals(s.getTag())) {
      problem(line(node), field, "must be a whole number, got " + describe(node));
      return Integer.MIN_VALUE;
    }
    try {
      int v = Integer.parseInt(s.getValue().replace("_", ""));
      if (v < min || v > max) {
        problem(line(node), field, "must be between " + min + " and " + max + ", got " + v);
        return Integer.MIN_VALUE;
      }
      return v;
    } catch (NumberFormatException e) {
      problem(line(node), field, "must be a whole number, got '" + s.getValue() + "'");
      return Integer.MIN_VALUE;
    }
  }

  private boolean bool(Node node, String field, boolean fallback) {
    if (node == null) {
      return fallback;
    }
    if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
      return Boolean.parseBoolean(s.getValue().toLowerCase(java.util.Locale.ROOT));
    }
    problem(line(node), field, "must be true or false, got " + describe(node));
    return fallback;
  }

  private String scalar(Node node, String field) {
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    problem(line(node), field, "must be a single value, got " + describe(node));
    return null;
  }

  private String string(Node node, String field, Pattern pattern, String expected) {
    String v = scalar(node, field);
    if (v != null && pattern != null && !pattern.matcher(v).matches()) {
      problem(line(node), field, "malformed value '" + v + "' (expected " + expected + ")");
      return null;
    }
    return v;
  }

  private Optional<String> optionalString(
      Node node, String field, Pattern pattern, String expected) {
    if (node == null || isNull(node)) {
      return Optional.empty();
    }
    return Optional.ofNullable(string(node, field, pattern, expected));
  }

  private List<String> ids(Node node, String field, boolean ous) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(line(node), field, "must be a list");
      return out;
    }
    for (int i = 0; i < seq.getValue().size(); i++) {
      Node n = seq.getValue().get(i);
      String v = scalar(n, field + "[" + i + "]");
      if (v == null) {
        continue;
      }
      boolean ok = ous ? OU_ID.matcher(v).matches() || ROOT_ID.matcher(v).matches()
          : ACCOUNT_ID.matcher(v).matches();
      if (!ok) {
        problem(line(n), field + "[" + i + "]", (ous ? "malformed OU id '" : "malformed account id '")
            + v + (ous ? "' (expected ou-xxxx-xxxxxxxx or r-xxxx)" : "' (expected 12 digits)"));
      } else {
        out.add(v);
      }
    }
    return out;
  }

  /** The keys of a mapping, with unknown keys reported; null when the node is not a mapping. */
  private Map<String, Node> fields(Node node, String where, Set<String> allowed) {
    if (!(node instanceof MappingNode map)) {
      problem(line(node), where, "must be a mapping, got " + describe(node));
      return null;
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
      String path = where.isEmpty() ? String.valueOf(key) : where + "." + key;
      if (key == null) {
        problem(line(t.getKeyNode()), where, "keys must be plain names");
      } else if (!allowed.contains(key)) {
        problem(line(t.getKeyNode()), path, "unknown key (expected one of "
            + allowed.stream().sorted().toList() + ")");
      } else {
        out.put(key, t.getValueNode());
      }
    }
    return out;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }

  private static String describe(Node node) {
    if (node instanceof ScalarNode s) {
      if (Tag.NULL.equals(s.getTag())) {
        return "nothing (null)";
      }
      return "'" + s.getValue() + "'";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    return "nothing";
  }

  private static int line(Node node) {
    return node == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private void problem(int line, String field, String message) {
    problems.add(new ConfigProblem(file, line, field, message));
  }

  private PolicyFileException fail(int line, String field, String message) {
    problem(line, field, message);
    return new PolicyFileException(problems);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
