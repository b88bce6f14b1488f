package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.Notification;
import dev.keyrotator.ports.Notifier;
import dev.keyrotator.sandbox.SandboxExtension;
import dev.keyrotator.sandbox.SnsMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SnsNotifierTest {
  @RegisterExtension static final SandboxExtension SANDBOX = TestOrg.extension();
  private static final String TOPIC =
      "arn:aws:sns:us-east-1:" + TestOrg.MANAGEMENT + ":" + TestOrg.TOPIC;

  private final CallMetrics metrics = new CallMetrics();
  private AwsClientFactory clients;
  private Notifier notifier;

  @BeforeEach
  void setUp() {
    clients = TestOrg.clients(SANDBOX, metrics);
    notifier = SnsNotifier.create(clients.sns());
  }

  @AfterEach
  void tearDown() {
    clients.close();
  }

  @Test
  void publishesSubjectBodyAndStringAttributesSubscribersCanFilterOn() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("account_id", TestOrg.WORKLOAD);
    attributes.put("user_name", "alice");
    attributes.put("event", "KEY_ROTATED");
    attributes.put("owner", "");
    notifier.publish(
        TOPIC,
        new Notification(
            "New access key for alice in 333333333333",
            "Your new key is stored at arn:aws:secretsmanager:...",
            attributes));

    assertThat(SANDBOX.sandbox().snsMessages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topicArn()).isEqualTo(TOPIC);
              assertThat(m.subject()).isEqualTo("New access key for alice in 333333333333");
              assertThat(m.message()).startsWith("Your new key is stored at");
              // the empty owner is left out: SNS refuses empty attribute values
              assertThat(m.attributes())
                  .containsExactlyInAnyOrderEntriesOf(
                      Map.of(
                          "account_id",
                          TestOrg.WORKLOAD,
                          "user_name",
                          "alice",
                          "event",
                          "KEY_ROTATED"));
            });
  }

  @Test
  void makesAnySubjectFitSnsRules() {
    String raw = "Key für\nbob — rotated\t" + "x".repeat(200);
    notifier.publish(TOPIC, new Notification(raw, "body", Map.of()));

    SnsMessage m = SANDBOX.sandbox().snsMessages().get(0);
    assertThat(m.subject())
        .hasSizeLessThan(100)
        .matches("[\\x20-\\x7E]+")
        .startsWith("Key f?r bob ? rotated xxx")
        .endsWith("...");
    assertThat(SnsNotifier.subject("  \n ")).isEmpty();
  }

  @Test
  void aMissingTopicIsAnAwsCallException() {
    assertThatThrownBy(
            () ->
                notifier.publish(TOPIC + "-nope", new Notification("s", "b", Map.of("event", "x"))))
        .isInstanceOfSatisfying(
            AwsCallException.class,
            e -> {
              assertThat(e.service()).isEqualTo("sns");
              assertThat(e.operation()).isEqualTo("Publish");
              assertThat(e.errorCode()).isEqualTo("NotFound");
              assertThat(e.statusCode()).isEqualTo(404);
            });
  }

  @Test
  void attributeNamesAreMadeValid() {
    assertThat(SnsNotifier.attributeName("account id")).isEqualTo("account_id");
    assertThat(SnsNotifier.attributeName("AWS.thing")).isEqualTo("_AWS.thing");
    assertThat(SnsNotifier.attributeName(".a..b.")).isEqualTo("a.b");
  }
}
