package dev.keyrotator.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The example account ids of config/rotation.yaml and stacksets/parameters.example.env (central
 * 111111111111, security 222222222222) are no real accounts: against AWS they would send every
 * report PutObject with a wrong ExpectedBucketOwner and fail to recognise the central account. The
 * rotator refuses to run against AWS (no custom endpoint) while either setting still holds one; the
 * sandbox, moto and LocalStack accept them.
 */
public final class PlaceholderAccounts {
  /** The ids the shipped examples use. */
  public static final Set<String> EXAMPLE_IDS = Set.of("111111111111", "222222222222");

  private PlaceholderAccounts() {}

  /**
   * @param againstAws true when calls go to AWS itself (no endpoint override)
   * @throws IllegalArgumentException one line naming the setting and the fix
   */
  public static void refuseAgainstAws(PolicyFile policy, boolean againstAws) {
    if (!againstAws) {
      return;
    }
    List<String> found = new ArrayList<>();
    check(
        found,
        "organization.centralAccountId",
        "CENTRAL_ACCOUNT_ID",
        policy.organization().centralAccountId());
    check(
        found,
        "reporting.securityAccountId",
        "SECURITY_ACCOUNT_ID",
        policy.reporting().securityAccountId());
    if (!found.isEmpty()) {
      throw new IllegalArgumentException(
          String.join("; ", found)
              + ": set the real account ids in "
              + policy.source()
              + " or in the environment (the central stack sets both for the Lambda) before"
              + " running against AWS");
    }
  }

  private static void check(List<String> found, String setting, String env, Optional<String> id) {
    if (id.isPresent() && EXAMPLE_IDS.contains(id.get())) {
      found.add(
          setting
              + " is the example account id "
              + id.get()
              + " (or "
              + EnvironmentOverrides.PREFIX
              + env
              + ")");
    }
  }
}
