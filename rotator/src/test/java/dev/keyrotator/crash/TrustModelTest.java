package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SecretInfo;
import dev.keyrotator.sandbox.SnsMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The trust model and the rotation protocol against what someone else (or another run) may have
 * left: each test recreates one case of issue 12 in the sandbox, over the real SDK clients, and
 * checks the end state (keys, secret versions and their AWSCURRENT key, messages, exit code).
 */
class TrustModelTest {
  static final String M = CrashLab.MEMBER;
  static final String OWNERS_TOPIC = "arn:aws:sns:us-east-1:111111111111:key-rotation-events";
  static final String SECURITY_TOPIC = "arn:aws:sns:us-east-1:111111111111:security-alerts";
  static final String WITH_SECURITY_TOPIC =
      CrashLab.POLICY + "reporting:\n  topicArn: " + SECURITY_TOPIC + "\n";

  @TempDir Path tmp;

  /** One member account with the users a test names, each built by {@code users}. */
  static Fixture org(java.util.function.Consumer<Fixture.Account> users) {
    Fixture f = Fixture.create("o-trustmodel01", CrashLab.CENTRAL).clock(CrashLab.START);
    f.account(CrashLab.CENTRAL, "central").topic("key-rotation-events").topic("security-alerts");
    users.accept(f.account(M, "trust-lab").memberRole(CrashLab.ROLE, CrashLab.EXTERNAL_ID));
    return f;
  }

  static RunReport run(Sandbox sb, String policy) {
    return CrashLab.runInProcess(sb, CrashLab.policy(policy.substring(CrashLab.POLICY.length())));
  }

  static UserReport user(RunReport r, String name) {
    return SnsFailuresTest.user(r, name);
  }

  static List<SnsMessage> events(Sandbox sb, String event) {
    return sb.snsMessages().stream()
        .filter(m -> event.equals(m.attributes().get("event")))
        .toList();
  }

  static Credentials admin(Sandbox sb, String account) {
    SandboxCredentials c = sb.credentialsFor(account);
    return new Credentials(
        sb,
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())));
  }

  /** SDK clients of an account's administrator: the "someone else" of the trust model. */
  record Credentials(Sandbox sb, StaticCredentialsProvider provider) {
    IamClient iam() {
      return IamClient.builder()
          .endpointOverride(sb.endpoint())
          .region(Region.AWS_GLOBAL)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(provider)
          .build();
    }

    SecretsManagerClient secrets() {
      return SecretsManagerClient.builder()
          .endpointOverride(sb.endpoint())
          .region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(provider)
          .build();
    }

    SnsClient sns() {
      return SnsClient.builder()
          .endpointOverride(sb.endpoint())
          .region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(provider)
          .build();
    }
  }

  static String currentKeyId(Sandbox sb, String user) {
    String name = CrashLab.secretName(M, SecretsManagerVault.encodeUserName(user));
    SecretInfo s = sb.secret(M, CrashLab.REGION, name).orElseThrow();
    return CrashLab.field(
        sb.secretVersionValues(M, CrashLab.REGION, name).get(s.currentVersionId()), "AccessKeyId");
  }

  static List<String> keyIds(Sandbox sb, String user) {
    return sb.iamKeys(M, user).stream().map(AccessKeyInfo::accessKeyId).toList();
  }

  static long mutatingCalls(Sandbox sb) {
    return sb.calls()
        .matching(
            c ->
                c.status() == 200
                    && (c.operation().startsWith("Create")
                        || c.operation().startsWith("Put")
                        || c.operation().startsWith("Update")
                        || c.operation().startsWith("Delete")
                        || c.operation().startsWith("Tag")
                        || c.operation().startsWith("Untag")
                        || c.operation().equals("Publish")))
        .size();
  }

  // ---------------------------------------------------------------- 1. a rotation in flight

  @Test
  void aRotationInFlightIsSkippedByAnOverlappingRunNeverRepaired() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      String old = keyIds(sb, "app").get(0);
      // run A is held right after its CreateAccessKey, before the secret is stored
      sb.faults().add(FaultRule.on("iam", "CreateAccessKey").stallAfterNth(1));
      CompletableFuture<RunReport> a =
          CompletableFuture.supplyAsync(() -> run(sb, CrashLab.POLICY));
      assertThat(sb.faults().awaitStall(Duration.ofSeconds(30))).isTrue();
      assertThat(sb.iamKeys(M, "app")).hasSize(2);

      RunReport b = run(sb, CrashLab.POLICY); // run B meets A's fresh marker

      assertThat(user(b, "app").decisions())
          .extracting(DecisionReport::action)
          .containsExactly(Action.SKIP_IN_FLIGHT);
      assertThat(sb.iamKeys(M, "app")).hasSize(2);
      sb.faults().clear();
      RunReport ra = a.get(60, TimeUnit.SECONDS);

      List<String> keys = keyIds(sb, "app");
      assertThat(keys).hasSize(2).contains(old);
      String created = keys.stream().filter(k -> !k.equals(old)).findFirst().orElseThrow();
      assertThat(currentKeyId(sb, "app")).isEqualTo(created);
      assertThat(events(sb, "key-created"))
          .singleElement()
          .satisfies(m -> assertThat(m.message()).contains(created));
      assertThat(events(sb, "orphan-repaired")).isEmpty();
      assertThat(events(sb, "rotation-failed")).isEmpty();
      assertThat(sb.userTags(M, "app")).doesNotContainKey(CrashLab.MARKER_TAG);
      assertThat(ra.partial()).isFalse();
    }
  }

  // ---------------------------------------------------------------- 2. forged tags

  @Test
  void aForgedMarkerNeverDeletesAKeyThatHasSignedARequest() {
    try (Sandbox sb =
        Sandbox.start(
            org(a -> a.user("app").tag("owner", "app@example.com").key(30, 2).key(1, 0)))) {
      List<String> before = keyIds(sb, "app");
      AccessKeyInfo fresh = sb.iamKeys(M, "app").get(1);
      // someone with iam:TagUser writes the rotator's marker dated when the fresh key was made
      try (IamClient iam = admin(sb, M).iam()) {
        iam.tagUser(
            r ->
                r.userName("app")
                    .tags(
                        software.amazon.awssdk.services.iam.model.Tag.builder()
                            .key(CrashLab.MARKER_TAG)
                            .value("run=forged at=" + fresh.createDate())
                            .build()));
      }

      RunReport r = run(sb, CrashLab.POLICY);

      assertThat(keyIds(sb, "app")).containsExactlyElementsOf(before);
      assertThat(sb.iamKeys(M, "app")).allMatch(AccessKeyInfo::active);
      assertThat(sb.userTags(M, "app")).doesNotContainKey(CrashLab.MARKER_TAG);
      assertThat(events(sb, "orphan-repaired")).isEmpty();
      assertThat(user(r, "app").notes()).anyMatch(n -> n.contains("has signed requests"));
      assertThat(r.partial()).isFalse();
    }
  }

  @Test
  void aCreateAccessKeyRefusedBecauseTheOwnerMadeAKeyClearsItsMarkerAndTheOwnersKeySurvives()
      throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      // the rotator is held after writing its marker; meanwhile the owner creates a key
      sb.faults().add(FaultRule.on("iam", "TagUser").stallAfterNth(1));
      CompletableFuture<RunReport> first =
          CompletableFuture.supplyAsync(() -> run(sb, CrashLab.POLICY));
      assertThat(sb.faults().awaitStall(Duration.ofSeconds(30))).isTrue();
      String owners;
      try (IamClient iam = admin(sb, M).iam()) {
        owners = iam.createAccessKey(r -> r.userName("app")).accessKey().accessKeyId();
      }
      sb.faults().clear();
      RunReport r = first.join();

      assertThat(user(r, "app").decisions())
          .filteredOn(d -> d.action() == Action.CREATE_KEY)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(d.error()).contains("LimitExceeded");
              });
      assertThat(sb.userTags(M, "app")).doesNotContainKey(CrashLab.MARKER_TAG);

      // the next run, after any in-flight window, leaves the owner's key alone
      sb.clock().advance(Planner.IN_FLIGHT.plusMinutes(1));
      run(sb, CrashLab.POLICY);

      assertThat(keyIds(sb, "app")).contains(owners).hasSize(2);
      assertThat(events(sb, "orphan-repaired")).isEmpty();
    }
  }

  // ---------------------------------------------------------------- 3. squatted secrets

  /** A secret with the rotator's name for {@code user}, made by someone else. */
  static void squat(Sandbox sb, String user) {
    try (SecretsManagerClient sm = admin(sb, M).secrets()) {
      String arn =
          sm.createSecret(
                  r ->
                      r.name(CrashLab.secretName(M, user))
                          .kmsKeyId("alias/someone-elses-key")
                          .secretString("{\"note\":\"collecting keys\"}"))
              .arn();
      sm.putResourcePolicy(
          r ->
              r.secretId(arn)
                  .resourcePolicy(
                      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                          + "\"Principal\":{\"AWS\":\"arn:aws:iam::999999999999:root\"},"
                          + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"));
    }
  }

  @Test
  void aSquattedSecretIsNeverWrittenIntoTheUserFailsAndSecurityIsTold() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      String old = keyIds(sb, "app").get(0);
      squat(sb, "app");
      int versionsBefore =
          sb.secretVersionValues(M, CrashLab.REGION, CrashLab.secretName(M, "app")).size();

      CrashLab.Child child = CrashLab.startRun(sb, tmp.resolve("squat"), WITH_SECURITY_TOPIC);
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(child.process().exitValue()).as(child.output()).isEqualTo(1);
      assertThat(keyIds(sb, "app")).containsExactly(old);
      assertThat(sb.secretVersionValues(M, CrashLab.REGION, CrashLab.secretName(M, "app")))
          .hasSize(versionsBefore);
      assertThat(events(sb, "rotation-failed"))
          .singleElement()
          .satisfies(m -> assertThat(m.message()).contains("not created by the rotator"));
      assertThat(events(sb, "secret-refused"))
          .singleElement()
          .satisfies(
              m -> {
                assertThat(m.topicArn()).isEqualTo(SECURITY_TOPIC);
                assertThat(m.message()).contains(CrashLab.secretName(M, "app"));
              });
      assertThat(events(sb, "key-created")).isEmpty();
    }
  }

  @Test
  void aSecretSquattedWhileTheKeyIsBeingMadeGetsNoKeyAndTheNewKeyIsDeleted() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      String old = keyIds(sb, "app").get(0);
      sb.faults().add(FaultRule.on("iam", "CreateAccessKey").stallAfterNth(1));
      CompletableFuture<RunReport> r =
          CompletableFuture.supplyAsync(() -> run(sb, WITH_SECURITY_TOPIC));
      assertThat(sb.faults().awaitStall(Duration.ofSeconds(30))).isTrue();
      squat(sb, "app");
      sb.faults().clear();
      RunReport report = r.join();

      assertThat(keyIds(sb, "app")).containsExactly(old);
      assertThat(sb.secretVersionValues(M, CrashLab.REGION, CrashLab.secretName(M, "app")))
          .hasSize(1); // only the squatter's own value
      assertThat(user(report, "app").failed()).isTrue();
      assertThat(sb.userTags(M, "app")).doesNotContainKey(CrashLab.MARKER_TAG);
      assertThat(events(sb, "secret-refused")).hasSize(1);
      assertThat(events(sb, "key-created")).isEmpty();
    }
  }

  @Test
  void aRotatorSecretScheduledForDeletionIsRefusedUntilRestoredThenRotationGoesOn() {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      String old = keyIds(sb, "app").get(0);
      String name = CrashLab.secretName(M, "app");
      try (SecretsManagerClient sm = admin(sb, M).secrets()) {
        // the rotator's own secret (its tags), then scheduled for deletion by someone
        sm.createSecret(
            r ->
                r.name(name)
                    .secretString("{\"AccessKeyId\":\"AKIAEARLIERKEY000000\"}")
                    .tags(
                        Tag.builder().key("key-rotator:user").value("app").build(),
                        Tag.builder().key("key-rotator:account").value(M).build()));
        sm.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L));
      }

      RunReport refused = run(sb, WITH_SECURITY_TOPIC);

      assertThat(keyIds(sb, "app")).containsExactly(old);
      assertThat(user(refused, "app").decisions())
          .filteredOn(d -> d.action() == Action.CREATE_KEY)
          .singleElement()
          .satisfies(d -> assertThat(d.error()).contains("scheduled for deletion"));
      assertThat(events(sb, "secret-refused")).hasSize(1);

      try (SecretsManagerClient sm = admin(sb, M).secrets()) {
        sm.restoreSecret(r -> r.secretId(name));
      }
      RunReport rotated = run(sb, WITH_SECURITY_TOPIC);

      assertThat(rotated.count(Action.CREATE_KEY, Outcome.DONE)).isEqualTo(1);
      String created =
          keyIds(sb, "app").stream().filter(k -> !k.equals(old)).findFirst().orElseThrow();
      assertThat(currentKeyId(sb, "app")).isEqualTo(created);
      assertThat(events(sb, "key-created")).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- 4. two old active keys

  @Test
  void anUnusedKeyPastItsAgeNextToAWorkingKeyIsDeactivatedSoRotationGoesOn() {
    try (Sandbox sb =
        Sandbox.start(
            org(a -> a.user("app").tag("owner", "app@example.com").key(200, 0).key(190, null)))) {
      List<AccessKeyInfo> initial = sb.iamKeys(M, "app");
      String used = initial.get(0).accessKeyId();
      String unused = initial.get(1).accessKeyId();

      RunReport first = run(sb, CrashLab.POLICY);

      assertThat(user(first, "app").decisions())
          .extracting(DecisionReport::action, DecisionReport::keyId, DecisionReport::outcome)
          .contains(
              org.assertj.core.groups.Tuple.tuple(Action.DEACTIVATE_KEY, unused, Outcome.DONE));
      assertThat(sb.iamKeys(M, "app"))
          .filteredOn(k -> k.accessKeyId().equals(used))
          .allMatch(AccessKeyInfo::active);

      // past the recovery window the unused key makes room and a new key is created
      sb.clock().advanceDays(6);
      RunReport later = run(sb, CrashLab.POLICY);

      assertThat(later.count(Action.DELETE_KEY, Outcome.DONE)).isEqualTo(1);
      assertThat(later.count(Action.CREATE_KEY, Outcome.DONE)).isEqualTo(1);
      List<String> keys = keyIds(sb, "app");
      assertThat(keys).hasSize(2).contains(used).doesNotContain(unused);
      String created = keys.stream().filter(k -> !k.equals(used)).findFirst().orElseThrow();
      assertThat(currentKeyId(sb, "app")).isEqualTo(created);
      assertThat(events(sb, "key-deactivated")).hasSize(1);
      assertThat(events(sb, "key-created")).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- 5. the notification topic

  @Test
  void aMissingNotificationTopicStopsTheRunBeforeAnyChange() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      List<String> before = keyIds(sb, "app");
      sb.calls().clear();
      String policy = CrashLab.POLICY.replace("key-rotation-events", "no-such-topic");

      CrashLab.Child child = CrashLab.startRun(sb, tmp.resolve("missing"), policy);
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(child.process().exitValue()).as(child.output()).isEqualTo(2);
      assertThat(child.stderrText().lines().filter(l -> l.startsWith("error:")))
          .singleElement()
          .satisfies(l -> assertThat(l).contains(":no-such-topic").contains("does not exist"));
      assertThat(keyIds(sb, "app")).isEqualTo(before);
      assertThat(mutatingCalls(sb)).isZero();
      assertThat(sb.snsMessages()).isEmpty();
    }
  }

  @Test
  void aTopicThatDeniesPublishingStopsTheRunBeforeAnyChange() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      try (SnsClient sns = admin(sb, CrashLab.CENTRAL).sns()) {
        sns.setTopicAttributes(
            r ->
                r.topicArn(OWNERS_TOPIC)
                    .attributeName("Policy")
                    .attributeValue(
                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Frozen\","
                            + "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sns:Publish\","
                            + "\"Resource\":\""
                            + OWNERS_TOPIC
                            + "\"}]}"));
      }
      List<String> before = keyIds(sb, "app");
      sb.calls().clear();

      CrashLab.Child child = CrashLab.startRun(sb, tmp.resolve("denied"), CrashLab.POLICY);
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(child.process().exitValue()).as(child.output()).isEqualTo(2);
      assertThat(child.stderrText())
          .contains("error: notification topic " + OWNERS_TOPIC + " denies publishing");
      assertThat(keyIds(sb, "app")).isEqualTo(before);
      assertThat(mutatingCalls(sb)).isZero();
    }
  }

  @Test
  void aPublishThatFailsLaterMakesTheRunPartialAndSaysSo() throws Exception {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("app").tag("owner", "app@example.com").key(170, 1)))) {
      sb.faults().add(FaultRule.on("sns", "Publish").errorRate(1.0));

      CrashLab.Child child = CrashLab.startRun(sb, tmp.resolve("lost"), CrashLab.POLICY);
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(child.process().exitValue()).as(child.output()).isEqualTo(1);
      assertThat(child.stderrText()).contains("could not be published to SNS").contains("partial");
      assertThat(sb.iamKeys(M, "app")).hasSize(2); // the rotation itself went on
      assertThat(sb.snsMessages()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- 6. invalid combined overrides

  @Test
  void overridesThatCombineIntoInvalidThresholdsStopTheRunBeforeAnyChange() throws Exception {
    String other = "444444444444";
    Fixture f = Fixture.create("o-trustmodel01", CrashLab.CENTRAL).clock(CrashLab.START);
    f.account(CrashLab.CENTRAL, "central").topic("key-rotation-events");
    Fixture.Ou prod = f.ou("Prod");
    prod.id = "ou-tm01-prod0001";
    f.account(M, "fine").memberRole(CrashLab.ROLE, CrashLab.EXTERNAL_ID).user("app").key(170, 1);
    f.account(other, "broken")
        .tag("tier", "gold")
        .memberRole(CrashLab.ROLE, CrashLab.EXTERNAL_ID)
        .user("app")
        .key(170, 1);
    prod.account(M).account(other);
    try (Sandbox sb = Sandbox.start(f)) {
      sb.calls().clear();
      Path policy = tmp.resolve("policy.yaml");
      Files.createDirectories(tmp);
      Files.writeString(
          policy,
          CrashLab.POLICY
              + """
              overrides:
                - ou: ou-tm01-prod0001
                  createAfterDays: 75
                  deactivateAfterDays: 90
                  deleteAfterDays: 97
                - accountTag: {key: tier, value: gold}
                  createAfterDays: 100
              """);

      CrashLab.Child child =
          CrashLab.startCli(
              sb,
              tmp.resolve("combined"),
              "run",
              "--policy",
              policy.toString(),
              "--endpoint",
              sb.endpoint().toString(),
              "--now",
              sb.clock().now().toString(),
              "--json");
      assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

      assertThat(child.process().exitValue()).as(child.output()).isEqualTo(2);
      assertThat(child.stderrText()).contains("account " + other).contains("nothing was changed");
      assertThat(sb.iamKeys(M, "app")).hasSize(1);
      assertThat(sb.iamKeys(other, "app")).hasSize(1);
      assertThat(mutatingCalls(sb)).isZero();
      assertThat(sb.calls().count("sts", "AssumeRole")).isZero();
    }
  }

  // ---------------------------------------------------------------- 7. a single shortening tag

  @Test
  void aSingleDeactivateTagShortensTheUsersThresholdsConsistentlyInsteadOfBeingDropped() {
    try (Sandbox sb =
        Sandbox.start(
            org(
                a ->
                    a.user("app")
                        .tag("owner", "app@example.com")
                        .tag("key-rotator:deactivate-after-days", "30")
                        .key(20, 1)))) {
      String old = keyIds(sb, "app").get(0);

      RunReport r = run(sb, CrashLab.POLICY);

      assertThat(user(r, "app").notes())
          .anyMatch(n -> n.contains("create 15, deactivate 30, delete 185"));
      String created =
          keyIds(sb, "app").stream().filter(k -> !k.equals(old)).findFirst().orElseThrow();
      assertThat(currentKeyId(sb, "app")).isEqualTo(created);
      assertThat(events(sb, "key-created")).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- 8. a comma in a user name

  @Test
  void aUserNameWithACommaGetsItsSecretUnderAReversibleNameAndIsRotatedOnce() {
    try (Sandbox sb =
        Sandbox.start(org(a -> a.user("svc,reports").tag("owner", "r@example.com").key(170, 1)))) {
      String old = keyIds(sb, "svc,reports").get(0);

      RunReport first = run(sb, CrashLab.POLICY);
      sb.clock().advance(Duration.ofHours(1));
      RunReport second = run(sb, CrashLab.POLICY);

      String name = CrashLab.secretName(M, "svc/reports");
      assertThat(SecretsManagerVault.decodeUserName("svc/reports")).isEqualTo("svc,reports");
      assertThat(sb.secretNames(M, CrashLab.REGION)).containsExactly(name);
      List<String> keys = keyIds(sb, "svc,reports");
      assertThat(keys).hasSize(2).contains(old);
      String created = keys.stream().filter(k -> !k.equals(old)).findFirst().orElseThrow();
      assertThat(currentKeyId(sb, "svc,reports")).isEqualTo(created);
      assertThat(first.count(Action.CREATE_KEY, Outcome.DONE)).isEqualTo(1);
      assertThat(second.count(Action.CREATE_KEY, Outcome.DONE)).isZero();
      assertThat(sb.calls().count("iam", "DeleteAccessKey")).isZero();
      assertThat(events(sb, "key-created")).hasSize(1);
      assertThat(
              first.accounts().stream()
                  .filter(x -> x.accountId().equals(M))
                  .findFirst()
                  .orElseThrow()
                  .scan())
          .hasValueSatisfying(s -> assertThat(s.label()).isEqualTo("credential-report"));
    }
  }
}
