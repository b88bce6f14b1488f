package dev.keyrotator.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.CredentialReport.ReportedKey;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing the CSV of GetCredentialReport, with AWS's own column set and placeholders. */
class CredentialReportTest {
  static final String HEADER =
      "user,arn,user_creation_time,password_enabled,password_last_used,"
          + "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
          + "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          + "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          + "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"
          + "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
  static final Instant GENERATED = Instant.parse("2026-06-01T10:00:00Z");

  @Test
  void readsKeysByColumnNameAndSkipsTheRootRow() {
    String csv =
        HEADER
            + "\n"
            + "<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,"
            + "2026-05-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
            + "N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
            + "alice,arn:aws:iam::111111111111:user/alice,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,"
            + "false,true,2025-12-01T08:30:00+00:00,2026-05-30T11:00:00+00:00,us-east-1,s3,false,"
            + "2025-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n"
            + "bob,arn:aws:iam::111111111111:user/bob,2024-02-01T00:00:00+00:00,true,no_information,"
            + "N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";

    CredentialReport r = CredentialReportCsv.parse(csv, GENERATED);

    assertThat(r.generated()).isEqualTo(GENERATED);
    assertThat(r.users()).containsOnlyKeys("alice", "bob");
    assertThat(r.users().get("alice").created()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    assertThat(r.users().get("alice").keys())
        .containsExactly(
            new ReportedKey(
                1,
                true,
                Instant.parse("2025-12-01T08:30:00Z"),
                Optional.of(Instant.parse("2026-05-30T11:00:00Z")),
                "s3",
                "us-east-1"),
            new ReportedKey(2, false, Instant.parse("2025-01-01T00:00:00Z"), Optional.empty()));
    assertThat(r.users().get("bob").keys()).isEmpty();
  }

  @Test
  void aUserNameWithACommaIsReadWholeFromItsQuotedField() {
    String csv =
        "access_key_2_last_used_date,access_key_2_last_rotated,access_key_2_active,"
            + "access_key_1_last_used_date,access_key_1_last_rotated,access_key_1_active,"
            + "user_creation_time,user,arn\r\n"
            + "N/A,N/A,false,N/A,2026-01-01T00:00:00+00:00,true,2025-01-01T00:00:00+00:00,"
            + "\"svc,reports\",\"arn:aws:iam::111111111111:user/svc,reports\"\r\n";

    CredentialReport r = CredentialReportCsv.parse(csv, GENERATED);

    assertThat(r.users()).containsOnlyKeys("svc,reports");
    assertThat(r.users().get("svc,reports").keys()).singleElement();
  }

  @Test
  void columnsMayMoveAndNewOnesAppear() {
    String csv =
        "access_key_2_last_used_date,access_key_2_last_rotated,access_key_2_active,"
            + "extra,access_key_1_last_used_date,access_key_1_last_rotated,access_key_1_active,"
            + "user_creation_time,user\r\n"
            + "N/A,N/A,false,x,N/A,2026-01-01T00:00:00+00:00,true,2025-01-01T00:00:00+00:00,carol\r\n";

    CredentialReport r = CredentialReportCsv.parse(csv, GENERATED);

    assertThat(r.users().get("carol").keys())
        .singleElement()
        .satisfies(k -> assertThat(k.lastUsed()).isEmpty());
  }

  @Test
  void aReportWithoutTheNeededColumnsOrWithBadValuesIsRefused() {
    assertThatThrownBy(() -> CredentialReportCsv.parse("user,arn\nalice,x\n", GENERATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no column");
    String bad =
        HEADER
            + "\nalice,arn,2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,maybe,"
            + "2025-12-01T08:30:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n";
    assertThatThrownBy(() -> CredentialReportCsv.parse(bad, GENERATED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maybe");
  }
}
