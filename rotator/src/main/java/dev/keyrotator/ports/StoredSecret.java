package dev.keyrotator.ports;

/**
 * Where a key's secret was stored: enough to find it, never the secret itself.
 *
 * @param arn the secret's ARN
 * @param name the secret's name
 * @param versionId the version holding this key (derived from the key id)
 * @param region the secret's region
 */
public record StoredSecret(String arn, String name, String versionId, String region) {

  /** A link to the secret in the AWS console. */
  public String consoleUrl() {
    return "https://"
        + region
        + ".console.aws.amazon.com/secretsmanager/secret?name="
        + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
        + "&region="
        + region;
  }

  /** The AWS CLI command that reads the secret (run by its owner, not by the rotator). */
  public String cliCommand() {
    return "aws secretsmanager get-secret-value --secret-id '"
        + arn
        + "' --region "
        + region
        + " --query SecretString --output text";
  }
}
