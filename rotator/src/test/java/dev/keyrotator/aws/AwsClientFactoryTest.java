package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.sandbox.SandboxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

class AwsClientFactoryTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();

  @Test
  void withoutAnOverrideTheSdkTakesTheEndpointFromAwsEndpointUrl() {
    // the system-property twin of AWS_ENDPOINT_URL, which the SDK reads the same way
    String before = System.getProperty("aws.endpointUrl");
    System.setProperty("aws.endpointUrl", SANDBOX.endpoint().toString());
    AwsSettings noOverride = AwsSettings.of(TestOrg.ROLE).withRegion("us-east-1");
    try (AwsClientFactory clients =
        new AwsClientFactory(
            noOverride,
            new CallMetrics(),
            TestOrg.credentials(SANDBOX.credentialsFor(TestOrg.MANAGEMENT)))) {
      StsClient sts = clients.sts();

      assertThat(sts.getCallerIdentity().account()).isEqualTo(TestOrg.MANAGEMENT);
      assertThat(clients.customEndpoint()).isTrue();
    } finally {
      if (before == null) {
        System.clearProperty("aws.endpointUrl");
      } else {
        System.setProperty("aws.endpointUrl", before);
      }
    }
  }

  @Test
  void regionComesFromSettingsThenTheSdkChainThenUsEast1() {
    assertThat(AwsClientFactory.resolveRegion(AwsSettings.of("R").withRegion("eu-west-1")))
        .isEqualTo(Region.EU_WEST_1);
    assumeTrue(
        System.getenv("AWS_REGION") == null
            && System.getenv("AWS_DEFAULT_REGION") == null
            && System.getProperty("aws.region") == null
            && System.getenv("AWS_PROFILE") == null);
    assertThat(AwsClientFactory.resolveRegion(AwsSettings.of("R"))).isEqualTo(Region.US_EAST_1);
  }

  @Test
  void partitionFollowsTheRegion() {
    assertThat(AwsClientFactory.partitionOf("us-east-1")).isEqualTo("aws");
    assertThat(AwsClientFactory.partitionOf("cn-north-1")).isEqualTo("aws-cn");
    assertThat(AwsClientFactory.partitionOf("us-gov-west-1")).isEqualTo("aws-us-gov");
  }

  @Test
  void perAccountClientsShareTheHttpClientAndSurviveTheSessionClosing() {
    CallMetrics metrics = new CallMetrics();
    try (AwsClientFactory clients = TestOrg.clients(SANDBOX, metrics)) {
      StsRoleAssumer assumer = TestOrg.assumer(clients);
      try (AccountSession s = assumer.open(TestOrg.WORKLOAD, "a")) {
        s.keys().userNames();
      }
      // closing a session must not close the shared HTTP client or the central STS client
      try (AccountSession s = assumer.open("444444444444", "b")) {
        assertThat(s.keys().userNames()).isEmpty();
      }
    }
  }

  @Test
  void theCentralAccountHasASessionWithoutAssumingARole() {
    try (AwsClientFactory clients =
        TestOrg.clientsAs(SANDBOX, TestOrg.WORKLOAD, new CallMetrics())) {
      try (AccountSession s = clients.centralSession(TestOrg.WORKLOAD)) {
        assertThat(s.keys().userNames()).hasSize(250);
      }
      try (AccountSession s = clients.centralSession(TestOrg.WORKLOAD)) {
        assertThat(s.keys().read("bob").keys()).hasSize(1);
      }
      assertThat(SANDBOX.sandbox().calls().count("sts", "AssumeRole")).isZero();
    }
  }
}
