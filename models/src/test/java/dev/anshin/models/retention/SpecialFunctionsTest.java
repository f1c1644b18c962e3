package dev.anshin.models.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SpecialFunctionsTest {

  @Test
  void logGammaMatchesFactorialsAndHalfIntegers() {
    double factorial = 1;
    for (int n = 1; n <= 30; n++) {
      // Gamma(n) = (n - 1)!
      assertThat(SpecialFunctions.logGamma(n)).isCloseTo(Math.log(factorial), within(1e-11 * Math.max(1, Math.log(factorial))));
      factorial *= n;
    }
    // Gamma(1/2) = sqrt(pi); Gamma(0.1) = 9.513507698668732 (Abramowitz and Stegun).
    assertThat(SpecialFunctions.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-14));
    assertThat(SpecialFunctions.logGamma(0.1)).isCloseTo(Math.log(9.513507698668732), within(1e-13));
  }

  @Test
  void hypergeometricMatchesClosedForms() {
    // 2F1(1, 1; 2; z) = -ln(1 - z) / z and 2F1(a, b; b; z) = (1 - z)^(-a).
    for (double z : new double[] {0.1, 0.5, 0.9, 0.99}) {
      assertThat(SpecialFunctions.hypergeometric2F1(1, 1, 2, z)).isCloseTo(-Math.log(1 - z) / z, within(1e-10));
      assertThat(SpecialFunctions.hypergeometric2F1(0.3, 2.5, 2.5, z)).isCloseTo(Math.pow(1 - z, -0.3), within(1e-10));
    }
  }
}
