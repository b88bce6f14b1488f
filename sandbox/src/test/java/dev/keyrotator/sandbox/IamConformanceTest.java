package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.CreateAccessKeyResponse;
import software.amazon.awssdk.services.iam.model.CredentialReportExpiredException;
import software.amazon.awssdk.services.iam.model.CredentialReportNotPresentException;
import software.amazon.awssdk.services.iam.model.GetAccessKeyLastUsedResponse;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.LimitExceededException;
import software.amazon.awssdk.services.iam.model.ListUsersRequest;
import software.amazon.awssdk.services.iam.model.ListUsersResponse;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.ReportStateType;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.User;

class IamConformanceTest {
  static final String BIG = "999999999999";

  static Fixture fixture() {
    Fixture f = Fixture.demo();
    Fixture.Account big = f.account(BIG, "many-users");
    for (int i = 0; i < 250; i++)
      big.user(String.format("svc-%03d", i)).path(i % 2 == 0 ? "/even/" : "/odd/");
    return f.validate();
  }

  @RegisterExtension
  static final SandboxExtension SANDBOX = SandboxExtension.withFixture(fixture());

  IamClient iam(String account) {
    return Clients.admin(SANDBOX.sandbox(), account).iam();
  }

  @Test
  void listUsersPagesLikeAwsAndThePaginatorReadsAllThreePages() {
    IamClient iam = iam(BIG);
    List<ListUsersResponse> pages =
        iam.listUsersPaginator(ListUsersRequest.builder().build()).stream().toList();
    assertThat(pages).hasSize(3);
    assertThat(pages.get(0).users()).hasSize(100);
    assertThat(pages.get(0).isTruncated()).isTrue();
    assertThat(pages.get(2).users()).hasSize(50);
    assertThat(pages.get(2).isTruncated()).isFalse();
    assertThat(pages.stream().flatMap(p -> p.users().stream()).map(User::userName).distinct())
        .hasSize(250);
    assertThat(SANDBOX.sandbox().calls().count("iam", "ListUsers")).isEqualTo(3);
  }

  @Test
  void listUsersHonoursMaxItemsAndPathPrefix() {
    IamClient iam = iam(BIG);
    ListUsersResponse first = iam.listUsers(b -> b.maxItems(7).pathPrefix("/odd/"));
    assertThat(first.users()).hasSize(7).allSatisfy(u -> assertThat(u.path()).isEqualTo("/odd/"));
    assertThat(first.marker()).isNotBlank();
    ListUsersResponse next =
        iam.listUsers(b -> b.maxItems(200).pathPrefix("/odd/").marker(first.marker()));
    assertThat(next.users()).hasSize(118);
    assertThat(next.isTruncated()).isFalse();
  }

  @Test
  void getUserReturnsArnPathTagsAndUnknownUserIsNoSuchEntity() {
    IamClient iam = iam("333333333333");
    User u = iam.getUser(b -> b.userName("break-glass")).user();
    assertThat(u.arn()).isEqualTo("arn:aws:iam::333333333333:user/break-glass");
    assertThat(u.userId()).startsWith("AIDA");
    assertThat(u.tags()).contains(Tag.builder().key("KeyRotation").value("exempt").build());
    assertThat(u.createDate()).isBefore(Instant.now().minus(Duration.ofDays(299)));
    assertThatThrownBy(() -> iam.getUser(b -> b.userName("nobody")))
        .isInstanceOf(NoSuchEntityException.class)
        .satisfies(e -> assertThat(((NoSuchEntityException) e).statusCode()).isEqualTo(404));
  }

  @Test
  void tagsCanBeListedAddedAndRemoved() {
    IamClient iam = iam("333333333333");
    assertThat(iam.listUserTags(b -> b.userName("app-orders")).tags())
        .extracting(Tag::key)
        .containsExactly("owner");
    iam.tagUser(
        b -> b.userName("app-orders").tags(Tag.builder().key("team").value("orders").build()));
    iam.untagUser(b -> b.userName("app-orders").tagKeys("owner"));
    assertThat(iam.listUserTags(b -> b.userName("app-orders")).tags())
        .containsExactly(Tag.builder().key("team").value("orders").build());
    assertThat(SANDBOX.sandbox().userTags("333333333333", "app-orders"))
        .containsEntry("team", "orders");
  }

  @Test
  void groupsForUserAreListed() {
    assertThat(iam("333333333333").listGroupsForUser(b -> b.userName("break-glass")).groups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.groupName()).isEqualTo("admins");
              assertThat(g.arn()).isEqualTo("arn:aws:iam::333333333333:group/admins");
            });
  }

  @Test
  void accessKeysAreListedWithStatusAndAge() {
    List<AccessKeyMetadata> keys =
        iam("333333333333").listAccessKeys(b -> b.userName("batch-reports")).accessKeyMetadata();
    assertThat(keys).hasSize(2);
    assertThat(keys)
        .allSatisfy(
            k -> {
              assertThat(k.accessKeyId()).matches("AKIA[A-Z2-7]{16}");
              assertThat(k.status()).isEqualTo(StatusType.ACTIVE);
            });
    Instant now = SANDBOX.sandbox().clock().now();
    assertThat(Duration.between(keys.get(0).createDate(), now).toDays()).isEqualTo(181);
    assertThat(
            iam("333333333333")
                .listAccessKeys(b -> b.userName("readonly-auditor"))
                .accessKeyMetadata())
        .isEmpty();
  }

  @Test
  void createUpdateDeleteAccessKeyAndTheThirdKeyIsLimitExceeded() {
    IamClient iam = iam("333333333333");
    CreateAccessKeyResponse created = iam.createAccessKey(b -> b.userName("etl-loader"));
    assertThat(created.accessKey().accessKeyId()).matches("AKIA[A-Z2-7]{16}");
    assertThat(created.accessKey().secretAccessKey()).hasSize(40);
    assertThat(created.accessKey().status()).isEqualTo(StatusType.ACTIVE);
    assertThatThrownBy(() -> iam.createAccessKey(b -> b.userName("etl-loader")))
        .isInstanceOf(LimitExceededException.class)
        .satisfies(e -> assertThat(((IamException) e).statusCode()).isEqualTo(409));

    String old = SANDBOX.sandbox().iamKeys("333333333333", "etl-loader").get(0).accessKeyId();
    iam.updateAccessKey(b -> b.userName("etl-loader").accessKeyId(old).status(StatusType.INACTIVE));
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "etl-loader").get(0).status())
        .isEqualTo("Inactive");
    iam.deleteAccessKey(b -> b.userName("etl-loader").accessKeyId(old));
    assertThat(SANDBOX.sandbox().iamKeys("333333333333", "etl-loader"))
        .extracting(AccessKeyInfo::accessKeyId)
        .containsExactly(created.accessKey().accessKeyId());
    assertThatThrownBy(() -> iam.deleteAccessKey(b -> b.userName("etl-loader").accessKeyId(old)))
        .isInstanceOf(NoSuchEntityException.class);
    assertThatThrownBy(() -> iam.createAccessKey(b -> b.userName("ghost")))
        .isInstanceOf(NoSuchEntityException.class);
  }

  @Test
  void invalidStatusIsValidationError() {
    IamClient iam = iam("333333333333");
    String id = SANDBOX.sandbox().iamKeys("333333333333", "etl-loader").get(0).accessKeyId();
    assertThatThrownBy(
            () ->
                iam.updateAccessKey(b -> b.userName("etl-loader").accessKeyId(id).status("Paused")))
        .isInstanceOf(IamException.class)
        .satisfies(
            e -> {
              assertThat(((IamException) e).awsErrorDetails().errorCode())
                  .isEqualTo("ValidationError");
              assertThat(((IamException) e).statusCode()).isEqualTo(400);
            });
  }

  @Test
  void accessKeyLastUsedReportsDateServiceRegionOrNa() {
    IamClient iam = iam("333333333333");
    List<AccessKeyInfo> keys = SANDBOX.sandbox().iamKeys("333333333333", "batch-reports");
    GetAccessKeyLastUsedResponse never =
        iam.getAccessKeyLastUsed(b -> b.accessKeyId(keys.get(0).accessKeyId()));
    assertThat(never.userName()).isEqualTo("batch-reports");
    assertThat(never.accessKeyLastUsed().lastUsedDate()).isNull();
    assertThat(never.accessKeyLastUsed().serviceName()).isEqualTo("N/A");
    assertThat(never.accessKeyLastUsed().region()).isEqualTo("N/A");
    GetAccessKeyLastUsedResponse used =
        iam.getAccessKeyLastUsed(b -> b.accessKeyId(keys.get(1).accessKeyId()));
    assertThat(used.accessKeyLastUsed().serviceName()).isEqualTo("s3");
    assertThat(used.accessKeyLastUsed().region()).isEqualTo("us-east-1");
    assertThat(used.accessKeyLastUsed().lastUsedDate()).isNotNull();
  }

  @Test
  void credentialReportIsStartedThenCompleteAndHasAwsColumns() {
    IamClient iam = iam("333333333333");
    assertThatThrownBy(iam::getCredentialReport)
        .isInstanceOf(CredentialReportNotPresentException.class)
        .satisfies(e -> assertThat(((IamException) e).statusCode()).isEqualTo(410));
    assertThat(iam.generateCredentialReport().state()).isEqualTo(ReportStateType.STARTED);
    assertThat(iam.generateCredentialReport().state()).isEqualTo(ReportStateType.COMPLETE);
    String csv = iam.getCredentialReport().content().asString(StandardCharsets.UTF_8);
    List<String> lines = csv.lines().toList();
    assertThat(lines.get(0))
        .isEqualTo(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                + "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
                + "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
                + "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
                + "cert_1_last_rotated,cert_2_active,cert_2_last_rotated");
    assertThat(lines.get(1)).startsWith("<root_account>,arn:aws:iam::333333333333:root,");
    assertThat(lines).hasSize(2 + 7);
    String[] batch =
        lines.stream()
            .filter(l -> l.startsWith("batch-reports,"))
            .findFirst()
            .orElseThrow()
            .split(",");
    assertThat(batch).hasSize(22);
    assertThat(batch[8]).isEqualTo("true"); // access_key_1_active
    assertThat(batch[10]).isEqualTo("N/A"); // never used
    assertThat(batch[11]).isEqualTo("N/A");
    assertThat(batch[13]).isEqualTo("true");
    assertThat(batch[17]).isEqualTo("s3");
    assertThat(batch[9]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
    String[] none =
        lines.stream()
            .filter(l -> l.startsWith("readonly-auditor,"))
            .findFirst()
            .orElseThrow()
            .split(",");
    assertThat(none[8]).isEqualTo("false");
    assertThat(none[9]).isEqualTo("N/A");
  }

  @Test
  void aReportYoungerThanFourHoursIsReusedAndAnOlderOneExpires() {
    IamClient iam = iam("444444444444");
    iam.generateCredentialReport();
    Instant first = iam.getCredentialReport().generatedTime();
    SANDBOX.sandbox().clock().advance(Duration.ofHours(3));
    assertThat(iam.generateCredentialReport().state()).isEqualTo(ReportStateType.COMPLETE);
    assertThat(iam.getCredentialReport().generatedTime()).isEqualTo(first);
    SANDBOX.sandbox().clock().advance(Duration.ofHours(2));
    assertThatThrownBy(iam::getCredentialReport)
        .isInstanceOf(CredentialReportExpiredException.class);
    assertThat(iam.generateCredentialReport().state()).isEqualTo(ReportStateType.STARTED);
    assertThat(iam.getCredentialReport().generatedTime()).isAfter(first);
  }

  @Test
  void iamUserCanActOnItselfWithoutUserName() {
    AccessKeyInfo k = SANDBOX.sandbox().iamKeys("444444444444", "dev-ci").get(0);
    IamClient self = Clients.keys(SANDBOX.sandbox(), k.accessKeyId(), k.secretAccessKey()).iam();
    assertThat(self.getUser().user().userName()).isEqualTo("dev-ci");
    assertThat(self.listAccessKeys().accessKeyMetadata()).hasSize(1);
  }
}
