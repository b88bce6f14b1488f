package dev.keyrotator.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A Lambda invocation's context: a fixed remaining time, and a logger that keeps each line. */
final class FakeLambdaContext implements Context {
  private final int remainingMillis;
  private final LambdaLogger logger;

  FakeLambdaContext(int remainingMillis, List<String> logged) {
    this.remainingMillis = remainingMillis;
    this.logger =
        new LambdaLogger() {
          @Override
          public void log(String message) {
            logged.add(message);
          }

          @Override
          public void log(byte[] message) {
            logged.add(new String(message, StandardCharsets.UTF_8));
          }
        };
  }

  @Override
  public String getAwsRequestId() {
    return "req-1234";
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/org-key-rotator";
  }

  @Override
  public String getLogStreamName() {
    return "stream";
  }

  @Override
  public String getFunctionName() {
    return "org-key-rotator";
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:us-east-1:111111111111:function:org-key-rotator";
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return remainingMillis;
  }

  @Override
  public int getMemoryLimitInMB() {
    return 1024;
  }

  @Override
  public LambdaLogger getLogger() {
    return logger;
  }
}
