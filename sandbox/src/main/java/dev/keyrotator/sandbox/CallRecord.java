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
 * @param principalArn the caller's {@code aws:PrincipalArn} (a role session's role ARN), null when
 *     the key was unknown
 * @param actions the IAM actions the call was authorized for ({@code iam:CreateAccessKey}; empty
 *     for calls that need none or were refused before authorization)
 * @param enforced whether the caller's identity policies were evaluated (a deployed role)
 * @param userName the request's {@code UserName} parameter (IAM calls about one user), null when it
 *     has none: lets a benchmark charge each call to the user it was about
 */
public record CallRecord(
    Instant time,
    String accountId,
    String accessKeyId,
    String service,
    String operation,
    int status,
    boolean fault,
    String errorCode,
    String principalArn,
    java.util.List<String> actions,
    boolean enforced,
    String userName) {
  public CallRecord {
    actions = actions == null ? java.util.List.of() : java.util.List.copyOf(actions);
  }

  /** IAM refused the call (AccessDenied and its service-specific spellings). */
  public boolean accessDenied() {
    return errorCode != null
        && (errorCode.equals("AccessDenied")
            || errorCode.equals("AccessDeniedException")
            || errorCode.equals("AuthorizationError"));
  }

  public boolean mutating() {
    return CallLog.isMutating(operation);
  }
}
