package dev.anshin.models.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.anshin.errors.AnshinException;
import dev.anshin.errors.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reproduces Fader, Hardie &amp; Lee (2005, "RFM and CLV") on CDNOW's 946 repeat customers. */
class GammaGammaTest {

  private static List<SpendCount> repeatCustomers() {
    List<SpendCount> counts = new ArrayList<>();
    for (ReferenceData.CdnowCustomer c : ReferenceData.cdnowCustomers()) {
      if (c.x() > 0) {
        counts.add(new SpendCount(c.x(), c.meanValue(), 1));
      }
    }
    return counts;
  }

  @Test
  void reproducesThePublishedParameters() {
    List<SpendCount> counts = repeatCustomers();
    GammaGammaModel model = GammaGamma.fit(counts);
    assertThat(model.customers()).isEqualTo(946);
    assertThat(model.converged()).isTrue();
    // p 6.25, q 3.74, gamma 15.44 (three significant digits).
    assertThat(model.p()).isCloseTo(6.25, within(0.005));
    assertThat(model.q()).isCloseTo(3.74, within(0.005));
    assertThat(model.gamma()).isCloseTo(15.44, within(0.05));
    System.out.printf(
        "Gamma-Gamma CDNOW: p=%.4f q=%.4f gamma=%.4f LL=%.3f converged=%s%n",
        model.p(), model.q(), model.gamma(), model.logLikelihood(), model.converged());
  }

  @Test
  void expectedSpendShrinksTowardsThePopulationMean() {
    GammaGammaModel model = new GammaGammaModel(6.25, 3.74, 15.44, 0, true, 946);
    double population = 6.25 * 15.44 / (3.74 - 1);
    assertThat(model.populationMeanSpend()).isCloseTo(population, within(1e-12));
    assertThat(model.conditionalExpectedSpend(0, 0)).isCloseTo(population, within(1e-12));
    // The weight of the customer's own mean is p x / (p x + q - 1).
    double weight = 6.25 * 2 / (6.25 * 2 + 3.74 - 1);
    assertThat(model.conditionalExpectedSpend(2, 100))
        .isCloseTo(weight * 100 + (1 - weight) * population, within(1e-9));
  }

  @Test
  void fitsFromDifferentStartingPointsAgree() {
    List<SpendCount> counts = repeatCustomers();
    NelderMead optimiser = NelderMead.standard();
    double[] first =
        optimiser.minimise(p -> -GammaGamma.logLikelihood(Math.exp(p[0]), Math.exp(p[1]), Math.exp(p[2]), counts), new double[] {0, 0, 0}).point();
    double[] second =
        optimiser.minimise(p -> -GammaGamma.logLikelihood(Math.exp(p[0]), Math.exp(p[1]), Math.exp(p[2]), counts), new double[] {Math.log(20), Math.log(10), Math.log(100)}).point();
    for (int i = 0; i < 3; i++) {
      assertThat(Math.exp(first[i])).isCloseTo(Math.exp(second[i]), within(1e-3 * Math.exp(first[i])));
    }
  }

  @Test
  void degenerateInputsFailClearly() {
    assertThatThrownBy(() -> GammaGamma.fit(List.of()))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("no customer has a repeat transaction");
    assertThatThrownBy(() -> new SpendCount(0, 10, 1))
        .isInstanceOfSatisfying(AnshinException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.DATA_ERROR))
        .hasMessageContaining("x > 0");
  }
}
