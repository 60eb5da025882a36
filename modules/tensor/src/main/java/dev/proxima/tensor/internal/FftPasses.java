package dev.proxima.tensor.internal;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The radix passes of the Stockham autosort FFT in {@link FftPlan}.
 *
 * <p>One pass of radix {@code r} over {@code s} interleaved sub-problems of length {@code L = r·m}
 * reads element {@code p + k·m} of sub-problem {@code q} from {@code x[q + s·(p + k·m)]}, takes the
 * length-{@code r} DFT over {@code k} (forward sign, {@code e^{−2πi jk/r}}), multiplies output {@code j}
 * by the twiddle {@code w_L^{jp}} ({@code w_L = e^{−2πi/L}}) and stores it at
 * {@code y[q + s·(r·p + j)]}. Output {@code j} of every sub-problem is then sub-problem
 * {@code q + s·j} of length {@code m} at stride {@code s·r}, so after the last pass the spectrum of
 * sub-problem {@code q} is at {@code q + s₀·k}: no bit reversal is needed.
 *
 * <p>Twiddles of a pass are stored {@code p}-major: {@code w[p·(r−1) + j − 1] = w_L^{jp}}.
 * Real and imaginary parts live in separate arrays. When {@code s} is a multiple of the vector length
 * the loop over {@code q} runs on the Vector API (one method per radix, so that C2 compiles each); the
 * first passes of a single line ({@code s < lanes}) run a scalar loop over {@code q}.
 */
final class FftPasses {

    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = DS.length();

    private static final double SIN60 = 0.86602540378443864676; // sin(2π/3) = √3/2
    private static final double C1_5 = 0.30901699437494742410; // cos(2π/5)
    private static final double C2_5 = -0.80901699437494742410; // cos(4π/5)
    private static final double S1_5 = 0.95105651629515357212; // sin(2π/5)
    private static final double S2_5 = 0.58778525229247312917; // sin(4π/5)

    private FftPasses() {
    }

    private static boolean vectorizable(int s) {
        return s % LANES == 0;
    }

    // ------------------------------------------------------------------ radix 2

    static void radix2(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        if (vectorizable(s)) {
            radix2Vector(xr, xi, yr, yi, s, m, wr, wi);
        } else {
            radix2Scalar(xr, xi, yr, yi, s, m, wr, wi);
        }
    }

    private static void radix2Scalar(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            double w1r = wr[p];
            double w1i = wi[p];
            int in = s * p;
            int out = 2 * s * p;
            for (int q = 0; q < s; q++) {
                int a = in + q;
                int o = out + q;
                double a0r = xr[a];
                double a0i = xi[a];
                double a1r = xr[a + sm];
                double a1i = xi[a + sm];
                yr[o] = a0r + a1r;
                yi[o] = a0i + a1i;
                double dr = a0r - a1r;
                double di = a0i - a1i;
                yr[o + s] = dr * w1r - di * w1i;
                yi[o + s] = dr * w1i + di * w1r;
            }
        }
    }

    private static void radix2Vector(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            DoubleVector w1r = DoubleVector.broadcast(DS, wr[p]);
            DoubleVector w1i = DoubleVector.broadcast(DS, wi[p]);
            int in = s * p;
            int out = 2 * s * p;
            for (int q = 0; q < s; q += LANES) {
                int a = in + q;
                int o = out + q;
                DoubleVector a0r = DoubleVector.fromArray(DS, xr, a);
                DoubleVector a0i = DoubleVector.fromArray(DS, xi, a);
                DoubleVector a1r = DoubleVector.fromArray(DS, xr, a + sm);
                DoubleVector a1i = DoubleVector.fromArray(DS, xi, a + sm);
                a0r.add(a1r).intoArray(yr, o);
                a0i.add(a1i).intoArray(yi, o);
                DoubleVector dr = a0r.sub(a1r);
                DoubleVector di = a0i.sub(a1i);
                dr.mul(w1r).sub(di.mul(w1i)).intoArray(yr, o + s);
                dr.mul(w1i).add(di.mul(w1r)).intoArray(yi, o + s);
            }
        }
    }

    // ------------------------------------------------------------------ radix 3

    static void radix3(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        if (vectorizable(s)) {
            radix3Vector(xr, xi, yr, yi, s, m, wr, wi);
        } else {
            radix3Scalar(xr, xi, yr, yi, s, m, wr, wi);
        }
    }

    private static void radix3Scalar(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            double w1r = wr[2 * p];
            double w1i = wi[2 * p];
            double w2r = wr[2 * p + 1];
            double w2i = wi[2 * p + 1];
            int in = s * p;
            int out = 3 * s * p;
            for (int q = 0; q < s; q++) {
                int a = in + q;
                int o = out + q;
                double a0r = xr[a];
                double a0i = xi[a];
                double a1r = xr[a + sm];
                double a1i = xi[a + sm];
                double a2r = xr[a + 2 * sm];
                double a2i = xi[a + 2 * sm];
                double tr = a1r + a2r;
                double ti = a1i + a2i;
                double dr = SIN60 * (a1r - a2r);
                double di = SIN60 * (a1i - a2i);
                double mr = a0r - 0.5 * tr;
                double mi = a0i - 0.5 * ti;
                yr[o] = a0r + tr;
                yi[o] = a0i + ti;
                double b1r = mr + di;
                double b1i = mi - dr;
                double b2r = mr - di;
                double b2i = mi + dr;
                yr[o + s] = b1r * w1r - b1i * w1i;
                yi[o + s] = b1r * w1i + b1i * w1r;
                yr[o + 2 * s] = b2r * w2r - b2i * w2i;
                yi[o + 2 * s] = b2r * w2i + b2i * w2r;
            }
        }
    }

    private static void radix3Vector(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            DoubleVector w1r = DoubleVector.broadcast(DS, wr[2 * p]);
            DoubleVector w1i = DoubleVector.broadcast(DS, wi[2 * p]);
            DoubleVector w2r = DoubleVector.broadcast(DS, wr[2 * p + 1]);
            DoubleVector w2i = DoubleVector.broadcast(DS, wi[2 * p + 1]);
            int in = s * p;
            int out = 3 * s * p;
            for (int q = 0; q < s; q += LANES) {
                int a = in + q;
                int o = out + q;
                DoubleVector a0r = DoubleVector.fromArray(DS, xr, a);
                DoubleVector a0i = DoubleVector.fromArray(DS, xi, a);
                DoubleVector a1r = DoubleVector.fromArray(DS, xr, a + sm);
                DoubleVector a1i = DoubleVector.fromArray(DS, xi, a + sm);
                DoubleVector a2r = DoubleVector.fromArray(DS, xr, a + 2 * sm);
                DoubleVector a2i = DoubleVector.fromArray(DS, xi, a + 2 * sm);
                DoubleVector tr = a1r.add(a2r);
                DoubleVector ti = a1i.add(a2i);
                DoubleVector dr = a1r.sub(a2r).mul(SIN60);
                DoubleVector di = a1i.sub(a2i).mul(SIN60);
                DoubleVector mr = a0r.sub(tr.mul(0.5));
                DoubleVector mi = a0i.sub(ti.mul(0.5));
                a0r.add(tr).intoArray(yr, o);
                a0i.add(ti).intoArray(yi, o);
                DoubleVector b1r = mr.add(di);
                DoubleVector b1i = mi.sub(dr);
                DoubleVector b2r = mr.sub(di);
                DoubleVector b2i = mi.add(dr);
                b1r.mul(w1r).sub(b1i.mul(w1i)).intoArray(yr, o + s);
                b1r.mul(w1i).add(b1i.mul(w1r)).intoArray(yi, o + s);
                b2r.mul(w2r).sub(b2i.mul(w2i)).intoArray(yr, o + 2 * s);
                b2r.mul(w2i).add(b2i.mul(w2r)).intoArray(yi, o + 2 * s);
            }
        }
    }

    // ------------------------------------------------------------------ radix 4

    static void radix4(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        if (vectorizable(s)) {
            radix4Vector(xr, xi, yr, yi, s, m, wr, wi);
        } else if (s == 1) {
            radix4Single(xr, xi, yr, yi, m, wr, wi);
        } else {
            radix4Scalar(xr, xi, yr, yi, s, m, wr, wi);
        }
    }

    private static void radix4Scalar(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            double w1r = wr[3 * p];
            double w1i = wi[3 * p];
            double w2r = wr[3 * p + 1];
            double w2i = wi[3 * p + 1];
            double w3r = wr[3 * p + 2];
            double w3i = wi[3 * p + 2];
            int in = s * p;
            int out = 4 * s * p;
            for (int q = 0; q < s; q++) {
                int a = in + q;
                int o = out + q;
                double a0r = xr[a];
                double a0i = xi[a];
                double a1r = xr[a + sm];
                double a1i = xi[a + sm];
                double a2r = xr[a + 2 * sm];
                double a2i = xi[a + 2 * sm];
                double a3r = xr[a + 3 * sm];
                double a3i = xi[a + 3 * sm];
                double t0r = a0r + a2r;
                double t0i = a0i + a2i;
                double t1r = a0r - a2r;
                double t1i = a0i - a2i;
                double t2r = a1r + a3r;
                double t2i = a1i + a3i;
                double t3r = a1r - a3r;
                double t3i = a1i - a3i;
                yr[o] = t0r + t2r;
                yi[o] = t0i + t2i;
                double b1r = t1r + t3i;
                double b1i = t1i - t3r;
                double b2r = t0r - t2r;
                double b2i = t0i - t2i;
                double b3r = t1r - t3i;
                double b3i = t1i + t3r;
                yr[o + s] = b1r * w1r - b1i * w1i;
                yi[o + s] = b1r * w1i + b1i * w1r;
                yr[o + 2 * s] = b2r * w2r - b2i * w2i;
                yi[o + 2 * s] = b2r * w2i + b2i * w2r;
                yr[o + 3 * s] = b3r * w3r - b3i * w3i;
                yi[o + 3 * s] = b3r * w3i + b3i * w3r;
            }
        }
    }

    /** The first pass of a single line ({@code s = 1}): no loop over sub-problems. */
    private static void radix4Single(double[] xr, double[] xi, double[] yr, double[] yi, int m, double[] wr, double[] wi) {
        for (int p = 0; p < m; p++) {
            double a0r = xr[p];
            double a0i = xi[p];
            double a1r = xr[p + m];
            double a1i = xi[p + m];
            double a2r = xr[p + 2 * m];
            double a2i = xi[p + 2 * m];
            double a3r = xr[p + 3 * m];
            double a3i = xi[p + 3 * m];
            double t0r = a0r + a2r;
            double t0i = a0i + a2i;
            double t1r = a0r - a2r;
            double t1i = a0i - a2i;
            double t2r = a1r + a3r;
            double t2i = a1i + a3i;
            double t3r = a1r - a3r;
            double t3i = a1i - a3i;
            int o = 4 * p;
            int w = 3 * p;
            yr[o] = t0r + t2r;
            yi[o] = t0i + t2i;
            store(yr, yi, o + 1, t1r + t3i, t1i - t3r, wr[w], wi[w]);
            store(yr, yi, o + 2, t0r - t2r, t0i - t2i, wr[w + 1], wi[w + 1]);
            store(yr, yi, o + 3, t1r - t3i, t1i + t3r, wr[w + 2], wi[w + 2]);
        }
    }

    private static void radix4Vector(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            DoubleVector w1r = DoubleVector.broadcast(DS, wr[3 * p]);
            DoubleVector w1i = DoubleVector.broadcast(DS, wi[3 * p]);
            DoubleVector w2r = DoubleVector.broadcast(DS, wr[3 * p + 1]);
            DoubleVector w2i = DoubleVector.broadcast(DS, wi[3 * p + 1]);
            DoubleVector w3r = DoubleVector.broadcast(DS, wr[3 * p + 2]);
            DoubleVector w3i = DoubleVector.broadcast(DS, wi[3 * p + 2]);
            int in = s * p;
            int out = 4 * s * p;
            for (int q = 0; q < s; q += LANES) {
                int a = in + q;
                int o = out + q;
                DoubleVector a0r = DoubleVector.fromArray(DS, xr, a);
                DoubleVector a0i = DoubleVector.fromArray(DS, xi, a);
                DoubleVector a1r = DoubleVector.fromArray(DS, xr, a + sm);
                DoubleVector a1i = DoubleVector.fromArray(DS, xi, a + sm);
                DoubleVector a2r = DoubleVector.fromArray(DS, xr, a + 2 * sm);
                DoubleVector a2i = DoubleVector.fromArray(DS, xi, a + 2 * sm);
                DoubleVector a3r = DoubleVector.fromArray(DS, xr, a + 3 * sm);
                DoubleVector a3i = DoubleVector.fromArray(DS, xi, a + 3 * sm);
                DoubleVector t0r = a0r.add(a2r);
                DoubleVector t0i = a0i.add(a2i);
                DoubleVector t1r = a0r.sub(a2r);
                DoubleVector t1i = a0i.sub(a2i);
                DoubleVector t2r = a1r.add(a3r);
                DoubleVector t2i = a1i.add(a3i);
                DoubleVector t3r = a1r.sub(a3r);
                DoubleVector t3i = a1i.sub(a3i);
                t0r.add(t2r).intoArray(yr, o);
                t0i.add(t2i).intoArray(yi, o);
                DoubleVector b1r = t1r.add(t3i);
                DoubleVector b1i = t1i.sub(t3r);
                DoubleVector b2r = t0r.sub(t2r);
                DoubleVector b2i = t0i.sub(t2i);
                DoubleVector b3r = t1r.sub(t3i);
                DoubleVector b3i = t1i.add(t3r);
                b1r.mul(w1r).sub(b1i.mul(w1i)).intoArray(yr, o + s);
                b1r.mul(w1i).add(b1i.mul(w1r)).intoArray(yi, o + s);
                b2r.mul(w2r).sub(b2i.mul(w2i)).intoArray(yr, o + 2 * s);
                b2r.mul(w2i).add(b2i.mul(w2r)).intoArray(yi, o + 2 * s);
                b3r.mul(w3r).sub(b3i.mul(w3i)).intoArray(yr, o + 3 * s);
                b3r.mul(w3i).add(b3i.mul(w3r)).intoArray(yi, o + 3 * s);
            }
        }
    }

    // ------------------------------------------------------------------ radix 5

    static void radix5(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        if (vectorizable(s)) {
            radix5Vector(xr, xi, yr, yi, s, m, wr, wi);
        } else {
            radix5Scalar(xr, xi, yr, yi, s, m, wr, wi);
        }
    }

    private static void radix5Scalar(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            int w = 4 * p;
            int in = s * p;
            int out = 5 * s * p;
            for (int q = 0; q < s; q++) {
                int a = in + q;
                int o = out + q;
                double a0r = xr[a];
                double a0i = xi[a];
                double a1r = xr[a + sm];
                double a1i = xi[a + sm];
                double a2r = xr[a + 2 * sm];
                double a2i = xi[a + 2 * sm];
                double a3r = xr[a + 3 * sm];
                double a3i = xi[a + 3 * sm];
                double a4r = xr[a + 4 * sm];
                double a4i = xi[a + 4 * sm];
                double t1r = a1r + a4r;
                double t1i = a1i + a4i;
                double u1r = a1r - a4r;
                double u1i = a1i - a4i;
                double t2r = a2r + a3r;
                double t2i = a2i + a3i;
                double u2r = a2r - a3r;
                double u2i = a2i - a3i;
                yr[o] = a0r + t1r + t2r;
                yi[o] = a0i + t1i + t2i;
                double c1r = a0r + C1_5 * t1r + C2_5 * t2r;
                double c1i = a0i + C1_5 * t1i + C2_5 * t2i;
                double s1r = S1_5 * u1i + S2_5 * u2i;
                double s1i = S1_5 * u1r + S2_5 * u2r;
                double c2r = a0r + C2_5 * t1r + C1_5 * t2r;
                double c2i = a0i + C2_5 * t1i + C1_5 * t2i;
                double s2r = S2_5 * u1i - S1_5 * u2i;
                double s2i = S2_5 * u1r - S1_5 * u2r;
                store(yr, yi, o + s, c1r + s1r, c1i - s1i, wr[w], wi[w]);
                store(yr, yi, o + 2 * s, c2r + s2r, c2i - s2i, wr[w + 1], wi[w + 1]);
                store(yr, yi, o + 3 * s, c2r - s2r, c2i + s2i, wr[w + 2], wi[w + 2]);
                store(yr, yi, o + 4 * s, c1r - s1r, c1i + s1i, wr[w + 3], wi[w + 3]);
            }
        }
    }

    private static void radix5Vector(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, double[] wr, double[] wi) {
        int sm = s * m;
        for (int p = 0; p < m; p++) {
            int w = 4 * p;
            int in = s * p;
            int out = 5 * s * p;
            for (int q = 0; q < s; q += LANES) {
                int a = in + q;
                int o = out + q;
                DoubleVector a0r = DoubleVector.fromArray(DS, xr, a);
                DoubleVector a0i = DoubleVector.fromArray(DS, xi, a);
                DoubleVector a1r = DoubleVector.fromArray(DS, xr, a + sm);
                DoubleVector a1i = DoubleVector.fromArray(DS, xi, a + sm);
                DoubleVector a2r = DoubleVector.fromArray(DS, xr, a + 2 * sm);
                DoubleVector a2i = DoubleVector.fromArray(DS, xi, a + 2 * sm);
                DoubleVector a3r = DoubleVector.fromArray(DS, xr, a + 3 * sm);
                DoubleVector a3i = DoubleVector.fromArray(DS, xi, a + 3 * sm);
                DoubleVector a4r = DoubleVector.fromArray(DS, xr, a + 4 * sm);
                DoubleVector a4i = DoubleVector.fromArray(DS, xi, a + 4 * sm);
                DoubleVector t1r = a1r.add(a4r);
                DoubleVector t1i = a1i.add(a4i);
                DoubleVector u1r = a1r.sub(a4r);
                DoubleVector u1i = a1i.sub(a4i);
                DoubleVector t2r = a2r.add(a3r);
                DoubleVector t2i = a2i.add(a3i);
                DoubleVector u2r = a2r.sub(a3r);
                DoubleVector u2i = a2i.sub(a3i);
                a0r.add(t1r).add(t2r).intoArray(yr, o);
                a0i.add(t1i).add(t2i).intoArray(yi, o);
                DoubleVector c1r = a0r.add(t1r.mul(C1_5)).add(t2r.mul(C2_5));
                DoubleVector c1i = a0i.add(t1i.mul(C1_5)).add(t2i.mul(C2_5));
                DoubleVector s1r = u1i.mul(S1_5).add(u2i.mul(S2_5));
                DoubleVector s1i = u1r.mul(S1_5).add(u2r.mul(S2_5));
                DoubleVector c2r = a0r.add(t1r.mul(C2_5)).add(t2r.mul(C1_5));
                DoubleVector c2i = a0i.add(t1i.mul(C2_5)).add(t2i.mul(C1_5));
                DoubleVector s2r = u1i.mul(S2_5).sub(u2i.mul(S1_5));
                DoubleVector s2i = u1r.mul(S2_5).sub(u2r.mul(S1_5));
                storeVector(yr, yi, o + s, c1r.add(s1r), c1i.sub(s1i), wr[w], wi[w]);
                storeVector(yr, yi, o + 2 * s, c2r.add(s2r), c2i.sub(s2i), wr[w + 1], wi[w + 1]);
                storeVector(yr, yi, o + 3 * s, c2r.sub(s2r), c2i.add(s2i), wr[w + 2], wi[w + 2]);
                storeVector(yr, yi, o + 4 * s, c1r.sub(s1r), c1i.add(s1i), wr[w + 3], wi[w + 3]);
            }
        }
    }

    // ------------------------------------------------------------------ any odd radix

    /**
     * A pass of odd radix {@code r} by the direct DFT, pairing inputs {@code k} and {@code r−k}:
     * with {@code t = a_k + a_{r−k}}, {@code u = a_k − a_{r−k}}, output
     * {@code b_j = a_0 + Σ_k (t·cos(2πjk/r) − i·u·sin(2πjk/r))} and {@code b_{r−j}} the same with the
     * sine term negated. {@code cos}/{@code sin} hold {@code cos(2π·t/r)}, {@code sin(2π·t/r)}.
     */
    static void radixOdd(double[] xr, double[] xi, double[] yr, double[] yi, int s, int m, int r,
                         double[] wr, double[] wi, double[] cos, double[] sin) {
        int sm = s * m;
        int h = (r - 1) / 2;
        double[] ar = new double[r];
        double[] ai = new double[r];
        double[] tr = new double[h + 1];
        double[] ti = new double[h + 1];
        double[] ur = new double[h + 1];
        double[] ui = new double[h + 1];
        for (int p = 0; p < m; p++) {
            int w = (r - 1) * p;
            int in = s * p;
            int out = r * s * p;
            for (int q = 0; q < s; q++) {
                int a = in + q;
                int o = out + q;
                for (int k = 0; k < r; k++) {
                    ar[k] = xr[a + k * sm];
                    ai[k] = xi[a + k * sm];
                }
                double b0r = ar[0];
                double b0i = ai[0];
                for (int k = 1; k <= h; k++) {
                    tr[k] = ar[k] + ar[r - k];
                    ti[k] = ai[k] + ai[r - k];
                    ur[k] = ar[k] - ar[r - k];
                    ui[k] = ai[k] - ai[r - k];
                    b0r += tr[k];
                    b0i += ti[k];
                }
                yr[o] = b0r;
                yi[o] = b0i;
                for (int j = 1; j <= h; j++) {
                    double cr = ar[0];
                    double ci = ai[0];
                    double sr = 0;
                    double si = 0;
                    int jk = 0;
                    for (int k = 1; k <= h; k++) {
                        jk += j;
                        if (jk >= r) {
                            jk -= r;
                        }
                        double c = cos[jk];
                        double sn = sin[jk];
                        cr += tr[k] * c;
                        ci += ti[k] * c;
                        sr += ui[k] * sn;
                        si += ur[k] * sn;
                    }
                    store(yr, yi, o + j * s, cr + sr, ci - si, wr[w + j - 1], wi[w + j - 1]);
                    store(yr, yi, o + (r - j) * s, cr - sr, ci + si, wr[w + r - j - 1], wi[w + r - j - 1]);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void store(double[] yr, double[] yi, int o, double br, double bi, double wr, double wi) {
        yr[o] = br * wr - bi * wi;
        yi[o] = br * wi + bi * wr;
    }

    private static void storeVector(double[] yr, double[] yi, int o, DoubleVector br, DoubleVector bi, double wr, double wi) {
        br.mul(wr).sub(bi.mul(wi)).intoArray(yr, o);
        br.mul(wi).add(bi.mul(wr)).intoArray(yi, o);
    }
}
