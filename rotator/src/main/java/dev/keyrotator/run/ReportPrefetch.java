package dev.keyrotator.run;

import dev.keyrotator.ports.AccountSession;
import dev.keyrotator.ports.CredentialReport;
import dev.keyrotator.ports.RoleAssumer;
import dev.keyrotator.ports.ScanUnavailableException;
import dev.keyrotator.ports.SecretVault;
import dev.keyrotator.ports.UserDetails;
import dev.keyrotator.ports.UserKeys;
import dev.keyrotator.ports.UserScan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Credential reports requested ahead of the accounts' turns. IAM takes seconds (in a large account
 * minutes) to generate a report; an account that asks only when its turn comes holds its worker
 * idle that long. While the first accounts are worked, this opens the sessions of the accounts next
 * in the queue (STS AssumeRole, which the account's turn needs anyway) and calls
 * GenerateCredentialReport once in each, so that the report is ready, or nearly, when the turn
 * comes; the turn then takes over the open session and does not ask IAM to generate again.
 *
 * <p>Bounded: at most {@link #THREADS} prefetches at a time, and no account more than {@code
 * lookahead} places ahead of the last one whose turn began, so that at most {@code lookahead}
 * sessions are held open ahead of their turn (each only an assumed-role credentials provider).
 * Nothing more is prefetched once a turn finds that the deadline allows no more work ({@link
 * #stop}); the prefetch does not consult the deadline itself (in Lambda each look is a call). One
 * call to each account's IAM (its own limits), one AssumeRole per account as before. A session
 * whose account's turn ends without taking it (the lease held by another run, say) is closed then;
 * {@link #close} closes the rest. A prefetch that fails is forgotten: the account's turn opens its
 * session itself and reports the failure as before.
 */
final class ReportPrefetch implements RoleAssumer, AutoCloseable {

  /** Prefetches in flight at once. */
  static final int THREADS = 4;

  private static final CompletableFuture<Optional<AccountSession>> TAKEN =
      CompletableFuture.completedFuture(Optional.empty());

  private final RoleAssumer roles;
  private final String runId;
  private final List<String> queue;
  private final int skip;
  private final int lookahead;
  private final Map<String, CompletableFuture<Optional<AccountSession>>> ahead =
      new ConcurrentHashMap<>();
  private final AtomicInteger turns = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService pool;
  private final Thread feeder;

  /**
   * @param queue the accounts to prefetch, in the order their turns come
   * @param skip the first accounts of the queue, whose turns come at once: left to themselves
   * @param lookahead how far ahead of the last turn begun an account may be prefetched
   */
  ReportPrefetch(RoleAssumer roles, String runId, List<String> queue, int skip, int lookahead) {
    this.roles = roles;
    this.runId = runId;
    this.queue = List.copyOf(queue);
    this.skip = skip;
    this.lookahead = Math.max(1, lookahead);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "report-prefetch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.feeder = new Thread(this::feed, "report-prefetch");
    feeder.setDaemon(true);
  }

  ReportPrefetch start() {
    feeder.start();
    return this;
  }

  private void feed() {
    for (int i = skip; i < queue.size(); i++) {
      synchronized (turns) {
        while (!closed.get() && i >= turns.get() + lookahead) {
          try {
            turns.wait(1_000);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      if (closed.get()) {
        return;
      }
      String id = queue.get(i);
      CompletableFuture<Optional<AccountSession>> f = new CompletableFuture<>();
      if (ahead.putIfAbsent(id, f) != null) {
        continue; // its turn came first
      }
      try {
        pool.execute(() -> f.complete(warm(id)));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        f.complete(Optional.empty());
        return;
      }
    }
  }

  private Optional<AccountSession> warm(String accountId) {
    if (closed.get()) {
      return Optional.empty();
    }
    AccountSession s;
    try {
      s = roles.open(accountId, runId);
    } catch (RuntimeException e) {
      return Optional.empty(); // the turn opens it again and reports why it cannot
    }
    try {
      return Optional.of(new Prefetched(s, s.scan().requestCredentialReport()));
    } catch (ScanUnavailableException | RuntimeException e) {
      return Optional.of(s); // the turn asks again and handles the refusal itself
    }
  }

  /**
   * No more prefetching: the run starts no more accounts. Sessions held stay until taken/closed.
   */
  void stop() {
    closed.set(true);
    synchronized (turns) {
      turns.notifyAll();
    }
  }

  /** An account's turn has begun (moves the window on). */
  void turnBegins() {
    synchronized (turns) {
      turns.incrementAndGet();
      turns.notifyAll();
    }
  }

  /** The prefetched session of {@code accountId} (waiting for one in flight), else a new one. */
  @Override
  public AccountSession open(String accountId, String runId) {
    CompletableFuture<Optional<AccountSession>> f = ahead.put(accountId, TAKEN);
    if (f != null) {
      Optional<AccountSession> s = f.join();
      if (s.isPresent()) {
        return s.get();
      }
    }
    return roles.open(accountId, runId);
  }

  /** The account's turn is over: a session prefetched for it and not taken is closed. */
  void turnEnds(String accountId) {
    CompletableFuture<Optional<AccountSession>> f = ahead.put(accountId, TAKEN);
    if (f != null) {
      f.thenAccept(s -> s.ifPresent(AccountSession::close));
    }
  }

  /** Stops prefetching and closes every session not taken. */
  @Override
  public void close() {
    closed.set(true);
    feeder.interrupt();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (CompletableFuture<Optional<AccountSession>> f : ahead.values()) {
      f.complete(Optional.empty()); // one that never ran
      f.thenAccept(s -> s.ifPresent(AccountSession::close));
    }
    ahead.clear();
  }

  /** Sessions prefetched and not yet taken or closed (tests). */
  int held() {
    return (int)
        ahead.values().stream()
            .filter(f -> f.isDone() && f.getNow(Optional.empty()).isPresent())
            .count();
  }

  /**
   * A prefetched session: its first {@link UserScan#requestCredentialReport} answers what the
   * prefetch's GenerateCredentialReport did, without calling IAM again.
   */
  private static final class Prefetched implements AccountSession, UserScan {
    private final AccountSession s;
    private final AtomicBoolean requested = new AtomicBoolean(true);
    private final boolean ready;

    Prefetched(AccountSession s, boolean ready) {
      this.s = s;
      this.ready = ready;
    }

    @Override
    public String accountId() {
      return s.accountId();
    }

    @Override
    public UserKeys keys() {
      return s.keys();
    }

    @Override
    public UserScan scan() {
      return this;
    }

    @Override
    public SecretVault vault() {
      return s.vault();
    }

    @Override
    public void close() {
      s.close();
    }

    @Override
    public boolean requestCredentialReport() throws ScanUnavailableException {
      if (requested.getAndSet(false)) {
        return ready;
      }
      return s.scan().requestCredentialReport();
    }

    @Override
    public CredentialReport credentialReport(Duration maxWait) throws ScanUnavailableException {
      return s.scan().credentialReport(maxWait);
    }

    @Override
    public List<UserDetails> userDetails() throws ScanUnavailableException {
      return s.scan().userDetails();
    }

    @Override
    public String toString() {
      return s.toString();
    }
  }
}
