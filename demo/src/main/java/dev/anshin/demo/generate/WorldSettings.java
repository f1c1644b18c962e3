package dev.anshin.demo.generate;

import dev.anshin.errors.AnshinException;
import java.time.LocalDate;

/**
 * What world to generate: how many accounts, which observed days, the seed, how far the world runs on
 * past the last observed day (so that every observed day's churn outcome is known), whether to mix
 * in bad rows, the share of usage events and API requests that are delivered 1-3 days late, and how
 * much traffic each account makes relative to the default (a benchmark's volume knob: the accounts,
 * their lives and their outcomes stay the same).
 */
public record WorldSettings(
    int accounts, int days, long seed, LocalDate start, int horizonDays, boolean dirty,
    double lateShare, double trafficScale) {

  public static final int DEFAULT_ACCOUNTS = 400;
  public static final int DEFAULT_DAYS = 365;
  public static final long DEFAULT_SEED = 42;
  public static final LocalDate DEFAULT_START = LocalDate.of(2025, 1, 1);
  public static final int DEFAULT_HORIZON_DAYS = 90;
  public static final double DEFAULT_LATE_SHARE = 0.02;
  public static final double DEFAULT_TRAFFIC_SCALE = 1.0;

  public WorldSettings {
    if (accounts < 1) {
      throw AnshinException.usage("--accounts is " + accounts + "; it must be at least 1");
    }
    if (days < 1) {
      throw AnshinException.usage("--days is " + days + "; it must be at least 1");
    }
    if (horizonDays < 15) {
      // The involuntary path needs 14 days from a failed invoice to the churn it causes.
      throw AnshinException.usage("--horizon is " + horizonDays + "; it must be at least 15 days");
    }
    if (!(lateShare >= 0 && lateShare <= 1)) {
      throw AnshinException.usage("--late-share is " + lateShare + "; it must be between 0 and 1");
    }
    if (!(trafficScale > 0 && trafficScale <= 1000)) {
      throw AnshinException.usage("--traffic-scale is " + trafficScale + "; it must be above 0 and at most 1000");
    }
    if (start == null) {
      throw AnshinException.usage("--start is missing");
    }
  }

  /** The last day the sources cover; the export is taken at the end of this day (UTC). */
  public LocalDate lastDay() {
    return start.plusDays(days - 1L);
  }

  /** The last day the world is simulated: the last observed day plus the horizon. */
  public LocalDate simulationEnd() {
    return lastDay().plusDays(horizonDays);
  }

  /** The settings with the default late share. */
  public WorldSettings(int accounts, int days, long seed, LocalDate start, int horizonDays, boolean dirty) {
    this(accounts, days, seed, start, horizonDays, dirty, DEFAULT_LATE_SHARE, DEFAULT_TRAFFIC_SCALE);
  }

  public WorldSettings withDirty(boolean newDirty) {
    return new WorldSettings(accounts, days, seed, start, horizonDays, newDirty, lateShare, trafficScale);
  }

  public WorldSettings withLateShare(double newLateShare) {
    return new WorldSettings(accounts, days, seed, start, horizonDays, dirty, newLateShare, trafficScale);
  }

  public WorldSettings withTrafficScale(double newTrafficScale) {
    return new WorldSettings(accounts, days, seed, start, horizonDays, dirty, lateShare, newTrafficScale);
  }
}
