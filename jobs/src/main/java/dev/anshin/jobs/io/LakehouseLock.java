package dev.anshin.jobs.io;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer at a time per lakehouse: an operating-system lock on {@code <lakehouse>/_anshin.lock}.
 *
 * <p>The operating system releases the lock when its process ends in any way, {@code kill -9}
 * included, so a crashed run never leaves a stale lock for a person to clear. A second run waits up
 * to {@code anshin.lock.wait} for the first to finish, then exits 75 (temporary failure), saying
 * which run holds the lock; a scheduler retries it later. The file's text names the holder, for
 * people; the lock itself is the operating system's.
 */
public final class LakehouseLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LakehouseLock.class);

  public static final String FILE = "_anshin.lock";
  private static final Duration POLL = Duration.ofMillis(500);
  /**
   * The lock files this JVM holds, with their holder's text. A second command in the same JVM must
   * not even open the file: on Linux, closing any descriptor of a file releases every lock the
   * process holds on it.
   */
  private static final Map<Path, String> HELD_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private LakehouseLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock of the lakehouse at {@code root}, waiting up to {@code wait} for another run to release it. */
  public static LakehouseLock acquire(Path root, Duration wait, String command) {
    Path file = root.toAbsolutePath().normalize().resolve(FILE);
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw AnshinException.missingInput("cannot create the lakehouse folder " + root + ": " + e.getMessage());
    }
    Instant deadline = Instant.now().plus(wait);
    boolean waited = false;
    try {
      while (true) {
        LakehouseLock taken = tryAcquire(file, command);
        if (taken != null) {
          if (waited) {
            LOG.info("lock {}: acquired after waiting", file);
          }
          return taken;
        }
        if (!Instant.now().isBefore(deadline)) {
          String holder = holder(file);
          throw new AnshinException(
              ExitCodes.TEMPFAIL,
              "another run is writing to " + root + (holder.isEmpty() ? "" : " (" + holder + ")") + "; waited "
                  + wait.toSeconds() + " s for it (anshin.lock.wait). Retry when it has finished.");
        }
        if (!waited) {
          LOG.warn("lock {}: held by another run ({}); waiting up to {} s", file, holder(file), wait.toSeconds());
          waited = true;
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AnshinException(ExitCodes.TEMPFAIL, "interrupted while waiting for the lock on " + root);
    }
  }

  /** The lock, or null when another run (in this JVM or another process) holds it. */
  private static LakehouseLock tryAcquire(Path file, String command) {
    String text = "pid " + ManagementFactory.getRuntimeMXBean().getPid() + ", " + command + ", since " + Instant.now();
    if (HELD_IN_THIS_JVM.putIfAbsent(file, text) != null) {
      return null;
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        HELD_IN_THIS_JVM.remove(file);
        return null;
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new LakehouseLock(file, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        closeQuietly(channel);
      }
      HELD_IN_THIS_JVM.remove(file);
      throw AnshinException.missingInput("cannot lock " + file + ": " + e.getMessage());
    }
  }

  /** Who holds the lock, for the message: this JVM's own record, or the lock file's text. */
  private static String holder(Path file) {
    String here = HELD_IN_THIS_JVM.get(file);
    if (here != null) {
      return here;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing releases the lock; nothing else to do.
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("cannot release the lock: {}", e.getMessage());
    } finally {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(file);
    }
  }
}
