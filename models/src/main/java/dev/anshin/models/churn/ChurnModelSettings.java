package dev.anshin.models.churn;

/** How the churn model is trained: the learner, its size, and the seed that makes it repeatable. */
public record ChurnModelSettings(Learner learner, int maxIterations, int maxDepth, long seed) {

  /** The MLlib learner behind the model. */
  public enum Learner {
    /** Gradient-boosted trees: captures interactions such as "low usage close to renewal". */
    GBT,
    /** Logistic regression on standardised features: a transparent baseline. */
    LOGISTIC
  }

  public static ChurnModelSettings defaults() {
    return new ChurnModelSettings(Learner.GBT, 40, 4, 42L);
  }
}
