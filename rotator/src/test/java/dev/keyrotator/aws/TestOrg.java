package dev.keyrotator.aws;

import dev.keyrotator.sandbox.Fixture;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The organization the adapter tests run against, and clients for it. */
final class TestOrg {
  private TestOrg() {}

  static final String MANAGEMENT = "111111111111";

  /** Has 250 users and the interesting ones. */
  static final String WORKLOAD = "333333333333";

  static final String NO_ROLE = "999999999999";
  static final String SUSPENDED = "888888888888";
  static final String ROLE = "OrgKeyRotatorMemberRole";
  static final String EXTERNAL_ID = "key-rotator-test";
  static final String TOPIC = "key-rotation-events";

  /** Members in Prod besides the workload account: more than one page of accounts there. */
  static final int EXTRA_MEMBERS = 22;

  static Fixture fixture() {
    // no fixture clock: the sandbox reports AssumeRole's Expiration in sandbox time, and the SDK
    // compares it with the real clock, so a sandbox clock in the past means a refresh per call
    Fixture f = Fixture.create("o-testorg0001", MANAGEMENT);
    Fixture.Account mgmt = f.accounts.get(0);
    mgmt.memberRole(ROLE, EXTERNAL_ID).topic(TOPIC).tag("role", "central");

    Fixture.Ou workloads = f.ou("Workloads");
    Fixture.Ou prod = workloads.ou("Prod");
    Fixture.Ou dev = workloads.ou("Dev");
    Fixture.Ou sandbox = f.ou("Sandbox");

    Fixture.Account w =
        f.account(WORKLOAD, "prod-workloads")
            .memberRole(ROLE, EXTERNAL_ID)
            .tag("env", "prod")
            .tag("cost-center", "1234");
    prod.account(WORKLOAD);
    w.user("alice")
        .path("/engineering/")
        .tag("owner", "alice@example.com")
        .tag("team", "payments")
        .group("developers")
        .group("on-call")
        .key(Fixture.Key.of(170, 3).lastUsedService("s3"))
        .key(Fixture.Key.of(20, null));
    w.user("bob").tag("owner", "bob@example.com").key(Fixture.Key.of(200, null).inactive());
    w.user("carol");
    Fixture.User tagged = w.user("many-tags");
    for (int i = 0; i < 30; i++) {
      tagged.tag(String.format("t%02d", i), "v" + i);
    }
    for (int i = 0; i < 246; i++) {
      w.user(String.format("user-%03d", i));
    }

    f.account(NO_ROLE, "no-role");
    sandbox.account(NO_ROLE);
    f.account(SUSPENDED, "closed-one").status("SUSPENDED").memberRole(ROLE, EXTERNAL_ID);
    sandbox.account(SUSPENDED);

    Fixture.Account manyTags = f.account("444444444444", "dev-tools").memberRole(ROLE, EXTERNAL_ID);
    dev.account("444444444444");
    for (int i = 0; i < 25; i++) {
      manyTags.tag(String.format("k%02d", i), "v" + i);
    }
    for (int i = 0; i < EXTRA_MEMBERS; i++) {
      String id = String.format("%012d", 200000000000L + i);
      f.account(id, "member-" + i).memberRole(ROLE, EXTERNAL_ID).tag("index", "" + i);
      prod.account(id);
    }
    return f;
  }

  static SandboxExtension extension() {
    return SandboxExtension.withFixture(fixture());
  }

  static StaticCredentialsProvider credentials(SandboxCredentials c) {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
  }

  static StaticCredentialsProvider credentials(String keyId, String secret) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret));
  }

  static AwsSettings settings(SandboxExtension sb) {
    return AwsSettings.of(ROLE)
        .withRegion("us-east-1")
        .withEndpointOverride(sb.endpoint())
        .withExternalId(EXTERNAL_ID);
  }

  /** A client factory for the sandbox, central credentials of the management account. */
  static AwsClientFactory clients(SandboxExtension sb, CallMetrics metrics) {
    return new AwsClientFactory(settings(sb), metrics, credentials(sb.credentialsFor(MANAGEMENT)));
  }

  /** A factory whose central credentials are the admin of {@code accountId}. */
  static AwsClientFactory clientsAs(SandboxExtension sb, String accountId, CallMetrics metrics) {
    return new AwsClientFactory(settings(sb), metrics, credentials(sb.credentialsFor(accountId)));
  }

  /** The member-role assumer the adapter tests use (test role, ExternalId, 1 h sessions). */
  static StsRoleAssumer assumer(AwsClientFactory clients) {
    return new StsRoleAssumer(
        clients.sts(),
        clients,
        ROLE,
        "/",
        java.util.Optional.of(EXTERNAL_ID),
        java.time.Duration.ofHours(1));
  }
}
