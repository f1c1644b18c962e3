package dev.anshin.models.retention;

import dev.anshin.errors.AnshinException;
import java.io.Serializable;

/**
 * How many customers share one (frequency, recency, age): the sufficient statistics of the BG/NBD
 * likelihood, so that a fit over millions of customers sums over far fewer distinct rows.
 *
 * @param frequency x, the number of repeat transactions in the calibration period
 * @param recency t_x, weeks from the first to the last transaction in the calibration period
 * @param age T, weeks from the first transaction to the end of the calibration period
 * @param customers how many customers have these values
 */
public record RfmCount(long frequency, double recency, double age, long customers)
    implements Serializable {

  public RfmCount {
    if (frequency < 0 || recency < 0 || age < recency || customers < 0) {
      throw AnshinException.badData(
          "need frequency >= 0 and 0 <= recency <= age, got x=" + frequency + " t_x=" + recency
              + " T=" + age);
    }
    if (frequency > 0 && recency == 0 && age == 0) {
      throw AnshinException.badData("a customer with repeat transactions must have an age > 0");
    }
  }
}
