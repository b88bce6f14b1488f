package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.StoredSecret;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SecretInfo;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

class SecretsManagerVaultTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = TestOrg.WORKLOAD;
  private static final String NAME = "key-rotator/" + ACCOUNT + "/carol";

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private AccountSession session;
  private UserKeys keys;
  private SecretVault vault;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    session = TestOrg.assumer(clients).open(ACCOUNT, "run-1");
    keys = session.keys();
    vault = session.vault();
  }

  @AfterEach
  void tearDown() {
    session.close();
    clients.close();
  }

  private SecretInfo secret() {
    return SANDBOX.sandbox().secret(ACCOUNT, "us-east-1", NAME).orElseThrow();
  }

  @Test
  void storeCreatesTheSecretWithValueTagsAndAPolicyForTheUser() throws Exception {
    NewAccessKey key = keys.createKey("carol");

    StoredSecret stored = vault.store(ACCOUNT, key);

    assertThat(stored.name()).isEqualTo(NAME);
    assertThat(stored.region()).isEqualTo("us-east-1");
    assertThat(stored.versionId()).isEqualTo(SecretsManagerVault.versionIdOf(key.key().id()));
    SecretInfo s = secret();
    assertThat(stored.arn()).isEqualTo(s.arn());
    assertThat(s.currentVersionId()).isEqualTo(stored.versionId());
    JsonNode value = JSON.readTree(s.currentValue());
    assertThat(value.get("AccessKeyId").asText()).isEqualTo(key.key().id());
    assertThat(value.get("SecretAccessKey").asText()).isEqualTo(key.revealSecret());
    assertThat(value.get("UserName").asText()).isEqualTo("carol");
    assertThat(value.get("AccountId").asText()).isEqualTo(ACCOUNT);
    assertThat(value.get("CreatedAt").asText()).isEqualTo(key.key().created().toString());
    assertThat(s.tags())
        .containsEntry("key-rotator:user", "carol")
        .containsEntry("key-rotator:account", ACCOUNT)
        .containsEntry("key-rotator:current-key-id", key.key().id());
    JsonNode policy = JSON.readTree(s.resourcePolicy());
    JsonNode statement = policy.get("Statement").get(0);
    assertThat(statement.get("Principal").get("AWS").asText())
        .isEqualTo("arn:aws:iam::" + ACCOUNT + ":user/carol");
    assertThat(statement.get("Action").toString()).contains("secretsmanager:GetSecretValue");
    assertThat(SANDBOX.sandbox().calls().count("secretsmanager", "GetSecretValue")).isZero();
  }

  @Test
  void thePolicyNamesAUserWithAPathByItsFullArn() throws Exception {
    keys.deleteKey("alice", keys.read("alice").keys().get(0).id());
    NewAccessKey key = keys.createKey("alice");

    vault.store(ACCOUNT, key);

    SecretInfo s =
        SANDBOX
            .sandbox()
            .secret(ACCOUNT, "us-east-1", "key-rotator/" + ACCOUNT + "/alice")
            .orElseThrow();
    assertThat(
            JSON.readTree(s.resourcePolicy())
                .get("Statement")
                .get(0)
                .get("Principal")
                .get("AWS")
                .asText())
        .isEqualTo("arn:aws:iam::" + ACCOUNT + ":user/engineering/alice");
  }

  @Test
  void storingTheSameKeyTwiceWritesOneVersion() {
    NewAccessKey key = keys.createKey("carol");

    StoredSecret first = vault.store(ACCOUNT, key);
    StoredSecret second = vault.store(ACCOUNT, key);

    assertThat(second).isEqualTo(first);
    assertThat(secret().versionStages())
        .hasSize(1)
        .containsEntry(first.versionId(), List.of("AWSCURRENT"));
  }

  @Test
  void aSecondKeyBecomesCurrentAndTheFirstPrevious() throws Exception {
    NewAccessKey first = keys.createKey("carol");
    NewAccessKey second = keys.createKey("carol");

    vault.store(ACCOUNT, first);
    vault.store(ACCOUNT, second);

    SecretInfo s = secret();
    assertThat(s.versionStages())
        .containsEntry(SecretsManagerVault.versionIdOf(second.key().id()), List.of("AWSCURRENT"))
        .containsEntry(SecretsManagerVault.versionIdOf(first.key().id()), List.of("AWSPREVIOUS"));
    assertThat(JSON.readTree(s.previousValue()).get("AccessKeyId").asText())
        .isEqualTo(first.key().id());
    assertThat(s.tags()).containsEntry("key-rotator:current-key-id", second.key().id());
    assertThat(SANDBOX.sandbox().calls().count("secretsmanager", "CreateSecret")).isEqualTo(1);
  }

  @Test
  void storedKeyIdsAreTheKeysWithAVersionWithoutReadingAnyValue() {
    NewAccessKey first = keys.createKey("carol");
    NewAccessKey second = keys.createKey("carol");
    List<String> both = List.of(first.key().id(), second.key().id());

    assertThat(vault.storedKeyIds(ACCOUNT, "carol", both)).isEmpty();
    vault.store(ACCOUNT, first);
    assertThat(vault.storedKeyIds(ACCOUNT, "carol", both)).containsExactly(first.key().id());
    vault.store(ACCOUNT, second);
    assertThat(vault.storedKeyIds(ACCOUNT, "carol", both))
        .containsExactlyInAnyOrderElementsOf(both);
    assertThat(vault.storedKeyIds(ACCOUNT, "nobody", both)).isEmpty();
    assertThat(SANDBOX.sandbox().calls().count("secretsmanager", "GetSecretValue")).isZero();
  }

  @Test
  void locateFindsTheSecretWithoutReadingIt() {
    NewAccessKey key = keys.createKey("carol");
    StoredSecret stored = vault.store(ACCOUNT, key);

    StoredSecret located = vault.locate(ACCOUNT, "carol", key.key().id());

    assertThat(located).isEqualTo(stored);
    assertThat(located.consoleUrl())
        .contains("us-east-1.console.aws.amazon.com/secretsmanager")
        .contains("key-rotator%2F" + ACCOUNT + "%2Fcarol");
    assertThatThrownBy(() -> vault.locate(ACCOUNT, "nobody", "AKIAIOSFODNN7EXAMPLE"))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> assertThat(e.errorCode()).isEqualTo("ResourceNotFoundException"));
  }

  @Test
  void theStoredSecretIsAWorkingKeyOfTheUser() throws Exception {
    NewAccessKey key = keys.createKey("carol");
    vault.store(ACCOUNT, key);

    // the owner reads the secret with the key's own credentials (the resource policy's grant)
    String valueJson;
    try (SecretsManagerClient asCarol =
        clients.secretsManager(TestOrg.credentials(key.key().id(), key.revealSecret()))) {
      valueJson = asCarol.getSecretValue(r -> r.secretId(NAME)).secretString();
    }
    JsonNode value = JSON.readTree(valueJson);
    try (StsClient sts =
        software.amazon.awssdk.services.sts.StsClient.builder()
            .endpointOverride(SANDBOX.endpoint())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(
                TestOrg.credentials(
                    value.get("AccessKeyId").asText(), value.get("SecretAccessKey").asText()))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .build()) {
      GetCallerIdentityResponse me = sts.getCallerIdentity();
      assertThat(me.account()).isEqualTo(ACCOUNT);
      assertThat(me.arn()).isEqualTo("arn:aws:iam::" + ACCOUNT + ":user/carol");
    }
  }

  @Test
  void aCreateRaceFallsBackToAddingTheVersion() {
    SecretsManagerClient real =
        clients.secretsManager(TestOrg.credentials(SANDBOX.credentialsFor(ACCOUNT)));
    AtomicBoolean raced = new AtomicBoolean();
    SecretsManagerClient racing = racingClient(real, raced);
    SecretVault racingVault =
        new SecretsManagerVault(racing, "us-east-1", "aws", "key-rotator/", Optional.empty());
    NewAccessKey key = keys.createKey("carol");

    StoredSecret stored = racingVault.store(ACCOUNT, key);

    assertThat(raced).isTrue();
    assertThat(secret().currentVersionId()).isEqualTo(stored.versionId());
    assertThat(secret().versionStages()).hasSize(2);
    // the other attempt's CreateSecret succeeded, ours was refused as existing
    List<String> creates =
        SANDBOX.sandbox().calls().matching(c -> c.operation().equals("CreateSecret")).stream()
            .map(c -> String.valueOf(c.errorCode()))
            .toList();
    assertThat(creates).isEqualTo(List.of("null", "ResourceExistsException"));
    real.close();
  }

  /**
   * A client whose first CreateSecret comes second: meanwhile a parallel run of the rotator (its
   * tags) created the secret with another key.
   */
  private static SecretsManagerClient racingClient(SecretsManagerClient real, AtomicBoolean raced) {
    InvocationHandler h =
        (proxy, method, args) -> {
          if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
            // the builder-lambda overloads build the request and call the request overload
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          if (method.getName().equals("createSecret")
              && args != null
              && args[0] instanceof CreateSecretRequest create
              && raced.compareAndSet(false, true)) {
            real.createSecret(
                r ->
                    r.name(create.name())
                        .clientRequestToken(SecretsManagerVault.versionIdOf("AKIAOTHERKEY00000000"))
                        .secretString("{\"AccessKeyId\":\"AKIAOTHERKEY00000000\"}")
                        .tags(create.tags()));
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (SecretsManagerClient)
        Proxy.newProxyInstance(
            SecretsManagerClient.class.getClassLoader(),
            new Class<?>[] {SecretsManagerClient.class},
            h);
  }
}
