package dev.anshin.models.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LifetimeValueTest {

  // The published CDNOW estimates (Fader, Hardie & Lee 2005a and 2005b).
  private static final BetaGeometricNbdModel PURCHASES =
      new BetaGeometricNbdModel(0.243, 4.414, 0.793, 2.426, 0, true, 2357);
  private static final GammaGammaModel SPEND = new GammaGammaModel(6.25, 3.74, 15.44, 0, true, 946);

  @Test
  void withoutDiscountingThePeriodsAddUpToTheConditionalExpectation() {
    LifetimeValue.Settings undiscounted = new LifetimeValue.Settings(12, 52.0 / 12, 0);
    // The per-period increments telescope to E[Y(52) | x, t_x, T].
    assertThat(LifetimeValue.discountedExpectedPurchases(PURCHASES, undiscounted, 2, 30.43, 38.86))
        .isCloseTo(PURCHASES.conditionalExpectedPurchases(52, 2, 30.43, 38.86), within(1e-12));
  }

  @Test
  void discountingLowersTheValueAndValueIsSpendTimesPurchases() {
    LifetimeValue.Settings settings = LifetimeValue.Settings.monthlyForOneYear();
    double discounted = LifetimeValue.discountedExpectedPurchases(PURCHASES, settings, 2, 30.43, 38.86);
    assertThat(discounted).isLessThan(PURCHASES.conditionalExpectedPurchases(52, 2, 30.43, 38.86));
    assertThat(LifetimeValue.expected(PURCHASES, SPEND, settings, 2, 30.43, 38.86, 22.35))
        .isCloseTo(SPEND.conditionalExpectedSpend(2, 22.35) * discounted, within(1e-12));
  }

  @Test
  void aCustomerWithOnePurchaseGetsTheMeanSpendAndAFiniteValue() {
    double value =
        LifetimeValue.expected(PURCHASES, SPEND, LifetimeValue.Settings.monthlyForOneYear(), 0, 0, 38.86, 0);
    assertThat(value).isFinite().isPositive();
    assertThat(PURCHASES.probabilityAlive(0, 0, 38.86)).isEqualTo(1.0);
  }
}
