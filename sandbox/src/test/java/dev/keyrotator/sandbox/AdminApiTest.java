package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminApiTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  JsonNode call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(SANDBOX.endpoint() + path));
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void healthAndClockCanBeReadAndMovedForward() throws Exception {
    assertThat(call("GET", "/_sandbox/health", null).get("status").asText()).isEqualTo("ok");
    Instant before = Instant.parse(call("GET", "/_sandbox/clock", null).get("now").asText());
    Instant after =
        Instant.parse(call("POST", "/_sandbox/clock", "{\"advanceDays\":10}").get("now").asText());
    assertThat(Duration.between(before, after).toDays()).isEqualTo(10);
    call("POST", "/_sandbox/clock", "{\"set\":\"2030-01-01T00:00:00Z\"}");
    assertThat(SANDBOX.sandbox().clock().now())
        .isBetween(Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:01:00Z"));
  }

  @Test
  void keyAgesFollowTheClock() throws Exception {
    JsonNode key = key(call("GET", "/_sandbox/state", null), "333333333333", "app-orders");
    assertThat(key.get("ageDays").asInt()).isEqualTo(165);
    SANDBOX.sandbox().clock().advanceDays(16);
    key = key(call("GET", "/_sandbox/state", null), "333333333333", "app-orders");
    assertThat(key.get("ageDays").asInt()).isEqualTo(181);
    assertThat(key.has("secretAccessKey")).isFalse();
    assertThat(
            key(call("GET", "/_sandbox/state?secrets=true", null), "333333333333", "app-orders")
                .get("secretAccessKey")
                .asText())
        .hasSize(40);
  }

  static JsonNode key(JsonNode state, String account, String user) {
    for (JsonNode a : state.get("accounts")) {
      if (!a.get("id").asText().equals(account)) continue;
      for (JsonNode u : a.get("users"))
        if (u.get("name").asText().equals(user)) return u.get("keys").get(0);
    }
    throw new AssertionError("no key for " + user);
  }

  @Test
  void callsFaultsMessagesAndReset() throws Exception {
    Clients c = Clients.admin(SANDBOX.sandbox(), "111111111111");
    c.sns()
        .publish(
            b -> b.topicArn("arn:aws:sns:us-east-1:111111111111:key-rotation-events").message("m"));
    c.iam().listUsers();
    JsonNode calls = call("GET", "/_sandbox/calls", null);
    assertThat(calls.get("counts").get("iam:ListUsers").asInt()).isEqualTo(1);
    assertThat(calls.get("mutating").asInt()).isEqualTo(1);
    assertThat(call("GET", "/_sandbox/sns/messages", null).get(0).get("message").asText())
        .isEqualTo("m");
    call(
        "POST",
        "/_sandbox/faults",
        "{\"service\":\"iam\",\"operation\":\"GetUser\",\"failNth\":1}");
    assertThat(SANDBOX.sandbox().faults().rules()).hasSize(1);
    call("DELETE", "/_sandbox/faults", null);
    assertThat(SANDBOX.sandbox().faults().rules()).isEmpty();
    c.iam().createAccessKey(b -> b.userName("ci-deployer"));
    call("POST", "/_sandbox/reset", null);
    assertThat(SANDBOX.sandbox().iamKeys("111111111111", "ci-deployer")).hasSize(1);
    assertThat(SANDBOX.sandbox().snsMessages()).isEmpty();
    assertThat(SANDBOX.sandbox().calls().all()).isEmpty();
  }

  @Test
  void mutatingCallsCanBeAsserted() {
    Clients c = Clients.admin(SANDBOX.sandbox(), "333333333333");
    c.iam().listUsers();
    c.iam().listAccessKeys(b -> b.userName("app-orders"));
    assertThat(SANDBOX.sandbox().calls().mutating()).isEmpty();
    assertThat(SANDBOX.sandbox().calls().countsByOperation())
        .containsEntry("iam:ListUsers", 1L)
        .containsEntry("iam:ListAccessKeys", 1L);
  }
}
