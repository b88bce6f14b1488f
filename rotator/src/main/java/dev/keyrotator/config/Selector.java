package dev.keyrotator.config;

/** What an override applies to. */
public sealed interface Selector {

  String describe();

  /** An OU and every OU below it. */
  record Ou(String ouId) implements Selector {
    @Override
    public String describe() {
      return "ou " + ouId;
    }
  }

  /** Accounts tagged {@code key=value}. */
  record AccountTag(String key, String value) implements Selector {
    @Override
    public String describe() {
      return "accountTag " + key + "=" + value;
    }
  }

  /** One account. */
  record Account(String accountId) implements Selector {
    @Override
    public String describe() {
      return "account " + accountId;
    }
  }
}
