package dev.anshin.models.retention;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A small Nelder-Mead simplex minimiser, restarted from several points; the retention likelihoods
 * have two to four parameters, where it is robust and needs no gradients.
 */
public final class NelderMead {

  /** The best point found, its value, the work done and whether the simplex shrank to tolerance. */
  public record Minimum(double[] point, double value, int evaluations, boolean converged) {}

  private final double tolerance;
  private final int maxEvaluations;

  public NelderMead(double tolerance, int maxEvaluations) {
    this.tolerance = tolerance;
    this.maxEvaluations = maxEvaluations;
  }

  /** The default for the retention fits: values to 1e-10 and up to 20,000 evaluations a start. */
  public static NelderMead standard() {
    return new NelderMead(1e-10, 20_000);
  }

  /**
   * Minimises from each start and returns the best result. Non-finite values are treated as +inf so
   * that a start in a bad region walks out of it.
   */
  public Minimum minimise(ToDoubleFunction<double[]> function, List<double[]> starts) {
    if (starts.isEmpty()) {
      throw new IllegalArgumentException("need at least one starting point");
    }
    Minimum best = null;
    for (double[] start : starts) {
      Minimum candidate = minimise(function, start);
      // A restart from the best point confirms convergence (Nelder-Mead can stall on a ridge).
      candidate = merge(candidate, minimise(function, candidate.point()));
      if (best == null || (candidate.value() < best.value())) {
        best = candidate;
      }
    }
    return best;
  }

  private static Minimum merge(Minimum first, Minimum restart) {
    Minimum better = restart.value() <= first.value() ? restart : first;
    return new Minimum(
        better.point(),
        better.value(),
        first.evaluations() + restart.evaluations(),
        restart.converged() && Math.abs(first.value() - restart.value()) <= 1e-6 * (1 + Math.abs(first.value())));
  }

  /** Minimises from one start. */
  public Minimum minimise(ToDoubleFunction<double[]> function, double[] start) {
    int n = start.length;
    double[][] simplex = new double[n + 1][];
    double[] values = new double[n + 1];
    simplex[0] = start.clone();
    for (int i = 0; i < n; i++) {
      double[] vertex = start.clone();
      vertex[i] += Math.abs(vertex[i]) > 1e-3 ? 0.1 * Math.abs(vertex[i]) + 0.1 : 0.25;
      simplex[i + 1] = vertex;
    }
    int evaluations = 0;
    for (int i = 0; i <= n; i++) {
      values[i] = safe(function, simplex[i]);
      evaluations++;
    }
    Integer[] order = new Integer[n + 1];
    boolean converged = false;
    while (evaluations < maxEvaluations) {
      for (int i = 0; i <= n; i++) {
        order[i] = i;
      }
      final double[] v = values;
      Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
      double[][] sortedSimplex = new double[n + 1][];
      double[] sortedValues = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        sortedSimplex[i] = simplex[order[i]];
        sortedValues[i] = values[order[i]];
      }
      simplex = sortedSimplex;
      values = sortedValues;
      double spread = Math.abs(values[n] - values[0]);
      double size = 0;
      for (int i = 1; i <= n; i++) {
        for (int j = 0; j < n; j++) {
          size = Math.max(size, Math.abs(simplex[i][j] - simplex[0][j]));
        }
      }
      if (Double.isFinite(values[0])
          && spread <= tolerance * (1 + Math.abs(values[0]))
          && size <= Math.sqrt(tolerance)) {
        converged = true;
        break;
      }
      double[] centroid = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          centroid[j] += simplex[i][j] / n;
        }
      }
      double[] reflected = along(centroid, simplex[n], -1.0);
      double reflectedValue = safe(function, reflected);
      evaluations++;
      if (reflectedValue < values[0]) {
        double[] expanded = along(centroid, simplex[n], -2.0);
        double expandedValue = safe(function, expanded);
        evaluations++;
        if (expandedValue < reflectedValue) {
          simplex[n] = expanded;
          values[n] = expandedValue;
        } else {
          simplex[n] = reflected;
          values[n] = reflectedValue;
        }
      } else if (reflectedValue < values[n - 1]) {
        simplex[n] = reflected;
        values[n] = reflectedValue;
      } else {
        boolean outside = reflectedValue < values[n];
        double[] contracted = along(centroid, simplex[n], outside ? -0.5 : 0.5);
        double contractedValue = safe(function, contracted);
        evaluations++;
        if (contractedValue < Math.min(reflectedValue, values[n])) {
          simplex[n] = contracted;
          values[n] = contractedValue;
        } else {
          for (int i = 1; i <= n; i++) {
            simplex[i] = along(simplex[0], simplex[i], 0.5);
            values[i] = safe(function, simplex[i]);
            evaluations++;
          }
        }
      }
    }
    int bestIndex = 0;
    for (int i = 1; i <= n; i++) {
      if (values[i] < values[bestIndex]) {
        bestIndex = i;
      }
    }
    return new Minimum(simplex[bestIndex].clone(), values[bestIndex], evaluations, converged);
  }

  /** centroid + coefficient * (vertex - centroid). */
  private static double[] along(double[] centroid, double[] vertex, double coefficient) {
    double[] point = new double[centroid.length];
    for (int j = 0; j < point.length; j++) {
      point[j] = centroid[j] + coefficient * (vertex[j] - centroid[j]);
    }
    return point;
  }

  private static double safe(ToDoubleFunction<double[]> function, double[] point) {
    double value = function.applyAsDouble(point);
    return Double.isFinite(value) ? value : Double.POSITIVE_INFINITY;
  }
}
