package dev.keyrotator.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.S3PolicyReader;
import dev.keyrotator.config.EnvironmentOverrides;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicySource;
import dev.keyrotator.policy.Action;
import dev.keyrotator.policy.ForcedRotation;
import dev.keyrotator.ports.AwsCallException;
import dev.keyrotator.report.EmbeddedMetrics;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RotateNow;
import dev.keyrotator.run.RotationService;
import dev.keyrotator.run.RunIds;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.wiring.Injectors;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The Lambda entry point, for the daily EventBridge schedule and for manual invocations, and the
 * three steps of a fanned-out run ({@link FanOut}: an event with an {@code action}). It turns the
 * event into a request for {@link RotationService} and the result into the invocation's answer.
 * Stops starting new work {@link #RESERVE} before the invocation's time runs out; what was left is
 * in the report and the next run picks it up.
 *
 * <p>The wiring (SDK clients, their connections and credentials) is built once per container and
 * kept while the policy file stays the same (by its SHA-256); the policy is read on every
 * invocation, so a changed file takes effect on the next one.
 */
public final class RotationHandler
    implements RequestHandler<Map<String, Object>, Map<String, Object>> {

  static {
    // JSON lines on CloudWatch Logs; set before any logger exists (the CLI keeps logback.xml).
    if (System.getenv("AWS_LAMBDA_FUNCTION_NAME") != null
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-lambda.xml");
    }
  }

  /** Time kept back for the user in progress, the report and its delivery. */
  static final Duration RESERVE = Duration.ofSeconds(90);

  private final Map<String, String> env;
  private final Clock clock;
  private final InvocationLog log = new InvocationLog();
  private final Progress progress = Progress.log();
  private final S3PolicyReader policyReader;
  private Injector injector;
  private String injectorPolicy;

  public RotationHandler() {
    this(System.getenv(), Clock.systemUTC());
  }

  RotationHandler(Map<String, String> env, Clock clock) {
    this.env = Map.copyOf(env);
    this.clock = clock;
    this.policyReader =
        new S3PolicyReader(
            endpoint(), Optional.ofNullable(env.get("KEY_ROTATOR_POLICY_BUCKET_OWNER")));
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    log.use(context);
    if (ExposedKeyEvent.isHealthEvent(event)) {
      // never a whole run: only the exposure event is acted on, any other Health event is ignored
      Optional<ExposedKeyEvent> exposed = ExposedKeyEvent.from(event);
      if (exposed.isEmpty()) {
        return Map.of("status", "ignored", "reason", "not an " + ExposedKeyEvent.TYPE + " event");
      }
      return exposed(injector(policy()), exposed.get());
    }
    InvocationRequest invocation = InvocationRequest.from(event);
    PolicyFile policy = policy();
    if (invocation.action().filter(InvocationRequest.ROTATE_NOW::equals).isPresent()) {
      return rotateNow(injector(policy), event, invocation);
    }
    RotationService service = injector(policy).getInstance(RotationService.class);
    Deadline deadline = Deadline.fromRemaining(context::getRemainingTimeInMillis, RESERVE);
    if (invocation.action().isPresent()) {
      return switch (invocation.action().get()) {
        case FanOut.LIST ->
            FanOut.listed(
                service.list(
                    invocation.runId().orElseGet(() -> RunIds.next(clock)), FanOut.batchSize(env)));
        case FanOut.ROTATE -> FanOut.rotated(service, invocation, deadline);
        default -> {
          RotationService.MergeResult merged =
              service.merge(invocation.runId().orElseThrow(), invocation.batches());
          metrics(merged.run());
          yield FanOut.merged(merged);
        }
      };
    }
    RotationService.RunResult result =
        service.run(
            new RunRequest(
                RunIds.next(clock),
                invocation.mode(),
                new LinkedHashSet<>(invocation.accounts()),
                false,
                deadline,
                Optional.empty(),
                invocation.deliver()));
    metrics(result);
    return summary(result);
  }

  private PolicyFile policy() {
    return EnvironmentOverrides.apply(
        PolicySource.load(
            env.getOrDefault("KEY_ROTATOR_POLICY_URI", "classpath:rotation.yaml"),
            policyReader::read),
        env);
  }

  /**
   * An exposed-key event: each named key rotated now with reason {@code exposed}; the answer has
   * one entry per key ({@code keys}), and {@code status} ok only when every key was handled.
   */
  private Map<String, Object> exposed(Injector injector, ExposedKeyEvent e) {
    RotationService service = injector.getInstance(RotationService.class);
    List<Map<String, Object>> keys = new ArrayList<>();
    boolean ok = true;
    String runId = RunIds.next(clock);
    for (String keyId : e.keyIds()) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("account", e.accountId());
      out.put("key", keyId);
      try {
        RotationService.RotateNowResult done =
            service.exposed(
                runId,
                e.accountId(),
                keyId,
                new ForcedRotation.Incident(e.reportedAt(), e.eventArn()));
        RotateNow.Result r = done.rotation();
        out.putAll(answer(r));
        out.put("user", r.user().userName());
        delivered(done.run(), out);
        ok &= !r.notDone();
      } catch (IllegalArgumentException | IllegalStateException | AwsCallException x) {
        out.put("status", x instanceof IllegalArgumentException ? "refused" : "failed");
        out.put("reason", x.getMessage());
        ok = false;
      }
      keys.add(out);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("runId", runId);
    answer.put("event", ExposedKeyEvent.TYPE);
    answer.put("reportedAt", e.reportedAt().toString());
    answer.put("status", ok ? "ok" : "partial");
    answer.put("keys", keys);
    return answer;
  }

  private static Map<String, Object> answer(RotateNow.Result r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", r.exempt() ? "exempt" : r.user().failed() ? "failed" : "ok");
    out.put("key", r.keyId());
    out.put(
        "decisions",
        r.user().decisions().stream()
            .map(d -> d.action() + " " + d.keyId() + " " + d.outcome())
            .toList());
    r.user().decisions().stream()
        .filter(d -> d.action() == Action.CREATE_KEY && d.outcome() == Outcome.DONE)
        .findFirst()
        .ifPresent(d -> out.put("newKey", d.keyId()));
    r.deactivateBy().ifPresent(d -> out.put("deactivateBy", d.toString()));
    r.user().notes().stream()
        .filter(n -> n.startsWith("incident: "))
        .findFirst()
        .ifPresent(n -> out.put("incident", n));
    return out;
  }

  /**
   * {@code {"action": "rotate-now", "account": "...", "user": "...", "key": "AKIA...", "dryRun":
   * false, "reason": "manual", "deactivate": "now" | "after:N"}}: refused (nothing changed) with
   * {@code status: refused} and the one-line reason.
   */
  private Map<String, Object> rotateNow(
      Injector injector, Map<String, Object> event, InvocationRequest invocation) {
    RotateNow.Request request;
    try {
      Object dry = event.get("dryRun");
      if (dry != null && !(dry instanceof Boolean)) {
        throw new IllegalArgumentException("dryRun must be true or false, got " + dry);
      }
      Object deactivate = event.get("deactivate");
      OptionalInt after =
          RotateNow.Request.parseDeactivate(
              "deactivate", deactivate == null ? null : String.valueOf(deactivate));
      request =
          new RotateNow.Request(
              invocation.runId().orElseGet(() -> RunIds.next(clock)),
              text(event.get("account")),
              text(event.get("user")),
              Optional.ofNullable(event.get("key")).map(String::valueOf),
              Boolean.TRUE.equals(dry),
              Optional.ofNullable(event.get("reason")).map(String::valueOf).orElse("manual"),
              after);
    } catch (IllegalArgumentException e) {
      // bad input is an answer (nothing changed), never an error an asynchronous invoke retries
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("status", "refused");
      out.put("reason", e.getMessage());
      return out;
    }
    return rotateNowAnswer(injector.getInstance(RotationService.class), request);
  }

  /** The answer of one rotate-now: a refusal is an answer too, never an error to retry. */
  static Map<String, Object> rotateNowAnswer(RotationService service, RotateNow.Request request) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", request.runId());
    out.put("account", request.accountId());
    out.put("user", request.userName());
    RotationService.RotateNowResult done;
    try {
      done = service.rotateNow(request);
    } catch (IllegalArgumentException | IllegalStateException e) {
      out.put("status", "refused");
      out.put("reason", e.getMessage());
      return out;
    }
    out.putAll(answer(done.rotation()));
    delivered(done.run(), out);
    return out;
  }

  /** Where the report went, and what went wrong delivering it. */
  private static void delivered(RotationService.RunResult run, Map<String, Object> out) {
    run.delivery().ifPresent(d -> out.put("report", d.files().stream().map(f -> f.uri()).toList()));
    if (!run.problems().isEmpty()) {
      out.put("problems", run.problems());
    }
  }

  private static String text(Object o) {
    return o == null ? null : String.valueOf(o);
  }

  /** CloudWatch embedded-metric-format: the headline counts become metrics without extra code. */
  private void metrics(RotationService.RunResult r) {
    log.line(EmbeddedMetrics.line(r.report(), r.summary(), r.delivery()));
  }

  /** The wiring for {@code policy}: the container's, unless the policy file changed. */
  private synchronized Injector injector(PolicyFile policy) {
    String key = policy.source() + "#" + policy.sha256() + "#" + env.hashCode();
    if (injector == null || !key.equals(injectorPolicy)) {
      if (injector != null) {
        Injectors.close(injector);
      }
      injector = Injectors.forRun(policy, clock, progress, endpoint(), new AwsModule());
      injectorPolicy = key;
    }
    return injector;
  }

  private Optional<URI> endpoint() {
    return Optional.ofNullable(env.get("AWS_ENDPOINT_URL"))
        .filter(v -> !v.isBlank())
        .map(URI::create);
  }

  static Map<String, Object> summary(RotationService.RunResult result) {
    RunReport r = result.report();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", r.runId());
    out.put("status", result.partial() ? "partial" : "ok");
    out.put("accounts", r.accounts().size());
    out.put("failedAccounts", r.failedAccounts());
    out.put("failedUsers", r.failedUsers());
    out.put("created", r.count(Action.CREATE_KEY, Outcome.DONE));
    out.put("deactivated", r.count(Action.DEACTIVATE_KEY, Outcome.DONE));
    out.put("deleted", r.count(Action.DELETE_KEY, Outcome.DONE));
    out.put("warned", r.count(Action.WARN, Outcome.DONE));
    out.put("notReached", r.anyNotReached());
    result
        .delivery()
        .filter(d -> !d.ok())
        .ifPresent(d -> out.put("reportDeliveryProblems", d.problems()));
    return out;
  }

  /**
   * The current invocation's own log ({@code context.getLogger()}), for the lines that must reach
   * CloudWatch as they are (the embedded-metric-format line).
   */
  private static final class InvocationLog {
    private volatile Context context;

    void use(Context c) {
      this.context = c;
    }

    void line(String line) {
      Context c = context;
      if (c != null) {
        c.getLogger().log(line + "\n");
      }
    }
  }
}
