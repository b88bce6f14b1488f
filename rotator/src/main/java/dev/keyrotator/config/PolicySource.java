package dev.keyrotator.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Where the policy file comes from: a path, {@code file:} URI, {@code s3://bucket/key}, or {@code
 * classpath:name} (the copy bundled in the jar).
 */
public final class PolicySource {
  private PolicySource() {}

  /**
   * Loads the policy at {@code location}.
   *
   * @param s3 reads an object: (bucket, key) to bytes; only called for {@code s3://} locations
   */
  public static PolicyFile load(String location, BiFunction<String, String, byte[]> s3) {
    if (location.startsWith("s3://")) {
      URI uri = URI.create(location);
      String key = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
      if (uri.getHost() == null || key.isEmpty()) {
        throw problem(location, "an S3 policy location must look like s3://bucket/key");
      }
      return PolicyFileLoader.parse(location, s3.apply(uri.getHost(), key));
    }
    if (location.startsWith("classpath:")) {
      String name = location.substring("classpath:".length());
      try (var in = PolicySource.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw problem(location, "no such resource in the jar");
        }
        return PolicyFileLoader.parse(location, in.readAllBytes());
      } catch (java.io.IOException e) {
        throw problem(location, "cannot read: " + e.getMessage());
      }
    }
    if (location.startsWith("file:")) {
      return PolicyFileLoader.load(Path.of(URI.create(location)));
    }
    return PolicyFileLoader.load(Path.of(location));
  }

  private static PolicyFileException problem(String location, String message) {
    return new PolicyFileException(List.of(new ConfigProblem(location, 0, "", message)));
  }
}
