package dev.anshin.jobs.io;

import java.nio.file.Path;
import java.time.Duration;

/** A separate process that takes a lakehouse's lock and keeps it until it is killed (for RunContractTest). */
public final class HoldLock {
  private HoldLock() {}

  public static void main(String[] args) throws InterruptedException {
    LakehouseLock.acquire(Path.of(args[0]), Duration.ZERO, "the HoldLock test process");
    System.out.println("locked");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
