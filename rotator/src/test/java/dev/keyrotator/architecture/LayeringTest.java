package dev.keyrotator.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The layers of the rotator, checked on the compiled main classes: entry points (the CLI and the
 * Lambda handler) translate input and output; the wiring composes the modules; the run service owns
 * the run; below it the report, the policy file, the ports and the pure policy. The AWS adapters
 * implement the ports and know nothing of the run, the report or the policy file.
 */
@AnalyzeClasses(
    packages = "dev.keyrotator",
    importOptions = {ImportOption.DoNotIncludeTests.class, LayeringTest.WithoutTheSandbox.class})
class LayeringTest {

  @ArchTest
  static final ArchRule layers =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("Entry points")
          .definedBy("dev.keyrotator.cli..", "dev.keyrotator.lambda..")
          .layer("Wiring")
          .definedBy("dev.keyrotator.wiring..")
          .layer("Run")
          .definedBy("dev.keyrotator.run..")
          .layer("Report")
          .definedBy("dev.keyrotator.report..")
          .layer("Config")
          .definedBy("dev.keyrotator.config..")
          .layer("Ports")
          .definedBy("dev.keyrotator.ports..")
          .layer("Policy")
          .definedBy("dev.keyrotator.policy..")
          .layer("AWS adapters")
          .definedBy("dev.keyrotator.aws..")
          .whereLayer("Entry points")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("Wiring")
          .mayOnlyBeAccessedByLayers("Entry points")
          .whereLayer("Run")
          .mayOnlyBeAccessedByLayers("Entry points", "Wiring")
          .whereLayer("AWS adapters")
          .mayOnlyBeAccessedByLayers("Entry points", "Wiring")
          .whereLayer("Report")
          .mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Run")
          .whereLayer("Config")
          .mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Run", "Report")
          .whereLayer("Ports")
          .mayOnlyBeAccessedByLayers("Entry points", "Wiring", "Run", "Report", "AWS adapters");

  @ArchTest
  static final ArchRule adaptersKnowOnlyPortsAndPolicy =
      noClasses()
          .that()
          .resideInAPackage("dev.keyrotator.aws..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.keyrotator.run..",
              "dev.keyrotator.report..",
              "dev.keyrotator.config..",
              "dev.keyrotator.wiring..",
              "dev.keyrotator.cli..",
              "dev.keyrotator.lambda..");

  @ArchTest
  static final ArchRule policyIsPure =
      classes()
          .that()
          .resideInAPackage("dev.keyrotator.policy..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage("dev.keyrotator.policy..", "java..");

  @ArchTest
  static final ArchRule portsAreDomainTerms =
      noClasses()
          .that()
          .resideInAPackage("dev.keyrotator.ports..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("software.amazon..", "com.google.inject..");

  @ArchTest
  static final ArchRule mainCodeNeverUsesTheSandbox =
      noClasses().should().dependOnClassesThat().resideInAPackage("dev.keyrotator.sandbox..");

  @ArchTest
  static final ArchRule noCyclesBetweenPackages =
      slices().matching("dev.keyrotator.(*)..").should().beFreeOfCycles();

  /** The sandbox is on the test class path only; its own layout has its own test. */
  static final class WithoutTheSandbox implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("/dev/keyrotator/sandbox/");
    }
  }
}
