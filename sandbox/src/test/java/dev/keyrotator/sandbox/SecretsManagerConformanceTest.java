package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

class SecretsManagerConformanceTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String T1 = "11111111-1111-1111-1111-111111111111";
  static final String T2 = "22222222-2222-2222-2222-222222222222";

  SecretsManagerClient sm() {
    return Clients.admin(SANDBOX.sandbox(), "111111111111").secrets();
  }

  @Test
  void createSecretReturnsArnAndVersionAndASecondCreateIsResourceExists() {
    CreateSecretResponse r =
        sm().createSecret(
                b ->
                    b.name("iam/333333333333/app-orders")
                        .secretString("{\"k\":1}")
                        .kmsKeyId("alias/key-rotator")
                        .clientRequestToken(T1)
                        .tags(Tag.builder().key("owner").value("orders").build()));
    assertThat(r.arn())
        .matches(
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:iam/333333333333/app-orders-[A-Za-z0-9]{6}");
    assertThat(r.versionId()).isEqualTo(T1);
    // an SDK retry with the same token and value is accepted
    assertThat(
            sm().createSecret(
                    b ->
                        b.name("iam/333333333333/app-orders")
                            .secretString("{\"k\":1}")
                            .clientRequestToken(T1))
                .arn())
        .isEqualTo(r.arn());
    assertThatThrownBy(
            () ->
                sm().createSecret(b -> b.name("iam/333333333333/app-orders").secretString("other")))
        .isInstanceOf(ResourceExistsException.class);
    DescribeSecretResponse d = sm().describeSecret(b -> b.secretId("iam/333333333333/app-orders"));
    assertThat(d.kmsKeyId()).isEqualTo("alias/key-rotator");
    assertThat(d.tags()).extracting(Tag::key).containsExactly("owner");
    assertThat(d.versionIdsToStages()).containsOnlyKeys(T1);
    assertThat(d.createdDate()).isNotNull();
    assertThat(d.lastChangedDate()).isNotNull();
  }

  @Test
  void putSecretValueMovesStagingLabelsAndIsIdempotentPerToken() {
    sm().createSecret(b -> b.name("s").secretString("v1").clientRequestToken(T1));
    PutSecretValueResponse p =
        sm().putSecretValue(b -> b.secretId("s").secretString("v2").clientRequestToken(T2));
    assertThat(p.versionStages()).containsExactly("AWSCURRENT");
    // same token + same value: no new version
    sm().putSecretValue(b -> b.secretId("s").secretString("v2").clientRequestToken(T2));
    assertThat(sm().describeSecret(b -> b.secretId("s")).versionIdsToStages())
        .containsEntry(T1, List.of("AWSPREVIOUS"))
        .containsEntry(T2, List.of("AWSCURRENT"))
        .hasSize(2);
    // same token + different value: refused
    assertThatThrownBy(
            () ->
                sm().putSecretValue(b -> b.secretId("s").secretString("v3").clientRequestToken(T2)))
        .isInstanceOf(ResourceExistsException.class);
    assertThat(sm().getSecretValue(b -> b.secretId("s")).secretString()).isEqualTo("v2");
    assertThat(sm().getSecretValue(b -> b.secretId("s").versionStage("AWSPREVIOUS")).secretString())
        .isEqualTo("v1");
    assertThat(sm().getSecretValue(b -> b.secretId("s").versionId(T1)).secretString())
        .isEqualTo("v1");
    sm().putSecretValue(b -> b.secretId("s").secretString("v3"));
    assertThat(SANDBOX.sandbox().secret("111111111111", "us-east-1", "s"))
        .get()
        .satisfies(
            s -> {
              assertThat(s.currentValue()).isEqualTo("v3");
              assertThat(s.previousValue()).isEqualTo("v2");
              assertThat(s.versionStages().get(T1)).isEmpty();
            });
  }

  @Test
  void getSecretValueByArnAndMissingSecretIsResourceNotFound() {
    String arn = sm().createSecret(b -> b.name("by-arn").secretString("x")).arn();
    assertThat(sm().getSecretValue(b -> b.secretId(arn)).name()).isEqualTo("by-arn");
    assertThatThrownBy(() -> sm().getSecretValue(b -> b.secretId("nope")))
        .isInstanceOf(ResourceNotFoundException.class);
    sm().createSecret(b -> b.name("empty"));
    assertThatThrownBy(() -> sm().getSecretValue(b -> b.secretId("empty")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void secretsArePerRegion() {
    sm().createSecret(b -> b.name("regional").secretString("x"));
    SecretsManagerClient west =
        SecretsManagerClient.builder()
            .endpointOverride(SANDBOX.endpoint())
            .region(software.amazon.awssdk.regions.Region.EU_WEST_1)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    Clients.admin(SANDBOX.sandbox(), "111111111111").credentials))
            .httpClient(Clients.HTTP)
            .build();
    assertThatThrownBy(() -> west.describeSecret(b -> b.secretId("regional")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void resourcePolicyAndTags() {
    sm().createSecret(b -> b.name("p").secretString("x"));
    assertThat(sm().getResourcePolicy(b -> b.secretId("p")).resourcePolicy()).isNull();
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}";
    sm().putResourcePolicy(b -> b.secretId("p").resourcePolicy(policy));
    assertThat(sm().getResourcePolicy(b -> b.secretId("p")).resourcePolicy()).isEqualTo(policy);
    assertThatThrownBy(
            () -> sm().putResourcePolicy(b -> b.secretId("p").resourcePolicy("not json")))
        .isInstanceOf(MalformedPolicyDocumentException.class);
    sm().tagResource(
            b ->
                b.secretId("p")
                    .tags(
                        Tag.builder().key("a").value("1").build(),
                        Tag.builder().key("b").value("2").build()));
    sm().untagResource(b -> b.secretId("p").tagKeys("a"));
    assertThat(sm().describeSecret(b -> b.secretId("p")).tags())
        .extracting(Tag::key)
        .containsExactly("b");
  }

  @Test
  void listSecretsFiltersByNamePrefixPagesAndIncludesTags() {
    for (int i = 0; i < 12; i++) {
      int n = i;
      sm().createSecret(
              b ->
                  b.name("iam/user-" + n)
                      .secretString("x")
                      .tags(Tag.builder().key("n").value("" + n).build()));
    }
    sm().createSecret(b -> b.name("other/thing").secretString("x"));
    List<ListSecretsResponse> pages =
        sm()
            .listSecretsPaginator(
                ListSecretsRequest.builder()
                    .maxResults(5)
                    .filters(Filter.builder().key(FilterNameStringType.NAME).values("iam/").build())
                    .build())
            .stream()
            .toList();
    assertThat(pages).extracting(p -> p.secretList().size()).containsExactly(5, 5, 2);
    SecretListEntry e = pages.get(0).secretList().get(0);
    assertThat(e.tags()).extracting(Tag::key).containsExactly("n");
    assertThat(e.secretVersionsToStages()).hasSize(1);
  }

  @Test
  void deleteSecretWithAndWithoutRecovery() {
    sm().createSecret(b -> b.name("gone").secretString("x"));
    sm().deleteSecret(b -> b.secretId("gone").forceDeleteWithoutRecovery(true));
    assertThatThrownBy(() -> sm().describeSecret(b -> b.secretId("gone")))
        .isInstanceOf(ResourceNotFoundException.class);
    sm().createSecret(b -> b.name("gone").secretString("y"));
    sm().deleteSecret(b -> b.secretId("gone").recoveryWindowInDays(7L));
    assertThatThrownBy(() -> sm().getSecretValue(b -> b.secretId("gone")))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(sm().listSecrets().secretList()).isEmpty();
    SANDBOX.sandbox().clock().advanceDays(8);
    assertThatThrownBy(() -> sm().describeSecret(b -> b.secretId("gone")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void aSecretScheduledForDeletionShowsDeletedDateRefusesWritesAndRestoreSecretCancelsIt() {
    sm().createSecret(b -> b.name("doomed").secretString("x").kmsKeyId("alias/other"));
    DescribeSecretResponse before = sm().describeSecret(b -> b.secretId("doomed"));
    assertThat(before.deletedDate()).isNull();
    assertThat(before.kmsKeyId()).isEqualTo("alias/other");
    sm().deleteSecret(b -> b.secretId("doomed").recoveryWindowInDays(7L));

    DescribeSecretResponse d = sm().describeSecret(b -> b.secretId("doomed"));
    assertThat(d.deletedDate()).isNotNull();
    assertThatThrownBy(
            () ->
                sm().putSecretValue(
                        b -> b.secretId("doomed").secretString("y").clientRequestToken(T1)))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> sm().getResourcePolicy(b -> b.secretId("doomed")))
        .isInstanceOf(InvalidRequestException.class);

    assertThat(sm().restoreSecret(b -> b.secretId("doomed")).name()).isEqualTo("doomed");
    assertThat(sm().describeSecret(b -> b.secretId("doomed")).deletedDate()).isNull();
    sm().putSecretValue(b -> b.secretId("doomed").secretString("y").clientRequestToken(T1));
    // without a KMS key of its own a secret uses aws/secretsmanager, and DescribeSecret omits it
    sm().createSecret(b -> b.name("plain").secretString("x"));
    assertThat(sm().describeSecret(b -> b.secretId("plain")).kmsKeyId()).isNull();
  }
}
