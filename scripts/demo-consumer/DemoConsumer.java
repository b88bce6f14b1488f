// A workload for scripts/demo that never hears of the rotation: seeded once with the user's key
// (after the rotator stored the new secret, as the key-created message says), it calls STS
// GetCallerIdentity every couple of seconds with credentials from `rotator credentials` as its credential_process
// (the SDK's ProcessCredentialsProvider, exactly as a profile line would configure it), and, when
// the file given by --stop appears, prints one line: how many calls, how many failed, and on which
// sandbox day (counted from its start) it switched to the new key (last four characters of the key id; never a secret).
//
// Demo only (run with the Java source launcher and the rotator jar on the class path):
//   java -cp rotator/target/rotator.jar scripts/demo-consumer/DemoConsumer.java \
//     --endpoint URL --user NAME --account ID --rotator-jar JAR --cache FILE --stop FILE
// The seed (the operator's one step: the user's current key, once) is read from the sandbox's
// admin API and handed to the provider in its environment, never in its arguments.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProcessCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

public class DemoConsumer {
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    String endpoint = a.get("--endpoint");
    String user = a.get("--user");
    String account = a.get("--account");
    Path cache = Path.of(a.get("--cache"));
    Path stop = Path.of(a.get("--stop"));
    Duration every = Duration.ofMillis(Long.parseLong(a.getOrDefault("--every-ms", "1000")));
    HttpClient http = HttpClient.newHttpClient();
    Instant start = clock(http, endpoint);

    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-jar",
            a.get("--rotator-jar"),
            "credentials",
            "--secret-id",
            "key-rotator/" + account + "/" + user,
            "--region",
            "us-east-1",
            "--endpoint",
            endpoint,
            "--cache",
            cache.toString(),
            "--expires-after",
            "0");
    String seedKey = seed(http, endpoint, account, user, command);

    int calls = 0;
    int failed = 0;
    String currentKey = seedKey;
    String switched = "still on the key it was seeded with (..." + last4(seedKey) + ")";
    ProcessCredentialsProvider provider =
        ProcessCredentialsProvider.builder().command(command).build();
    // the key id the SDK signs with, as the provider hands it out (the secret is never looked at)
    AtomicReference<String> signingKey = new AtomicReference<>(seedKey);
    AwsCredentialsProvider watched =
        () -> {
          AwsCredentials c = provider.resolveCredentials();
          signingKey.set(c.accessKeyId());
          return c;
        };
    try (StsClient sts =
        StsClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(endpoint))
            .credentialsProvider(watched)
            .build()) {
      while (!Files.exists(stop)) {
        calls++;
        try {
          sts.getCallerIdentity();
          String id = signingKey.get();
          if (!id.equals(currentKey)) {
            long day = Duration.between(start, clock(http, endpoint)).toDays();
            switched =
                "switched from the key it was seeded with (..."
                    + last4(seedKey)
                    + ") to the new key (..."
                    + last4(id)
                    + ") on day "
                    + day;
          }
          currentKey = id;
        } catch (RuntimeException e) {
          failed++;
          System.err.println("consumer: call failed: " + e.getClass().getSimpleName());
        }
        Thread.sleep(every.toMillis());
      }
    }
    System.out.println(
        "consumer ("
            + user
            + "): "
            + calls
            + " calls to STS GetCallerIdentity, "
            + failed
            + " failed, "
            + switched
            + "; it was never restarted or reconfigured");
  }

  static String last4(String keyId) {
    return keyId.substring(Math.max(0, keyId.length() - 4));
  }

  /**
   * The operator's one step: the provider run once with the user's current key, to seed it.
   *
   * @return the id of the key it was seeded with
   */
  static String seed(HttpClient http, String endpoint, String account, String user, List<String> cmd)
      throws Exception {
    String state = get(http, endpoint + "/_sandbox/state?secrets=true").replaceAll("\\s", "");
    int acct = state.indexOf("\"id\":\"" + account + "\"");
    int at = state.indexOf("\"name\":\"" + user + "\"", Math.max(acct, 0));
    if (acct < 0 || at < 0) {
      throw new IllegalStateException("no user " + user + " in account " + account);
    }
    Matcher id = Pattern.compile("\"accessKeyId\":\"([^\"]+)\"").matcher(state);
    Matcher secret = Pattern.compile("\"secretAccessKey\":\"([^\"]+)\"").matcher(state);
    if (!id.find(at) || !secret.find(at)) {
      throw new IllegalStateException("user " + user + " has no key to seed with");
    }
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
    pb.environment().keySet().removeIf(n -> n.startsWith("AWS_"));
    pb.environment().put("AWS_ACCESS_KEY_ID", id.group(1));
    pb.environment().put("AWS_SECRET_ACCESS_KEY", secret.group(1));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD); // its output is the credentials
    Process p = pb.start();
    p.waitFor();
    return id.group(1);
  }

  static Instant clock(HttpClient http, String endpoint) throws Exception {
    Matcher m =
        Pattern.compile("\"now\"\\s*:\\s*\"([^\"]+)\"")
            .matcher(get(http, endpoint + "/_sandbox/clock"));
    if (!m.find()) {
      throw new IllegalStateException("the sandbox did not tell its clock");
    }
    return Instant.parse(m.group(1));
  }

  static String get(HttpClient http, String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
