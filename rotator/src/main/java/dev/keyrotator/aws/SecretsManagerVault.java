package dev.keyrotator.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.SecretReader;
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
 * One secret per user, {@code <prefix><accountId>/<userName>}, one version per access key. The
 * version's ClientRequestToken is {@link #versionIdOf a name-based UUID of the key id}, so a retry
 * writes nothing twice and {@link #storedKeyIds} needs no secret value: it compares
 * DescribeSecret's version ids with the ids derived from the key ids. The vault never calls
 * GetSecretValue.
 *
 * <p>IAM actions: secretsmanager:DescribeSecret, PutSecretValue, CreateSecret, PutResourcePolicy
 * (always with BlockPublicPolicy=true), TagResource (and kms:GenerateDataKey/Decrypt on the KMS key
 * when one is configured).
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
    return prefix + accountId + "/" + userName;
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
  public StoredSecret store(String accountId, NewAccessKey key, SecretReader reader) {
    String name = secretName(accountId, key.userName());
    String keyId = key.key().id();
    String token = versionIdOf(keyId);
    String value = secretValue(accountId, key);
    String arn;
    try {
      arn = putValue(name, token, value);
    } catch (ResourceNotFoundException e) {
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
                                  .tags(tag(TAG_USER, key.userName()), tag(TAG_ACCOUNT, accountId));
                              kmsKeyId.ifPresent(r::kmsKeyId);
                            }))
                .arn();
      } catch (AwsCallException raced) {
        if (!AwsErrors.is(raced, "ResourceExistsException")) {
          throw raced;
        }
        // created meanwhile (a parallel or earlier attempt): add the version instead
        try {
          arn = putValue(name, token, value);
        } catch (ResourceNotFoundException gone) {
          throw AwsErrors.map(SERVICE, "PutSecretValue", gone, null);
        }
      }
    }
    // on every store, not only on create: an earlier run may have died between the two calls
    applyPolicyAndTags(accountId, key.userName(), key.userPath(), keyId, arn, reader);
    return new StoredSecret(arn, name, token, region);
  }

  @Override
  public StoredSecret completeStore(
      String accountId, String userName, String userPath, String keyId, SecretReader reader) {
    StoredSecret s = locate(accountId, userName, keyId);
    applyPolicyAndTags(accountId, userName, userPath, keyId, s.arn(), reader);
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
      SecretReader reader) {
    String policy = resourcePolicy(accountId, userName, userPath, reader);
    AwsErrors.run(
        SERVICE,
        "PutResourcePolicy",
        () ->
            secrets.putResourcePolicy(
                r -> r.secretId(secretArn).resourcePolicy(policy).blockPublicPolicy(true)));
    AwsErrors.run(
        SERVICE,
        "TagResource",
        () ->
            secrets.tagResource(
                r ->
                    r.secretId(secretArn)
                        .tags(
                            tag(TAG_USER, userName),
                            tag(TAG_ACCOUNT, accountId),
                            tag(TAG_CURRENT_KEY, keyId))));
  }

  /** PutSecretValue; ResourceNotFoundException is let through for the create path. */
  private String putValue(String name, String token, String value) {
    try {
      return secrets
          .putSecretValue(r -> r.secretId(name).clientRequestToken(token).secretString(value))
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
