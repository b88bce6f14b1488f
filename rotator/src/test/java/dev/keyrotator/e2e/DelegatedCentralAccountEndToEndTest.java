package dev.keyrotator.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.cli.Main;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.cfn.CfnTemplate;
import dev.keyrotator.wiring.Injectors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
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
 *
 * <p>The management account has no member role (service-managed StackSets never deploy there), so
 * it is SKIPPED with that reason and never entered, unless {@code includeManagementAccount: true}
 * and the role was deployed there as a plain stack of stacksets/member-role.yaml.
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
    // no member role: a service-managed StackSet never deploys to the management account
    f.account(MANAGEMENT, "management").user("ci-deployer").key(170, 2);
    f.account(CENTRAL, "central")
        .topic("key-rotation-events")
        .bucket("reports-333333333333", CENTRAL);
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
    return cli("", "run", "--json");
  }

  private Run cli(String organizationExtra, String... args) throws Exception {
    Path policy = tmp.resolve("rotation.yaml");
    Files.writeString(
        policy,
        """
        version: 1
        organization:
          memberRoleName: OrgKeyRotatorMemberRole
          externalId: key-rotator-demo
          centralAccountId: "333333333333"
        %s
        notifications:
          topicArn: arn:aws:sns:us-east-1:333333333333:key-rotation-events
        """
            .formatted(organizationExtra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(
        List.of(
            "--policy",
            policy.toString(),
            "--endpoint",
            SANDBOX.endpoint().toString(),
            "--now",
            SANDBOX.sandbox().clock().now().toString()));
    int exit =
        new Main(new PrintWriter(out), new PrintWriter(err), Map.of())
            .run(argv.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  /** The delegation attached for the CLI's identity and the central execution role. */
  private void delegate() {
    String operator = "arn:aws:iam::" + CENTRAL + ":user/sandbox-admin"; // the CLI's identity here
    try (OrganizationsClient org = managementOrganizations()) {
      org.putResourcePolicy(b -> b.content(delegationPolicy(operator)));
    }
  }

  /** The account's entry in a JSON report. */
  private static JsonNode account(String reportJson, String id) throws Exception {
    for (JsonNode a : new ObjectMapper().readTree(reportJson).get("report").get("accounts")) {
      if (a.get("accountId").asText().equals(id)) {
        return a;
      }
    }
    throw new AssertionError("no account " + id + " in " + reportJson);
  }

  private List<String> assumeRoleErrors() {
    return SANDBOX.sandbox().calls().all().stream()
        .filter(c -> c.operation().equals("AssumeRole"))
        .map(c -> String.valueOf(c.errorCode()))
        .toList();
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
    delegate();
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
    // the management account: in the report as SKIPPED with the reason, never entered
    JsonNode management = account(r.out, MANAGEMENT);
    assertThat(management.get("status").asText()).isEqualTo("SKIPPED");
    assertThat(management.get("reason").asText())
        .isEqualTo(
            "the management account (organization.includeManagementAccount is false:"
                + " StackSets do not deploy the member role there)");
    assertThat(assumeRoleErrors()).containsExactly("null"); // the member's only, and it succeeded
    assertThat(SANDBOX.sandbox().iamKeys(MANAGEMENT, "ci-deployer")).hasSize(1);
  }

  @Test
  void theFanOutsListStepLeavesTheManagementAccountOut() throws Exception {
    delegate();
    PolicyFile policy =
        PolicyFileLoader.parse(
            "list.yaml",
            """
            version: 1
            organization:
              memberRoleName: OrgKeyRotatorMemberRole
              externalId: key-rotator-demo
              centralAccountId: "333333333333"
            notifications:
              topicArn: arn:aws:sns:us-east-1:333333333333:key-rotation-events
            reporting:
              bucket: reports-333333333333
            """
                .getBytes(StandardCharsets.UTF_8));
    SandboxCredentials c = SANDBOX.credentialsFor(CENTRAL);
    Injector injector =
        Injectors.forRun(
            policy,
            SANDBOX.sandbox().clock(),
            Progress.silent(),
            Optional.of(SANDBOX.endpoint()),
            AwsModule.withCredentials(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))));
    try {
      RotationService.Batches batches =
          injector.getInstance(RotationService.class).list("list-1", 10);
      assertThat(batches.batches())
          .extracting(RotationService.Batch::accounts)
          .containsExactly(List.of(MEMBER)); // not the management account
    } finally {
      Injectors.close(injector);
    }
    assertThat(assumeRoleErrors()).isEmpty();
  }

  @Test
  void rotateNowRefusesTheManagementAccountUnlessIncluded() throws Exception {
    delegate();
    Run r = cli("", "rotate-now", "--account", MANAGEMENT, "--user", "ci-deployer");
    assertThat(r.exit).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo(
            "error: account "
                + MANAGEMENT
                + " is left out by the policy (the management account"
                + " (organization.includeManagementAccount is false: StackSets do not deploy the"
                + " member role there)); nothing was changed")
        .doesNotContain("\n");
    assertThat(SANDBOX.sandbox().calls().mutating())
        .extracting(CallRecord::operation)
        .containsExactly("PutResourcePolicy"); // the test's delegation, nothing of the rotator's
    assertThat(assumeRoleErrors()).isEmpty();
  }

  /**
   * includeManagementAccount: true, and stacksets/member-role.yaml deployed in the management
   * account as a plain stack (its policies enforced): rotated like any member, as the central
   * execution role.
   */
  @Test
  void withIncludeManagementAccountAndTheRoleDeployedThereItIsRotated() throws Exception {
    delegate();
    DeployedTemplates deployed =
        DeployedTemplates.into(
            SANDBOX.sandbox(),
            new DeployedTemplates.Settings(
                CENTRAL,
                CENTRAL,
                "key-rotator-demo",
                "org-key-rotator-reports-" + CENTRAL,
                "reports/",
                "arn:aws:sns:us-east-1:" + CENTRAL + ":key-rotation-events",
                "arn:aws:sns:us-east-1:" + CENTRAL + ":key-rotation-summary",
                "member",
                "",
                "/",
                "path",
                false,
                UnaryOperator.identity(),
                UnaryOperator.identity()));
    // member-role.yaml as a plain stack in the management account, InManagementAccount=true
    Map<String, String> parameters = new HashMap<>();
    parameters.put("CentralExecutionRoleArn", deployed.executionRoleArn());
    parameters.put("ExternalId", "key-rotator-demo");
    parameters.put("OrganizationId", SANDBOX.sandbox().organizationId());
    parameters.put("ManagementAccountId", MANAGEMENT);
    parameters.put("InManagementAccount", "true");
    CfnTemplate.Rendered plainStack =
        DeployedTemplates.template("member-role.yaml")
            .render(parameters, MANAGEMENT, DeployedTemplates.REGION, Map.of());
    SANDBOX
        .sandbox()
        .deployRole(
            MANAGEMENT,
            "/",
            DeployedTemplates.MEMBER_ROLE,
            plainStack.trustPolicy("MemberRole"),
            plainStack.rolePolicies("MemberRole"));
    SandboxCredentials c = deployed.centralCredentials();
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
    System.setProperty("aws.sessionToken", c.sessionToken());

    Run r = cli("  includeManagementAccount: true", "run", "--json");
    assertThat(r.exit).as(r.err).isZero();
    assertThat(account(r.out, MANAGEMENT).get("status").asText()).isNotEqualTo("SKIPPED");
    assertThat(SANDBOX.sandbox().iamKeys(MANAGEMENT, "ci-deployer"))
        .extracting(AccessKeyInfo::status)
        .containsExactly("Active", "Active");
    assertThat(SANDBOX.sandbox().iamKeys(MEMBER, "app-orders")).hasSize(2);
    assertThat(SANDBOX.sandbox().calls().all())
        .filteredOn(call -> call.principalArn() != null && call.principalArn().contains(":role/"))
        .isNotEmpty()
        .allSatisfy(call -> assertThat(call.enforced()).as(call.toString()).isTrue())
        .noneMatch(CallRecord::accessDenied);
    assertThat(assumeRoleErrors()).containsExactly("null", "null"); // the member and management
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
