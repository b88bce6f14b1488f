package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.config.EnvironmentOverrides;
import dev.keyrotator.config.PolicyFile;
import dev.keyrotator.config.PolicyFileLoader;
import dev.keyrotator.run.Progress;
import dev.keyrotator.wiring.Injectors;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** The options of every command that reads the organization: policy, endpoint and clock. */
final class OrganizationOptions {

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      defaultValue = "config/rotation.yaml",
      description = "Policy file (default: ${DEFAULT-VALUE}).")
  Path policy;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "One endpoint for every AWS service (sandbox, LocalStack, moto). Default: the"
              + " SDK's (AWS_ENDPOINT_URL or AWS itself).")
  URI endpoint;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description =
          "AWS region of the central account's clients. Default: AWS_REGION,"
              + " AWS_DEFAULT_REGION or the profile's; there is no silent default.")
  String region;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description =
          "Profile in ~/.aws/config for the central account's credentials."
              + " Default: AWS_PROFILE or the SDK's default chain.")
  String profile;

  @Option(
      names = "--now",
      paramLabel = "WHEN",
      converter = NowConverter.class,
      description =
          "Plan as if the clock read this: an ISO date (2026-12-01, midnight UTC) or"
              + " instant (2026-12-01T12:00:00Z). For run only against a local endpoint (the"
              + " sandbox, moto, LocalStack) unless --now-changes-real-keys is given too.")
  Instant now;

  @Option(
      names = "--now-changes-real-keys",
      description =
          "Allow run --now against real AWS: keys are created, deactivated and deleted"
              + " as if it were that day, and the next real run sees the result.")
  boolean nowOnRealKeys;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /**
   * The policy file with the deployment's {@code KEY_ROTATOR_*} environment settings applied, as
   * the Lambda applies them.
   */
  PolicyFile loadPolicy() {
    return EnvironmentOverrides.apply(
        PolicyFileLoader.load(policy), ((Main) mixee.root().userObject()).env());
  }

  /** The real clock, or one that started at {@code --now} and ticks on from there. */
  Clock clock() {
    return now == null
        ? Clock.systemUTC()
        : Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now));
  }

  private AwsTarget target;

  /**
   * Where the calls go and as whom, checked once: endpoint, profile, region, credentials.
   *
   * @param changes whether the command changes keys ({@code run}): then {@code --now} is refused
   *     against real AWS unless {@code --now-changes-real-keys} is given
   */
  AwsTarget target(boolean changes) {
    if (target == null) {
      target =
          AwsTarget.resolve(
              Optional.ofNullable(endpoint),
              Optional.ofNullable(region),
              Optional.ofNullable(profile),
              ((Main) mixee.root().userObject()).env());
    }
    if (changes && now != null && !target.local() && !nowOnRealKeys) {
      throw new IllegalArgumentException(
          "run --now rewrites real keys as if it were "
              + now
              + ": against AWS it needs --now-changes-real-keys too (plan and forecast take"
              + " --now anywhere; the sandbox, moto and LocalStack on this machine need nothing)");
    }
    return target;
  }

  /** The production wiring; close it with {@link Injectors#close}. */
  Injector injector(PolicyFile file, Clock clock, Progress progress, boolean changes) {
    AwsTarget t = target(changes);
    return Injectors.forRun(
        file, clock, progress, t.endpoint(), Optional.of(t.region()), t.module());
  }

  /** {@code --now}: an ISO instant, or a date alone meaning its midnight UTC. */
  static final class NowConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return value.length() == 10
            ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
            : Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException(
            "'" + value + "' is not an ISO date (2026-12-01) or instant (2026-12-01T12:00:00Z)");
      }
    }
  }
}
