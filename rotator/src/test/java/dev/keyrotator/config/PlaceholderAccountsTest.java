package dev.keyrotator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped example ids never reach AWS: the deployment's environment replaces them (the central
 * stack passes both ids), and a policy that still holds one is refused against AWS itself.
 */
class PlaceholderAccountsTest {
  static final PolicyFile SHIPPED = PolicyFileLoader.load(Path.of("../config/rotation.yaml"));

  @Test
  void theShippedPolicyIsRefusedAgainstAwsNamingBothSettingsAndTheFix() {
    assertThatThrownBy(() -> PlaceholderAccounts.refuseAgainstAws(SHIPPED, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "organization.centralAccountId is the example account id 111111111111")
        .hasMessageContaining("reporting.securityAccountId is the example account id 222222222222")
        .hasMessageContaining("KEY_ROTATOR_CENTRAL_ACCOUNT_ID")
        .hasMessageContaining("set the real account ids")
        .hasMessageNotContaining("\n");
  }

  @Test
  void theSandboxAndOtherCustomEndpointsTakeTheExamples() {
    assertThatCode(() -> PlaceholderAccounts.refuseAgainstAws(SHIPPED, false))
        .doesNotThrowAnyException();
  }

  @Test
  void theStacksEnvironmentReplacesTheExampleIds() {
    PolicyFile deployed =
        EnvironmentOverrides.apply(
            SHIPPED,
            Map.of(
                "KEY_ROTATOR_CENTRAL_ACCOUNT_ID", "123456789012",
                "KEY_ROTATOR_SECURITY_ACCOUNT_ID", "210987654321"));
    assertThat(deployed.organization().centralAccountId()).hasValue("123456789012");
    assertThat(deployed.reporting().securityAccountId()).hasValue("210987654321");
    assertThatCode(() -> PlaceholderAccounts.refuseAgainstAws(deployed, true))
        .doesNotThrowAnyException();
  }

  @Test
  void environmentValuesAreChecked() {
    assertThatThrownBy(
            () ->
                EnvironmentOverrides.apply(
                    SHIPPED, Map.of("KEY_ROTATOR_CENTRAL_ACCOUNT_ID", "12345")))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("KEY_ROTATOR_CENTRAL_ACCOUNT_ID")
        .hasMessageContaining("12 digits");
    assertThatThrownBy(
            () ->
                EnvironmentOverrides.apply(
                    SHIPPED, Map.of("KEY_ROTATOR_ORGANIZATION_MODE", "solo")))
        .isInstanceOf(PolicyFileException.class)
        .hasMessageContaining("auto, organization or single-account");
    assertThat(
            EnvironmentOverrides.apply(
                    SHIPPED, Map.of("KEY_ROTATOR_ORGANIZATION_MODE", "single-account"))
                .organization()
                .mode())
        .isEqualTo(PolicyFile.OrganizationMode.SINGLE_ACCOUNT);
  }
}
