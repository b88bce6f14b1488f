package dev.keyrotator.cli;

import dev.keyrotator.aws.AwsModule;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Where the CLI's AWS calls go and as whom, checked before anything is read or changed: the
 * endpoint is a URL that answers, the profile exists, a region is known, credentials are found.
 * Each problem is one line that names the fix ({@link IllegalArgumentException}: exit 2).
 */
record AwsTarget(
    Optional<URI> endpoint, String region, AwsCredentialsProvider credentials, boolean local) {

  /** How long the CLI waits for a custom endpoint to accept a connection. */
  static final int CONNECT_TIMEOUT_MS = 3_000;

  /**
   * @param endpointOption {@code --endpoint}, else {@code AWS_ENDPOINT_URL}
   * @param regionOption {@code --region}, else the SDK's chain (AWS_REGION, AWS_DEFAULT_REGION, the
   *     profile)
   * @param profileOption {@code --profile}, else {@code AWS_PROFILE}, else the default chain
   */
  static AwsTarget resolve(
      Optional<URI> endpointOption,
      Optional<String> regionOption,
      Optional<String> profileOption,
      Map<String, String> env) {
    Optional<URI> endpoint =
        endpointOption.or(() -> env(env, "AWS_ENDPOINT_URL").map(AwsTarget::uri));
    endpoint.ifPresent(AwsTarget::checkUrl);
    Optional<String> profile = profileOption.or(() -> env(env, "AWS_PROFILE"));
    if (profile.isPresent()) {
      if (ProfileFile.defaultProfileFile().profile(profile.get()).isEmpty()) {
        throw new IllegalArgumentException(
            "no profile '"
                + profile.get()
                + "' in ~/.aws/config or ~/.aws/credentials: check --profile or AWS_PROFILE"
                + " (aws configure list-profiles shows the ones there are)");
      }
    }
    String region = regionOption.orElseGet(() -> defaultRegion(env, profile));
    if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d")) {
      throw new IllegalArgumentException(
          "--region '" + region + "' is not an AWS region like us-east-1");
    }
    AwsCredentialsProvider credentials =
        profile.isPresent() && profileOption.isPresent()
            ? ProfileCredentialsProvider.builder().profileName(profile.get()).build()
            : DefaultCredentialsProvider.builder().build();
    boolean local = endpoint.map(AwsTarget::isLoopback).orElse(false);
    endpoint.ifPresent(AwsTarget::checkReachable);
    try {
      credentials.resolveCredentials();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "no AWS credentials found"
              + profile.map(p -> " for profile '" + p + "'").orElse("")
              + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME"
              + " (or set AWS_PROFILE) for a profile in ~/.aws/config");
    }
    return new AwsTarget(endpoint, region, credentials, local);
  }

  AwsModule module() {
    return AwsModule.withCredentials(credentials);
  }

  private static String defaultRegion(Map<String, String> env, Optional<String> profile) {
    Optional<String> fromEnv = env(env, "AWS_REGION").or(() -> env(env, "AWS_DEFAULT_REGION"));
    if (fromEnv.isPresent()) {
      return fromEnv.get();
    }
    if (profile.isPresent()) {
      Optional<String> r =
          ProfileFile.defaultProfileFile()
              .profile(profile.get())
              .flatMap(p -> p.property("region"));
      if (r.isPresent()) {
        return r.get();
      }
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion().id();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "no AWS region: pass --region (e.g. --region us-east-1) or set AWS_REGION");
    }
  }

  private static Optional<String> env(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }

  private static URI uri(String s) {
    try {
      return URI.create(s.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "AWS_ENDPOINT_URL '" + s + "' is not a URL like http://127.0.0.1:4566");
    }
  }

  static void checkUrl(URI u) {
    boolean ok =
        u.getScheme() != null
            && (u.getScheme().equals("http") || u.getScheme().equals("https"))
            && u.getHost() != null
            && (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/"))
            && u.getQuery() == null;
    if (!ok) {
      throw new IllegalArgumentException(
          "endpoint '" + u + "' is not a URL like http://127.0.0.1:4566 (scheme, host, port)");
    }
  }

  private static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
  }

  /** A custom endpoint that refuses connections fails now, not after the SDK's retries. */
  private static void checkReachable(URI u) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), port(u)), CONNECT_TIMEOUT_MS);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("endpoint " + u + ": unknown host " + u.getHost());
    } catch (ConnectException e) {
      throw new IllegalArgumentException(
          "endpoint "
              + u
              + " refuses connections: is the sandbox (or moto, LocalStack) running"
              + " there? (scripts/sandbox starts one)");
    } catch (SocketTimeoutException e) {
      throw new IllegalArgumentException(
          "endpoint " + u + " did not answer within " + CONNECT_TIMEOUT_MS / 1000 + " s");
    } catch (IOException e) {
      throw new IllegalArgumentException("endpoint " + u + " is not reachable: " + e.getMessage());
    }
  }

  /** An endpoint on this machine: the sandbox, moto or LocalStack, never real AWS state. */
  static boolean isLoopback(URI u) {
    try {
      return InetAddress.getByName(u.getHost()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
