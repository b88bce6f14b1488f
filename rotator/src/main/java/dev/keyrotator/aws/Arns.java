package dev.keyrotator.aws;

/**
 * The fields of an ARN ({@code arn:partition:service:region:account:resource}) that the rotator
 * reads, each empty when the ARN does not have it. No validation: callers that must refuse a
 * malformed ARN check its shape themselves.
 */
public final class Arns {
  private Arns() {}

  /** The region field ({@code us-east-1}), empty for global resources and non-ARNs. */
  public static String region(String arn) {
    return field(arn, 3);
  }

  /** The account field (12 digits), empty where the ARN has none. */
  public static String account(String arn) {
    return field(arn, 4);
  }

  private static String field(String arn, int index) {
    if (arn == null || !arn.startsWith("arn:")) {
      return "";
    }
    String[] parts = arn.split(":", -1);
    return parts.length > index ? parts[index] : "";
  }
}
