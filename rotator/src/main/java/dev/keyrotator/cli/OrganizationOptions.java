package dev.keyrotator.cli;

import com.google.inject.Injector;
import dev.keyrotator.aws.AwsModule;
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
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
      names = "--now",
      paramLabel = "INSTANT",
      description = "Run as if the clock read this ISO instant (the sandbox's clock in the demo).")
  Instant now;

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

  /** The production wiring; close it with {@link Injectors#close}. */
  Injector injector(PolicyFile file, Clock clock, Progress progress) {
    return Injectors.forRun(file, clock, progress, Optional.ofNullable(endpoint), new AwsModule());
  }
}
