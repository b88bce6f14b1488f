package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.PolicyPrinter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * For a fixed org tree, account tags and policy file, each account's effective policy (values and
 * the rule behind each) equals a checked-in file. Regenerate with {@code -Dgolden.update=true}.
 */
class PolicyResolutionGoldenTest {

  static final Path DIR = Path.of("src/test/resources/config/golden");

  @SuppressWarnings("unchecked")
  static Stream<String[]> accounts() throws IOException {
    Map<String, Map<String, Object>> accounts =
        new Yaml().load(Files.readString(DIR.resolve("accounts.yaml")));
    return accounts.keySet().stream().sorted().map(id -> new String[] {id});
  }

  @ParameterizedTest(name = "account {0}")
  @MethodSource("accounts")
  @SuppressWarnings("unchecked")
  void effectivePolicyMatchesTheGoldenFile(String accountId) throws IOException {
    Map<String, Map<String, Object>> accounts =
        new Yaml().load(Files.readString(DIR.resolve("accounts.yaml")));
    Map<String, Object> a = accounts.get(accountId);
    AccountContext ctx =
        new AccountContext(
            accountId, (List<String>) a.get("ouPath"), (Map<String, String>) a.get("tags"));
    PolicyFile file = PolicyFileLoader.load(DIR.resolve("policy.yaml"));

    StringWriter text = new StringWriter();
    PolicyPrinter.print(new PrintWriter(text), PolicyResolver.resolve(file, ctx));

    Path golden = DIR.resolve("expected/" + accountId + ".txt");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, text.toString());
    }
    assertThat(text.toString()).isEqualTo(Files.readString(golden));
  }
}
