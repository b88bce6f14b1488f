package dev.keyrotator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyrotator.aws.Arns;
import dev.keyrotator.aws.OwnKeySecret;
import dev.keyrotator.ports.AccessKeyPair;
import dev.keyrotator.ports.AwsCallException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.regions.Region;

/**
 * {@code credentials}: the AWS SDKs' and CLI's {@code credential_process} for an IAM user whose key
 * the rotator rotates. It holds the user's current key in a local cache (mode 0600, replaced
 * atomically), reads the user's own secret with it, and switches to the newest stored key as soon
 * as there is one; when Secrets Manager cannot be reached it serves the cached key. No injector,
 * one SDK client: it starts in well under a second.
 */
@Command(
    name = "credentials",
    mixinStandardHelpOptions = true,
    description = {
      "Serve an IAM user's current access key to the AWS SDKs and CLI (credential_process),"
          + " switching to the rotator's new key as soon as one is stored.",
      "In ~/.aws/config:  credential_process = java -jar rotator.jar credentials --secret-id ARN"
    })
final class CredentialsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Secret errors that mean "the key you signed with is not (or no longer) accepted". */
  private static final Set<String> KEY_REFUSED =
      Set.of(
          "UnrecognizedClientException",
          "InvalidClientTokenId",
          "InvalidSignatureException",
          "SignatureDoesNotMatch",
          "AccessDeniedException");

  @Spec CommandSpec spec;

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "ID",
      description = "The user's secret (its ARN, as the key-created message gives it, or name).")
  String secretId;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "The secret's region. Default: the ARN's, else AWS_REGION.")
  String region;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Secrets Manager endpoint (the sandbox). Default: AWS_ENDPOINT_URL or AWS.")
  URI endpoint;

  @Option(
      names = "--cache",
      paramLabel = "FILE",
      description =
          "Where the current key is kept (mode 0600). Default:"
              + " ~/.cache/org-key-rotator/credentials-<hash of the secret id>.json")
  Path cache;

  @Option(
      names = "--expires-after",
      paramLabel = "SECONDS",
      defaultValue = "900",
      description =
          "How long the SDK may use the key before it asks again, so a new key is picked up"
              + " (default: ${DEFAULT-VALUE}).")
  long expiresAfterSeconds;

  @Option(
      names = "--write-profile",
      paramLabel = "NAME",
      description =
          "Instead of printing the key, write it into profile NAME of the shared credentials file"
              + " (atomically), for tools that cannot run credential_process.")
  String writeProfile;

  @Option(
      names = "--credentials-file",
      paramLabel = "FILE",
      description =
          "With --write-profile: the file. Default: AWS_SHARED_CREDENTIALS_FILE or"
              + " ~/.aws/credentials.")
  Path credentialsFile;

  @Override
  public Integer call() throws IOException {
    Map<String, String> env = ((Main) spec.root().userObject()).env();
    if (expiresAfterSeconds < 0) {
      throw new IllegalArgumentException("--expires-after must be 0 or more seconds");
    }
    Region r =
        Region.of(
            region()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "no region for secret "
                                + secretId
                                + ": pass --region or use the secret's ARN")));
    Optional<URI> ep =
        Optional.ofNullable(endpoint)
            .or(
                () ->
                    Optional.ofNullable(env.get("AWS_ENDPOINT_URL"))
                        .filter(s -> !s.isBlank())
                        .map(URI::create));
    ep.ifPresent(AwsTarget::checkUrl);
    Path file = cache != null ? cache : defaultCache(env);
    Optional<AccessKeyPair> cached = readCache(file);
    Optional<AccessKeyPair> bootstrap = envKey(env);
    PrintWriter err = spec.commandLine().getErr();
    if (cached.isEmpty() && bootstrap.isEmpty()) {
      throw new IllegalArgumentException(
          "no key to start from: run this once with the user's current key in"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (it seeds the cache "
              + file
              + ")");
    }
    AccessKeyPair current = cached.orElseGet(bootstrap::get);
    try {
      AccessKeyPair newest = readNewest(r, ep, current, bootstrap);
      if (!newest.accessKeyId().equals(current.accessKeyId()) || cached.isEmpty()) {
        if (!newest.accessKeyId().equals(current.accessKeyId())) {
          err.println(
              "credentials: switched from key "
                  + current.accessKeyId()
                  + " to the newest"
                  + " stored key "
                  + newest.accessKeyId());
        }
        writeCache(file, newest);
      }
      current = newest;
    } catch (AwsCallException e) {
      if (KEY_REFUSED.contains(e.errorCode())) {
        err.println(
            "error: key "
                + current.accessKeyId()
                + " may not read secret "
                + secretId
                + " ("
                + e.errorCode()
                + "): it was deactivated before this machine picked up its"
                + " successor, or the secret's policy does not name this user; read the secret"
                + " with another identity and seed the cache again");
        err.flush();
        return ExitCodes.PARTIAL_FAILURE;
      }
      if (cached.isEmpty()) {
        err.println("error: cannot read secret " + secretId + ": " + e.getMessage());
        err.flush();
        return ExitCodes.PARTIAL_FAILURE;
      }
      err.println(
          "credentials: warning: Secrets Manager not reachable ("
              + e.errorCode()
              + "); serving the cached key "
              + current.accessKeyId());
    }
    err.flush();
    if (writeProfile != null) {
      Path target = credentialsFile != null ? credentialsFile : defaultCredentialsFile(env);
      ProfileFileUpdate.write(target, writeProfile, current);
      err.println(
          "credentials: profile "
              + writeProfile
              + " in "
              + target
              + " holds key "
              + current.accessKeyId());
      err.flush();
      return ExitCodes.OK;
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("Version", 1);
    out.put("AccessKeyId", current.accessKeyId());
    out.put("SecretAccessKey", current.secretAccessKey());
    out.put("Expiration", Instant.now().plusSeconds(expiresAfterSeconds).toString());
    spec.commandLine().getOut().println(JSON.writeValueAsString(out));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** The stored key, read with the current key; with the seed key when the current is refused. */
  private AccessKeyPair readNewest(
      Region r, Optional<URI> ep, AccessKeyPair current, Optional<AccessKeyPair> bootstrap) {
    try {
      return OwnKeySecret.current(secretId, r, ep, current);
    } catch (AwsCallException e) {
      if (KEY_REFUSED.contains(e.errorCode())
          && bootstrap.isPresent()
          && !bootstrap.get().accessKeyId().equals(current.accessKeyId())) {
        return OwnKeySecret.current(secretId, r, ep, bootstrap.get());
      }
      throw e;
    }
  }

  private Optional<String> region() {
    if (region != null) {
      return Optional.of(region);
    }
    String fromArn = Arns.region(secretId);
    if (!fromArn.isEmpty()) {
      return Optional.of(fromArn);
    }
    Map<String, String> env = ((Main) spec.root().userObject()).env();
    return Optional.ofNullable(env.get("AWS_REGION"))
        .or(() -> Optional.ofNullable(env.get("AWS_DEFAULT_REGION")))
        .filter(s -> !s.isBlank());
  }

  private static Optional<AccessKeyPair> envKey(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(new AccessKeyPair(id.trim(), secret.trim()));
  }

  private Path defaultCache(Map<String, String> env) {
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".cache", "org-key-rotator", "credentials-" + hash(secretId) + ".json");
  }

  private static Path defaultCredentialsFile(Map<String, String> env) {
    String f = env.get("AWS_SHARED_CREDENTIALS_FILE");
    if (f != null && !f.isBlank()) {
      return Path.of(f);
    }
    return Path.of(
        env.getOrDefault("HOME", System.getProperty("user.home")), ".aws", "credentials");
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Optional<AccessKeyPair> readCache(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(file));
      return Optional.of(
          new AccessKeyPair(n.get("AccessKeyId").asText(), n.get("SecretAccessKey").asText()));
    } catch (IOException | RuntimeException e) {
      // an unreadable cache is as good as none; the message names the file, never its content
      return Optional.empty();
    }
  }

  /** Replaces the cache atomically; the file is readable by its owner only, from its creation. */
  static void writeCache(Path file, AccessKeyPair key) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("AccessKeyId", key.accessKeyId());
    n.put("SecretAccessKey", key.secretAccessKey());
    n.put("Updated", Instant.now().toString());
    SecretFiles.replace(file, JSON.writeValueAsBytes(n));
  }

  /** Files that hold a secret: owner-only from creation, replaced atomically. */
  static final class SecretFiles {
    private SecretFiles() {}

    static void replace(Path file, byte[] content) throws IOException {
      Path dir = file.toAbsolutePath().getParent();
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      Path tmp =
          posix
              ? Files.createTempFile(
                  dir,
                  ".tmp-",
                  ".part",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(dir, ".tmp-", ".part");
      try {
        Files.write(tmp, content);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** The shared credentials file with one profile's key replaced, every other line kept. */
  static final class ProfileFileUpdate {
    private ProfileFileUpdate() {}

    static void write(Path file, String profile, AccessKeyPair key) throws IOException {
      List<String> lines = Files.isRegularFile(file) ? Files.readAllLines(file) : new ArrayList<>();
      SecretFiles.replace(
          file,
          String.join("\n", update(lines, profile, key))
              .concat("\n")
              .getBytes(StandardCharsets.UTF_8));
    }

    static List<String> update(List<String> lines, String profile, AccessKeyPair key) {
      List<String> out = new ArrayList<>();
      boolean in = false;
      boolean done = false;
      for (String line : lines) {
        String t = line.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
          if (in && !done) {
            addKey(out, key);
            done = true;
          }
          in = t.substring(1, t.length() - 1).trim().equals(profile);
          out.add(line);
          continue;
        }
        if (in) {
          String k = t.contains("=") ? t.substring(0, t.indexOf('=')).trim() : "";
          if (k.equals("aws_access_key_id")
              || k.equals("aws_secret_access_key")
              || k.equals("aws_session_token")) {
            continue;
          }
        }
        out.add(line);
      }
      if (in && !done) {
        addKey(out, key);
        done = true;
      }
      if (!done) {
        out.add("[" + profile + "]");
        addKey(out, key);
      }
      return out;
    }

    private static void addKey(List<String> out, AccessKeyPair key) {
      out.add("aws_access_key_id = " + key.accessKeyId());
      out.add("aws_secret_access_key = " + key.secretAccessKey());
    }
  }
}
