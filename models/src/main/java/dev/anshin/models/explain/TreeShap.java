package dev.anshin.models.explain;

/**
 * Exact Shapley values of one tree's prediction, in time polynomial in its depth: the path-dependent
 * TreeSHAP of Lundberg, Erion and Lee (2018, Algorithm 2).
 *
 * <p>The value of a coalition S of features is the tree's expected prediction when the features in
 * S take the row's values and the others follow the training data down the tree (at a split on a
 * feature outside S, both branches, weighted by their cover). The algorithm walks every root-to-leaf
 * path once, keeping for the distinct features on the path the share of coalitions of each size in
 * which the row reaches that leaf ("extend"), and takes a feature out again ("unwind") to read off
 * its own weight. Contributions plus the tree's expected value equal its prediction for the row.
 */
final class TreeShap {
  private TreeShap() {}

  /**
   * The unique features on the current path: for each, the share of the cover that passes its splits
   * when it is not in the coalition (zero), whether the row passes them when it is (one), and the
   * weight of the coalition sizes (weight). Each recursion level works on its own segment of the
   * arrays, a copy of its parent's.
   */
  private static final class Path {
    final int[] feature;
    final double[] zero;
    final double[] one;
    final double[] weight;

    Path(int size) {
      feature = new int[size];
      zero = new double[size];
      one = new double[size];
      weight = new double[size];
    }
  }

  /** Adds {@code scale} x the tree's contributions for row {@code x} to {@code phi}. */
  static void add(TreeEnsemble.Tree tree, double[] x, double scale, double[] phi) {
    // Paths hold at most depth + 2 elements; level d's segment starts after the ones before it.
    int longest = tree.depth() + 2;
    Path path = new Path((longest + 1) * (longest + 2) / 2 + 1);
    recurse(tree, x, scale, phi, path, 0, 0, 0, 1.0, 1.0, -1);
  }

  private static void recurse(
      TreeEnsemble.Tree tree, double[] x, double scale, double[] phi, Path path, int node,
      int parentStart, int depth, double zeroFraction, double oneFraction, int feature) {
    int start = parentStart + depth + 1;
    System.arraycopy(path.feature, parentStart, path.feature, start, depth + 1);
    System.arraycopy(path.zero, parentStart, path.zero, start, depth + 1);
    System.arraycopy(path.one, parentStart, path.one, start, depth + 1);
    System.arraycopy(path.weight, parentStart, path.weight, start, depth + 1);
    extend(path, start, depth, zeroFraction, oneFraction, feature);

    if (tree.isLeaf(node)) {
      for (int i = 1; i <= depth; i++) {
        double w = unwoundSum(path, start, depth, i);
        phi[path.feature[start + i]] += scale * w * (path.one[start + i] - path.zero[start + i]) * tree.value()[node];
      }
      return;
    }
    int split = tree.feature()[node];
    boolean left = tree.goesLeft(node, x[split]);
    int hot = left ? tree.left()[node] : tree.right()[node];
    int cold = left ? tree.right()[node] : tree.left()[node];
    double cover = tree.cover()[node];
    double incomingZero = 1.0;
    double incomingOne = 1.0;
    // A feature split on earlier in the path is taken out and entered again with both splits' fractions.
    int seen = -1;
    for (int i = 0; i <= depth; i++) {
      if (path.feature[start + i] == split) {
        seen = i;
        break;
      }
    }
    if (seen >= 0) {
      incomingZero = path.zero[start + seen];
      incomingOne = path.one[start + seen];
      unwind(path, start, depth, seen);
      depth -= 1;
    }
    recurse(tree, x, scale, phi, path, hot, start, depth + 1, tree.cover()[hot] / cover * incomingZero, incomingOne, split);
    recurse(tree, x, scale, phi, path, cold, start, depth + 1, tree.cover()[cold] / cover * incomingZero, 0.0, split);
  }

  /** Adds a feature to the path, updating the weight of each coalition size. */
  private static void extend(Path path, int start, int depth, double zeroFraction, double oneFraction, int feature) {
    path.feature[start + depth] = feature;
    path.zero[start + depth] = zeroFraction;
    path.one[start + depth] = oneFraction;
    path.weight[start + depth] = depth == 0 ? 1.0 : 0.0;
    for (int i = depth - 1; i >= 0; i--) {
      path.weight[start + i + 1] += oneFraction * path.weight[start + i] * (i + 1) / (depth + 1);
      path.weight[start + i] = zeroFraction * path.weight[start + i] * (depth - i) / (depth + 1);
    }
  }

  /** Takes element {@code index} out of the path: the inverse of {@link #extend}. */
  private static void unwind(Path path, int start, int depth, int index) {
    double one = path.one[start + index];
    double zero = path.zero[start + index];
    double next = path.weight[start + depth];
    for (int i = depth - 1; i >= 0; i--) {
      if (one != 0) {
        double kept = path.weight[start + i];
        path.weight[start + i] = next * (depth + 1) / ((i + 1) * one);
        next = kept - path.weight[start + i] * zero * (depth - i) / (depth + 1);
      } else {
        path.weight[start + i] = path.weight[start + i] * (depth + 1) / (zero * (depth - i));
      }
    }
    for (int i = index; i < depth; i++) {
      path.feature[start + i] = path.feature[start + i + 1];
      path.zero[start + i] = path.zero[start + i + 1];
      path.one[start + i] = path.one[start + i + 1];
    }
  }

  /** The total weight the path would have without element {@code index}, without changing it. */
  private static double unwoundSum(Path path, int start, int depth, int index) {
    double one = path.one[start + index];
    double zero = path.zero[start + index];
    double next = path.weight[start + depth];
    double total = 0;
    if (one != 0) {
      for (int i = depth - 1; i >= 0; i--) {
        double part = next / ((i + 1) * one);
        total += part;
        next = path.weight[start + i] - part * zero * (depth - i);
      }
    } else {
      for (int i = depth - 1; i >= 0; i--) {
        total += path.weight[start + i] / (zero * (depth - i));
      }
    }
    return total * (depth + 1);
  }
}
