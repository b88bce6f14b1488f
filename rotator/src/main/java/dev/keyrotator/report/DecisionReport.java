package dev.keyrotator.report;

/**
 * One decision and what became of it.
 *
 * @param keyId the key concerned; for CREATE_KEY once done, the new key's id
 * @param warning the warning kind for WARN, else empty
 * @param secretArn for a created key, where its secret is stored (never the secret)
 * @param error AWS's error code and message when the action failed, else empty
 */
public record DecisionReport(
    String action,
    String keyId,
    String warning,
    String reason,
    Outcome outcome,
    String secretArn,
    String error) {}
