package dev.keyrotator.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.iampolicy.PolicyDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The roles grant exactly what the code calls, checked both ways against the sandbox's call log:
 * the deployed product (Lambda handler, policy file in S3, a whole lifecycle over three weeks, a
 * per-user scan, a fanned-out run, the central secret store) runs as the execution role and the
 * member roles rendered from {@code stacksets/}, with their policies enforced. Then every call it
 * made was allowed to the role that made it (nothing refused but AssumeRole into the account
 * without the member role), and every action a role's policy allows was called by it, except the
 * ones {@code permissions.yaml} marks {@code calledBy} a service acting for the role (Lambda's logs
 * and DLQ, SNS's and Secrets Manager's use of KMS), which the sandbox cannot see.
 *
 * <p>So a template change that adds an unneeded action fails {@link
 * #everyGrantedActionIsCalledAndEveryCallIsGranted} ({@link #addingAnUnneededActionIsCaught} shows
 * it); one that drops a needed action is refused in the run ({@link
 * #droppingANeededMemberActionIsCaught}, {@link #droppingANeededCentralActionFailsTheRun}).
 */
class LeastPrivilegeTest {
  static final String CONFIG_BUCKET = "org-key-rotator-config-111111111111";
  static final String POLICY_KEY = "config/rotation.yaml";

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  final List<String> logged = new CopyOnWriteArrayList<>();

  static Fixture fixture() {
    Fixture f = Fixture.demo();
    f.accounts.stream()
        .filter(a -> a.id.equals("111111111111"))
        .findFirst()
        .orElseThrow()
        .bucket(CONFIG_BUCKET);
    return f;
  }

  @AfterEach
  void clear() {
    LambdaTestEnvironment.tearDown();
  }

  /** Granted-but-not-observable actions per role: what a service calls for the role. */
  @SuppressWarnings("unchecked")
  static Set<String> calledByAService(String role) {
    try (InputStream in =
        Files.newInputStream(DeployedTemplates.STACKSETS.resolve("permissions.yaml"))) {
      Map<String, Object> root = new Yaml().load(in);
      Map<String, Object> r =
          (Map<String, Object>) ((Map<String, Object>) root.get("roles")).get(role);
      Set<String> out = new TreeSet<>();
      for (Object o : (List<Object>) r.get("actions")) {
        Map<String, Object> a = (Map<String, Object>) o;
        if (a.get("calledBy") != null) out.add((String) a.get("action"));
      }
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Set<String> allowed(List<String> policies) {
    Set<String> out = new TreeSet<>();
    for (String p : policies) out.addAll(PolicyDocument.parse("rendered", p).allowedActions());
    return out;
  }

  /** The actions each role was authorized for, by the role's ARN. */
  static Set<String> called(List<CallRecord> calls, String roleArnSuffix) {
    Set<String> out = new TreeSet<>();
    for (CallRecord c : calls) {
      if (c.principalArn() != null
          && c.principalArn().endsWith(roleArnSuffix)
          && !c.accessDenied()) {
        out.addAll(c.actions());
      }
    }
    return out;
  }

  /** Granted but never called (and not a service's): what the role should not have. */
  static Set<String> unneeded(Set<String> granted, Set<String> called, Set<String> byService) {
    Set<String> out = new TreeSet<>(granted);
    out.removeAll(called);
    out.removeAll(byService);
    return out;
  }

  Map<String, String> env(Path dir, DeployedTemplates.Settings s, Map<String, String> extra)
      throws IOException {
    Map<String, String> env = new HashMap<>(LambdaTestEnvironment.setUp(SANDBOX, dir, extra, s));
    return env;
  }

  /**
   * Puts the shipped policy file, with an account-tag override (which makes the run read account
   * tags), into the central account's config bucket (as its admin).
   */
  static void uploadPolicyFile(Sandbox sb) throws IOException {
    SandboxCredentials admin = sb.credentialsFor("111111111111");
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(sb.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
            .build()) {
      s3.putObject(
          r -> r.bucket(CONFIG_BUCKET).key(POLICY_KEY),
          RequestBody.fromString(
              Files.readString(Path.of("../config/rotation.yaml"))
                  + "overrides:\n"
                  + "  - accountTag: {key: env, value: dev}\n"
                  + "    createAfterDays: 160\n"));
    }
  }

  /** Everything the deployed product does, as the deployed roles. */
  List<CallRecord> runEverything(Path dir, DeployedTemplates.Settings s) throws IOException {
    Sandbox sb = SANDBOX.sandbox();
    uploadPolicyFile(sb);
    sb.calls().clear();
    Map<String, String> env =
        env(
            dir,
            s.policyFile("s3://" + CONFIG_BUCKET + "/" + POLICY_KEY),
            Map.of(
                "KEY_ROTATOR_POLICY_URI",
                "s3://" + CONFIG_BUCKET + "/" + POLICY_KEY,
                "KEY_ROTATOR_POLICY_BUCKET_OWNER",
                "111111111111",
                "KEY_ROTATOR_SECRET_STORE",
                s.secretStore(),
                "KEY_ROTATOR_BATCH_SIZE",
                "2"));
    RotationHandler handler = new RotationHandler(env, sb.clock());
    // day 0: creates, markers, secrets; one account read user by user (ListUsers)
    sb.faults()
        .add(
            FaultRule.on("iam", "GenerateCredentialReport").account("444444444444").errorRate(1.0));
    handler.handleRequest(Map.of(), new FakeLambdaContext(900_000, logged));
    sb.faults().clear();
    // day 11 and 21: deactivations, deletes, warnings and their history tags, new versions
    sb.clock().advanceDays(11);
    handler.handleRequest(Map.of(), new FakeLambdaContext(900_000, logged));
    sb.clock().advanceDays(10);
    handler.handleRequest(Map.of(), new FakeLambdaContext(900_000, logged));
    // an owner shortens a rotated user's rotation age: its secret exists, so the new key goes in
    // as a new version (DescribeSecret, GetResourcePolicy to check it is the rotator's secret,
    // PutSecretValue)
    dev.keyrotator.sandbox.SandboxCredentials admin = sb.credentialsFor("333333333333");
    try (var iam =
        software.amazon.awssdk.services.iam.IamClient.builder()
            .endpointOverride(sb.endpoint())
            .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        admin.accessKeyId(), admin.secretAccessKey())))
            .build()) {
      iam.tagUser(
          r ->
              r.userName("app-orders")
                  .tags(t -> t.key("key-rotator:create-after-days").value("20")));
    }
    // (six days on: its old key, deactivated on day 21, is past its recovery window and deleted
    // first, to make room)
    sb.clock().advanceDays(6);
    handler.handleRequest(Map.of(), new FakeLambdaContext(900_000, logged));
    // a fanned-out run: list, rotate the batches, merge the parts
    Map<String, Object> listed =
        handler.handleRequest(
            new HashMap<>(Map.of("action", "list", "runId", "lp-fan")),
            new FakeLambdaContext(900_000, logged));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> batches = (List<Map<String, Object>>) listed.get("batches");
    for (Map<String, Object> b : batches) {
      Map<String, Object> event = new HashMap<>(b);
      event.put("action", "rotate");
      handler.handleRequest(event, new FakeLambdaContext(900_000, logged));
    }
    handler.handleRequest(
        new HashMap<>(Map.of("action", "merge", "runId", "lp-fan", "batches", batches)),
        new FakeLambdaContext(900_000, logged));
    // an exposed key AWS reported (issue 16): its owner found (GetAccessKeyLastUsed), rotated now,
    // and whether AWS's quarantine policy is on the user read (ListAttachedUserPolicies)
    String exposed = sb.iamKeys("444444444444", "dev-ci").get(0).accessKeyId();
    handler.handleRequest(
        ExposedKeyEventEndToEndTest.healthEvent("444444444444", exposed),
        new FakeLambdaContext(900_000, logged));
    // every call but the owner's own TagUser above (as the account's admin) is the product's
    return sb.calls().all().stream()
        .filter(
            c ->
                !(c.operation().equals("TagUser")
                    && c.principalArn().endsWith(":user/sandbox-admin")))
        .toList();
  }

  static void everyCallWasAllowed(List<CallRecord> calls) {
    assertThat(calls).isNotEmpty();
    assertThat(calls).allSatisfy(c -> assertThat(c.enforced()).as(c.toString()).isTrue());
    assertThat(calls)
        .filteredOn(CallRecord::accessDenied)
        .allSatisfy(
            c -> assertThat(c.actions()).as(c.toString()).containsExactly("sts:AssumeRole"));
  }

  @Test
  void everyGrantedActionIsCalledAndEveryCallIsGranted(@TempDir Path dir) throws IOException {
    DeployedTemplates.Settings s = DeployedTemplates.Settings.demo();
    List<CallRecord> calls = runEverything(dir, s);
    everyCallWasAllowed(calls);

    DeployedTemplates d =
        DeployedTemplates.into(
            SANDBOX.sandbox(), s.policyFile("s3://" + CONFIG_BUCKET + "/" + POLICY_KEY));
    Set<String> central = allowed(d.central().rolePolicies("ExecutionRole"));
    Set<String> member = allowed(d.member("333333333333").rolePolicies("MemberRole"));
    assertThat(
            unneeded(
                central,
                called(calls, ":role/" + DeployedTemplates.EXECUTION_ROLE),
                calledByAService("central")))
        .as("central role actions granted but never called")
        .isEmpty();
    assertThat(
            unneeded(
                member,
                called(calls, ":role/" + DeployedTemplates.MEMBER_ROLE),
                calledByAService("member")))
        .as("member role actions granted but never called")
        .isEmpty();
  }

  @Test
  void theCentralSecretStoreUsesExactlyItsSecretsManagerGrants(@TempDir Path dir)
      throws IOException {
    DeployedTemplates.Settings s = DeployedTemplates.Settings.demo().secretStore("central");
    List<CallRecord> calls = runEverything(dir, s);
    everyCallWasAllowed(calls);
    assertThat(SANDBOX.sandbox().secretNames("111111111111", "us-east-1"))
        .contains("key-rotator/333333333333/app-orders");

    DeployedTemplates d =
        DeployedTemplates.into(
            SANDBOX.sandbox(), s.policyFile("s3://" + CONFIG_BUCKET + "/" + POLICY_KEY));
    Set<String> central = allowed(d.central().rolePolicies("ExecutionRole"));
    assertThat(central).contains("secretsmanager:CreateSecret", "secretsmanager:PutResourcePolicy");
    assertThat(
            unneeded(
                central,
                called(calls, ":role/" + DeployedTemplates.EXECUTION_ROLE),
                calledByAService("central")))
        .isEmpty();
  }

  @Test
  void addingAnUnneededActionIsCaught(@TempDir Path dir) throws IOException {
    UnaryOperator<String> addListRoles =
        p -> p.replaceFirst("\"iam:ListUsers\"", "\"iam:ListUsers\",\"iam:ListRoles\"");
    DeployedTemplates.Settings s = DeployedTemplates.Settings.demo().editMemberPolicy(addListRoles);
    List<CallRecord> calls = runEverything(dir, s);
    everyCallWasAllowed(calls); // an extra grant breaks nothing at run time...
    DeployedTemplates d = DeployedTemplates.into(SANDBOX.sandbox(), s);
    Set<String> member =
        allowed(
            d.member("333333333333").rolePolicies("MemberRole").stream()
                .map(addListRoles)
                .toList());
    // ...but the check finds it
    assertThat(
            unneeded(
                member,
                called(calls, ":role/" + DeployedTemplates.MEMBER_ROLE),
                calledByAService("member")))
        .containsExactly("iam:ListRoles");
  }

  @Test
  void droppingANeededMemberActionIsCaught(@TempDir Path dir) throws IOException {
    DeployedTemplates.Settings s =
        DeployedTemplates.Settings.demo()
            .editMemberPolicy(p -> p.replace("\"iam:UpdateAccessKey\",", ""));
    List<CallRecord> calls = runEverything(dir, s);
    assertThat(calls)
        .filteredOn(CallRecord::accessDenied)
        .extracting(c -> c.actions().get(c.actions().size() - 1))
        .contains("iam:UpdateAccessKey");
  }

  @Test
  void droppingANeededCentralActionFailsTheRun(@TempDir Path dir) {
    DeployedTemplates.Settings s =
        DeployedTemplates.Settings.demo()
            .editCentralPolicy(
                p ->
                    p.replace(
                        "\"organizations:ListTagsForResource\"",
                        "\"organizations:DescribeAccount\""));
    assertThatThrownBy(() -> runEverything(dir, s))
        .hasMessageContaining("not authorized to perform: organizations:ListTagsForResource");
  }
}
