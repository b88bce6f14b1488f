package dev.keyrotator.lambda;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An AWS Health event of type {@code AWS_RISK_CREDENTIALS_EXPOSED}, as EventBridge delivers it
 * (forwarded from the member account's default bus to the central bus):
 *
 * <pre>{@code
 * {"detail-type": "AWS Health Event", "source": "aws.health", "account": "123456789012",
 *  "time": "...", "detail": {"eventArn": "arn:aws:health:...", "service": "RISK",
 *  "eventTypeCode": "AWS_RISK_CREDENTIALS_EXPOSED", "eventTypeCategory": "issue",
 *  "startTime": "Sat, 05 Jun 2016 15:10:09 GMT",
 *  "affectedEntities": [{"entityValue": "AKIA..."}]}}
 * }</pre>
 *
 * @param accountId the account the key is in (the event's {@code account})
 * @param keyIds the exposed access key ids (affected entities that look like one)
 * @param reportedAt when AWS reported it: {@code detail.startTime} (RFC 1123 or ISO), else the
 *     event's {@code time}
 */
record ExposedKeyEvent(String accountId, List<String> keyIds, Instant reportedAt, String eventArn) {
  static final String SOURCE = "aws.health";
  static final String TYPE = "AWS_RISK_CREDENTIALS_EXPOSED";

  ExposedKeyEvent {
    keyIds = List.copyOf(keyIds);
  }

  static boolean isHealthEvent(Map<String, Object> event) {
    return event != null && SOURCE.equals(event.get("source"));
  }

  /** The exposure this event reports; empty when it is another Health event. */
  static Optional<ExposedKeyEvent> from(Map<String, Object> event) {
    if (!isHealthEvent(event) || !(event.get("detail") instanceof Map<?, ?> detail)) {
      return Optional.empty();
    }
    if (!TYPE.equals(detail.get("eventTypeCode"))) {
      return Optional.empty();
    }
    String account = String.valueOf(event.get("account"));
    if (!account.matches("\\d{12}")) {
      throw new IllegalArgumentException(
          "an " + TYPE + " event without a 12-digit account: '" + account + "'");
    }
    List<String> keys = new ArrayList<>();
    if (detail.get("affectedEntities") instanceof Collection<?> entities) {
      for (Object e : entities) {
        if (e instanceof Map<?, ?> m
            && m.get("entityValue") instanceof String v
            && v.matches("(AKIA|ASIA)[A-Z0-9]{12,124}")
            && !keys.contains(v)) {
          keys.add(v);
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "an " + TYPE + " event of account " + account + " names no access key id");
    }
    Instant at =
        instant(detail.get("startTime"))
            .or(() -> instant(event.get("time")))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "an " + TYPE + " event without a readable startTime or time"));
    Object arn = detail.get("eventArn");
    return Optional.of(new ExposedKeyEvent(account, keys, at, arn == null ? "" : arn.toString()));
  }

  private static Optional<Instant> instant(Object o) {
    if (!(o instanceof String s) || s.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(s));
    } catch (DateTimeException notIso) {
      try {
        return Optional.of(
            ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeException notRfc) {
        return Optional.empty();
      }
    }
  }
}
