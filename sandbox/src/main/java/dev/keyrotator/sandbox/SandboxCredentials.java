package dev.keyrotator.sandbox;

/** Credentials the sandbox accepts; {@code sessionToken} is null for long-term keys. */
public record SandboxCredentials(
    String accountId, String accessKeyId, String secretAccessKey, String sessionToken) {}
