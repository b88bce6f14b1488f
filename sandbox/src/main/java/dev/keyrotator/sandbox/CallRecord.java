package dev.keyrotator.sandbox;

import java.time.Instant;

/**
 * One request the sandbox received.
 *
 * @param time sandbox clock time
 * @param accountId caller's account (null when the key was unknown)
 * @param accessKeyId caller's access key id
 * @param service signing name: iam, sts, organizations, secretsmanager, sns, s3
 * @param operation API operation name, e.g. CreateAccessKey
 * @param status HTTP status returned
 * @param fault true when the response was an injected fault
 * @param errorCode AWS error code, null on success
 */
public record CallRecord(
    Instant time,
    String accountId,
    String accessKeyId,
    String service,
    String operation,
    int status,
    boolean fault,
    String errorCode) {
  public boolean mutating() {
    return CallLog.isMutating(operation);
  }
}
