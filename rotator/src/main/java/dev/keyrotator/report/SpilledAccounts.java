package dev.keyrotator.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.TreeMap;

/**
 * A run's account reports kept out of memory: each account written once, as one line of the
 * report's own JSON ({@link ReportJson}, so nothing the report does not hold, and never a secret),
 * to a temporary file, and read back (parsed again) every time it is asked for. Only the offsets
 * stay in memory, so a pass over the run (the summary, each report writer) holds one account at a
 * time, whatever the number of users. The list is immutable and safe to read from several threads.
 *
 * <p>The file is unlinked as soon as it is open for reading: nothing is left in the temporary
 * directory even if the process dies, and its space is freed when the list is no longer reachable
 * (or the process ends). See README "Limits" (memory).
 */
public final class SpilledAccounts extends AbstractList<AccountReport> implements RandomAccess {

  /**
   * Users held in memory before a {@link Builder} starts writing to disk: below it (every test
   * organization, most real ones) a run's report is a plain list, as before.
   */
  public static final int DEFAULT_MEMORY_USERS = 5_000;

  private static final ObjectMapper LINES =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final Cleaner CLEANER = Cleaner.create();

  private final FileChannel channel;
  private final long[] offsets;
  private final int[] lengths;

  private SpilledAccounts(FileChannel channel, long[] offsets, int[] lengths) {
    this.channel = channel;
    this.offsets = offsets;
    this.lengths = lengths;
    CLEANER.register(this, new Close(channel));
  }

  @Override
  public AccountReport get(int index) {
    ByteBuffer buf = ByteBuffer.allocate(lengths[index]);
    long at = offsets[index];
    try {
      while (buf.hasRemaining()) {
        int n = channel.read(buf, at + buf.position());
        if (n < 0) {
          throw new IOException("spilled report file ends early");
        }
      }
      return LINES.readValue(buf.array(), ReportJson.Account.class).toReport();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read back a spilled account report", e);
    }
  }

  @Override
  public int size() {
    return offsets.length;
  }

  /**
   * Collects account reports under a key, each once (the first one put wins), and gives them back
   * in key order: in memory while they hold at most {@code memoryUsers} users, then written to a
   * temporary file as they come. Not thread-safe: one thread puts.
   */
  public static final class Builder<K extends Comparable<K>> implements AutoCloseable {
    private final int memoryUsers;
    private final Map<K, Object> entries = new TreeMap<>();
    private int usersInMemory;
    private Path file;
    private FileChannel writing;
    private OutputStream out;
    private long written;

    public Builder(int memoryUsers) {
      this.memoryUsers = memoryUsers;
    }

    /** A builder that keeps up to {@link #DEFAULT_MEMORY_USERS} users in memory. */
    public Builder() {
      this(DEFAULT_MEMORY_USERS);
    }

    /** Whether {@code key} was put already. */
    public boolean contains(K key) {
      return entries.containsKey(key);
    }

    /** Adds {@code a} under {@code key}; false (and nothing kept) when the key was put already. */
    public boolean put(K key, AccountReport a) {
      if (entries.containsKey(key)) {
        return false;
      }
      if (file == null && usersInMemory + a.users().size() <= memoryUsers) {
        entries.put(key, a);
        usersInMemory += a.users().size();
        return true;
      }
      try {
        if (file == null) {
          spillAll();
        }
        entries.put(key, write(a));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot spill an account report to a temporary file", e);
      }
      return true;
    }

    /** How many accounts were put. */
    public int size() {
      return entries.size();
    }

    /** Whether the accounts went to disk. */
    public boolean spilled() {
      return file != null;
    }

    /** The accounts in key order: a plain list, or a {@link SpilledAccounts} once spilled. */
    public List<AccountReport> build() {
      if (file == null) {
        List<AccountReport> out = new ArrayList<>();
        entries.values().forEach(v -> out.add((AccountReport) v));
        return List.copyOf(out);
      }
      try {
        out.close();
        out = null;
        FileChannel reading = FileChannel.open(file, StandardOpenOption.READ);
        Files.deleteIfExists(file);
        long[] offsets = new long[entries.size()];
        int[] lengths = new int[entries.size()];
        int i = 0;
        for (Object v : entries.values()) {
          Extent e = (Extent) v;
          offsets[i] = e.offset();
          lengths[i] = e.length();
          i++;
        }
        entries.clear();
        return new SpilledAccounts(reading, offsets, lengths);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read back spilled account reports", e);
      }
    }

    /** Drops the temporary file of a builder that was not built (an error on the way). */
    @Override
    public void close() {
      try {
        if (out != null) {
          out.close();
          out = null;
        }
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // a temporary file left behind is not worth failing the run for
      }
    }

    private void spillAll() throws IOException {
      file = Files.createTempFile("key-rotator-accounts-", ".ndjson");
      writing = FileChannel.open(file, StandardOpenOption.WRITE);
      out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(writing), 1 << 16);
      for (Map.Entry<K, Object> e : entries.entrySet()) {
        e.setValue(write((AccountReport) e.getValue()));
      }
      usersInMemory = 0;
    }

    private Extent write(AccountReport a) throws IOException {
      byte[] line = LINES.writeValueAsBytes(ReportJson.of(a));
      out.write(line);
      out.write('\n');
      Extent e = new Extent(written, line.length);
      written += line.length + 1L;
      return e;
    }
  }

  private record Extent(long offset, int length) {}

  private record Close(FileChannel channel) implements Runnable {
    @Override
    public void run() {
      try {
        channel.close();
      } catch (IOException e) {
        // the process is letting go of it anyway
      }
    }
  }
}
