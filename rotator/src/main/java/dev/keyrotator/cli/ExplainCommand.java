package dev.keyrotator.cli;

import dev.keyrotator.config.AccountContext;
import dev.keyrotator.config.EffectivePolicy;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.config.PolicyResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "Policy file.")
  Path policy;

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

  @Override
  public Integer call() {
    if (!account.matches("\\d{12}")) {
      throw new ParameterException(
          spec.commandLine(), "--account must be a 12-digit account id, got '" + account + "'");
    }
    PolicyFile file = PolicyFileLoader.load(policy);
    EffectivePolicy p = PolicyResolver.resolve(file, new AccountContext(account, ouPath, tags));
    PolicyPrinter.print(spec.commandLine().getOut(), p);
    return ExitCodes.OK;
  }
}
