package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AwsCliTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static boolean awsOnPath() {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String dir : path.split(File.pathSeparator))
      if (new File(dir, "aws").canExecute()) return true;
    return false;
  }

  @Test
  void theAwsCliListsUsersOfTheCentralAccount() throws Exception {
    assumeTrue(awsOnPath(), "no `aws` binary on PATH: install the AWS CLI to run this test");
    SandboxCredentials c = SANDBOX.credentialsFor("111111111111");
    ProcessBuilder pb =
        new ProcessBuilder(
            "aws",
            "--endpoint-url",
            SANDBOX.endpoint().toString(),
            "iam",
            "list-users",
            "--output",
            "json");
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", c.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", c.secretAccessKey());
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", "/dev/null");
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("\"UserName\": \"ci-deployer\"")
        .contains("arn:aws:iam::111111111111:user/ci-deployer");
    assertThat(SANDBOX.sandbox().calls().count("iam", "ListUsers")).isEqualTo(1);
  }
}
