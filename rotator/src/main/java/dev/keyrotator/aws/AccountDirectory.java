package dev.keyrotator.aws;

import java.util.List;

/** The organization's accounts (AWS Organizations). */
public interface AccountDirectory {

  /** Every ACTIVE account, all pages, with its OU path and tags read once. */
  List<Account> activeAccounts();
}
