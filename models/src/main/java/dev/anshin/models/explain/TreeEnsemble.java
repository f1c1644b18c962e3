package dev.anshin.models.explain;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;

/**
 * A tree ensemble as plain arrays, small enough to ship to every executor, with exact per-row
 * feature contributions (TreeSHAP, {@link TreeShap}). Built from MLlib's own trees: their splits,
 * leaf values and the training weight that reached each node (its "cover").
 *
 * <p>Its output is the log-odds: MLlib's gradient-boosted classifier predicts {@code probability =
 * 1 / (1 + exp(-2 margin))} with {@code margin = sum of tree weight x tree prediction}, so the log-odds
 * are {@code 2 margin} ({@link #scale}). For every row, {@link #baseValue()} plus the contributions
 * equals {@link #logOdds(Vector)}.
 */
public final class TreeEnsemble implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * One tree, nodes in pre-order from the root (index 0). A leaf has {@code feature[n] == -1}. At an
   * internal node a row goes left when its value is at most {@code threshold[n]}, or, for a
   * categorical split ({@code leftCategories[n] != null}), when its value is one of them.
   */
  public record Tree(
      int[] feature, double[] threshold, double[][] leftCategories, int[] left, int[] right, double[] value,
      double[] cover, int depth) implements Serializable {

    boolean isLeaf(int node) {
      return feature[node] < 0;
    }

    boolean goesLeft(int node, double x) {
      double[] categories = leftCategories[node];
      if (categories == null) {
        return x <= threshold[node];
      }
      for (double category : categories) {
        if (category == x) {
          return true;
        }
      }
      return false;
    }

    /** The leaf value a row reaches. */
    public double predict(double[] x) {
      int node = 0;
      while (!isLeaf(node)) {
        node = goesLeft(node, x[feature[node]]) ? left[node] : right[node];
      }
      return value[node];
    }

    /** The mean prediction over the training weight: each leaf's value weighted by its cover. */
    public double expectedValue() {
      double sum = 0;
      for (int node = 0; node < feature.length; node++) {
        if (isLeaf(node)) {
          sum += value[node] * cover[node];
        }
      }
      return sum / cover[0];
    }
  }

  private final Tree[] trees;
  private final double[] weights;
  private final double scale;
  private final int numFeatures;

  public TreeEnsemble(Tree[] trees, double[] weights, double scale, int numFeatures) {
    if (trees.length != weights.length) {
      throw new IllegalArgumentException(trees.length + " trees but " + weights.length + " weights");
    }
    this.trees = trees.clone();
    this.weights = weights.clone();
    this.scale = scale;
    this.numFeatures = numFeatures;
  }

  /** An MLlib gradient-boosted classifier, whose output here is the log-odds (2 x MLlib's margin). */
  public static TreeEnsemble of(GBTClassificationModel model) {
    DecisionTreeRegressionModel[] mllibTrees = model.trees();
    Tree[] trees = new Tree[mllibTrees.length];
    for (int i = 0; i < mllibTrees.length; i++) {
      trees[i] = tree(mllibTrees[i].rootNode());
    }
    return new TreeEnsemble(trees, model.treeWeights(), 2.0, model.numFeatures());
  }

  /** Flattens an MLlib tree; the cover of a node is the training weight that reached it. */
  static Tree tree(Node root) {
    List<Node> nodes = new ArrayList<>();
    collect(root, nodes);
    int n = nodes.size();
    int[] feature = new int[n];
    double[] threshold = new double[n];
    double[][] leftCategories = new double[n][];
    int[] left = new int[n];
    int[] right = new int[n];
    double[] value = new double[n];
    double[] cover = new double[n];
    IdentityHashMap<Node, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      index.put(nodes.get(i), i);
    }
    for (int i = 0; i < n; i++) {
      Node node = nodes.get(i);
      value[i] = node.prediction();
      if (node.impurityStats() == null) {
        throw new IllegalArgumentException("the tree has no training statistics per node, which its contributions need");
      }
      cover[i] = node.impurityStats().count();
      if (node instanceof InternalNode internal) {
        Split split = internal.split();
        feature[i] = split.featureIndex();
        if (split instanceof ContinuousSplit continuous) {
          threshold[i] = continuous.threshold();
        } else if (split instanceof CategoricalSplit categorical) {
          leftCategories[i] = categorical.leftCategories();
        } else {
          throw new IllegalArgumentException("unknown split " + split);
        }
        left[i] = index.get(internal.leftChild());
        right[i] = index.get(internal.rightChild());
      } else {
        feature[i] = -1;
        left[i] = -1;
        right[i] = -1;
      }
    }
    return new Tree(feature, threshold, leftCategories, left, right, value, cover, root.subtreeDepth());
  }

  private static void collect(Node node, List<Node> into) {
    into.add(node);
    if (node instanceof InternalNode internal) {
      collect(internal.leftChild(), into);
      collect(internal.rightChild(), into);
    }
  }

  public int numFeatures() {
    return numFeatures;
  }

  /** The ensemble's output for a row: scale x sum of tree weight x leaf value. */
  public double logOdds(Vector x) {
    double[] values = x.toArray();
    double sum = 0;
    for (int t = 0; t < trees.length; t++) {
      sum += weights[t] * trees[t].predict(values);
    }
    return scale * sum;
  }

  /** The output's mean over the training weight, what a row's contributions start from. */
  public double baseValue() {
    double sum = 0;
    for (int t = 0; t < trees.length; t++) {
      sum += weights[t] * trees[t].expectedValue();
    }
    return scale * sum;
  }

  /** Each feature's exact Shapley contribution to {@link #logOdds(Vector)} for this row. */
  public double[] contributions(Vector x) {
    double[] values = x.toArray();
    double[] phi = new double[numFeatures];
    for (int t = 0; t < trees.length; t++) {
      TreeShap.add(trees[t], values, scale * weights[t], phi);
    }
    return phi;
  }
}
