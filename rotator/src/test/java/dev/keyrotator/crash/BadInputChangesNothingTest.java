package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.cli.Main;
import dev.keyrotator.sandbox.Sandbox;
import dev.keyrotator.sandbox.SandboxMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input ends with a clear message and exit code 2 before the first mutating call: the sandbox's
 * call log shows none.
 */
class BadInputChangesNothingTest {

  @TempDir Path tmp;
  Sandbox sb;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void start() {
    sb = Sandbox.start(CrashLab.oneRotationOfEach());
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  int run(String policyYaml, String... extra) throws Exception {
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, policyYaml);
    String[] base = {
      "run",
      "--policy",
      policy.toString(),
      "--endpoint",
      sb.endpoint().toString(),
      "--now",
      sb.clock().now().toString(),
      "--mode",
      "enforce"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return new Main(new PrintWriter(out), new PrintWriter(err), Map.of()).run(args);
  }

  @Test
  void aPolicyFileThatFailsValidationExitsTwoBeforeAnyCall() throws Exception {
    int code =
        run(
            CrashLab.POLICY
                + """
        defaults:
          createAfterDays: 200
          deactivateAfterDays: 180
        """);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("createAfterDays").contains("deactivateAfterDays");
    assertThat(sb.calls().all()).isEmpty();
  }

  @Test
  void aMemberRoleNameThatIsNoRoleNameExitsTwoBeforeAnyCall() throws Exception {
    for (String role :
        new String[] {
          "arn:aws:iam::333333333333:role/OrgKeyRotatorMemberRole", "Org Key Rotator!"
        }) {
      int code =
          run(
              CrashLab.POLICY.replace(
                  "memberRoleName: OrgKeyRotatorMemberRole", "memberRoleName: \"" + role + "\""));

      assertThat(code).as(role).isEqualTo(2);
      assertThat(err.toString()).contains("memberRoleName");
    }
    assertThat(sb.calls().all()).isEmpty();
  }

  @Test
  void aMalformedAccountIdExitsTwoBeforeAnyCall() throws Exception {
    int code = run(CrashLab.POLICY, "--accounts", "33333333333x");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("33333333333x");
    assertThat(sb.calls().all()).isEmpty();
  }

  /** As an operator runs it: a child process, credentials from the environment. */
  @Test
  void anUnknownAccountExitsTwoWithoutAnyMutatingCall() throws Exception {
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, CrashLab.POLICY);
    CrashLab.Child child =
        CrashLab.startCli(
            sb,
            tmp.resolve("child"),
            "run",
            "--policy",
            policy.toString(),
            "--endpoint",
            sb.endpoint().toString(),
            "--now",
            sb.clock().now().toString(),
            "--mode",
            "enforce",
            "--accounts",
            CrashLab.MEMBER + ",999999999999");

    assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.process().exitValue()).as(child::output).isEqualTo(2);
    assertThat(child.stderrText())
        .contains("unknown account")
        .contains("999999999999")
        .contains("nothing was changed");
    assertThat(sb.calls().all()).isNotEmpty(); // it read the organization
    assertThat(sb.calls().mutating()).isEmpty();
  }

  @Test
  void aSandboxFixtureWithAMalformedKeyIdIsRefusedWithItsPath() throws Exception {
    Path fixture = tmp.resolve("bad-fixture.yaml");
    Files.writeString(
        fixture,
        """
        organization:
          managementAccount: "111111111111"
        accounts:
          - id: "111111111111"
            name: central
            users:
              - name: app
                keys:
                  - id: AKIA123
                    ageDays: 10
        """);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();

    int code =
        SandboxMain.run(
            new String[] {fixture.toString(), "--port", "0"},
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(2);
    assertThat(e.toString(StandardCharsets.UTF_8))
        .contains("invalid fixture")
        .contains("accounts[0].users[0].keys[0].id")
        .contains("AKIA123");
    assertThat(o.toString(StandardCharsets.UTF_8)).doesNotContain("export");
  }
}
