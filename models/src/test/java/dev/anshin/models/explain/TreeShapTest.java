package dev.anshin.models.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.Vectors;
import org.junit.jupiter.api.Test;

/**
 * TreeSHAP against the definition: each feature's Shapley value computed by brute force over every
 * coalition, where a coalition's value is the tree's expected prediction with its features fixed to
 * the row's values and the others following the training cover (the value function path-dependent
 * TreeSHAP computes exactly, Lundberg et al. 2018).
 */
class TreeShapTest {
  private static final int FEATURES = 5;
  /** Feature 4 is categorical with values 0, 1, 2; the others are continuous in [0, 1). */
  private static final int CATEGORICAL = 4;

  @Test
  void aStumpGivesItsWholeDeviationToItsFeature() {
    // x0 <= 0.5 -> 1.0 (cover 30), else 4.0 (cover 10): expected value (30 + 40) / 40 = 1.75.
    TreeBuilder b = new TreeBuilder();
    int root = b.split(0, 0.5, null, 40);
    b.children(root, b.leaf(1.0, 30), b.leaf(4.0, 10));
    TreeEnsemble.Tree tree = b.build();

    double[] phi = new double[FEATURES];
    TreeShap.add(tree, new double[] {0.9, 0, 0, 0, 0}, 1.0, phi);

    assertThat(tree.expectedValue()).isEqualTo(1.75);
    assertThat(phi[0]).isCloseTo(4.0 - 1.75, within(1e-12));
    assertThat(phi[1] + phi[2] + phi[3] + phi[4]).isZero();
  }

  @Test
  void equalsBruteForceShapleyValuesOnRandomTrees() {
    Random random = new Random(20261207L);
    for (int t = 0; t < 200; t++) {
      TreeEnsemble.Tree tree = randomTree(random, 1 + random.nextInt(5));
      for (int r = 0; r < 5; r++) {
        double[] x = randomRow(random);
        double[] phi = new double[FEATURES];
        TreeShap.add(tree, x, 1.0, phi);
        double[] expected = bruteForce(tree, x);
        for (int f = 0; f < FEATURES; f++) {
          assertThat(phi[f]).as("tree %d row %d feature %d", t, r, f).isCloseTo(expected[f], within(1e-9));
        }
        // Local accuracy: the expected value plus the contributions is the prediction.
        assertThat(tree.expectedValue() + sum(phi)).isCloseTo(tree.predict(x), within(1e-9));
      }
    }
  }

  @Test
  void anEnsembleAddsItsTreesContributionsScaledByTheirWeights() {
    Random random = new Random(7L);
    TreeEnsemble.Tree[] trees = {randomTree(random, 3), randomTree(random, 4), randomTree(random, 2)};
    double[] weights = {1.0, 0.1, 0.1};
    TreeEnsemble ensemble = new TreeEnsemble(trees, weights, 2.0, FEATURES);
    double[] x = randomRow(random);

    double[] phi = ensemble.contributions(Vectors.dense(x));

    double[] expected = new double[FEATURES];
    double base = 0;
    double output = 0;
    for (int t = 0; t < trees.length; t++) {
      double[] treePhi = bruteForce(trees[t], x);
      for (int f = 0; f < FEATURES; f++) {
        expected[f] += 2.0 * weights[t] * treePhi[f];
      }
      base += 2.0 * weights[t] * trees[t].expectedValue();
      output += 2.0 * weights[t] * trees[t].predict(x);
    }
    assertThat(phi).containsExactly(expected, within(1e-9));
    assertThat(ensemble.baseValue()).isCloseTo(base, within(1e-12));
    assertThat(ensemble.logOdds(Vectors.dense(x))).isCloseTo(output, within(1e-12));
    assertThat(ensemble.baseValue() + sum(phi)).isCloseTo(output, within(1e-9));
  }

  /** Shapley values by their definition: a weighted sum over all coalitions without the feature. */
  static double[] bruteForce(TreeEnsemble.Tree tree, double[] x) {
    int m = x.length;
    double[] phi = new double[m];
    for (int f = 0; f < m; f++) {
      for (int coalition = 0; coalition < (1 << m); coalition++) {
        if ((coalition & (1 << f)) != 0) {
          continue;
        }
        int size = Integer.bitCount(coalition);
        double weight = factorial(size) * factorial(m - size - 1) / factorial(m);
        phi[f] += weight * (value(tree, x, coalition | (1 << f), 0) - value(tree, x, coalition, 0));
      }
    }
    return phi;
  }

  /** The tree's expected prediction with the coalition's features fixed to the row's values. */
  private static double value(TreeEnsemble.Tree tree, double[] x, int coalition, int node) {
    if (tree.isLeaf(node)) {
      return tree.value()[node];
    }
    int feature = tree.feature()[node];
    int left = tree.left()[node];
    int right = tree.right()[node];
    if ((coalition & (1 << feature)) != 0) {
      return value(tree, x, coalition, tree.goesLeft(node, x[feature]) ? left : right);
    }
    return (tree.cover()[left] * value(tree, x, coalition, left) + tree.cover()[right] * value(tree, x, coalition, right))
        / tree.cover()[node];
  }

  private static double factorial(int n) {
    double result = 1;
    for (int i = 2; i <= n; i++) {
      result *= i;
    }
    return result;
  }

  private static double sum(double[] values) {
    double total = 0;
    for (double v : values) {
      total += v;
    }
    return total;
  }

  private static double[] randomRow(Random random) {
    double[] x = new double[FEATURES];
    for (int f = 0; f < FEATURES; f++) {
      x[f] = f == CATEGORICAL ? random.nextInt(3) : random.nextDouble();
    }
    return x;
  }

  /** A random tree whose features repeat along paths, with categorical splits and consistent covers. */
  private static TreeEnsemble.Tree randomTree(Random random, int maxDepth) {
    TreeBuilder b = new TreeBuilder();
    grow(b, random, 0, maxDepth, 50 + random.nextInt(1000));
    return b.build();
  }

  private static int grow(TreeBuilder b, Random random, int depth, int maxDepth, double cover) {
    if (depth == maxDepth || (depth > 0 && random.nextDouble() < 0.2)) {
      return b.leaf(random.nextDouble() * 2 - 1, cover);
    }
    int feature = random.nextInt(FEATURES);
    int node = feature == CATEGORICAL
        ? b.split(feature, 0, random.nextBoolean() ? new double[] {random.nextInt(3)} : new double[] {0, 2}, cover)
        : b.split(feature, random.nextDouble(), null, cover);
    double share = 0.1 + 0.8 * random.nextDouble();
    int left = grow(b, random, depth + 1, maxDepth, cover * share);
    int right = grow(b, random, depth + 1, maxDepth, cover * (1 - share));
    b.children(node, left, right);
    return node;
  }

  /** Builds a tree node by node; nodes are numbered as they are added, the root first. */
  static final class TreeBuilder {
    private final List<Integer> feature = new ArrayList<>();
    private final List<Double> threshold = new ArrayList<>();
    private final List<double[]> categories = new ArrayList<>();
    private final List<Integer> left = new ArrayList<>();
    private final List<Integer> right = new ArrayList<>();
    private final List<Double> value = new ArrayList<>();
    private final List<Double> cover = new ArrayList<>();

    int split(int featureIndex, double at, double[] leftCategories, double weight) {
      return add(featureIndex, at, leftCategories, 0.0, weight);
    }

    int leaf(double prediction, double weight) {
      return add(-1, 0, null, prediction, weight);
    }

    void children(int node, int leftChild, int rightChild) {
      left.set(node, leftChild);
      right.set(node, rightChild);
    }

    private int add(int featureIndex, double at, double[] leftCategories, double prediction, double weight) {
      feature.add(featureIndex);
      threshold.add(at);
      categories.add(leftCategories);
      left.add(-1);
      right.add(-1);
      value.add(prediction);
      cover.add(weight);
      return feature.size() - 1;
    }

    TreeEnsemble.Tree build() {
      int n = feature.size();
      return new TreeEnsemble.Tree(
          feature.stream().mapToInt(Integer::intValue).toArray(),
          threshold.stream().mapToDouble(Double::doubleValue).toArray(),
          categories.toArray(double[][]::new),
          left.stream().mapToInt(Integer::intValue).toArray(),
          right.stream().mapToInt(Integer::intValue).toArray(),
          value.stream().mapToDouble(Double::doubleValue).toArray(),
          cover.stream().mapToDouble(Double::doubleValue).toArray(),
          depth(0));
    }

    private int depth(int node) {
      return left.get(node) < 0 ? 0 : 1 + Math.max(depth(left.get(node)), depth(right.get(node)));
    }
  }
}
