package dev.keyrotator.aws;

/** The per-account adapters, bound to one account's credentials. Close it when done. */
public interface AccountSession extends AutoCloseable {

  String accountId();

  KeyStore keys();

  /** The vault in this account (secrets stored in the member account, the default). */
  SecretVault vault();

  @Override
  void close();
}
