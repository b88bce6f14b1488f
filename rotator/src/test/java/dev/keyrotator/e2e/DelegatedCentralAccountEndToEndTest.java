package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.Main;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.organizations.OrganizationsClient;

/**
 * AWS's advice: the rotator runs in a central account that is not the management account. It reads
 * the organization only once the management account attached the delegation policy of
 * stacksets/organizations-delegation.yaml (the same four read actions, to the central account's
 * rotator principal): before that, {@code run} exits 3 on AccessDeniedException and changes
 * nothing; after, it rotates the members' keys.
 */
class DelegatedCentralAccountEndToEndTest {
  static final String MANAGEMENT = "111111111111";
  static final String CENTRAL = "333333333333";
  static final String MEMBER = "444444444444";
  static final String[] PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region", "aws.sessionToken"
  };

  static Fixture fixture() {
    Fixture f = Fixture.create("o-delegated001", MANAGEMENT);
    f.account(MANAGEMENT, "management").memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo");
    f.account(CENTRAL, "central").topic("key-rotation-events");
    f.account(MEMBER, "workloads")
        .memberRole("OrgKeyRotatorMemberRole", "key-rotator-demo")
        .user("app-orders")
        .key(170, 2);
    f.ou("Workloads").account(MEMBER);
    return f.validate();
  }

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  /** organizations-delegation.yaml's statement, with OperatorPrincipalArn the CLI's identity. */
  static String delegationPolicy(String operatorArn) {
    return """
        {"Version": "2012-10-17", "Statement": [{
          "Sid": "OrgKeyRotatorReadsTheOrganization", "Effect": "Allow",
          "Principal": {"AWS": "arn:aws:iam::%1$s:root"},
          "Action": ["organizations:ListRoots", "organizations:ListOrganizationalUnitsForParent",
                     "organizations:ListAccountsForParent", "organizations:ListTagsForResource"],
          "Resource": "*",
          "Condition": {"ArnLike": {"aws:PrincipalArn": [
            "arn:aws:iam::%1$s:role/OrgKeyRotatorExecutionRole", "%2$s"]}}}]}
        """
        .formatted(CENTRAL, operatorArn);
  }

  @TempDir Path tmp;
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void theCentralAccountsCredentials() {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    SandboxCredentials c = SANDBOX.credentialsFor(CENTRAL);
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
    System.setProperty("aws.region", "us-east-1");
    System.clearProperty("aws.sessionToken");
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
  }

  private record Run(int exit, String out, String err) {}

  private Run run() throws Exception {
    Path policy = tmp.resolve("rotation.yaml");
    Files.writeString(
        policy,
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "333333333333"
        notifications:
          topicArn: arn:aws:sns:us-east-1:333333333333:key-rotation-events
        """);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
            .run(
                "run",
                "--policy",
                policy.toString(),
                "--endpoint",
                SANDBOX.endpoint().toString(),
                "--now",
                SANDBOX.sandbox().clock().now().toString());
    return new Run(exit, out.toString(), err.toString());
  }

  private OrganizationsClient managementOrganizations() {
    SandboxCredentials c = SANDBOX.credentialsFor(MANAGEMENT);
    return OrganizationsClient.builder()
        .endpointOverride(URI.create(SANDBOX.endpoint().toString()))
        .region(Region.US_EAST_1)
        .httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
        .build();
  }

  @Test
  void withoutTheDelegationTheRunExitsThreeAndChangesNothing() throws Exception {
    Run r = run();
    assertThat(r.exit).as(r.err).isEqualTo(3);
    assertThat(r.err)
        .startsWith("error: the organization could not be read: organizations ListRoots failed:")
        .contains("AccessDeniedException");
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
    assertThat(SANDBOX.sandbox().iamKeys(MEMBER, "app-orders")).hasSize(1);
  }

  @Test
  void withTheDelegationPolicyTheCentralAccountRotatesTheMembersKeys() throws Exception {
    String operator = "arn:aws:iam::" + CENTRAL + ":user/sandbox-admin"; // the CLI's identity here
    try (OrganizationsClient org = managementOrganizations()) {
      org.putResourcePolicy(b -> b.content(delegationPolicy(operator)));
    }
    Run r = run();
    assertThat(r.exit).as(r.err).isZero();
    assertThat(SANDBOX.sandbox().iamKeys(MEMBER, "app-orders"))
        .extracting(AccessKeyInfo::status)
        .containsExactly("Active", "Active");
    assertThat(
            SANDBOX.sandbox().secret(MEMBER, "us-east-1", "key-rotator/" + MEMBER + "/app-orders"))
        .isPresent();
    assertThat(SANDBOX.sandbox().calls().all())
        .filteredOn(c -> c.service().equals("organizations"))
        .allSatisfy(c -> assertThat(c.errorCode()).isNull());
  }

  @Test
  void aDelegationForAnotherPrincipalOfTheAccountIsNotEnough() throws Exception {
    try (OrganizationsClient org = managementOrganizations()) {
      org.putResourcePolicy(
          b -> b.content(delegationPolicy("arn:aws:iam::" + CENTRAL + ":role/SomeoneElse")));
    }
    Run r = run();
    assertThat(r.exit).isEqualTo(3);
    assertThat(r.err).contains("AccessDeniedException");
  }
}
