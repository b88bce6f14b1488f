package dev.keyrotator.run;

import dev.keyrotator.policy.RotationMarker;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.ports.NewAccessKey;
import dev.keyrotator.ports.SecretReader;
import dev.keyrotator.ports.SecretRefusedException;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.StoredSecret;
import dev.keyrotator.ports.UserKeys;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Creates a user's new access key so that its secret is never lost: marker, create, store (or
 * delete the new key if storing fails), and, once the owner is told, clear the marker. Whatever
 * call fails or wherever the process dies, either the secret is stored or the key is deleted, now
 * or by the next run, which finds the marker (see {@code Planner}'s repair rules).
 */
final class LossFreeKeyCreation {

  /** A key whose secret is stored; {@link #finish} clears the marker once the owner is told. */
  final class Created {
    private final String userName;
    private final String keyId;
    private final StoredSecret secret;

    private Created(String userName, String keyId, StoredSecret secret) {
      this.userName = userName;
      this.keyId = keyId;
      this.secret = secret;
    }

    String keyId() {
      return keyId;
    }

    StoredSecret secret() {
      return secret;
    }

    /**
     * Clears the marker; if that fails the key and its secret are complete and the next run clears
     * it.
     */
    void finish() {
      try {
        keys.clearMarker(userName);
      } catch (AwsCallException e) {
        notes.add(
            "the rotation marker could not be cleared ("
                + e.getMessage()
                + "); the next run clears it");
      }
    }
  }

  private final UserKeys keys;
  private final SecretVault vault;
  private final Clock clock;
  private final List<String> notes;

  /**
   * @param notes where what the next run has to finish is told
   */
  LossFreeKeyCreation(UserKeys keys, SecretVault vault, Clock clock, List<String> notes) {
    this.keys = keys;
    this.vault = vault;
    this.clock = clock;
    this.notes = notes;
  }

  /**
   * Marker, CreateAccessKey, store.
   *
   * @throws AwsCallException when a step fails; the new key is then deleted (or left for the next
   *     run's repair, with the marker) unless its secret is stored
   * @throws SecretRefusedException when the user's secret is not the rotator's to write into
   *     (before any key is created, or, if it changed meanwhile, after: the new key is then
   *     deleted)
   */
  Created create(String runId, String accountId, String userName, SecretReader reader) {
    Optional<String> refusal = vault.refusal(accountId, userName);
    if (refusal.isPresent()) {
      // no key is made for a secret that would refuse it
      throw new SecretRefusedException("", refusal.get());
    }
    keys.writeMarker(userName, new RotationMarker(runId, clock.instant()));
    NewAccessKey created;
    try {
      created = keys.createKey(userName);
    } catch (AwsCallException refused) {
      clearMarkerOfFailedCreate(userName, refused);
      throw refused;
    }
    StoredSecret secret;
    try {
      secret = vault.store(accountId, created, reader);
    } catch (RuntimeException storeFailure) {
      if (valueStored(accountId, userName, created, storeFailure)) {
        // The secret is safe; only what follows the value is missing. Keep the key and the
        // marker: the next run completes the store before anything else for this user.
        notes.add(
            "the secret of new key "
                + created.key().id()
                + " is stored but the"
                + " store did not finish ("
                + storeFailure.getMessage()
                + "); the key is kept"
                + " and the next run completes the store");
      } else {
        undoCreate(userName, created);
      }
      throw storeFailure;
    }
    return new Created(userName, created.key().id(), secret);
  }

  /**
   * A CreateAccessKey that IAM refused (a 4xx answer: LimitExceeded because the owner made a key
   * meanwhile, NoSuchEntity, AccessDenied) created nothing, so its marker goes at once: left behind
   * it would make the next run take a key someone else created for this run's orphan. After a 5xx
   * or no answer at all the key may exist, so the marker stays for the next run's repair.
   */
  private void clearMarkerOfFailedCreate(String userName, AwsCallException refused) {
    if (refused.statusCode() < 400 || refused.statusCode() >= 500) {
      notes.add(
          "CreateAccessKey failed without a clear answer ("
              + refused.errorCode()
              + "); the marker stays and the next run repairs");
      return;
    }
    try {
      keys.clearMarker(userName);
    } catch (RuntimeException e) {
      notes.add(
          "the marker of the refused CreateAccessKey could not be cleared ("
              + e.getMessage()
              + "); the next run clears it");
    }
  }

  /**
   * Whether the new key's value made it into the vault although {@code store} failed: it fails
   * after the value when the resource policy or the tags could not be applied. When that cannot be
   * told, the answer is no and the key is deleted (its secret is never handed out).
   */
  private boolean valueStored(
      String accountId, String user, NewAccessKey created, RuntimeException failure) {
    if (failure instanceof AwsCallException e
        && (e.operation().equals("PutResourcePolicy") || e.operation().equals("TagResource"))) {
      return true;
    }
    try {
      return vault
          .storedKeyIds(accountId, user, List.of(created.key().id()))
          .contains(created.key().id());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Storing failed: the new key must not outlive this call, or it would be lost. */
  private void undoCreate(String user, NewAccessKey created) {
    try {
      keys.deleteKey(user, created.key().id());
      keys.clearMarker(user);
    } catch (RuntimeException undoFailure) {
      // The marker stays: the next run finds the orphan and deletes it before anything else.
      notes.add(
          "could not delete the new key "
              + created.key().id()
              + " after the store failed ("
              + undoFailure.getMessage()
              + "); the next run deletes it");
    }
  }
}
