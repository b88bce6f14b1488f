package dev.keyrotator.ports;

/**
 * Where a delivered report file is.
 *
 * @param uri {@code s3://bucket/key}
 * @param consoleUrl the object's page in the AWS console (empty where there is none)
 */
public record ReportLocation(
    String name, String bucket, String key, String uri, String consoleUrl) {}
