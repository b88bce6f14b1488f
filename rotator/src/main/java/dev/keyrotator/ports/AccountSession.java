package dev.keyrotator.ports;

/** The per-account adapters, bound to one account's credentials. Close it when done. */
public interface AccountSession extends AutoCloseable {

  String accountId();

  /** The account's IAM users one by one. */
  UserKeys keys();

  /** The account's IAM users in bulk. */
  UserScan scan();

  /** The vault in this account (secrets stored in the member account, the default). */
  SecretVault vault();

  @Override
  void close();
}
