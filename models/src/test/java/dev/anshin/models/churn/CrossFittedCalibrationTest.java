package dev.anshin.models.churn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.testing.SparkTestBase;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The calibration of a training's test examples, and its error measured out of fold ({@link
 * Calibration#crossFitted}). Two weekly test
 * dates fall in the two halves (2026-01-01 is day 20,454 = 7 x 2,922 of the epoch: half 0; a week later
 * half 1). Each half has examples at margins 0 and 1 only, so a logistic fit on it passes exactly
 * through the mean of Platt's targets at each margin ((N+ + 1) / (N+ + 2) per churn, 1 / (N- + 2) per
 * stay, N counted in the half), and each half's out-of-fold probabilities are the other half's means:
 * <pre>
 *   half 0 (3 churns, 4 stays; targets 4/5, 1/6): margin 0, 1 of 4 churned: (4/5 + 3/6) / 4 = 13/40;
 *                                                 margin 1, 2 of 3 churned: (8/5 + 1/6) / 3 = 53/90
 *   half 1 (4 churns, 3 stays; targets 5/6, 1/5): margin 0, 1 of 3 churned: (5/6 + 2/5) / 3 = 37/90;
 *                                                 margin 1, 3 of 4 churned: (15/6 + 1/5) / 4 = 27/40
 * </pre>
 * Half 0's margin-0 examples get 37/90 (bin 4, rate 1/4), its margin-1 ones 27/40 (bin 6, rate 2/3);
 * half 1's get 13/40 (bin 3, rate 1/3) and 53/90 (bin 5, rate 3/4). The gaps are 29/180, 1/120, 1/120
 * and 29/180, so the error after calibration is (2 x 4 x 29/180 + 2 x 3 x 1/120) / 14. Before, the
 * model's own probabilities 1/(1 + e^-m): 0.5 for the 7 examples at margin 0 (2 churned) and 0.7311
 * for the 7 at margin 1 (5 churned). The calibration kept for scoring is fitted on all 14 (7 churns, 7
 * stays; targets 8/9 and 1/9): the means are (2 x 8/9 + 5/9) / 7 = 1/3 at margin 0 and (5 x 8/9 + 2/9)
 * / 7 = 2/3 at margin 1, so the intercept is logit(1/3) = -ln 2 and the slope 2 ln 2.
 */
class CrossFittedCalibrationTest extends SparkTestBase {

  @Test
  void theCalibrationIsFittedOnEveryTestExampleAndItsErrorMeasuredOutOfFold() {
    List<Row> rows = new ArrayList<>();
    add(rows, "2026-01-01", 0, 4, 1);
    add(rows, "2026-01-01", 1, 3, 2);
    add(rows, "2026-01-08", 0, 3, 1);
    add(rows, "2026-01-08", 1, 4, 3);
    StructType schema = new StructType().add("as_of_date", DataTypes.DateType).add("label", DataTypes.DoubleType)
        .add("p", DataTypes.DoubleType).add("margin", DataTypes.DoubleType);

    Calibration.CrossFitted calibrated =
        Calibration.crossFitted(spark.createDataFrame(rows, schema), "as_of_date", 7, "margin", "p", "label");

    assertThat(calibrated.calibration().intercept()).isCloseTo(-Math.log(2), within(1e-5));
    assertThat(calibrated.calibration().slope()).isCloseTo(2 * Math.log(2), within(1e-5));
    double sigmoidOfOne = 1 / (1 + Math.exp(-1));
    assertThat(calibrated.eceBefore()).isCloseTo((7 * (0.5 - 2.0 / 7) + 7 * (sigmoidOfOne - 5.0 / 7)) / 14, within(1e-12));
    assertThat(calibrated.after()).extracting(Calibration.Bin::bin).containsExactly(3, 4, 5, 6);
    assertThat(calibrated.after()).extracting(Calibration.Bin::examples).containsExactly(3L, 4L, 4L, 3L);
    assertThat(calibrated.eceAfter()).isCloseTo((2 * 4 * 29.0 / 180 + 2 * 3 * 1.0 / 120) / 14, within(1e-5));
  }

  /** {@code examples} test examples of one date at one margin, {@code churned} of them churned. */
  private static void add(List<Row> rows, String date, double margin, int examples, int churned) {
    for (int i = 0; i < examples; i++) {
      rows.add(RowFactory.create(Date.valueOf(date), i < churned ? 1.0 : 0.0, 1 / (1 + Math.exp(-margin)), margin));
    }
  }
}
