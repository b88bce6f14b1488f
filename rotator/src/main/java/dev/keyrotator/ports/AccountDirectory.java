package dev.keyrotator.ports;

import java.util.List;

/** The organization's accounts (AWS Organizations). */
public interface AccountDirectory {

  /** Every ACTIVE account, all pages, with its OU path and tags read once. */
  List<Account> activeAccounts();

  /**
   * Every ACTIVE account; with {@code withTags} false the accounts' tags may be left empty, which
   * saves one call per account when no policy override selects accounts by tag.
   */
  default List<Account> activeAccounts(boolean withTags) {
    return activeAccounts();
  }

  /**
   * Told that an earlier step of the run listed {@code accounts} (a fan-out batch): what they say
   * about the organization (that there is one: none is standalone) need not be asked again.
   */
  default void listedBefore(List<Account> accounts) {}
}
