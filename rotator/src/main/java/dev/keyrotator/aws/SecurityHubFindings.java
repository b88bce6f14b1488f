package dev.keyrotator.aws;

import dev.keyrotator.ports.Finding;
import dev.keyrotator.ports.FindingsSink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFindingFilters;
import software.amazon.awssdk.services.securityhub.model.BatchImportFindingsResponse;
import software.amazon.awssdk.services.securityhub.model.Compliance;
import software.amazon.awssdk.services.securityhub.model.ComplianceStatus;
import software.amazon.awssdk.services.securityhub.model.RecordState;
import software.amazon.awssdk.services.securityhub.model.Resource;
import software.amazon.awssdk.services.securityhub.model.Severity;
import software.amazon.awssdk.services.securityhub.model.SeverityLabel;
import software.amazon.awssdk.services.securityhub.model.StringFilter;
import software.amazon.awssdk.services.securityhub.model.StringFilterComparison;

/**
 * Findings in AWS Security Hub (BatchImportFindings, GetFindings) under the importing account's
 * default product, {@code
 * arn:<partition>:securityhub:<region>:<account>:product/<account>/default}; the organization's
 * Security Hub administrator sees them with every member's findings.
 *
 * <p>IAM actions: {@code securityhub:BatchImportFindings} and {@code securityhub:GetFindings} on
 * that product ARN.
 */
public final class SecurityHubFindings implements FindingsSink {
  static final String SERVICE = "securityhub";

  /** What every rotator finding's generator id starts with. */
  public static final String GENERATOR_PREFIX = "key-rotator/";

  private final SecurityHubClient hub;
  private final String accountId;
  private final String region;
  private final String partition;
  private final Clock clock;

  public SecurityHubFindings(
      SecurityHubClient hub, String accountId, String region, String partition, Clock clock) {
    this.hub = hub;
    this.accountId = accountId;
    this.region = region;
    this.partition = partition;
    this.clock = clock;
  }

  String productArn() {
    return "arn:"
        + partition
        + ":securityhub:"
        + region
        + ":"
        + accountId
        + ":product/"
        + accountId
        + "/default";
  }

  @Override
  public List<Finding> active() {
    return AwsErrors.call(
        SERVICE,
        "GetFindings",
        () -> {
          List<Finding> out = new ArrayList<>();
          AwsSecurityFindingFilters filters =
              AwsSecurityFindingFilters.builder()
                  .productArn(eq(productArn()))
                  .generatorId(
                      StringFilter.builder()
                          .value(GENERATOR_PREFIX)
                          .comparison(StringFilterComparison.PREFIX)
                          .build())
                  .recordState(eq("ACTIVE"))
                  .build();
          for (AwsSecurityFinding f :
              hub.getFindingsPaginator(r -> r.filters(filters).maxResults(100)).findings()) {
            Resource res = f.resources().isEmpty() ? null : f.resources().get(0);
            out.add(
                new Finding(
                    f.id(),
                    f.generatorId(),
                    Finding.Severity.valueOf(
                        f.severity() == null || f.severity().label() == null
                            ? "INFORMATIONAL"
                            : f.severity().labelAsString()),
                    f.title(),
                    f.description(),
                    res == null ? "Other" : res.type(),
                    res == null ? f.id() : res.id(),
                    f.awsAccountId(),
                    f.types(),
                    true));
          }
          return out;
        });
  }

  private static StringFilter eq(String v) {
    return StringFilter.builder().value(v).comparison(StringFilterComparison.EQUALS).build();
  }

  @Override
  public List<String> upsert(List<Finding> findings) {
    List<String> problems = new ArrayList<>();
    String now = clock.instant().toString();
    for (int i = 0; i < findings.size(); i += 100) {
      List<AwsSecurityFinding> batch = new ArrayList<>();
      for (Finding f : findings.subList(i, Math.min(findings.size(), i + 100))) {
        batch.add(asff(f, now));
      }
      BatchImportFindingsResponse r =
          AwsErrors.call(
              SERVICE,
              "BatchImportFindings",
              () -> hub.batchImportFindings(b -> b.findings(batch)));
      r.failedFindings()
          .forEach(
              ff ->
                  problems.add(
                      "finding "
                          + ff.id()
                          + " refused: "
                          + ff.errorCode()
                          + " "
                          + ff.errorMessage()));
    }
    return problems;
  }

  private AwsSecurityFinding asff(Finding f, String now) {
    return AwsSecurityFinding.builder()
        .schemaVersion("2018-10-08")
        .id(f.id())
        .productArn(productArn())
        .generatorId(f.generatorId())
        .awsAccountId(accountId)
        .types(f.types())
        .createdAt(now)
        .updatedAt(now)
        .severity(Severity.builder().label(SeverityLabel.fromValue(f.severity().name())).build())
        .title(limit(f.title(), 256))
        .description(limit(f.description(), 1024))
        .resources(
            Resource.builder()
                .type(f.resourceType())
                .id(f.resourceId())
                .partition(partition)
                .region(region)
                .build())
        .compliance(
            Compliance.builder()
                .status(f.active() ? ComplianceStatus.FAILED : ComplianceStatus.PASSED)
                .build())
        .recordState(f.active() ? RecordState.ACTIVE : RecordState.ARCHIVED)
        .productFields(java.util.Map.of("key-rotator/resourceAccountId", f.resourceAccountId()))
        .build();
  }

  private static String limit(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
