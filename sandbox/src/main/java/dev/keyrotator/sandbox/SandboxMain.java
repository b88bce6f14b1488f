package dev.keyrotator.sandbox;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Standalone sandbox: {@code java -jar sandbox.jar [fixture.yaml] [--port N] [--no-signature-check] [--verbose]}.
 * Without a fixture it serves the bundled demo organization. Prints the endpoint and shell exports for the
 * management (central) account, then serves until killed.
 */
public final class SandboxMain {
    private SandboxMain() {}

    public static void main(String[] args) throws InterruptedException {
        String fixtureFile = null;
        SandboxOptions options = SandboxOptions.defaults().withPort(4566);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> options = options.withPort(Integer.parseInt(args[++i]));
                case "--no-signature-check" -> options = options.withSignatureCheck(false);
                case "--verbose" -> options = options.withQuiet(false);
                case "-h", "--help" -> {
                    System.out.println("usage: sandbox [fixture.yaml] [--port N (default 4566, 0 = free)] [--no-signature-check] [--verbose]");
                    return;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        System.err.println("unknown option " + args[i]);
                        System.exit(2);
                    }
                    fixtureFile = args[i];
                }
            }
        }
        Fixture fixture;
        try {
            fixture = fixtureFile == null ? Fixture.demo() : Fixture.load(Path.of(fixtureFile));
        } catch (FixtureException e) {
            System.err.println("invalid fixture: " + e.getMessage());
            System.exit(2);
            return;
        }
        Sandbox sb = Sandbox.start(fixture, options);
        Runtime.getRuntime().addShutdownHook(new Thread(sb::close));
        String mgmt = sb.managementAccountId();
        SandboxCredentials c = sb.credentialsFor(mgmt);
        System.out.println("# AWS sandbox for organization " + sb.organizationId() + " listening on " + sb.endpoint()
            + " (signature check " + (options.signatureCheck() ? "on" : "off") + ", clock " + sb.clock().now() + ")");
        System.out.println("# central/management account " + mgmt + "; admin credentials of every account: "
            + sb.endpoint() + "/_sandbox/credentials");
        System.out.println("export AWS_ENDPOINT_URL=" + sb.endpoint());
        System.out.println("export AWS_ACCESS_KEY_ID=" + c.accessKeyId());
        System.out.println("export AWS_SECRET_ACCESS_KEY=" + c.secretAccessKey());
        System.out.println("export AWS_REGION=us-east-1");
        System.out.println("export AWS_DEFAULT_REGION=us-east-1");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
