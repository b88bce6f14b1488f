package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.NotFoundException;

class SnsS3ConformanceTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String TOPIC = "arn:aws:sns:us-east-1:111111111111:key-rotation-events";
  static final String BUCKET = "org-key-rotator-reports-222222222222";

  @Test
  void publishKeepsSubjectMessageAttributesAndCaller() {
    SnsClient sns = Clients.admin(SANDBOX.sandbox(), "111111111111").sns();
    String id =
        sns.publish(
                b ->
                    b.topicArn(TOPIC)
                        .subject("Key rotated")
                        .message("{\"user\":\"app-orders\"}")
                        .messageAttributes(
                            Map.of(
                                "account",
                                MessageAttributeValue.builder()
                                    .dataType("String")
                                    .stringValue("333333333333")
                                    .build(),
                                "event",
                                MessageAttributeValue.builder()
                                    .dataType("String")
                                    .stringValue("KEY_CREATED")
                                    .build())))
            .messageId();
    assertThat(SANDBOX.sandbox().snsMessages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageId()).isEqualTo(id);
              assertThat(m.topicArn()).isEqualTo(TOPIC);
              assertThat(m.accountId()).isEqualTo("111111111111");
              assertThat(m.subject()).isEqualTo("Key rotated");
              assertThat(m.message()).contains("app-orders");
              assertThat(m.attributes())
                  .containsEntry("account", "333333333333")
                  .containsEntry("event", "KEY_CREATED");
            });
  }

  @Test
  void unknownTopicIsNotFoundAndTopicsCanBeCreatedListedDescribed() {
    SnsClient sns = Clients.admin(SANDBOX.sandbox(), "111111111111").sns();
    assertThatThrownBy(
            () ->
                sns.publish(
                    b -> b.topicArn("arn:aws:sns:us-east-1:111111111111:nope").message("x")))
        .isInstanceOf(NotFoundException.class);
    String arn = sns.createTopic(b -> b.name("extra")).topicArn();
    assertThat(arn).isEqualTo("arn:aws:sns:us-east-1:111111111111:extra");
    assertThat(sns.listTopics().topics()).extracting(t -> t.topicArn()).containsExactly(TOPIC, arn);
    assertThat(sns.getTopicAttributes(b -> b.topicArn(TOPIC)).attributes())
        .containsEntry("TopicArn", TOPIC)
        .containsEntry("Owner", "111111111111");
  }

  @Test
  void reportsAreWrittenByAListedWriterAndReadBack() {
    S3Client s3 = Clients.admin(SANDBOX.sandbox(), "111111111111").s3();
    s3.putObject(
        b -> b.bucket(BUCKET).key("runs/2026-11-27/report.json").contentType("application/json"),
        RequestBody.fromString("{\"accounts\":6}"));
    s3.putObject(
        b -> b.bucket(BUCKET).key("runs/2026-11-27/report.csv"), RequestBody.fromString("a,b\n"));
    s3.putObject(b -> b.bucket(BUCKET).key("other/x"), RequestBody.fromString("x"));
    assertThat(
            s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("runs/2026-11-27/report.json"))
                .asUtf8String())
        .isEqualTo("{\"accounts\":6}");
    assertThat(
            s3.headObject(b -> b.bucket(BUCKET).key("runs/2026-11-27/report.json")).contentType())
        .isEqualTo("application/json");
    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("runs/")).contents())
        .extracting(S3Object::key)
        .containsExactly("runs/2026-11-27/report.csv", "runs/2026-11-27/report.json");
    assertThat(SANDBOX.sandbox().s3Object(BUCKET, "other/x")).get().isEqualTo("x".getBytes());
  }

  @Test
  void s3ErrorsAreTyped() {
    S3Client central = Clients.admin(SANDBOX.sandbox(), "111111111111").s3();
    assertThatThrownBy(() -> central.getObject(b -> b.bucket(BUCKET).key("missing")))
        .isInstanceOf(NoSuchKeyException.class);
    assertThatThrownBy(() -> central.headObject(b -> b.bucket(BUCKET).key("missing")))
        .isInstanceOf(NoSuchKeyException.class);
    assertThatThrownBy(() -> central.listObjectsV2(b -> b.bucket("no-such-bucket")))
        .isInstanceOf(NoSuchBucketException.class);
    S3Client dev = Clients.admin(SANDBOX.sandbox(), "444444444444").s3();
    assertThatThrownBy(
            () -> dev.putObject(b -> b.bucket(BUCKET).key("x"), RequestBody.fromString("x")))
        .isInstanceOf(S3Exception.class)
        .satisfies(
            e -> {
              assertThat(((S3Exception) e).statusCode()).isEqualTo(403);
              assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            });
  }
}
