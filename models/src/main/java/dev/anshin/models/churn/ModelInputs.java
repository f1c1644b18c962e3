package dev.anshin.models.churn;

import dev.anshin.features.customer.CustomerFeatures;
import dev.anshin.features.labels.ChurnLabels;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a churn model reads: numeric inputs (a missing value is a value of its own),
 * categorical inputs (one-hot encoded, unseen values kept in a slot of their own), and the 0/1
 * label it learns. The nightly model reads {@link #CUSTOMER_FEATURES}; {@code anshin churn fit}
 * reads whatever columns it found in the user's table.
 */
public record ModelInputs(List<String> numeric, List<String> categorical, String label) {

  /** The nightly model's inputs: the columns of {@code customer_features}. */
  public static final ModelInputs CUSTOMER_FEATURES =
      new ModelInputs(CustomerFeatures.NUMERIC_FEATURES, CustomerFeatures.CATEGORICAL_FEATURES, ChurnLabels.LABEL);

  public ModelInputs {
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    if (numeric.isEmpty() && categorical.isEmpty()) {
      throw new IllegalArgumentException("a churn model needs at least one input column");
    }
  }

  /** Every input, numeric ones first: the order of contributions and driver values. */
  public List<String> drivers() {
    List<String> all = new ArrayList<>(numeric);
    all.addAll(categorical);
    return List.copyOf(all);
  }
}
