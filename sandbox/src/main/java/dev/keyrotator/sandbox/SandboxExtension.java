package dev.keyrotator.sandbox;

import java.net.URI;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: starts a sandbox once per test class and resets it (state, clock, call log,
 * faults) before every test.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final SandboxExtension SANDBOX = SandboxExtension.demo();
 *
 * &#64;Test void something() {
 *     URI endpoint = SANDBOX.endpoint();
 *     SandboxCredentials admin = SANDBOX.credentialsFor("111111111111");
 * }
 * </pre>
 *
 * Registered on a non-static field it starts one sandbox per test instead.
 */
public final class SandboxExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final Supplier<Fixture> fixture;
  private final SandboxOptions options;
  private Sandbox sandbox;
  private boolean perClass;
  private boolean fresh;

  private SandboxExtension(Supplier<Fixture> fixture, SandboxOptions options) {
    this.fixture = fixture;
    this.options = options;
  }

  public static SandboxExtension withFixture(Fixture fixture) {
    return new SandboxExtension(() -> fixture, SandboxOptions.defaults());
  }

  public static SandboxExtension withFixture(Fixture fixture, SandboxOptions options) {
    return new SandboxExtension(() -> fixture, options);
  }

  /** The bundled demo organization. */
  public static SandboxExtension demo() {
    return new SandboxExtension(Fixture::demo, SandboxOptions.defaults());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    sandbox = Sandbox.start(fixture.get(), options);
    fresh = true;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (sandbox != null) sandbox.close();
    sandbox = null;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (sandbox == null) {
      sandbox = Sandbox.start(fixture.get(), options);
    } else if (!fresh) {
      sandbox.reset();
    }
    fresh = false;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass && sandbox != null) {
      sandbox.close();
      sandbox = null;
    } else if (sandbox != null) {
      sandbox.faults().clear(); // release anything a test left stalled
    }
  }

  public Sandbox sandbox() {
    if (sandbox == null) throw new IllegalStateException("the sandbox runs only while a test runs");
    return sandbox;
  }

  public URI endpoint() {
    return sandbox().endpoint();
  }

  public SandboxCredentials credentialsFor(String accountId) {
    return sandbox().credentialsFor(accountId);
  }
}
