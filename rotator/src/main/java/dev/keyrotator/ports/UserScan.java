package dev.keyrotator.ports;

import java.time.Duration;
import java.util.List;

/** Every IAM user of one account read in bulk: the credential report and the users' details. */
public interface UserScan {

  /**
   * Asks IAM to generate the account's credential report (GenerateCredentialReport) if the one it
   * has is more than four hours old. Cheap; call it early and read the report later.
   *
   * @return true when a report is ready now
   */
  boolean requestCredentialReport() throws ScanUnavailableException;

  /**
   * The account's credential report, waiting until it is ready or {@code maxWait} has passed.
   *
   * @throws ScanUnavailableException when IAM refuses, the report is not ready in time or it cannot
   *     be parsed
   */
  CredentialReport credentialReport(Duration maxWait) throws ScanUnavailableException;

  /**
   * Every user's facts and rotator state in bulk (GetAccountAuthorizationDetails with Filter=User,
   * all pages): the same user facts, marker and history {@link UserKeys#read} gives, without the
   * keys.
   */
  List<UserDetails> userDetails() throws ScanUnavailableException;
}
