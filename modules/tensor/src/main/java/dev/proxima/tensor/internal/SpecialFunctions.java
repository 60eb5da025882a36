package dev.proxima.tensor.internal;

/** Special functions evaluated in double precision for the elementwise kernels. */
public final class SpecialFunctions {

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private SpecialFunctions() {
    }

    /**
     * The error function erf(x) = (2/√π)∫₀ˣ e^{−t²} dt, to about 1e−15 relative: the Maclaurin series
     * Σ (−1)ⁿ x^{2n+1} / (n!(2n+1)) for |x| &lt; 2 (its largest term stays below 25, so cancellation costs
     * at most a few ulps), and 1 − erfc(x) with erfc from its continued fraction (modified Lentz) above.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < 2) {
            double x2 = x * x;
            double term = x;          // (−1)ⁿ x^{2n+1} / n!
            double sum = x;
            for (int n = 1; n < 60; n++) {
                term *= -x2 / n;
                double next = term / (2 * n + 1);
                sum += next;
                if (Math.abs(next) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (a >= 6) {
            return Math.copySign(1, x);
        }
        double erfc = erfcContinuedFraction(a);
        return Math.copySign(1 - erfc, x);
    }

    /**
     * erfc(a) for a ≥ 2: e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))), evaluated with the
     * modified Lentz algorithm.
     */
    private static double erfcContinuedFraction(double a) {
        double tiny = 1e-300;
        double f = a;
        double c = a;
        double d = 0;
        for (int k = 1; k < 200; k++) {
            double coefficient = k / 2.0;
            d = a + coefficient * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = a + coefficient / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
}
