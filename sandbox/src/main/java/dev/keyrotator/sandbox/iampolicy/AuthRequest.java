package dev.keyrotator.sandbox.iampolicy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one API call asks IAM to allow: the action ({@code iam:CreateAccessKey}), the resource's ARN
 * ({@code *} for actions without a resource type), the account that owns the resource, and the
 * request context's condition keys (each with one or more values; multivalued keys such as {@code
 * aws:TagKeys} have several).
 */
public final class AuthRequest {
  public final String action;
  public final String resource;
  public final String resourceAccount;
  public final Map<String, List<String>> context = new LinkedHashMap<>();

  /** The resource's own policy (a bucket policy), evaluated with the caller as principal. */
  public PolicyDocument resourcePolicy;

  public AuthRequest(String action, String resource, String resourceAccount) {
    this.action = action;
    this.resource = resource;
    this.resourceAccount = resourceAccount;
  }

  public AuthRequest resourcePolicy(PolicyDocument policy) {
    this.resourcePolicy = policy;
    return this;
  }

  /** Sets a single-valued condition key (ignored when {@code value} is null). */
  public AuthRequest key(String name, String value) {
    if (value != null) context.put(name, List.of(value));
    return this;
  }

  /** Sets a multivalued condition key. */
  public AuthRequest keys(String name, List<String> values) {
    if (values != null) context.put(name, List.copyOf(values));
    return this;
  }

  /** {@code aws:ResourceTag/<k>} (and {@code <service>:ResourceTag/<k>} when given) per tag. */
  public AuthRequest resourceTags(Map<String, String> tags, String servicePrefix) {
    tags.forEach(
        (k, v) -> {
          key("aws:ResourceTag/" + k, v);
          if (servicePrefix != null) key(servicePrefix + ":ResourceTag/" + k, v);
        });
    return this;
  }

  /** {@code aws:RequestTag/<k>} per tag and {@code aws:TagKeys}. */
  public AuthRequest requestTags(Map<String, String> tags) {
    tags.forEach((k, v) -> key("aws:RequestTag/" + k, v));
    return keys("aws:TagKeys", List.copyOf(tags.keySet()));
  }

  @Override
  public String toString() {
    return action + " on " + resource;
  }
}
