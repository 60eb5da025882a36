package dev.proxima.tensor.internal;

/** Special functions evaluated in double precision for the elementwise kernels. */
public final class SpecialFunctions {

    private SpecialFunctions() {
    }

    /** 2/√π as a double-double: the rounded value and the rest. */
    private static final double TWO_OVER_SQRT_PI_HI = 1.1283791670955126;
    private static final double TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17;
    /** 1/ln 2 as a double-double. */
    private static final double INV_LN2_HI = 1.4426950408889634;
    private static final double INV_LN2_LO = 2.0355273740931033e-17;

    /**
     * The error function erf(x) = (2/√π)∫₀ˣ e^{−t²} dt, within 1 ulp: for |x| &lt; 3 the Maclaurin series
     * Σ (−1)ⁿ x^{2n+1} / (n!(2n+1)) summed in double-double arithmetic (about 106 bits, so the cancellation
     * between its terms, which reach 10⁴ times the result, costs nothing visible) and rounded once; above,
     * 1 − erfc(x) with erfc (below 2.3e−5 there) from its continued fraction (modified Lentz), whose error is far
     * below an ulp of a result near 1.
     * erf is odd and keeps the sign of zero: erf(−0.0) is −0.0.
     *
     * @param x the argument
     * @return erf(x); ±1 for ±∞, NaN for NaN
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < 0x1p-28) {
            // erf x = (2/√π)(x − x³/3 + …) and x³/3 is below half an ulp of the result: also keeps −0.0
            return Math.fma(x, TWO_OVER_SQRT_PI_HI, x * TWO_OVER_SQRT_PI_LO);
        }
        if (a < 3) {
            return seriesErf(x);
        }
        if (a >= 6) {
            return Math.copySign(1, x);
        }
        double erfc = erfcContinuedFraction(a);
        return Math.copySign(1 - erfc, x);
    }

    /** erf by its Maclaurin series in double-double arithmetic (|x| &lt; 3), rounded once at the end. */
    private static double seriesErf(double x) {
        double x2h = x * x;
        double x2l = Math.fma(x, x, -x2h);
        double th = x;              // the term (−1)ⁿ x^{2n+1} / n!, as th + tl
        double tl = 0;
        double sh = x;              // the sum, as sh + sl
        double sl = 0;
        for (int n = 1; n < 200; n++) {
            // term := −term · x² / n
            double ph = th * x2h;
            double pl = Math.fma(th, x2h, -ph) + (th * x2l + tl * x2h);
            double mh = ph + pl;
            double ml = pl - (mh - ph);
            double qh = -mh / n;
            double ql = (Math.fma(qh, n, mh) * -1 - ml) / n;
            th = qh + ql;
            tl = ql - (th - qh);
            // next := term / (2n + 1)
            int k = 2 * n + 1;
            double nh = th / k;
            double nl = (Math.fma(-nh, k, th) + tl) / k;
            // sum += next (two-sum of the high parts, then the low parts)
            double s = sh + nh;
            double bb = s - sh;
            double e = (sh - (s - bb)) + (nh - bb) + sl + nl;
            sh = s + e;
            sl = e - (sh - s);
            if (Math.abs(nh) < 0x1p-110 * Math.abs(sh)) {
                break;
            }
        }
        // (2/√π) · sum in double-double, rounded once
        double ph = sh * TWO_OVER_SQRT_PI_HI;
        double pl = Math.fma(sh, TWO_OVER_SQRT_PI_HI, -ph) + (sh * TWO_OVER_SQRT_PI_LO + sl * TWO_OVER_SQRT_PI_HI);
        return ph + pl;
    }

    /**
     * log₂ x, within about 1 ulp and exact at powers of two: x = m·2ᵉ with m in [√½, √2), then
     * e + log1p(m − 1)/ln 2 with the division by ln 2 done in double-double.
     *
     * @param x the argument
     * @return log₂ x; −∞ for ±0, NaN for x &lt; 0 and for NaN, +∞ for +∞
     */
    public static double log2(double x) {
        if (!(x > 0) || x == Double.POSITIVE_INFINITY) {
            return x == 0 ? Double.NEGATIVE_INFINITY : x < 0 ? Double.NaN : x;
        }
        int shift = 0;
        if (x < Double.MIN_NORMAL) {
            x *= 0x1p54;
            shift = -54;
        }
        int e = Math.getExponent(x);
        double m = Math.scalb(x, -e);          // [1, 2), exact
        if (m > 1.4142135623730951) {
            m *= 0.5;
            e++;
        }
        double f = m - 1;                      // exact (Sterbenz)
        double l = Math.log1p(f);
        double hi = l * INV_LN2_HI;
        double lo = Math.fma(l, INV_LN2_HI, -hi) + l * INV_LN2_LO;
        double whole = e + shift;
        if (whole == 0) {
            return hi + lo;
        }
        double s = whole + hi;                 // |whole| ≥ 1 > |hi|: fast two-sum
        double t = (whole - s) + hi;
        return s + (t + lo);
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
