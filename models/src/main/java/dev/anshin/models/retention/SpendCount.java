package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import java.io.Serializable;

/**
 * How many customers with x repeat transactions share one mean repeat-transaction value: the data
 * of the Gamma-Gamma likelihood.
 *
 * @param frequency x &gt; 0, the number of repeat transactions
 * @param monetaryValue the mean value of those x transactions, &gt; 0
 * @param customers how many customers have these values
 */
public record SpendCount(long frequency, double monetaryValue, long customers)
    implements Serializable {

  public SpendCount {
    if (frequency <= 0 || !(monetaryValue > 0) || customers < 0) {
      throw AnshinException.badData(
          "Gamma-Gamma needs x > 0 and a positive mean value, got x=" + frequency + " m="
              + monetaryValue);
    }
  }
}
