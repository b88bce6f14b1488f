package dev.keyrotator.ports;

/** Opens a session in a member account through the StackSet-deployed role (STS AssumeRole). */
public interface RoleAssumer {

  /**
   * Assumes the member role in {@code accountId}. The session's credentials refresh themselves when
   * a long run outlives them.
   *
   * @throws AwsCallException when the role is missing, refuses (ExternalId, trust) or STS fails
   */
  AccountSession open(String accountId, String runId);
}
