package dev.keyrotator.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyrotator.aws.SecretsManagerVault;
import dev.keyrotator.policy.Planner;
import dev.keyrotator.report.DecisionReport;
import dev.keyrotator.report.Outcome;
import dev.keyrotator.report.RunReport;
import dev.keyrotator.report.UserReport;
import dev.keyrotator.sandbox.AccessKeyInfo;
import dev.keyrotator.sandbox.CallRecord;
import dev.keyrotator.sandbox.FaultRule;
import dev.keyrotator.sandbox.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotator process is killed (SIGKILL) right after each AWS call of a rotation took effect, and
 * run again: the next run repairs what the dead one left, and the protocol's invariants hold at
 * every cut point.
 *
 * <p>The cut points are not written down here: they are the mutating calls that succeeded in a
 * clean run of the same organization, as the sandbox logged them (marker, CreateAccessKey,
 * CreateSecret, PutResourcePolicy, TagResource, notification, UntagUser; history tag,
 * UpdateAccessKey; DeleteAccessKey; warnings). A cut after a read-only call leaves the same state
 * as a cut after the mutating call before it, so these cover every state a death can leave.
 *
 * <p>A process that dies after CreateAccessKey and before the secret is stored took that secret
 * with it: nobody holds it, so the key is useless. The next run deletes that orphan and creates a
 * fresh key; there are never two keys alive for one rotation.
 */
class CrashAtEveryCallTest {

  /** A mutating call of the clean run: the {@code nth} call of its operation in its account. */
  record Cut(String service, String operation, String account, int nth) {
    @Override
    public String toString() {
      return service + ":" + operation + "#" + nth + "@" + account;
    }
  }

  @TempDir Path tmp;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aRunKilledAfterAnyCallIsRepairedByTheNextRunAndLosesNothing() throws Exception {
    List<Cut> cuts;
    Map<String, String> cleanState;
    long cleanCreates;
    try (Sandbox clean = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(clean, CrashLab.MEMBER);
      CrashLab.Child child = CrashLab.startRun(clean, tmp.resolve("clean"), CrashLab.POLICY);
      assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).as(child::output).isTrue();
      assertThat(child.process().exitValue()).as(child::output).isZero();
      cuts = cutPoints(clean.calls().all());
      cleanState = CrashLab.normalized(clean, initial);
      cleanCreates =
          clean
              .calls()
              .matching(c -> c.operation().equals("CreateAccessKey") && c.status() == 200)
              .size();
      assertThat(CrashLab.invariantViolations(clean, initial)).isEmpty();
    }
    // every kind of step of a rotation is among the cut points (a new secret gets its tags from
    // CreateSecret itself; TagResource is only for a secret that already exists)
    assertThat(cuts)
        .extracting(Cut::operation)
        .contains(
            "TagUser",
            "CreateAccessKey",
            "CreateSecret",
            "PutResourcePolicy",
            "UntagUser",
            "UpdateAccessKey",
            "DeleteAccessKey",
            "Publish");
    assertThat(cleanCreates).isEqualTo(1);

    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<String> repairs = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < cuts.size(); i++) {
        Cut cut = cuts.get(i);
        Path dir = tmp.resolve("cut" + i);
        futures.add(
            pool.submit(
                () -> {
                  try {
                    killAtAndRerun(cut, dir, cleanState, problems, repairs);
                  } catch (Throwable e) {
                    problems.add(cut + ": " + e);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(problems).isEmpty();
    // the cuts inside the create step left a marker, and the next run reported its repair
    assertThat(repairs)
        .anyMatch(r -> r.contains("REPAIR_DELETE_ORPHAN"))
        .anyMatch(r -> r.contains("completed the rotation"));
  }

  private void killAtAndRerun(
      Cut cut,
      Path dir,
      Map<String, String> cleanState,
      List<String> problems,
      List<String> repairs)
      throws Exception {
    try (Sandbox sb = Sandbox.start(CrashLab.oneRotationOfEach())) {
      Map<String, AccessKeyInfo> initial = CrashLab.keys(sb, CrashLab.MEMBER);
      sb.faults()
          .add(
              FaultRule.on(cut.service(), cut.operation())
                  .account(cut.account())
                  .stallAfterNth(cut.nth()));
      CrashLab.Child child = CrashLab.startRun(sb, dir, CrashLab.POLICY);
      boolean stalled = false;
      for (int i = 0; i < 600 && !stalled && child.process().isAlive(); i++) {
        stalled = sb.faults().awaitStall(Duration.ofMillis(100));
      }
      if (!stalled) {
        problems.add(cut + ": the run never reached the cut point\n" + child.output());
        child.process().destroyForcibly();
        return;
      }
      child.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      sb.faults().clear();

      // what the dead run left
      Map<String, AccessKeyInfo> afterKill = CrashLab.keys(sb, CrashLab.MEMBER);
      Map<String, String> leftMarkers = new HashMap<>();
      List<String> orphans = new ArrayList<>();
      long storedNew = 0;
      for (AccessKeyInfo k : afterKill.values()) {
        if (initial.containsKey(k.accessKeyId())) {
          continue;
        }
        if (CrashLab.stored(sb, CrashLab.MEMBER, k)) {
          storedNew++;
        } else {
          orphans.add(k.accessKeyId());
        }
      }
      for (String u : sb.users(CrashLab.MEMBER)) {
        if (sb.userTags(CrashLab.MEMBER, u).containsKey(CrashLab.MARKER_TAG)) {
          leftMarkers.put(u, "marker");
        }
        if (sb.iamKeys(CrashLab.MEMBER, u).size() > 2) {
          problems.add(cut + ": " + u + " has more than two keys after the kill");
        }
      }

      sb.calls().clear();
      // the dead run's marker is a rotation in flight until the marker window plus the longest
      // run have passed; the next scheduled run comes later than that
      sb.clock().advance(Planner.IN_FLIGHT.plusMinutes(1));
      RunReport again = CrashLab.runInProcess(sb, CrashLab.policy(""));

      String at = cut + ": ";
      CrashLab.invariantViolations(sb, initial).forEach(p -> problems.add(at + p));
      Map<String, String> state = CrashLab.normalized(sb, initial);
      if (!state.equals(cleanState)) {
        problems.add(at + "ends in " + state + " instead of " + cleanState);
      }
      long creates =
          sb.calls()
              .matching(c -> c.operation().equals("CreateAccessKey") && c.status() == 200)
              .size();
      if (creates != 1 - storedNew) {
        problems.add(
            at
                + "the next run created "
                + creates
                + " keys (the dead run left "
                + storedNew
                + " stored new keys and orphans "
                + orphans
                + ")");
      }
      if (sb.calls()
              .matching(
                  c ->
                      c.operation().equals("PutSecretValue")
                          && "ResourceExistsException".equals(c.errorCode()))
              .size()
          > 0) {
        problems.add(at + "a secret version was written twice");
      }
      if (again.failedUsers() > 0 || again.failedAccounts() > 0) {
        problems.add(at + "the next run failed: " + again);
      }
      List<UserReport> users = again.accounts().stream().flatMap(a -> a.users().stream()).toList();
      for (String u : leftMarkers.keySet()) {
        UserReport r = users.stream().filter(x -> x.userName().equals(u)).findFirst().orElseThrow();
        if (!done(r, "REPAIR_CLEAR_MARKER", null)) {
          problems.add(at + "the marker left on " + u + " was not reported repaired: " + r);
        }
        repairs.add(at + r.decisions() + " " + r.notes());
      }
      for (String orphan : orphans) {
        if (users.stream().noneMatch(r -> done(r, "REPAIR_DELETE_ORPHAN", orphan))) {
          problems.add(at + "orphan " + orphan + " was not reported deleted");
        }
        if (afterKill.get(orphan) != null && !afterKill.get(orphan).active()) {
          problems.add(at + "orphan " + orphan + " was not active");
        }
      }
      // a key the dead run created and stored is the one the user keeps
      for (AccessKeyInfo k : afterKill.values()) {
        if (!initial.containsKey(k.accessKeyId())
            && !orphans.contains(k.accessKeyId())
            && sb.iamKeys(CrashLab.MEMBER, k.userName()).stream()
                .noneMatch(x -> x.accessKeyId().equals(k.accessKeyId()))) {
          problems.add(at + "the stored key " + k.accessKeyId() + " was deleted");
        }
      }
      // the owner hears of the key they keep at least once (a duplicate after a death is fine)
      // and the warning about the old key is sent at least once (inside the key-created message
      // when both happen in one run)
      for (AccessKeyInfo k : sb.iamKeys(CrashLab.MEMBER, "app-create")) {
        String event = initial.containsKey(k.accessKeyId()) ? "key-warning" : "key-created";
        if (sb.snsMessages().stream()
            .noneMatch(
                m ->
                    (event.equals(m.attributes().get("event"))
                            || event.equals(m.attributes().get("also")))
                        && m.message().contains(k.accessKeyId()))) {
          problems.add(at + "no " + event + " message about " + k.accessKeyId());
        }
      }
      String version = orphans.isEmpty() ? "" : SecretsManagerVault.versionIdOf(orphans.get(0));
      if (!version.isEmpty()
          && sb.secretVersionValues(
                  CrashLab.MEMBER,
                  CrashLab.REGION,
                  CrashLab.secretName(CrashLab.MEMBER, "app-create"))
              .containsKey(version)) {
        problems.add(at + "the orphan's secret was stored after all");
      }
    }
  }

  private static boolean done(UserReport r, String action, String keyId) {
    for (DecisionReport d : r.decisions()) {
      if (d.action().name().equals(action)
          && d.outcome() == Outcome.DONE
          && (keyId == null || keyId.equals(d.keyId()))) {
        return true;
      }
    }
    return false;
  }

  /** The mutating calls that took effect, each as the n-th call of its operation and account. */
  static List<Cut> cutPoints(List<CallRecord> calls) {
    Map<String, Integer> seen = new HashMap<>();
    List<Cut> out = new ArrayList<>();
    for (CallRecord c : calls) {
      String k = c.service() + ":" + c.operation() + "@" + c.accountId();
      int n = seen.merge(k, 1, Integer::sum);
      if (c.mutating() && c.status() == 200 && !c.fault()) {
        out.add(new Cut(c.service(), c.operation(), c.accountId(), n));
      }
    }
    return out;
  }
}
