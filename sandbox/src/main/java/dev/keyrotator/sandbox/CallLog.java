package dev.keyrotator.sandbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Every request the sandbox received, in arrival order. Thread-safe. */
public final class CallLog {
  /** Operations that change state (what a dry run must never call). */
  public static final Set<String> MUTATING =
      Set.of(
          "CreateAccessKey",
          "UpdateAccessKey",
          "DeleteAccessKey",
          "TagUser",
          "UntagUser",
          "AttachUserPolicy",
          "CreateSecret",
          "PutSecretValue",
          "PutResourcePolicy",
          "TagResource",
          "UntagResource",
          "DeleteSecret",
          "CreateTopic",
          "Publish",
          "PutObject");

  private final List<CallRecord> records = new ArrayList<>();

  /**
   * The client ends (address:port) requests came from since the last {@link #clear}: one per TCP
   * connection the clients opened, each a TLS handshake against AWS.
   */
  private final Set<String> connections = new HashSet<>();

  static boolean isMutating(String op) {
    return op != null && MUTATING.contains(op);
  }

  synchronized void add(CallRecord r) {
    records.add(r);
  }

  public synchronized List<CallRecord> all() {
    return List.copyOf(records);
  }

  public synchronized void clear() {
    records.clear();
    connections.clear();
  }

  synchronized void connectionFrom(String clientEnd) {
    connections.add(clientEnd);
  }

  /**
   * The TCP connections requests arrived on since the last {@link #clear} (admin requests
   * included), counted by their distinct client address and port.
   */
  public synchronized int connections() {
    return connections.size();
  }

  public synchronized List<CallRecord> matching(Predicate<CallRecord> p) {
    return records.stream().filter(p).toList();
  }

  /** Counts keyed {@code service:Operation}, e.g. {@code iam:ListUsers}. */
  public synchronized Map<String, Long> countsByOperation() {
    Map<String, Long> m = new TreeMap<>();
    for (CallRecord r : records) m.merge(r.service() + ":" + r.operation(), 1L, Long::sum);
    return m;
  }

  /** Number of calls of an operation (any status, faults included). */
  public synchronized long count(String service, String operation) {
    return records.stream()
        .filter(r -> r.service().equals(service) && r.operation().equals(operation))
        .count();
  }

  public synchronized long count(String operation) {
    return records.stream().filter(r -> operation.equals(r.operation())).count();
  }

  /** Calls to state-changing operations (see {@link #MUTATING}), successful or not. */
  public synchronized List<CallRecord> mutating() {
    return matching(CallRecord::mutating);
  }

  public synchronized int size() {
    return records.size();
  }
}
