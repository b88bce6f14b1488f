package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.policy.AccessKey;
import dev.keyrotator.policy.KeyHistory;
import dev.keyrotator.policy.KeyStatus;
import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserSnapshot;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.SandboxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.Tag;

class IamUsersTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private AccountSession session;
  private UserKeys keys;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    session = TestOrg.assumer(clients).open(TestOrg.WORKLOAD, "run-1");
    keys = session.keys();
  }

  @AfterEach
  void tearDown() {
    session.close();
    clients.close();
  }

  private Instant now() {
    return SANDBOX.sandbox().clock().now();
  }

  @Test
  void listsAll250UsersAcrossPages() {
    List<String> names = keys.userNames();

    assertThat(names).hasSize(250).doesNotHaveDuplicates().contains("alice", "user-245");
    assertThat(metrics.snapshot().of("iam", "ListUsers").calls()).isEqualTo(3);
  }

  @Test
  void readsPathTagsGroupsKeysAndLastUse() {
    UserSnapshot alice = keys.read("alice");

    assertThat(alice.user().name()).isEqualTo("alice");
    assertThat(alice.user().path()).isEqualTo("/engineering/");
    assertThat(alice.user().tags())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("owner", "alice@example.com", "team", "payments"));
    assertThat(alice.user().owner()).isEqualTo("alice@example.com");
    assertThat(alice.user().groups()).containsExactlyInAnyOrder("developers", "on-call");
    assertThat(alice.marker()).isEmpty();
    assertThat(alice.history()).isEmpty();

    List<AccessKeyInfo> truth = SANDBOX.sandbox().iamKeys(TestOrg.WORKLOAD, "alice");
    assertThat(alice.keys()).hasSize(2);
    for (AccessKeyInfo k : truth) {
      AccessKey read =
          alice.keys().stream()
              .filter(a -> a.id().equals(k.accessKeyId()))
              .findFirst()
              .orElseThrow();
      assertThat(read.status()).isEqualTo(KeyStatus.ACTIVE);
      // IAM's wire format has whole seconds
      assertThat(read.created()).isEqualTo(k.createDate().truncatedTo(ChronoUnit.SECONDS));
      // and GetAccessKeyLastUsed whole minutes
      assertThat(read.lastUsed())
          .isEqualTo(
              Optional.ofNullable(k.lastUsedDate()).map(t -> t.truncatedTo(ChronoUnit.MINUTES)));
    }
    AccessKey old =
        alice.keys().stream().filter(k -> k.lastUsed().isPresent()).findFirst().orElseThrow();
    assertThat(Duration.between(old.created(), now()).toDays()).isEqualTo(170);
    assertThat(Duration.between(old.lastUsed().get(), now()).toDays()).isEqualTo(3);
    assertThat(alice.keys()).filteredOn(k -> k.lastUsed().isEmpty()).hasSize(1);
  }

  @Test
  void readsAnInactiveKeyAndAUserWithoutKeysOrGroups() {
    UserSnapshot bob = keys.read("bob");
    assertThat(bob.keys())
        .singleElement()
        .satisfies(k -> assertThat(k.status()).isEqualTo(KeyStatus.INACTIVE));

    UserSnapshot carol = keys.read("carol");
    assertThat(carol.keys()).isEmpty();
    assertThat(carol.user().groups()).isEmpty();
    assertThat(carol.user().path()).isEqualTo("/");
  }

  @Test
  void readsEveryTagAcrossTagPages() {
    UserSnapshot many = keys.read("many-tags");

    assertThat(many.user().tags()).hasSize(30).containsEntry("t29", "v29");
  }

  @Test
  void createsDeactivatesReactivatesAndDeletesAKey() {
    NewAccessKey created = keys.createKey("carol");

    assertThat(created.userName()).isEqualTo("carol");
    assertThat(created.key().id()).matches("AKIA[A-Z2-7]{16}");
    assertThat(created.key().status()).isEqualTo(KeyStatus.ACTIVE);
    assertThat(created.key().lastUsed()).isEmpty();
    assertThat(created.revealSecret())
        .hasSize(40)
        .isEqualTo(SANDBOX.sandbox().iamKeys(TestOrg.WORKLOAD, "carol").get(0).secretAccessKey());
    String id = created.key().id();

    keys.setStatus("carol", id, KeyStatus.INACTIVE);
    assertThat(keys.read("carol").keys())
        .singleElement()
        .satisfies(k -> assertThat(k.status()).isEqualTo(KeyStatus.INACTIVE));
    keys.setStatus("carol", id, KeyStatus.ACTIVE);
    assertThat(keys.read("carol").keys().get(0).isActive()).isTrue();

    keys.deleteKey("carol", id);
    assertThat(keys.read("carol").keys()).isEmpty();
    assertThat(SANDBOX.sandbox().iamKeys(TestOrg.WORKLOAD, "carol")).isEmpty();
  }

  @Test
  void aThirdKeyIsRefusedWithIamsLimitError() {
    assertThatThrownBy(() -> keys.createKey("alice"))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.service()).isEqualTo("iam");
              assertThat(e.operation()).isEqualTo("CreateAccessKey");
              assertThat(e.errorCode()).isEqualTo("LimitExceeded");
              assertThat(e.statusCode()).isEqualTo(409);
            });
  }

  @Test
  void aMissingUserIsNoSuchEntity() {
    assertThatThrownBy(() -> keys.read("nobody"))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo("NoSuchEntity");
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.getMessage()).contains("iam GetUser failed: NoSuchEntity");
            });
  }

  @Test
  void markerRoundTripsThroughAUserTagAndIsCleared() {
    Instant at = Instant.parse("2026-11-27T09:00:01.250Z");
    keys.writeMarker("alice", new RotationMarker("run-2026-11-27T09:00:00Z", at));

    Map<String, String> tags = SANDBOX.sandbox().userTags(TestOrg.WORKLOAD, "alice");
    assertThat(tags)
        .containsEntry(
            "key-rotator:pending", "run=run-2026-11-27T09:00:00Z at=2026-11-27T09:00:01.250Z");
    UserSnapshot read = keys.read("alice");
    assertThat(read.marker()).contains(new RotationMarker("run-2026-11-27T09:00:00Z", at));
    assertThat(read.user().tags()).doesNotContainKey("key-rotator:pending");

    keys.clearMarker("alice");
    assertThat(keys.read("alice").marker()).isEmpty();
    assertThat(SANDBOX.sandbox().userTags(TestOrg.WORKLOAD, "alice"))
        .doesNotContainKey("key-rotator:pending");
  }

  @Test
  void historyRoundTripsPerKeyAndIsForgotten() {
    String keyId = keys.read("alice").keys().get(0).id();
    Instant warned = Instant.parse("2026-11-20T09:00:00Z");
    Instant deactivated = Instant.parse("2026-11-27T09:00:00Z");

    keys.writeHistory("alice", keyId, KeyHistory.NONE.withWarned(warned));
    assertThat(keys.read("alice").history())
        .containsExactly(Map.entry(keyId, KeyHistory.NONE.withWarned(warned)));
    assertThat(SANDBOX.sandbox().userTags(TestOrg.WORKLOAD, "alice"))
        .containsEntry("key-rotator:key:" + keyId, "warned=2026-11-20T09:00:00Z");

    KeyHistory both = KeyHistory.NONE.withWarned(warned).withDeactivated(deactivated);
    keys.writeHistory("alice", keyId, both);
    UserSnapshot read = keys.read("alice");
    assertThat(read.history()).containsExactly(Map.entry(keyId, both));
    assertThat(read.user().tags()).containsOnlyKeys("owner", "team");

    keys.forgetHistory("alice", keyId);
    assertThat(keys.read("alice").history()).isEmpty();
  }

  @Test
  void malformedStateTagsAreIgnoredButTheUserIsStillRead() {
    try (IamClient admin =
        new AwsClientFactory(
                TestOrg.settings(SANDBOX),
                metrics,
                TestOrg.credentials(SANDBOX.credentialsFor(TestOrg.WORKLOAD)))
            .iam()) {
      admin.tagUser(
          r ->
              r.userName("bob")
                  .tags(
                      Tag.builder().key("key-rotator:pending").value("garbage").build(),
                      Tag.builder()
                          .key("key-rotator:key:AKIAIOSFODNN7EXAMPLE")
                          .value("warned=yesterday")
                          .build(),
                      Tag.builder()
                          .key("key-rotator:key:AKIAIOSFODNN7EXAMPLF")
                          .value("deactivated=2026-11-01T00:00:00Z warned=soon")
                          .build()));
    }

    UserSnapshot bob = keys.read("bob");

    assertThat(bob.user().name()).isEqualTo("bob");
    assertThat(bob.keys()).hasSize(1);
    assertThat(bob.marker()).isEmpty();
    assertThat(bob.history()).containsOnlyKeys("AKIAIOSFODNN7EXAMPLF");
    assertThat(bob.history().get("AKIAIOSFODNN7EXAMPLF").deactivated())
        .contains(Instant.parse("2026-11-01T00:00:00Z"));
    assertThat(bob.history().get("AKIAIOSFODNN7EXAMPLF").lastWarned()).isEmpty();
  }

  @Test
  void createKeyKnowsTheUsersPathForTheVault() {
    keys.read("carol");
    assertThat(keys.createKey("carol").userPath()).isEqualTo("/");

    IamUsers fresh =
        new IamUsers(clients.iam(TestOrg.credentials(SANDBOX.credentialsFor(TestOrg.WORKLOAD))));
    keys.deleteKey("alice", keys.read("alice").keys().get(0).id());
    assertThat(fresh.createKey("alice").userPath()).isEqualTo("/engineering/");
  }
}
