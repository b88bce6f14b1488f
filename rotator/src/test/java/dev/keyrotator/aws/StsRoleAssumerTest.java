package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.sandbox.SandboxExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sts.StsClient;

class StsRoleAssumerTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private StsClient sts;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    sts = clients.sts();
  }

  @AfterEach
  void tearDown() {
    clients.close();
  }

  private StsRoleAssumer assumer(String externalId) {
    return new StsRoleAssumer(
        sts, clients, TestOrg.ROLE, "/", Optional.ofNullable(externalId), Duration.ofHours(1));
  }

  @Test
  void opensASessionInTheMemberAccountThatActsAsThatAccount() {
    try (AccountSession session = assumer(TestOrg.EXTERNAL_ID).open(TestOrg.WORKLOAD, "run-1")) {
      assertThat(session.accountId()).isEqualTo(TestOrg.WORKLOAD);
      assertThat(session.keys().userNames()).contains("alice", "bob");
    }
    assertThat(SANDBOX.sandbox().calls().matching(c -> c.operation().equals("ListUsers")))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.accountId()).isEqualTo(TestOrg.WORKLOAD));
  }

  @Test
  void assumesTheRoleEagerlyInOpenAndOnlyOnceForManyCalls() {
    try (AccountSession session = assumer(TestOrg.EXTERNAL_ID).open(TestOrg.WORKLOAD, "run-1")) {
      assertThat(SANDBOX.sandbox().calls().count("sts", "AssumeRole")).isEqualTo(1);
      session.keys().read("alice");
      session.keys().read("bob");
      session.vault().storedKeyIds(TestOrg.WORKLOAD, "alice", java.util.List.of("AKIAX"));
    }
    assertThat(SANDBOX.sandbox().calls().count("sts", "AssumeRole")).isEqualTo(1);
  }

  @Test
  void accountWithoutTheRoleFailsInOpenWithAccessDeniedNamingTheAccount() {
    StsRoleAssumer assumer = assumer(TestOrg.EXTERNAL_ID);

    assertThatThrownBy(() -> assumer.open(TestOrg.NO_ROLE, "run-1"))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.service()).isEqualTo("sts");
              assertThat(e.operation()).isEqualTo("AssumeRole");
              assertThat(e.isAccessDenied()).isTrue();
              assertThat(e.statusCode()).isEqualTo(403);
              assertThat(e.getMessage())
                  .contains("account " + TestOrg.NO_ROLE)
                  .contains("arn:aws:iam::" + TestOrg.NO_ROLE + ":role/" + TestOrg.ROLE);
            });
  }

  @Test
  void wrongExternalIdIsRefusedInOpen() {
    assertThatThrownBy(() -> assumer("not-the-id").open(TestOrg.WORKLOAD, "run-1"))
        .isInstanceOfSatisfying(
            AwsCallException.class, e -> assertThat(e.isAccessDenied()).isTrue());
  }

  @Test
  void rejectsAMalformedAccountIdBeforeCallingAws() {
    StsRoleAssumer assumer = assumer(TestOrg.EXTERNAL_ID);

    assertThatThrownBy(() -> assumer.open("12345", "run-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'12345' is not an AWS account id (12 digits)");
    assertThatThrownBy(() -> assumer.open("12345678901a", "run-1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SANDBOX.sandbox().calls().count("sts", "AssumeRole")).isZero();
  }

  @Test
  void rejectsARoleConfigurationThatCannotMakeAnArn() {
    assertThatThrownBy(
            () ->
                new StsRoleAssumer(
                    sts, clients, "bad role!", "/", Optional.empty(), Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid role ARN");
  }

  @Test
  void buildsTheRoleArnWithItsPath() {
    StsRoleAssumer withPath =
        new StsRoleAssumer(
            sts, clients, "Rotator", "/security/", Optional.empty(), Duration.ofHours(1));

    assertThat(withPath.roleArn("123456789012"))
        .isEqualTo("arn:aws:iam::123456789012:role/security/Rotator");
    assertThat(assumer(null).roleArn("123456789012"))
        .isEqualTo("arn:aws:iam::123456789012:role/" + TestOrg.ROLE);
  }

  @Test
  void sessionNameIsPrefixedCleanedAndAtMost64Characters() {
    assertThat(StsRoleAssumer.sessionName("2026-11-27T09:00:00Z"))
        .isEqualTo("key-rotator-2026-11-27T09-00-00Z");
    String longName = StsRoleAssumer.sessionName("x".repeat(100));
    assertThat(longName).hasSize(64).startsWith("key-rotator-xxx").matches("[\\w+=,.@-]+");
  }

  @Test
  void settingsRefuseAnInvalidRoleNameOrPath() {
    assertThatThrownBy(() -> AwsSettings.of("has space"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("role name");
    assertThatThrownBy(() -> AwsSettings.of("Role").withMemberRolePath("no-slash"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path");
  }
}
