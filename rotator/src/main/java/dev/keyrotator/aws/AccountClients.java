package dev.keyrotator.aws;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One shared SDK client per member-account service (IAM, Secrets Manager) seen by each account
 * through a view of its own: every request the view sends carries that account's assumed-role
 * credentials ({@code overrideConfiguration().credentialsProvider}) and is retried and rate-limited
 * by that account's own adaptive retry strategy. Building an SDK client per account cost 14.5% of
 * the rotator's CPU at 1,000 accounts; a view costs a proxy and a retry strategy.
 *
 * <p>Why a retry strategy per account: the adaptive strategy's client-side rate limiter slows every
 * request sent through it once one is throttled, and IAM's limits are per account. One strategy for
 * the shared client would let one throttled account slow all the others. The shared client's
 * strategy ({@link Routing}) therefore hands each attempt to the strategy of the account whose view
 * sent it (the SDK's sync client acquires, refreshes and records retry tokens on the calling
 * thread, inside the view's call), and each token remembers which strategy issued it.
 *
 * <p>Fail closed: the shared client's own credentials provider refuses to sign, so a request that
 * does not come through an account's view fails instead of going out with other credentials.
 */
final class AccountClients {
  private AccountClients() {}

  /** The account whose view is sending a request on this thread, by its retry strategy. */
  private static final ThreadLocal<RetryStrategy> CURRENT = new ThreadLocal<>();

  /** The shared client's credentials: none. Every request brings its account's own. */
  static final AwsCredentialsProvider NO_CREDENTIALS =
      new AwsCredentialsProvider() {
        @Override
        public AwsCredentials resolveCredentials() {
          throw SdkClientException.create(
              "a member-account client was called without an account's credentials");
        }

        @Override
        public String toString() {
          return "NoCredentials";
        }
      };

  /**
   * The view of {@code shared} for one account. Closing the view leaves the shared client open (the
   * factory closes it); the account's credentials are the caller's to close.
   */
  static <T extends SdkAutoCloseable> T view(
      Class<T> type, T shared, AwsCredentialsProvider credentials, RetryStrategy retry) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            new View(shared, credentials, retry, type.getSimpleName())));
  }

  private static final class View implements InvocationHandler {
    private final Object shared;
    private final AwsCredentialsProvider credentials;
    private final RetryStrategy retry;
    private final String name;

    View(Object shared, AwsCredentialsProvider credentials, RetryStrategy retry, String name) {
      this.shared = shared;
      this.credentials = credentials;
      this.retry = retry;
      this.name = name;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      int n = method.getParameterCount();
      switch (method.getName()) {
        case "close" -> {
          if (n == 0) {
            return null;
          }
        }
        case "toString" -> {
          if (n == 0) {
            return name + " (an account's view of the shared client)";
          }
        }
        case "hashCode" -> {
          if (n == 0) {
            return System.identityHashCode(proxy);
          }
        }
        case "equals" -> {
          if (n == 1) {
            return proxy == args[0];
          }
        }
        default -> {}
      }
      boolean operation =
          n == 1 && args[0] instanceof AwsRequest && !method.getName().endsWith("Paginator");
      if (!operation) {
        // Consumer<Builder> overloads and paginators are interface defaults that call back into
        // this view (a paginator fetches its pages through it); the rest (serviceName,
        // serviceClientConfiguration) are the shared client's
        return method.isDefault()
            ? InvocationHandler.invokeDefault(proxy, method, args)
            : call(shared, method, args);
      }
      RetryStrategy before = CURRENT.get();
      CURRENT.set(retry);
      try {
        return call(shared, method, new Object[] {withCredentials((AwsRequest) args[0])});
      } finally {
        if (before == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(before);
        }
      }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    private AwsRequest withCredentials(AwsRequest r) {
      AwsRequestOverrideConfiguration o =
          r.overrideConfiguration()
              .map(c -> c.toBuilder().credentialsProvider(credentials).build())
              .orElseGet(
                  () ->
                      AwsRequestOverrideConfiguration.builder()
                          .credentialsProvider(credentials)
                          .build());
      return r.toBuilder().overrideConfiguration(o).build();
    }
  }

  /**
   * The shared client's retry strategy: each attempt goes to the strategy of the account whose view
   * sent the request ({@code fallback} for none: such a request fails to sign anyway).
   */
  static final class Routing implements RetryStrategy {
    private final RetryStrategy fallback;
    private final Supplier<RetryStrategy> rebuild;

    Routing(RetryStrategy fallback, Supplier<RetryStrategy> rebuild) {
      this.fallback = fallback;
      this.rebuild = rebuild;
    }

    /** The token of the strategy that issued it, with that strategy. */
    private record Routed(RetryStrategy strategy, RetryToken token) implements RetryToken {}

    private static Routed routed(RetryToken t) {
      if (t instanceof Routed r) {
        return r;
      }
      throw new IllegalArgumentException("not a token of this strategy: " + t);
    }

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
      RetryStrategy s = CURRENT.get();
      if (s == null) {
        s = fallback;
      }
      AcquireInitialTokenResponse r = s.acquireInitialToken(request);
      return AcquireInitialTokenResponse.create(new Routed(s, r.token()), r.delay());
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
      Routed t = routed(request.token());
      RefreshRetryTokenRequest.Builder inner =
          RefreshRetryTokenRequest.builder().token(t.token()).failure(request.failure());
      request.suggestedDelay().ifPresent(inner::suggestedDelay);
      try {
        RefreshRetryTokenResponse r = t.strategy().refreshRetryToken(inner.build());
        return RefreshRetryTokenResponse.create(new Routed(t.strategy(), r.token()), r.delay());
      } catch (TokenAcquisitionFailedException e) {
        throw new TokenAcquisitionFailedException(
            e.getMessage(),
            e.token() == null ? null : new Routed(t.strategy(), e.token()),
            e.getCause());
      }
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
      Routed t = routed(request.token());
      RecordSuccessResponse r = t.strategy().recordSuccess(RecordSuccessRequest.create(t.token()));
      return RecordSuccessResponse.create(new Routed(t.strategy(), r.token()));
    }

    @Override
    public int maxAttempts() {
      return fallback.maxAttempts();
    }

    @Override
    public Builder<?, ?> toBuilder() {
      return rebuild.get().toBuilder();
    }
  }
}
