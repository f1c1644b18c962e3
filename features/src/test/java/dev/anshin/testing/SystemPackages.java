package dev.anshin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian packages some tests need beyond JDK and Maven (a browser for the report, Jupyter for the
 * notebooks), which {@code .ci/run} installs in the background while Maven builds the first modules.
 *
 * <p>Where a package is missing the test is skipped with a message, except in CI (the {@code CI}
 * environment variable), where it fails.
 */
public final class SystemPackages {
  private SystemPackages() {}

  /**
   * The first executable of {@code candidates}. When {@code ANSHIN_PACKAGES_READY} names a file, an
   * installation is under way: waits up to 10 minutes for that file, which holds its exit code.
   */
  public static Path require(List<String> candidates, String installHint) {
    String ready = System.getenv("ANSHIN_PACKAGES_READY");
    if (ready != null && !ready.isBlank()) {
      awaitInstallation(Path.of(ready));
    }
    Path found = candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    if (found == null) {
      String message = "not installed: " + String.join(", ", candidates) + " (" + installHint + ")";
      if (System.getenv("CI") != null) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    return found;
  }

  private static synchronized void awaitInstallation(Path ready) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try {
      while (!Files.exists(ready) || Files.readString(ready).isBlank()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the installation of the test packages did not finish in 10 minutes (" + ready + " was not written)");
        }
        Thread.sleep(1000);
      }
      String exit = Files.readString(ready).trim();
      if (!exit.equals("0")) {
        Path log = ready.resolveSibling(ready.getFileName() + ".log");
        throw new AssertionError("installing the test packages failed (exit " + exit + ")"
            + (Files.exists(log) ? ":\n" + Files.readString(log) : ""));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
