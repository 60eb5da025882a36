package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused softmax-family primitive (every kernel layout: dense lanes, adjacent lanes, strided lanes)
 * against a double-precision reference written with plain loops, its edge cases in long lanes, its
 * gradients, and the device views of {@link Rng}.
 */
class SoftmaxPrimitiveTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    private static final int SOFTMAX = 0;
    private static final int LOG_SOFTMAX = 1;
    private static final int LOGSUMEXP = 2;

    /** The reference of op along axis of a row-major array of shape, in double; lse drops the axis. */
    private static double[] reference(int op, double[] x, long[] shape, int axis) {
        long n = shape[axis];
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long outer = x.length / Math.max(1, n * inner);
        double[] out = new double[op == LOGSUMEXP ? (int) (outer * inner) : x.length];
        for (long o = 0; o < outer; o++) {
            for (long i = 0; i < inner; i++) {
                double m = Double.NEGATIVE_INFINITY;
                for (long k = 0; k < n; k++) {
                    m = Math.max(m, x[(int) ((o * n + k) * inner + i)]);
                }
                // softmax and log-softmax shift by the maximum itself (a lane holding +∞ or NaN, or of only −∞, is
                // NaN throughout); logsumexp by the maximum where it is finite, else by 0
                double shift = op != LOGSUMEXP || Double.isFinite(m) ? m : 0;
                double s = 0;
                for (long k = 0; k < n; k++) {
                    s += Math.exp(x[(int) ((o * n + k) * inner + i)] - shift);
                }
                double lse = shift + Math.log(s);
                if (op == LOGSUMEXP) {
                    out[(int) (o * inner + i)] = lse;
                    continue;
                }
                for (long k = 0; k < n; k++) {
                    int at = (int) ((o * n + k) * inner + i);
                    out[at] = op == SOFTMAX ? Math.exp(x[at] - shift) / s : x[at] - shift - Math.log(s);
                }
            }
        }
        return out;
    }

    private static Tensor apply(int op, Tensor x, int axis) {
        return switch (op) {
            case SOFTMAX -> x.softmax(axis);
            case LOG_SOFTMAX -> x.logSoftmax(axis);
            default -> x.logsumexp(new int[]{axis}, false);
        };
    }

    /** Elementwise |a − e| <= tol·max(1, |e|), with NaN and infinities required to match exactly. */
    private static void assertNear(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                assertEquals(e, a, what + " [" + i + "]");
            } else {
                assertTrue(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), what + " [" + i + "]: expected " + e + ", got " + a);
            }
        }
    }

    private static Tensor data(DType t, long... shape) {
        try (Tensor r = Rng.seed(11).uniform(DType.F64, -6, 6, shape)) {
            return r.cast(t);
        }
    }

    @Test
    void everyLayoutMatchesTheReference() {
        long[][] shapes = {{37, 129}, {129, 37}, {3, 5, 7, 11}, {2, 64, 9}, {1}, {40}};
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 2e-6 : 1e-13;
            for (long[] shape : shapes) {
                try (Scope scope = Scope.open()) {
                    Tensor x = data(t, shape);
                    double[] xs = x.toDoubleArray();
                    for (int axis = 0; axis < shape.length; axis++) {
                        for (int op = 0; op <= LOGSUMEXP; op++) {
                            String what = t + java.util.Arrays.toString(shape) + " axis " + axis + " op " + op;
                            Tensor y = apply(op, x, axis);
                            assertEquals(t, y.dtype(), what);
                            assertNear(reference(op, xs, shape, axis), y.toDoubleArray(), tol, what);
                            // the same op on a non-contiguous view of the same values (strided lanes)
                            if (shape.length >= 2) {
                                Tensor xt = x.transpose(0, shape.length - 1).contiguous().transpose(0, shape.length - 1);
                                assertNear(reference(op, xs, shape, axis), apply(op, xt, axis).toDoubleArray(), tol, what + " strided");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void specialValuesInLongLanesOfEveryLayout() {
        int n = 3000; // longer than a summation block, so the vector loops and the block sums are exercised
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double[] v = new double[4 * n];
            for (int k = 0; k < n; k++) {
                v[k] = Math.sin(k) * 3;                            // lane 0: ordinary
                v[n + k] = Double.NEGATIVE_INFINITY;               // lane 1: only −∞
                v[2 * n + k] = k == 1700 ? Double.POSITIVE_INFINITY : Math.cos(k); // lane 2: one +∞
                v[3 * n + k] = k == 2500 ? Double.NaN : 1000 + k * 1e-3;           // lane 3: one NaN, large values
            }
            try (Scope scope = Scope.open()) {
                Tensor rows = Tensor.of(v).reshape(4, n).cast(t);
                Tensor cols = rows.transpose().contiguous();             // lanes adjacent: [n, 4], axis 0
                double[] colsData = cols.toDoubleArray();
                for (int op = 0; op <= LOGSUMEXP; op++) {
                    double[] expected = reference(op, rows.toDoubleArray(), new long[]{4, n}, 1);
                    double tol = t == DType.F32 ? 1e-5 : 1e-12;
                    assertNear(expected, apply(op, rows, 1).toDoubleArray(), tol, t + " rows op " + op);
                    double[] colExpected = reference(op, colsData, new long[]{n, 4}, 0);
                    assertNear(colExpected, apply(op, cols, 0).toDoubleArray(), tol, t + " columns op " + op);
                }
                double[] lse = rows.logsumexp(new int[]{1}, false).toDoubleArray();
                assertEquals(Double.NEGATIVE_INFINITY, lse[1]);
                assertEquals(Double.POSITIVE_INFINITY, lse[2]);
                assertTrue(Double.isNaN(lse[3]));
            }
        }
    }

    // ------------------------------------------------------------------ special values: the SciPy table

    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double NAN = Double.NaN;

    /** One lane of the table: its input and the expected softmax, log-softmax and logsumexp. */
    private record SpecialRow(double[] x, double[] softmax, double[] logSoftmax, double logsumexp) {
    }

    private static SpecialRow row(double[] x, double[] softmax, double[] logSoftmax, double logsumexp) {
        return new SpecialRow(x, softmax, logSoftmax, logsumexp);
    }

    private static double[] d(double... values) {
        return values;
    }

    /**
     * Every combination of +∞, −∞, NaN and finite values in short lanes, with SciPy 1.17's
     * {@code scipy.special.softmax} and {@code logsumexp} of each (printed by
     * {@code src/test/resources/fixtures/softmax/special_values.py}). Log-softmax is SciPy's {@code log_softmax}
     * except on lanes holding +∞, where it is NaN throughout like PyTorch's (SciPy keeps −∞ for the finite
     * entries there, the comments say what), so that exp(logSoftmax) = softmax on every lane.
     */
    private static final SpecialRow[] SPECIAL_VALUES = {
            // generated by special_values.py with numpy 2.4.6, scipy 1.17.1
            row(d(1.0, 2.0), d(0.2689414213699951, 0.7310585786300049), d(-1.3132616875182228, -0.31326168751822286), 2.313261687518223),
            row(d(INF, 0.0), d(NAN, NAN), d(NAN, NAN), INF),  // SciPy's log_softmax: d(NAN, -INF)
            row(d(INF, INF), d(NAN, NAN), d(NAN, NAN), INF),
            row(d(-INF, 0.0), d(0.0, 1.0), d(-INF, 0.0), 0.0),
            row(d(-INF, -INF), d(NAN, NAN), d(NAN, NAN), -INF),
            row(d(INF, -INF), d(NAN, NAN), d(NAN, NAN), INF),  // SciPy's log_softmax: d(NAN, -INF)
            row(d(NAN, 0.0), d(NAN, NAN), d(NAN, NAN), NAN),
            row(d(NAN, INF), d(NAN, NAN), d(NAN, NAN), NAN),
            row(d(NAN, -INF), d(NAN, NAN), d(NAN, NAN), NAN),
            row(d(1.0, 2.0, INF), d(NAN, NAN, NAN), d(NAN, NAN, NAN), INF),  // SciPy's log_softmax: d(-INF, -INF, NAN)
            row(d(INF, INF, 1.0), d(NAN, NAN, NAN), d(NAN, NAN, NAN), INF),  // SciPy's log_softmax: d(NAN, NAN, -INF)
            row(d(-INF, -INF, 1.0), d(0.0, 0.0, 1.0), d(-INF, -INF, 0.0), 1.0),
            row(d(-INF, 5.0, -INF), d(0.0, 1.0, 0.0), d(-INF, 0.0, -INF), 5.0),
            row(d(-INF), d(NAN), d(NAN), -INF),
            row(d(INF), d(NAN), d(NAN), INF),
            row(d(NAN), d(NAN), d(NAN), NAN),
            row(d(0.0), d(1.0), d(0.0), 0.0),
            row(d(1000.0, 0.0), d(1.0, 0.0), d(0.0, -1000.0), 1000.0)
    };

    /** The lanes of one length of the table, each repeated {@code copies} times: [copies·k, n] in row-major order. */
    private static double[] tiled(List<SpecialRow> rows, int copies) {
        int n = rows.get(0).x().length;
        double[] out = new double[copies * rows.size() * n];
        for (int c = 0, at = 0; c < copies; c++) {
            for (SpecialRow r : rows) {
                System.arraycopy(r.x(), 0, out, at, n);
                at += n;
            }
        }
        return out;
    }

    /** NaN and ±∞ exactly, finite values to a relative tolerance. */
    private static void assertSpecial(double expected, double actual, double tol, String what) {
        if (Double.isNaN(expected) || Double.isInfinite(expected) || expected == 0) {
            assertEquals(expected, actual, what);
        } else {
            assertEquals(expected, actual, tol * Math.abs(expected), what);
        }
    }

    @Test
    void specialValuesFollowTheScipyTableInEveryLayout() {
        java.util.Map<Integer, List<SpecialRow>> byLength = new java.util.TreeMap<>();
        for (SpecialRow r : SPECIAL_VALUES) {
            byLength.computeIfAbsent(r.x().length, k -> new java.util.ArrayList<>()).add(r);
        }
        // 40 lanes or more per length: enough for the vector-of-lanes kernel, and lanes never mix
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 3e-7 : 1e-15;
            for (List<SpecialRow> rows : byLength.values()) {
                int n = rows.get(0).x().length;
                int copies = (40 + rows.size() - 1) / rows.size();
                int lanes = copies * rows.size();
                try (Scope scope = Scope.open()) {
                    Tensor dense = Tensor.of(tiled(rows, copies)).reshape(lanes, n).cast(t);  // dense lanes, axis 1
                    Tensor columns = dense.transpose().contiguous();                          // adjacent lanes, axis 0
                    Tensor strided = columns.transpose();                                     // lanes of stride `lanes`, axis 1
                    for (int layout = 0; layout < 3; layout++) {
                        Tensor x = layout == 0 ? dense : layout == 1 ? columns : strided;
                        int axis = layout == 1 ? 0 : 1;
                        // back to [lanes, n] in row-major order
                        double[] sm = (layout == 1 ? x.softmax(axis).transpose().contiguous() : x.softmax(axis).contiguous()).toDoubleArray();
                        double[] ls = (layout == 1 ? x.logSoftmax(axis).transpose().contiguous() : x.logSoftmax(axis).contiguous()).toDoubleArray();
                        double[] lse = x.logsumexp(new int[]{axis}, false).toDoubleArray();
                        for (int l = 0; l < lanes; l++) {
                            SpecialRow r = rows.get(l % rows.size());
                            String what = t + " layout " + layout + " lane " + java.util.Arrays.toString(r.x());
                            assertSpecial(r.logsumexp(), lse[l], tol, what + " logsumexp");
                            for (int j = 0; j < n; j++) {
                                assertSpecial(r.softmax()[j], sm[l * n + j], tol, what + " softmax[" + j + "]");
                                assertSpecial(r.logSoftmax()[j], ls[l * n + j], tol, what + " logSoftmax[" + j + "]");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void gradientsAtSpecialLanesAreNaNAndLeaveOtherLanesAlone() {
        double[][] lanes = {{1, 2, 3}, {INF, 0, 1}, {-INF, -INF, -INF}, {-INF, 0, 1}, {NAN, 0, 1}};
        double[] w = {0.5, -1, 2};
        List<Function<Tensor, Tensor>> fs = List.of(
                x -> x.softmax(1).mul(Tensor.of(w)).sum(),
                x -> x.logSoftmax(1).mul(Tensor.of(w)).sum(),
                x -> x.logsumexp(new int[]{1}, false).mul(Tensor.of(1.0, -2.0, 3.0, 0.5, 4.0)).sum());
        for (int f = 0; f < fs.size(); f++) {
            Function<Tensor, Tensor> fn = fs.get(f);
            try (Scope scope = Scope.open()) {
                Tensor x = Tensor.fromArray(lanes);
                double[] g = Autodiff.grad(fn, x).toDoubleArray();
                // the same function on the ordinary lanes alone, padded with a constant lane whose gradient is ignored
                double[][] plain = {lanes[0], {0, 0, 0}, {0, 0, 0}, lanes[3], {0, 0, 0}};
                double[] ref = Autodiff.grad(fn, Tensor.fromArray(plain)).toDoubleArray();
                for (int l = 0; l < lanes.length; l++) {
                    for (int j = 0; j < 3; j++) {
                        String what = "function " + f + " lane " + l + " [" + j + "]";
                        if (l == 0 || l == 3) {
                            assertTrue(Double.isFinite(g[3 * l + j]), what);
                            assertEquals(ref[3 * l + j], g[3 * l + j], 1e-15, what);
                        } else {
                            assertTrue(Double.isNaN(g[3 * l + j]), what + ": " + g[3 * l + j]);
                        }
                    }
                }
                // second order (a Hessian-vector product) runs through the same rules without failing
                double[] hv = Autodiff.hvp(fn, x, Tensor.ones(DType.F64, 5, 3)).toDoubleArray();
                assertTrue(Double.isFinite(hv[0]) && Double.isNaN(hv[3]), java.util.Arrays.toString(hv));
            }
        }
    }

    @Test
    void adjacentLanesWithATail() {
        // 8 wide lanes and 5 more than a vector multiple: the column kernel plus the lane-by-lane tail
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            try (Scope scope = Scope.open()) {
                Tensor x = data(t, 2, 6, 8 * 4 + 5);
                for (int op = 0; op <= LOGSUMEXP; op++) {
                    assertNear(reference(op, x.toDoubleArray(), new long[]{2, 6, 37}, 1), apply(op, x, 1).toDoubleArray(),
                            t == DType.F32 ? 2e-6 : 1e-13, t + " op " + op);
                }
            }
        }
    }

    @Test
    void halfTypesAreComputedInF32AndRoundedOnce() {
        for (DType h : new DType[]{DType.F16, DType.BF16}) {
            try (Scope scope = Scope.open()) {
                Tensor x = data(DType.F32, 5, 9).cast(h);
                Tensor wide = x.cast(DType.F32);
                Tensor s = x.softmax(1);
                assertEquals(h, s.dtype());
                assertArrayEquals(wide.softmax(1).cast(h).toDoubleArray(), s.toDoubleArray(), 0);
                assertArrayEquals(wide.logSoftmax(0).cast(h).toDoubleArray(), x.logSoftmax(0).toDoubleArray(), 0);
                assertArrayEquals(wide.logsumexp(new int[]{0, 1}, true).cast(h).toDoubleArray(),
                        x.logsumexp(new int[]{0, 1}, true).toDoubleArray(), 0);
                assertEquals(h, x.logsumexp(new int[]{1}, false).dtype());
            }
        }
    }

    @Test
    void severalAxesAndKeepDims() {
        try (Scope scope = Scope.open()) {
            Tensor x = data(DType.F64, 4, 5, 6);
            double[] xs = x.toDoubleArray();
            // axes {0, 2}: the reference reduces a permuted copy [5, 4·6]
            double[] expected = new double[5];
            for (int j = 0; j < 5; j++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < 4; i++) {
                    for (int k = 0; k < 6; k++) {
                        m = Math.max(m, xs[(i * 5 + j) * 6 + k]);
                    }
                }
                double s = 0;
                for (int i = 0; i < 4; i++) {
                    for (int k = 0; k < 6; k++) {
                        s += Math.exp(xs[(i * 5 + j) * 6 + k] - m);
                    }
                }
                expected[j] = m + Math.log(s);
            }
            Tensor lse = x.logsumexp(new int[]{0, 2}, false);
            assertArrayEquals(new long[]{5}, lse.shape());
            assertArrayEquals(expected, lse.toDoubleArray(), 1e-12);
            Tensor kept = x.logsumexp(new int[]{2, 0}, true);
            assertArrayEquals(new long[]{1, 5, 1}, kept.shape());
            assertArrayEquals(expected, kept.toDoubleArray(), 1e-12);
            Tensor one = x.logsumexp(new int[]{1}, true);
            assertArrayEquals(new long[]{4, 1, 6}, one.shape());
            assertArrayEquals(reference(LOGSUMEXP, xs, new long[]{4, 5, 6}, 1), one.toDoubleArray(), 1e-12);
            // all axes of a scalar and of a matrix
            assertEquals(2.5, Tensor.scalar(2.5, DType.F64).logsumexp(new int[0], false).item(), 0);
            assertEquals(reference(LOGSUMEXP, xs, new long[]{120}, 0)[0], x.logsumexp(new int[0], false).item(), 1e-12);
            assertArrayEquals(new long[]{1, 1, 1}, x.logsumexp(new int[0], true).shape());
        }
    }

    @Test
    void gradientsOfEveryAxisAndLayout() {
        Function<Tensor, Tensor>[] fs = new Function[]{
                (Function<Tensor, Tensor>) x -> x.softmax(0),
                (Function<Tensor, Tensor>) x -> x.transpose().logSoftmax(1),
                (Function<Tensor, Tensor>) x -> x.logsumexp(new int[]{0, 2}, false),
                (Function<Tensor, Tensor>) x -> x.logsumexp(new int[]{1}, true).mul(x.softmax(2)),
        };
        for (Function<Tensor, Tensor> f : fs) {
            try (Scope scope = Scope.open()) {
                Tensor x = Tensor.arange(1, 25, 1, DType.F64).mul(0.7).sin().mul(2).reshape(2, 3, 4);
                Function<Tensor, Tensor> g = f;
                if (f == fs[1]) {
                    x = x.reshape(6, 4);
                }
                Autodiff.GradcheckResult r1 = Autodiff.gradcheck(g, x, 1e-6, 1e-7, 1e-5);
                assertTrue(r1.passed(), "first order: " + r1.maxAbsError());
                Autodiff.GradcheckResult r2 = Autodiff.gradgradcheck(g, x, 1e-5, 1e-6, 1e-4);
                assertTrue(r2.passed(), "second order: " + r2.maxAbsError());
            }
        }
    }

    @Test
    void gradientClosedForms() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0, 3.0);
            double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
            double[] p = {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z};
            // d lse / dx = softmax(x)
            assertArrayEquals(p, Autodiff.grad(t -> t.logsumexp(new int[]{0}, false), x).toDoubleArray(), 1e-15);
            // Σ logSoftmax has gradient 1 − 3·softmax
            assertArrayEquals(new double[]{1 - 3 * p[0], 1 - 3 * p[1], 1 - 3 * p[2]},
                    Autodiff.grad(t -> t.logSoftmax(0).sum(), x).toDoubleArray(), 1e-15);
            // softmax sums to 1, so Σ softmax has gradient 0
            assertArrayEquals(new double[3], Autodiff.grad(t -> t.softmax(0).sum(), x).toDoubleArray(), 1e-15);
        }
    }

    @Test
    void fusedIsFasterThanComposedSanityTiming() {
        try (Scope scope = Scope.open()) {
            Tensor x = data(DType.F32, 512, 1024);
            Function<Tensor, Tensor> composed = t -> {
                Tensor m = t.max(new int[]{1}, true);
                Tensor e = t.sub(m).exp();
                return e.div(e.sum(new int[]{1}, true));
            };
            double fused = Double.MAX_VALUE;
            double comp = Double.MAX_VALUE;
            for (int rep = 0; rep < 15; rep++) {
                try (Scope inner = Scope.open()) {
                    long t0 = System.nanoTime();
                    x.softmax(1);
                    long t1 = System.nanoTime();
                    Tensor c = composed.apply(x);
                    long t2 = System.nanoTime();
                    fused = Math.min(fused, (t1 - t0) / 1e6);
                    comp = Math.min(comp, (t2 - t1) / 1e6);
                    if (rep == 0) {
                        assertNear(c.toDoubleArray(), x.softmax(1).toDoubleArray(), 1e-6, "composed vs fused");
                    }
                }
            }
            System.out.printf("[softmax] F32[512, 1024] along the last axis: fused %.3f ms, composed %.3f ms (best of 15)%n", fused, comp);
        }
    }

    // ------------------------------------------------------------------ Rng device views

    @Test
    void hostViewSharesTheCounterAndTheStream() {
        Rng a = Rng.seed(5);
        Rng b = Rng.seed(5);
        assertSame(a, a.on(Device.CPU));
        assertEquals(Device.CPU, a.device());
        try (Tensor u = a.uniform(DType.F32, -1, 2, 1001); Tensor n = a.normal(DType.F64, 0.5, 2, 77);
             Tensor m = a.bernoulli(0.3, 99); Tensor g = a.gamma(DType.F64, 2, 1, 5);
             Tensor u2 = b.uniform(DType.F32, -1, 2, 1001); Tensor n2 = b.normal(DType.F64, 0.5, 2, 77);
             Tensor m2 = b.bernoulli(0.3, 99); Tensor g2 = b.gamma(DType.F64, 2, 1, 5)) {
            assertArrayEquals(u2.toFloatArray(), u.toFloatArray());
            assertArrayEquals(n2.toDoubleArray(), n.toDoubleArray());
            assertArrayEquals(m2.toDoubleArray(), m.toDoubleArray());
            assertArrayEquals(g2.toDoubleArray(), g.toDoubleArray());
        }
        assertEquals(4, a.draws());
        assertThrows(IllegalArgumentException.class, () -> a.on(new Device("nosuch", 0)));
        assertThrows(IllegalArgumentException.class, () -> a.uniform(DType.F16, 0, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> a.normal(DType.BF16, 0, 1, 3));
        assertEquals(4, a.draws(), "failed calls take no draw");
    }
}
