package dev.keyrotator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.securityhub.SecurityHubClient;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFinding;
import software.amazon.awssdk.services.securityhub.model.AwsSecurityFindingFilters;
import software.amazon.awssdk.services.securityhub.model.BatchImportFindingsResponse;
import software.amazon.awssdk.services.securityhub.model.Compliance;
import software.amazon.awssdk.services.securityhub.model.ComplianceStatus;
import software.amazon.awssdk.services.securityhub.model.InvalidInputException;
import software.amazon.awssdk.services.securityhub.model.RecordState;
import software.amazon.awssdk.services.securityhub.model.Resource;
import software.amazon.awssdk.services.securityhub.model.Severity;
import software.amazon.awssdk.services.securityhub.model.SeverityLabel;
import software.amazon.awssdk.services.securityhub.model.StringFilter;
import software.amazon.awssdk.services.securityhub.model.StringFilterComparison;
import software.amazon.awssdk.services.securityhub.model.WorkflowStatus;

/** Security Hub's BatchImportFindings and GetFindings as the real SDK client sees them. */
class SecurityHubConformanceTest {
  @RegisterExtension static final SandboxExtension SANDBOX = SandboxExtension.demo();

  static final String ACCOUNT = "111111111111";
  static final String PRODUCT =
      "arn:aws:securityhub:us-east-1:" + ACCOUNT + ":product/" + ACCOUNT + "/default";

  static AwsSecurityFinding finding(String id, RecordState state, ComplianceStatus compliance) {
    String now = Instant.now().toString();
    return AwsSecurityFinding.builder()
        .schemaVersion("2018-10-08")
        .id(id)
        .productArn(PRODUCT)
        .generatorId("key-rotator/rotation-overdue")
        .awsAccountId(ACCOUNT)
        .types("Software and Configuration Checks/AWS Security Best Practices")
        .createdAt(now)
        .updatedAt(now)
        .severity(Severity.builder().label(SeverityLabel.MEDIUM).build())
        .title("Access key not rotated")
        .description("key is 200 days old")
        .resources(Resource.builder().type("AwsIamAccessKey").id("AKIAEXAMPLE").build())
        .compliance(Compliance.builder().status(compliance).build())
        .recordState(state)
        .build();
  }

  @Test
  void importedFindingsAreReadBackAndResolvedWhenArchived() {
    SecurityHubClient hub = Clients.admin(SANDBOX.sandbox(), ACCOUNT).securityHub();

    BatchImportFindingsResponse r =
        hub.batchImportFindings(
            b ->
                b.findings(
                    finding("f-1", RecordState.ACTIVE, ComplianceStatus.FAILED),
                    finding("f-2", RecordState.ACTIVE, ComplianceStatus.FAILED)));
    assertThat(r.successCount()).isEqualTo(2);
    assertThat(r.failedCount()).isZero();

    hub.batchImportFindings(
        b -> b.findings(finding("f-1", RecordState.ARCHIVED, ComplianceStatus.PASSED)));

    List<AwsSecurityFinding> all =
        hub
            .getFindingsPaginator(
                b ->
                    b.maxResults(1)
                        .filters(
                            AwsSecurityFindingFilters.builder()
                                .generatorId(
                                    StringFilter.builder()
                                        .value("key-rotator/")
                                        .comparison(StringFilterComparison.PREFIX)
                                        .build())
                                .build()))
            .findings()
            .stream()
            .toList();
    assertThat(all).extracting(AwsSecurityFinding::id).containsExactly("f-1", "f-2");
    assertThat(all.get(0).workflow().status()).isEqualTo(WorkflowStatus.RESOLVED);
    assertThat(all.get(0).recordState()).isEqualTo(RecordState.ARCHIVED);
    assertThat(all.get(1).workflow().status()).isEqualTo(WorkflowStatus.NEW);

    List<AwsSecurityFinding> active =
        hub.getFindings(
                b ->
                    b.filters(
                        AwsSecurityFindingFilters.builder()
                            .recordState(
                                StringFilter.builder()
                                    .value("ACTIVE")
                                    .comparison(StringFilterComparison.EQUALS)
                                    .build())
                            .build()))
            .findings();
    assertThat(active).extracting(AwsSecurityFinding::id).containsExactly("f-2");
  }

  @Test
  void aFindingOfAnotherAccountsProductFailsAloneAndAnEmptyBatchIsRefused() {
    SecurityHubClient hub = Clients.admin(SANDBOX.sandbox(), ACCOUNT).securityHub();
    AwsSecurityFinding foreign =
        finding("f-3", RecordState.ACTIVE, ComplianceStatus.FAILED).toBuilder()
            .productArn("arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default")
            .build();

    BatchImportFindingsResponse r =
        hub.batchImportFindings(
            b -> b.findings(foreign, finding("f-4", RecordState.ACTIVE, ComplianceStatus.FAILED)));

    assertThat(r.successCount()).isEqualTo(1);
    assertThat(r.failedFindings())
        .singleElement()
        .satisfies(f -> assertThat(f.id()).isEqualTo("f-3"));
    assertThatThrownBy(() -> hub.batchImportFindings(b -> b.findings(List.of())))
        .isInstanceOf(InvalidInputException.class);
  }
}
