package dev.keyrotator.sandbox;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import dev.keyrotator.sandbox.handler.ServiceHandler;
import java.util.List;

/**
 * The sandbox's layout: the public face in {@code dev.keyrotator.sandbox}, everything else in
 * subpackages that the face uses and that do not use it back, with one documented exception: the
 * public value types below, which the admin API and the fixture reader work in.
 */
@AnalyzeClasses(
    packages = "dev.keyrotator.sandbox",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  static final String ROOT = "dev.keyrotator.sandbox";
  static final List<String> SERVICE_NAMES =
      List.of("iam", "sts", "organizations", "secretsmanager", "sns", "s3");
  static final String[] SERVICES =
      SERVICE_NAMES.stream().map(s -> "..sandbox." + s + "..").toArray(String[]::new);

  @ArchTest
  static final ArchRule servicesDoNotDependOnEachOther =
      slices()
          .matching("dev.keyrotator.sandbox.(*)..")
          .that(
              DescribedPredicate.describe(
                  "are services", (Slice slice) -> SERVICE_NAMES.contains(slice.getNamePart(1))))
          .should()
          .notDependOnEachOther()
          .because("each service stands alone on the protocol, handler and state packages");

  @ArchTest
  static final ArchRule protocolKnowsNoServiceOrState =
      noClasses()
          .that()
          .resideInAPackage("..sandbox.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              concat(
                  SERVICES,
                  "..sandbox.handler..",
                  "..sandbox.state..",
                  "..sandbox.faults..",
                  "..sandbox.fixture..",
                  "..sandbox.admin..",
                  ROOT))
          .because("the wire protocol is the bottom layer");

  @ArchTest
  static final ArchRule subpackagesAreFreeOfCycles =
      slices().matching("dev.keyrotator.sandbox.(*)..").should().beFreeOfCycles();

  /**
   * The only root types a subpackage may use: public value types of the face, which use no
   * subpackage themselves.
   */
  @ArchTest
  static final ArchRule subpackagesUseOnlyTheFacesValueTypes =
      noClasses()
          .that()
          .resideInAPackage("dev.keyrotator.sandbox.*..")
          .should()
          .dependOnClassesThat(
              resideInAPackage(ROOT)
                  .and(
                      not(
                          belongToAnyOf(
                              Fixture.class,
                              FixtureException.class,
                              FaultRule.class,
                              CallRecord.class,
                              SnsMessage.class,
                              SandboxCredentials.class))))
          .because("the root depends on the subpackages, not the reverse");

  @ArchTest
  static final ArchRule everyServiceHasOneHandler =
      classes()
          .that()
          .resideInAnyPackage(SERVICES)
          .and()
          .haveSimpleNameEndingWith("Handler")
          .should()
          .implement(ServiceHandler.class);

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
