package dev.keyrotator.aws;

import java.util.Objects;
import java.util.function.Supplier;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * An SDK client built on its first use: a {@code plan} that publishes nothing and delivers no
 * report builds no SNS or S3 client. Not a proxy of the client interface on purpose: a {@link
 * java.lang.reflect.Proxy} of {@code S3Client} resolves every type its methods name when the proxy
 * class is made (about 2,000 S3 model classes, 400 SNS ones), which cost more start-up than the
 * client it saved. The factory that built the client closes it.
 */
public final class LazyClient<T extends SdkAutoCloseable> implements Supplier<T> {
  private final Supplier<T> build;
  private volatile T client;

  private LazyClient(Supplier<T> build) {
    this.build = build;
  }

  /** Built by {@code build} on the first {@link #get}, once. */
  public static <T extends SdkAutoCloseable> LazyClient<T> of(Supplier<T> build) {
    return new LazyClient<>(Objects.requireNonNull(build, "build"));
  }

  /** A client that already exists (tests, the CLI's own clients). */
  public static <T extends SdkAutoCloseable> LazyClient<T> built(T client) {
    Objects.requireNonNull(client, "client");
    LazyClient<T> c = new LazyClient<>(() -> client);
    c.client = client;
    return c;
  }

  @Override
  public T get() {
    T c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = Objects.requireNonNull(build.get(), "built client");
          client = c;
        }
      }
    }
    return c;
  }
}
