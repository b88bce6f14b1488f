package dev.keyrotator.report;

/**
 * One key as found at the start of the user's turn.
 *
 * @param lastUsed ISO date-time or empty when never used
 * @param secretArn the ARN of the secret holding this key, when the rotator stored it
 */
public record KeyReport(
    String keyId, String status, long ageDays, String created, String lastUsed, String secretArn) {}
