package dev.keyrotator.lambda;

import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.RotationService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events and answers of a run fanned out over several invocations, for organizations larger
 * than one invocation can finish: the Step Functions state machine of {@code
 * stacksets/central.yaml} ({@code FanOut=true}) invokes the same function three ways, and each is
 * one step of {@link RotationService}.
 *
 * <ol>
 *   <li>{@code list}: {@code {"runId": ..., "batches": [{"runId": ..., "accounts": [...],
 *       "accountsSha256": ...}, ...]}}, the included accounts in batches of {@value
 *       #DEFAULT_BATCH_SIZE} (env {@value #BATCH_SIZE_ENV}); each batch's accounts with their
 *       names, OU paths and tags go to a file beside the report parts, whose digest the batch
 *       carries;
 *   <li>{@code rotate} (one invocation per batch, a Distributed Map): reads its accounts from that
 *       file (no Organizations call), checks its digest; answers the batch's summary and {@code
 *       part}, where its part of the report went;
 *   <li>{@code merge}: the merged run's summary, with {@code parts}, and {@code mergeProblems} and
 *       {@code missingParts} when some did not add up.
 * </ol>
 *
 * <p>Two batches never share an account, so the per-user protocol is the single run's.
 */
final class FanOut {
  static final String LIST = "list";
  static final String ROTATE = "rotate";
  static final String MERGE = "merge";

  static final String BATCH_SIZE_ENV = "KEY_ROTATOR_BATCH_SIZE";

  /** A batch's field: the SHA-256 of the file holding its accounts' names, OU paths and tags. */
  static final String ACCOUNTS_SHA256 = "accountsSha256";

  /**
   * Accounts per rotate invocation. README "Performance": on real AWS (~100 ms per IAM call, ~10 s
   * for IAM to build a credential report) one account takes ~14 s, so 200 accounts at the default
   * 32 at once are ~7 rounds, ~100 s; even a batch holding one 5,000-user account (~70 s at 20 ms
   * per call, ~6 min at 100 ms) ends well inside the 15 minutes less the 90 s reserve. 10,000
   * accounts (AWS's largest organization) make 50 batches, whose ids and digests (156,187 bytes,
   * measured by {@code scripts/bench fan-out}: 15 bytes per account and ~124 per batch) stay under
   * Step Functions' 256 KB state payload; names, OU paths and tags (~100-400 bytes an account)
   * would not, which is why they go to the batch files.
   */
  static final int DEFAULT_BATCH_SIZE = 200;

  private FanOut() {}

  static int batchSize(Map<String, String> env) {
    String v = env.get(BATCH_SIZE_ENV);
    if (v == null || v.isBlank()) {
      return DEFAULT_BATCH_SIZE;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= 10_000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new IllegalArgumentException(BATCH_SIZE_ENV + " must be a whole number 1..10000: " + v);
  }

  static Map<String, Object> listed(RotationService.Batches b) {
    List<Map<String, Object>> batches =
        b.batches().stream()
            .map(
                batch -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("runId", b.runId());
                  m.put("accounts", batch.accounts());
                  m.put(ACCOUNTS_SHA256, batch.accountsSha256());
                  return m;
                })
            .toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", b.runId());
    out.put("batches", batches);
    return out;
  }

  static Map<String, Object> rotated(
      RotationService service, InvocationRequest invocation, Deadline deadline) {
    RotationService.BatchResult r =
        service.rotate(
            invocation.runId().orElseThrow(),
            invocation.accounts(),
            invocation.accountsSha256(),
            invocation.mode(),
            deadline);
    Map<String, Object> out = RotationHandler.summary(r.run());
    out.put("part", r.part());
    return out;
  }

  static Map<String, Object> merged(RotationService.MergeResult r) {
    Map<String, Object> out = RotationHandler.summary(r.run());
    out.put("parts", r.parts());
    if (!r.run().problems().isEmpty()) {
      out.put("mergeProblems", r.run().problems());
      out.put("missingParts", r.missingParts());
    }
    return out;
  }
}
