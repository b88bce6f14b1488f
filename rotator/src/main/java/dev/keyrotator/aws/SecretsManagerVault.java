package dev.keyrotator.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.SecretReader;
import dev.keyrotator.ports.SecretRefusedException;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.StoredSecret;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * One secret per user, {@code <prefix><accountId>/<encoded userName>} (see {@link
 * #encodeUserName}), one version per access key. The version's ClientRequestToken is {@link
 * #versionIdOf a name-based UUID of the key id}, so a retry writes nothing twice and {@link
 * #storedKeyIds} needs no secret value: it compares DescribeSecret's version ids with the ids
 * derived from the key ids. The vault never calls GetSecretValue.
 *
 * <p>A secret with the user's name that the rotator did not create is never written into: before a
 * value goes into an existing secret, its DescribeSecret must show the rotator's tags for this user
 * and account, the configured KMS key, no deletion date, and its resource policy
 * (GetResourcePolicy) may grant only the user's own account and the secret's. Otherwise {@link
 * #store} throws {@link SecretRefusedException} before writing anything, and {@link #refusal} says
 * so before the key is even created.
 *
 * <p>IAM actions: secretsmanager:DescribeSecret, GetResourcePolicy, PutSecretValue, CreateSecret,
 * PutResourcePolicy (always with BlockPublicPolicy=true), TagResource (and
 * kms:GenerateDataKey/Encrypt on the KMS key when one is configured).
 */
public final class SecretsManagerVault implements SecretVault {
  private static final String SERVICE = "secretsmanager";
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String TAG_USER = "key-rotator:user";
  static final String TAG_ACCOUNT = "key-rotator:account";
  static final String TAG_CURRENT_KEY = "key-rotator:current-key-id";

  private final SecretsManagerClient secrets;
  private final String region;
  private final String partition;
  private final String prefix;
  private final Optional<String> kmsKeyId;

  /**
   * @param region the client's region (for console links)
   * @param partition {@code aws} unless in China or GovCloud (for the user's ARN in the policy)
   * @param prefix secret names start with it, {@code key-rotator/} by default
   * @param kmsKeyId the KMS key for new secrets; empty means aws/secretsmanager
   */
  public SecretsManagerVault(
      SecretsManagerClient secrets,
      String region,
      String partition,
      String prefix,
      Optional<String> kmsKeyId) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.region = Objects.requireNonNull(region, "region");
    this.partition = Objects.requireNonNull(partition, "partition");
    this.prefix = prefix == null ? AwsSettings.DEFAULT_SECRET_PREFIX : prefix;
    this.kmsKeyId = Objects.requireNonNull(kmsKeyId, "kmsKeyId");
  }

  /** The version id (= ClientRequestToken) that holds a key's secret. */
  public static String versionIdOf(String accessKeyId) {
    return UUID.nameUUIDFromBytes(accessKeyId.getBytes(StandardCharsets.UTF_8)).toString();
  }

  public String secretName(String accountId, String userName) {
    return prefix + accountId + "/" + encodeUserName(userName);
  }

  /**
   * IAM user names may hold {@code ,} (they allow letters, digits and {@code +=,.@_-}); Secrets
   * Manager names allow letters, digits and {@code /_+=.@-}. The one character Secrets Manager
   * allows and IAM user names never hold is {@code /}, so a comma is written as {@code /}: every
   * other name is unchanged (existing secrets keep their names) and the encoding is reversible
   * ({@link #decodeUserName}).
   */
  public static String encodeUserName(String userName) {
    return userName.replace(',', '/');
  }

  /** The user name a {@link #encodeUserName encoded} name stands for. */
  public static String decodeUserName(String encoded) {
    return encoded.replace('/', ',');
  }

  @Override
  public Set<String> storedKeyIds(String accountId, String userName, Collection<String> keyIds) {
    if (keyIds.isEmpty()) {
      return Set.of();
    }
    Optional<DescribeSecretResponse> d = describe(secretName(accountId, userName));
    if (d.isEmpty()) {
      return Set.of();
    }
    Map<String, List<String>> versions = d.get().versionIdsToStages();
    Set<String> out = new LinkedHashSet<>();
    for (String keyId : keyIds) {
      if (versions.containsKey(versionIdOf(keyId))) {
        out.add(keyId);
      }
    }
    return Set.copyOf(out);
  }

  private Optional<DescribeSecretResponse> describe(String name) {
    try {
      return Optional.of(
          AwsErrors.call(
              SERVICE, "DescribeSecret", () -> secrets.describeSecret(r -> r.secretId(name))));
    } catch (AwsCallException e) {
      if (AwsErrors.is(e, "ResourceNotFoundException")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Optional<String> refusal(String accountId, String userName) {
    String name = secretName(accountId, userName);
    return describe(name).flatMap(d -> refusal(d, accountId, userName));
  }

  @Override
  public StoredSecret store(String accountId, NewAccessKey key, SecretReader reader) {
    String name = secretName(accountId, key.userName());
    String keyId = key.key().id();
    String token = versionIdOf(keyId);
    String value = secretValue(accountId, key);
    String arn;
    boolean tagged = false;
    Optional<DescribeSecretResponse> existing = describe(name);
    if (existing.isPresent()) {
      arn = putValueIntoOwn(existing.get(), accountId, key.userName(), token, value);
    } else {
      try {
        arn =
            AwsErrors.call(
                    SERVICE,
                    "CreateSecret",
                    () ->
                        secrets.createSecret(
                            r -> {
                              r.name(name)
                                  .clientRequestToken(token)
                                  .secretString(value)
                                  .description(
                                      "Access key of IAM user "
                                          + key.userName()
                                          + " in account "
                                          + accountId
                                          + ", stored by the key rotator")
                                  .tags(
                                      tag(TAG_USER, encodeUserName(key.userName())),
                                      tag(TAG_ACCOUNT, accountId),
                                      tag(TAG_CURRENT_KEY, keyId));
                              kmsKeyId.ifPresent(r::kmsKeyId);
                            }))
                .arn();
        tagged = true; // CreateSecret wrote all three tags
      } catch (AwsCallException raced) {
        if (!AwsErrors.is(raced, "ResourceExistsException")) {
          throw raced;
        }
        // created meanwhile (a parallel or earlier attempt, or someone else): check whose it is,
        // then add the version
        DescribeSecretResponse d =
            describe(name)
                .orElseThrow(() -> raced); // deleted for good in between: give up this time
        arn = putValueIntoOwn(d, accountId, key.userName(), token, value);
      }
    }
    // on every store, not only on create: an earlier run may have died between the two calls
    applyPolicyAndTags(accountId, key.userName(), key.userPath(), keyId, arn, reader, !tagged);
    return new StoredSecret(arn, name, token, region);
  }

  /** PutSecretValue into an existing secret, once it is known to be the rotator's own. */
  private String putValueIntoOwn(
      DescribeSecretResponse d, String accountId, String userName, String token, String value) {
    Optional<String> refused = refusal(d, accountId, userName);
    if (refused.isPresent()) {
      throw new SecretRefusedException(d.arn(), refused.get());
    }
    try {
      return putValue(d.arn(), token, value);
    } catch (ResourceNotFoundException gone) {
      throw AwsErrors.map(SERVICE, "PutSecretValue", gone, null);
    }
  }

  /**
   * Why an existing secret must not receive a key, or empty when it is the rotator's own: created
   * by it (its tags for this user and account), under the configured KMS key, not scheduled for
   * deletion, and readable by no account but the user's and the secret's own.
   */
  private Optional<String> refusal(DescribeSecretResponse d, String accountId, String userName) {
    String name = d.name();
    if (d.deletedDate() != null) {
      return Optional.of(
          "secret "
              + name
              + " is scheduled for deletion (since "
              + d.deletedDate()
              + "); the only copy of a key never goes into a secret that is being deleted: restore"
              + " it (aws secretsmanager restore-secret --secret-id "
              + d.arn()
              + ") if it is the rotator's, or delete it for good");
    }
    Map<String, String> tags = new java.util.HashMap<>();
    if (d.hasTags()) {
      d.tags().forEach(t -> tags.put(t.key(), t.value()));
    }
    if (!encodeUserName(userName).equals(tags.get(TAG_USER))
        || !accountId.equals(tags.get(TAG_ACCOUNT))) {
      return Optional.of(
          "secret "
              + name
              + " was not created by the rotator for this user (its tags "
              + TAG_USER
              + " and "
              + TAG_ACCOUNT
              + " do not name "
              + userName
              + " in "
              + accountId
              + "); the rotator never writes into a secret it did not create");
    }
    Optional<String> kms = kmsMismatch(Optional.ofNullable(d.kmsKeyId()));
    if (kms.isPresent()) {
      return Optional.of("secret " + name + " " + kms.get());
    }
    String policy =
        AwsErrors.call(
                SERVICE,
                "GetResourcePolicy",
                () -> secrets.getResourcePolicy(r -> r.secretId(d.arn())))
            .resourcePolicy();
    Optional<String> foreign =
        foreignPrincipal(
            policy, new java.util.HashSet<>(List.of(accountId, Arns.account(d.arn()))));
    return foreign.map(
        p ->
            "secret "
                + name
                + " has a resource policy that grants "
                + p
                + "; the rotator never puts a key where another account can read it");
  }

  /** Whether the secret's KMS key is the one the rotator would have used. */
  private Optional<String> kmsMismatch(Optional<String> secretKey) {
    if (kmsKeyId.isEmpty()) {
      return secretKey
          .filter(k -> !normalizedKey(k).equals("alias/aws/secretsmanager"))
          .map(
              k ->
                  "is encrypted with KMS key "
                      + k
                      + ", not aws/secretsmanager as the rotator's secrets are");
    }
    String want = normalizedKey(kmsKeyId.get());
    if (secretKey.isEmpty()) {
      return Optional.of(
          "is encrypted with aws/secretsmanager, not " + kmsKeyId.get() + " as configured");
    }
    String have = normalizedKey(secretKey.get());
    boolean sameKind = want.startsWith("alias/") == have.startsWith("alias/");
    // an alias and a key id cannot be compared without KMS: the tags and the policy decide then
    if (sameKind && !want.equals(have)) {
      return Optional.of(
          "is encrypted with KMS key "
              + secretKey.get()
              + ", not "
              + kmsKeyId.get()
              + " as configured");
    }
    return Optional.empty();
  }

  /** {@code key/<id>} or {@code alias/<name>}, from an id, an alias or either's ARN. */
  static String normalizedKey(String k) {
    String s = k;
    if (s.startsWith("arn:")) {
      String[] parts = s.split(":", 6);
      s = parts.length == 6 ? parts[5] : s;
    }
    if (s.startsWith("alias/") || s.startsWith("key/")) {
      return s;
    }
    return "key/" + s;
  }

  /**
   * The first principal an Allow statement of {@code policy} grants outside {@code accounts}: any
   * principal ({@code *}), a service, or an AWS principal of another account. Empty when there is
   * none (or no policy).
   */
  static Optional<String> foreignPrincipal(String policy, Set<String> accounts) {
    if (policy == null || policy.isBlank()) {
      return Optional.empty();
    }
    com.fasterxml.jackson.databind.JsonNode doc;
    try {
      doc = JSON.readTree(policy);
    } catch (JsonProcessingException e) {
      return Optional.of("an unreadable policy");
    }
    com.fasterxml.jackson.databind.JsonNode statements = doc.path("Statement");
    List<com.fasterxml.jackson.databind.JsonNode> list = new java.util.ArrayList<>();
    if (statements.isArray()) {
      statements.forEach(list::add);
    } else if (statements.isObject()) {
      list.add(statements);
    }
    for (com.fasterxml.jackson.databind.JsonNode st : list) {
      if (!"Allow".equals(st.path("Effect").asText())) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode principal = st.path("Principal");
      if (principal.isTextual()) {
        return Optional.of("principal " + principal.asText());
      }
      if (st.has("NotPrincipal")) {
        return Optional.of("everyone but a NotPrincipal");
      }
      var fields = principal.fields();
      while (fields.hasNext()) {
        var e = fields.next();
        List<String> values = new java.util.ArrayList<>();
        if (e.getValue().isArray()) {
          e.getValue().forEach(v -> values.add(v.asText()));
        } else {
          values.add(e.getValue().asText());
        }
        for (String v : values) {
          if (!e.getKey().equals("AWS")) {
            return Optional.of(e.getKey() + " principal " + v);
          }
          String account = v.matches("\\d{12}") ? v : Arns.account(v);
          if (!accounts.contains(account)) {
            return Optional.of("principal " + v);
          }
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public StoredSecret completeStore(
      String accountId, String userName, String userPath, String keyId, SecretReader reader) {
    StoredSecret s = locate(accountId, userName, keyId);
    applyPolicyAndTags(accountId, userName, userPath, keyId, s.arn(), reader, true);
    return s;
  }

  /**
   * What {@link #store} writes after the value: the readers' policy (always with BlockPublicPolicy,
   * which the member role's policy requires) and the tags.
   */
  private void applyPolicyAndTags(
      String accountId,
      String userName,
      String userPath,
      String keyId,
      String secretArn,
      SecretReader reader,
      boolean tags) {
    String policy = resourcePolicy(accountId, userName, userPath, reader);
    AwsErrors.run(
        SERVICE,
        "PutResourcePolicy",
        () ->
            secrets.putResourcePolicy(
                r -> r.secretId(secretArn).resourcePolicy(policy).blockPublicPolicy(true)));
    if (!tags) {
      return;
    }
    AwsErrors.run(
        SERVICE,
        "TagResource",
        () ->
            secrets.tagResource(
                r ->
                    r.secretId(secretArn)
                        .tags(
                            tag(TAG_USER, encodeUserName(userName)),
                            tag(TAG_ACCOUNT, accountId),
                            tag(TAG_CURRENT_KEY, keyId))));
  }

  /** PutSecretValue; ResourceNotFoundException is let through to the caller. */
  private String putValue(String secretId, String token, String value) {
    try {
      return secrets
          .putSecretValue(r -> r.secretId(secretId).clientRequestToken(token).secretString(value))
          .arn();
    } catch (ResourceNotFoundException e) {
      throw e;
    } catch (software.amazon.awssdk.core.exception.SdkException e) {
      throw AwsErrors.map(SERVICE, "PutSecretValue", e, null);
    }
  }

  @Override
  public StoredSecret locate(String accountId, String userName, String keyId) {
    String name = secretName(accountId, userName);
    DescribeSecretResponse d =
        describe(name)
            .orElseThrow(
                () ->
                    new AwsCallException(
                        SERVICE,
                        "DescribeSecret",
                        "ResourceNotFoundException",
                        400,
                        "no secret " + name + " in account " + accountId,
                        null));
    return new StoredSecret(d.arn(), name, versionIdOf(keyId), region);
  }

  private static Tag tag(String k, String v) {
    return Tag.builder().key(k).value(v).build();
  }

  /** The JSON the user reads: enough to configure a profile. */
  static String secretValue(String accountId, NewAccessKey key) {
    ObjectNode n = JSON.createObjectNode();
    n.put("AccessKeyId", key.key().id());
    n.put("SecretAccessKey", key.revealSecret());
    n.put("UserName", key.userName());
    n.put("AccountId", accountId);
    n.put("CreatedAt", key.key().created().toString());
    try {
      return JSON.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      // never include the value
      throw new IllegalStateException("cannot write the secret value as JSON");
    }
  }

  /** Lets the IAM user itself read its secret (and nothing else), in the same account. */
  String resourcePolicy(String accountId, NewAccessKey key, String secretArn) {
    return resourcePolicy(accountId, key.userName(), key.userPath(), SecretReader.OWNER);
  }

  /**
   * The secret's resource policy: the user itself reads it ({@link SecretReader.Owner}), or only
   * the named role does and the user is explicitly denied, even if its identity policy allows
   * GetSecretValue ({@link SecretReader.Role}, {@link SecretReader.Nobody}).
   */
  String resourcePolicy(String accountId, String userName, String userPath, SecretReader reader) {
    String path = userPath == null || userPath.isEmpty() ? "/" : userPath;
    String userArn = "arn:" + partition + ":iam::" + accountId + ":user" + path + userName;
    ObjectNode doc = JSON.createObjectNode();
    doc.put("Version", "2012-10-17");
    ArrayNode statements = doc.putArray("Statement");
    if (reader instanceof SecretReader.Owner) {
      statement(statements, "OwnerReadsOwnAccessKey", "Allow", userArn);
    } else {
      if (reader instanceof SecretReader.Role role) {
        String roleArn = "arn:" + partition + ":iam::" + accountId + ":role/" + role.pathAndName();
        statement(statements, "NamedRoleReadsAccessKey", "Allow", roleArn);
      }
      ObjectNode deny = statement(statements, "OwnerNeverReadsItsSuccessor", "Deny", userArn);
      ((ArrayNode) deny.get("Action")).remove(1); // DescribeSecret stays harmless
    }
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode statement(
      ArrayNode statements, String sid, String effect, String principalArn) {
    ObjectNode s = statements.addObject();
    s.put("Sid", sid);
    s.put("Effect", effect);
    s.putObject("Principal").put("AWS", principalArn);
    ArrayNode actions = s.putArray("Action");
    actions.add("secretsmanager:GetSecretValue");
    actions.add("secretsmanager:DescribeSecret");
    s.put("Resource", "*");
    return s;
  }
}
