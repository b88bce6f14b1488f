package dev.keyrotator.lambda;

import dev.keyrotator.deploy.DeployedTemplates;
import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a deployed Lambda gets from its environment, pointed at the sandbox: its execution role's
 * session (the stacksets' roles deployed, their policies enforced) in the SDK's default chain
 * (system properties here), the policy file and endpoint in the handler's environment.
 */
final class LambdaTestEnvironment {
  private LambdaTestEnvironment() {}

  static Map<String, String> setUp(SandboxExtension sandbox, Path dir, Map<String, String> extra)
      throws IOException {
    return setUp(sandbox, dir, extra, DeployedTemplates.Settings.demo());
  }

  /**
   * The stacksets' roles deployed into the sandbox (policies enforced), and the function running as
   * its execution role, as in Lambda.
   */
  static Map<String, String> setUp(
      SandboxExtension sandbox, Path dir, Map<String, String> extra, DeployedTemplates.Settings s)
      throws IOException {
    deploy(sandbox, s);
    System.setProperty("aws.region", "us-east-1");
    Path policy = dir.resolve("rotation.yaml");
    Files.copy(Path.of("../config/rotation.yaml"), policy);
    Map<String, String> env =
        new LinkedHashMap<>(
            Map.of(
                "KEY_ROTATOR_POLICY_URI",
                policy.toString(),
                "AWS_ENDPOINT_URL",
                sandbox.endpoint().toString(),
                "KEY_ROTATOR_NOTIFICATION_TOPIC_ARN",
                "arn:aws:sns:us-east-1:111111111111:key-rotation-events"));
    env.putAll(extra);
    return Map.copyOf(env);
  }

  /** Deploys the roles (again, after a reset) and puts the execution role's session in place. */
  static void deploy(SandboxExtension sandbox, DeployedTemplates.Settings s) {
    SandboxCredentials c = DeployedTemplates.into(sandbox.sandbox(), s).centralCredentials();
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
    System.setProperty("aws.sessionToken", c.sessionToken());
  }

  static void tearDown() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    System.clearProperty("aws.sessionToken");
    System.clearProperty("aws.region");
  }
}
