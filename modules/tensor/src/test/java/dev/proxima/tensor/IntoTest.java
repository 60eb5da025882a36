package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explicit-output tier: values, no allocation, and PyTorch's safety rules. */
@ExtendWith(NoLeaks.class)
class IntoTest {

    @Test
    void thousandInPlaceAxpyUpdatesAllocateNothing() {
        try (Tensor x = Tensor.ones(DType.F32, 1_000_000); Tensor y = Tensor.zeros(DType.F32, 1_000_000)) {
            Into.mulAdd(x, 0.5, y, y); // first call: lazily initialised tables, pools…
            long before = Memory.allocatedBytes();
            for (int step = 1; step < 1000; step++) {
                assertSame(y, Into.mulAdd(x, 0.5, y, y));
                assertEquals(before, Memory.allocatedBytes(), "step " + step + " left memory allocated");
            }
            assertEquals(before, Memory.allocatedBytes());
            assertEquals(500.0, y.getDouble(0));
            assertEquals(500.0, y.getDouble(999_999));
            try (Tensor s = y.sum()) {
                assertEquals(5.0e8, s.item());
            }
        }
    }

    @Test
    void elementwiseValuesWithBroadcastingAndInPlace() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[][]{{1, 2, 3}, {4, 5, 6}});
            Tensor b = Tensor.of(10.0, 20.0, 30.0);
            Tensor out = Tensor.zeros(DType.F64, 2, 3);
            Into.add(a, b, out);
            assertArrayEquals(new double[]{11, 22, 33, 14, 25, 36}, out.toDoubleArray());
            Into.sub(out, b, out);                      // in place: out is the very same view as an operand
            assertArrayEquals(a.toDoubleArray(), out.toDoubleArray());
            Into.mul(out, 2.0, out);
            Into.div(out, b, out);
            assertArrayEquals(new double[]{0.2, 0.2, 0.2, 0.8, 0.5, 0.4}, out.toDoubleArray(), 1e-15);
            Into.maximum(a, b.mul(0.2), out);
            assertArrayEquals(new double[]{2, 4, 6, 4, 5, 6}, out.toDoubleArray());
            Into.minimum(a, Tensor.scalar(3, DType.F64), out);
            assertArrayEquals(new double[]{1, 2, 3, 3, 3, 3}, out.toDoubleArray());
            Into.mulAdd(a, a, b, out);
            assertArrayEquals(new double[]{11, 24, 39, 26, 45, 66}, out.toDoubleArray());
            // a scalar factor, over lengths with and without a vector tail, F32 and F64: fma(x_j, s, y_j) exactly
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                for (int n : new int[]{1, 7, 16, 37, 1000}) {
                    Tensor x = Tensor.arange(n).cast(t).mul(0.37);
                    Tensor y = Tensor.arange(n).cast(t).mul(-1.5).add(2.0);
                    Tensor r = Into.mulAdd(x, -0.3, y, Tensor.zerosLike(y));
                    double[] xs = x.toDoubleArray();
                    double[] ys = y.toDoubleArray();
                    double[] got = r.toDoubleArray();
                    for (int j = 0; j < n; j++) {
                        double want = t == DType.F32 ? Math.fma((float) xs[j], -0.3f, (float) ys[j]) : Math.fma(xs[j], -0.3, ys[j]);
                        assertEquals(want, got[j], t == DType.F32 ? Math.ulp((float) want) : 0, t + " n " + n + " j " + j);
                    }
                }
            }
            Into.neg(a, out);
            Into.square(out, out);
            assertArrayEquals(new double[]{1, 4, 9, 16, 25, 36}, out.toDoubleArray());
            Into.sqrt(out, out);
            Into.reciprocal(out, out);
            assertArrayEquals(new double[]{1, 0.5, 1 / 3.0, 0.25, 0.2, 1 / 6.0}, out.toDoubleArray(), 1e-16);
            Into.exp(Tensor.zeros(DType.F64, 2, 3), out);
            assertArrayEquals(new double[]{1, 1, 1, 1, 1, 1}, out.toDoubleArray());
            Into.fill(out, 7);
            assertArrayEquals(new double[]{7, 7, 7, 7, 7, 7}, out.toDoubleArray());
            Into.copy(Tensor.of(1.5f, 2.5f, 3.5f), out);   // F32 row broadcast into F64 rows
            assertArrayEquals(new double[]{1.5, 2.5, 3.5, 1.5, 2.5, 3.5}, out.toDoubleArray());
        }
    }

    @Test
    void writesIntoStridedViews() {
        try (Scope scope = Scope.open()) {
            Tensor base = Tensor.zeros(DType.F32, 3, 2);
            Tensor outT = base.transpose();                // [2, 3] view with strides (1, 2)
            Tensor a = Tensor.arange(0, 6, 1, DType.F32).reshape(2, 3);
            Into.add(a, 1.0, outT);
            assertArrayEquals(new double[]{1, 4, 2, 5, 3, 6}, base.toDoubleArray());
            Tensor every = Tensor.zeros(DType.F32, 4);
            Into.fill(every.slice(0, 0, 4, 2), 9);
            assertArrayEquals(new double[]{9, 0, 9, 0}, every.toDoubleArray());
        }
    }

    @Test
    void reductionsAndMatmulMatchTheAllocatingForms() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(7);
            Tensor x = rng.normal(DType.F64, 0, 1, 4, 5, 6);
            Tensor s = Tensor.zeros(DType.F64, 4, 1, 6);
            Into.sum(x, new int[]{1}, true, s);
            assertTrue(s.allClose(x.sum(new int[]{1}, true), 0, 0));
            Tensor st = Tensor.zeros(DType.F64, 6, 4).transpose();   // a strided output: through a temporary
            Into.sum(x, new int[]{1}, false, st);
            assertTrue(st.allClose(x.sum(1), 0, 0));
            Tensor m = Tensor.zeros(DType.F64, 6);
            Into.mean(x, new int[]{0, 1}, false, m);
            assertTrue(m.allClose(x.mean(new int[]{0, 1}, false), 1e-15, 0));
            Tensor a = rng.normal(DType.F64, 0, 1, 3, 4);
            Tensor b = rng.normal(DType.F64, 0, 1, 4, 2);
            Tensor p = Tensor.zeros(DType.F64, 3, 2);
            Into.matmul(a, b, p);
            assertTrue(p.allClose(a.matmul(b), 1e-15, 1e-15));
            Tensor v = rng.normal(DType.F64, 0, 1, 4);
            Tensor av = Tensor.zeros(DType.F64, 3);
            Into.matmul(a, v, av);                          // NumPy's 1-D rule: the column dimension is dropped
            assertTrue(av.allClose(a.matmul(v), 1e-15, 1e-15));
            Tensor va = Tensor.zeros(DType.F64, 2);
            Into.matmul(v, b, va);
            assertTrue(va.allClose(v.matmul(b), 1e-15, 1e-15));
            Tensor pt = Tensor.zeros(DType.F64, 2, 3).transpose(); // a transposed output view
            Into.matmul(a, b, pt);
            assertTrue(pt.allClose(a.matmul(b), 1e-15, 1e-15));
            Tensor ints = Tensor.of(1, 2, 3, 4).reshape(2, 2);
            Tensor is = Tensor.zeros(DType.I64, 2);
            Into.sum(ints, new int[]{0}, false, is);
            assertArrayEquals(new long[]{4, 6}, is.toLongArray());
        }
    }

    @Test
    void halfPrecisionOutputsRoundOnce() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.full(1, DType.F16, 3);
            Tensor b = Tensor.full(Math.scalb(1.0, -11), DType.F16, 3); // half an ulp of 1 in F16
            Tensor out = Tensor.zeros(DType.F16, 3);
            Into.add(a, b, out);
            assertTrue(out.allClose(a.add(b), 0, 0));
        }
    }

    @Test
    void rejectsOutputsOfTheWrongShapeDtypeOrLayout() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.ones(DType.F32, 2, 3);
            IllegalArgumentException e = assertThrows(ShapeMismatchException.class, () -> Into.add(a, a, Tensor.zeros(DType.F32, 3, 2)));
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
            e = assertThrows(DTypeMismatchException.class, () -> Into.add(a, a, Tensor.zeros(DType.F64, 2, 3)));
            assertTrue(e.getMessage().contains("F32") && e.getMessage().contains("F64"), e.getMessage());
            assertThrows(DTypeMismatchException.class, () -> Into.div(Tensor.of(1, 2), Tensor.of(1, 2), Tensor.zeros(DType.I32, 2)));
            e = assertThrows(IllegalArgumentException.class, () -> Into.fill(Tensor.zeros(DType.F32, 1).broadcastTo(4), 1));
            assertTrue(e.getMessage().contains("broadcast view"), e.getMessage());
            Tensor row = Tensor.arange(0, 6, 1, DType.F32);
            e = assertThrows(IllegalArgumentException.class, () -> Into.add(row.slice(0, 0, 5, 1), 1.0, row.slice(0, 1, 6, 1)));
            assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
            Tensor sq = Tensor.ones(DType.F64, 3, 3);
            assertThrows(IllegalArgumentException.class, () -> Into.matmul(sq, sq, sq));
            assertThrows(IllegalArgumentException.class, () -> Into.sum(sq, new int[0], true, sq.slice(0, 0, 1, 1).slice(1, 0, 1, 1)));
            Tensor closed = Tensor.zeros(DType.F32, 2, 3);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Into.add(a, a, closed));
            assertArrayEquals(new double[]{0, 1, 2, 3, 4, 5}, row.toDoubleArray(), "nothing was written by the failed calls");
        }
    }

    @Test
    void autodiffSafetyRules() {
        try (Scope scope = Scope.open()) {
            Tensor w = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
            Tensor g = Tensor.of(0.1, 0.1, 0.1);
            // recording on: neither the output nor an operand may require grad
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Into.mulAdd(g, -1.0, w, w));
            assertTrue(e.getMessage().contains("requires grad") && e.getMessage().contains("noGrad"), e.getMessage());
            Tensor sink = Tensor.zeros(DType.F64, 3);
            assertThrows(IllegalStateException.class, () -> Into.mul(w, 2.0, sink));
            // an optimizer step: allowed with recording off
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                Into.mulAdd(g, -1.0, w, w);
            }
            assertArrayEquals(new double[]{0.9, 1.9, 2.9}, w.toDoubleArray(), 1e-15);
            // memory a recorded op saved for backward may not be overwritten, not even with recording off
            Tensor x = Tensor.of(0.5, 1.0, 1.5).requiresGrad(true);
            Tensor view = x.detach();
            Tensor y = x.exp().sum();               // exp saves x
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                e = assertThrows(IllegalStateException.class, () -> Into.fill(view, 0));
                assertTrue(e.getMessage().contains("saved"), e.getMessage());
            }
            y.backward();
            assertArrayEquals(new double[]{Math.exp(0.5), Math.exp(1.0), Math.exp(1.5)}, x.grad().toDoubleArray(), 1e-15);
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                Into.fill(view, 0);                 // the graph was freed by backward(): nothing saved any more
            }
            assertArrayEquals(new double[]{0, 0, 0}, x.toDoubleArray());
        }
    }
}
