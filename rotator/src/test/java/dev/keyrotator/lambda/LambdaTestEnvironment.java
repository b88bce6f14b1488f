package dev.keyrotator.lambda;

import dev.keyrotator.sandbox.SandboxCredentials;
import dev.keyrotator.sandbox.SandboxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a deployed Lambda gets from its environment, pointed at the sandbox: the central account's
 * credentials in the SDK's default chain (system properties here), the policy file and endpoint in
 * the handler's environment.
 */
final class LambdaTestEnvironment {
  private LambdaTestEnvironment() {}

  static Map<String, String> setUp(SandboxExtension sandbox, Path dir, Map<String, String> extra)
      throws IOException {
    SandboxCredentials c = sandbox.credentialsFor("111111111111");
    System.setProperty("aws.accessKeyId", c.accessKeyId());
    System.setProperty("aws.secretAccessKey", c.secretAccessKey());
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

  static void tearDown() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    System.clearProperty("aws.region");
  }
}
