package dev.keyrotator.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.google.inject.Injector;
import dev.keyrotator.aws.AwsCallException;
import dev.keyrotator.aws.AwsClientFactory;
import dev.keyrotator.aws.AwsModule;
import dev.keyrotator.aws.AwsSettings;
import dev.keyrotator.aws.CallMetrics;
import dev.keyrotator.config.EnvironmentOverrides;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicySource;
import dev.keyrotator.report.DeliveryResult;
import dev.keyrotator.report.EmbeddedMetrics;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.ReportDelivery;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.run.Deadline;
import dev.keyrotator.run.Orchestrator;
import dev.keyrotator.run.Progress;
import dev.keyrotator.run.RunRequest;
import dev.keyrotator.wiring.Injectors;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * The Lambda entry point, for the daily EventBridge schedule and for manual invocations, and the
 * three steps of a fanned-out run ({@link FanOut}: an event with an {@code action}). Stops
 * starting new work {@link #RESERVE} before the invocation's time runs out; what was left is in the
 * report and the next run picks it up.
 */
public final class RotationHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {

  /** Time kept back for the user in progress, the report and its delivery. */
  static final Duration RESERVE = Duration.ofSeconds(90);

  private final Map<String, String> env;
  private final Clock clock;

  public RotationHandler() {
    this(System.getenv(), Clock.systemUTC());
  }

  RotationHandler(Map<String, String> env, Clock clock) {
    this.env = Map.copyOf(env);
    this.clock = clock;
  }

  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    InvocationRequest invocation = InvocationRequest.from(event);
    PolicyFile policy = EnvironmentOverrides.apply(PolicySource.load(
        env.getOrDefault("KEY_ROTATOR_POLICY_URI", "classpath:rotation.yaml"), this::readS3),
        env);
    Progress log = line -> context.getLogger().log(line + "\n");
    Optional<URI> endpoint = Optional.ofNullable(env.get("AWS_ENDPOINT_URL"))
        .filter(v -> !v.isBlank()).map(URI::create);
    Injector injector = Injectors.forRun(policy, clock, log, endpoint, new AwsModule());
    try {
      return handle(invocation, policy, injector, log, context);
    } finally {
      Injectors.close(injector);
    }
  }

  private Map<String, Object> handle(InvocationRequest invocation, PolicyFile policy,
      Injector injector, Progress log, Context context) {
    String requestId = context.getAwsRequestId() == null
        ? UUID.randomUUID().toString() : context.getAwsRequestId();
    if (invocation.action().isPresent()) {
      FanOut fanOut = new FanOut(policy, injector, log);
      return switch (invocation.action().get()) {
        case FanOut.LIST -> fanOut.list(invocation.runId().orElse("fanout-" + requestId),
            FanOut.batchSize(env));
        case FanOut.ROTATE -> fanOut.rotate(invocation,
            Deadline.fromRemaining(context::getRemainingTimeInMillis, RESERVE));
        default -> fanOut.merge(invocation);
      };
    }
    Orchestrator orchestrator = injector.getInstance(Orchestrator.class);
    String runId = "lambda-" + requestId;
    RunRequest request = new RunRequest(runId, invocation.mode(),
        new LinkedHashSet<>(invocation.accounts()), false,
        Deadline.fromRemaining(context::getRemainingTimeInMillis, RESERVE));
    RunReport report = orchestrator.run(policy, request);
    DeliveryResult delivery = ReportDelivery.configured(policy.reporting())
        ? injector.getInstance(ReportDelivery.class).deliver(report, policy.reporting())
        : null;
    // CloudWatch embedded-metric-format: the headline counts become metrics without extra code.
    context.getLogger().log((delivery == null ? EmbeddedMetrics.line(report)
        : EmbeddedMetrics.line(report, delivery)) + "\n");
    Map<String, Object> out = summary(report);
    if (delivery != null && !delivery.ok()) {
      out.put("status", "partial");
      out.put("reportDeliveryProblems", delivery.problems());
    }
    return out;
  }

  static Map<String, Object> summary(RunReport r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runId", r.runId());
    out.put("status", r.partial() ? "partial" : "ok");
    out.put("accounts", r.accounts().size());
    out.put("failedAccounts", r.failedAccounts());
    out.put("failedUsers", r.failedUsers());
    out.put("created", r.count("CREATE_KEY", Outcome.DONE));
    out.put("deactivated", r.count("DEACTIVATE_KEY", Outcome.DONE));
    out.put("deleted", r.count("DELETE_KEY", Outcome.DONE));
    out.put("warned", r.count("WARN", Outcome.DONE));
    out.put("notReached", r.anyNotReached());
    return out;
  }

  private byte[] readS3(String bucket, String key) {
    String role = env.getOrDefault("KEY_ROTATOR_MEMBER_ROLE_NAME", "OrgKeyRotatorMemberRole");
    try (AwsClientFactory clients = new AwsClientFactory(AwsSettings.of(role), new CallMetrics())) {
      return clients.s3().getObject(GetObjectRequest.builder().bucket(bucket).key(key).build(),
          ResponseTransformer.toBytes()).asByteArray();
    } catch (RuntimeException e) {
      throw new AwsCallException("s3", "GetObject", "PolicyFileUnreadable", 0,
          "cannot read the policy file s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }
  }
}
