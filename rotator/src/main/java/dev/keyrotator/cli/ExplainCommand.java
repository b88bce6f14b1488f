package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyResolver;
import dev.keyrotator.ports.Account;
import dev.keyrotator.ports.AccountDirectory;
import dev.keyrotator.run.Progress;
import dev.keyrotator.wiring.Injectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code explain}: the effective policy of one account and the rule behind each value. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Print the policy in force for an account and which rule set each value.")
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin OrganizationOptions org;

  @Option(names = "--account", required = true, paramLabel = "ID", description = "Account id.")
  String account;

  @Option(
      names = "--ou-path",
      split = ",",
      paramLabel = "OU",
      description = "OU ids from the top of the tree down to the account's parent.")
  List<String> ouPath = new ArrayList<>();

  @Option(names = "--tags", split = ",", paramLabel = "KEY=VALUE", description = "Account tags.")
  Map<String, String> tags = new LinkedHashMap<>();

  @Option(
      names = "--live",
      description =
          "Read the account's OU path and tags from the organization (read-only)"
              + " instead of --ou-path and --tags.")
  boolean live;

  @Override
  public Integer call() {
    if (!account.matches("\\d{12}")) {
      throw new ParameterException(
          spec.commandLine(), "--account must be a 12-digit account id, got '" + account + "'");
    }
    PolicyFile file = org.loadPolicy();
    AccountContext context;
    if (live) {
      if (!ouPath.isEmpty() || !tags.isEmpty()) {
        throw new IllegalArgumentException(
            "--live reads the OU path and tags from the organization: drop --ou-path and --tags");
      }
      context = liveContext(file);
    } else {
      context = new AccountContext(account, ouPath, tags);
    }
    EffectivePolicy p = PolicyResolver.resolve(file, context);
    PolicyPrinter.print(spec.commandLine().getOut(), p);
    return ExitCodes.OK;
  }

  private AccountContext liveContext(PolicyFile file) {
    Injector injector = org.injector(file, org.clock(), Progress.silent(), false);
    try {
      Account a =
          injector.getInstance(AccountDirectory.class).activeAccounts(true).stream()
              .filter(x -> x.id().equals(account))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "account " + account + " is not an ACTIVE account of this organization"));
      spec.commandLine()
          .getOut()
          .printf(
              "Account %s (%s), OU path %s, tags %s%n",
              a.id(), a.name(), a.ouPathNames(), a.tags());
      return new AccountContext(a.id(), a.ouPath(), a.tags());
    } finally {
      Injectors.close(injector);
    }
  }
}
