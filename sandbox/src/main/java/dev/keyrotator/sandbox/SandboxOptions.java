package dev.keyrotator.sandbox;

import java.time.Instant;

/** How a sandbox runs. Immutable; use the {@code with...} methods. */
public record SandboxOptions(
    int port,
    String host,
    boolean signatureCheck,
    int threads,
    Instant clockStart,
    long seed,
    boolean quiet,
    long credentialReportMs) {

  /**
   * Free port on 127.0.0.1, signature checking on, 64 threads, clock from the fixture (else real
   * time).
   */
  public static SandboxOptions defaults() {
    return new SandboxOptions(0, "127.0.0.1", true, 64, null, 1L, true, 0);
  }

  public SandboxOptions withPort(int p) {
    return new SandboxOptions(
        p, host, signatureCheck, threads, clockStart, seed, quiet, credentialReportMs);
  }

  public SandboxOptions withSignatureCheck(boolean on) {
    return new SandboxOptions(port, host, on, threads, clockStart, seed, quiet, credentialReportMs);
  }

  public SandboxOptions withThreads(int n) {
    return new SandboxOptions(
        port, host, signatureCheck, n, clockStart, seed, quiet, credentialReportMs);
  }

  /** Overrides the fixture's {@code clock}. */
  public SandboxOptions withClockStart(Instant t) {
    return new SandboxOptions(
        port, host, signatureCheck, threads, t, seed, quiet, credentialReportMs);
  }

  /** Seed for ids generated while seeding the fixture (key ids without a fixed id, user ids). */
  public SandboxOptions withSeed(long s) {
    return new SandboxOptions(
        port, host, signatureCheck, threads, clockStart, s, quiet, credentialReportMs);
  }

  /** When false, each request is logged to stderr. */
  public SandboxOptions withQuiet(boolean q) {
    return new SandboxOptions(
        port, host, signatureCheck, threads, clockStart, seed, q, credentialReportMs);
  }

  /**
   * How long IAM takes to generate a credential report (default 0: at once). While it is being
   * generated, GenerateCredentialReport answers INPROGRESS and GetCredentialReport the error
   * ReportInProgress, as IAM does; it follows the sandbox clock. Real IAM takes seconds for a small
   * account and longer for a large one; the benchmark's bulk-latency model sets it.
   */
  public SandboxOptions withCredentialReportMs(long ms) {
    if (ms < 0) throw new IllegalArgumentException("credentialReportMs must be >= 0");
    return new SandboxOptions(port, host, signatureCheck, threads, clockStart, seed, quiet, ms);
  }
}
