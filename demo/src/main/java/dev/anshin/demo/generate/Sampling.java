package dev.anshin.demo.generate;

import java.util.List;
import java.util.SplittableRandom;

/** Random draws the generator needs, all from a caller-supplied seeded generator. */
final class Sampling {
  private Sampling() {}

  static boolean chance(SplittableRandom random, double probability) {
    return random.nextDouble() < probability;
  }

  static double uniform(SplittableRandom random, double low, double high) {
    return low + (high - low) * random.nextDouble();
  }

  /** Poisson by inversion for small means, a rounded normal above 30 (close enough for traffic). */
  static int poisson(SplittableRandom random, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    int count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }

  static double logNormal(SplittableRandom random, double median, double sigma) {
    return median * Math.exp(sigma * random.nextGaussian());
  }

  static <T> T pick(SplittableRandom random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** Picks a value with the given weights (need not sum to one). */
  static String weighted(SplittableRandom random, String[] values, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < values.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  /** A uniform number in [0, 1) from a salt and an index, without consuming a generator. */
  static double hashUniform(long salt, long index) {
    return (mix(salt + index * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53;
  }

  /** A seed for one (account, day) pair, so that traffic can be generated day by day in any order. */
  static long seedFor(long seed, long account, long day) {
    return mix(mix(seed ^ 0x5DEECE66DL) + account * 0xBF58476D1CE4E5B9L + day * 0x94D049BB133111EBL);
  }

  /** SplitMix64's finaliser: spreads the bits of a long. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
