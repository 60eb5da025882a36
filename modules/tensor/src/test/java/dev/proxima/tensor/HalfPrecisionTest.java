package dev.proxima.tensor;

import dev.proxima.tensor.internal.ElementAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** F16 and BF16: rounding of conversions, promotion, and F32 compute with half-precision storage. */
class HalfPrecisionTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between 1 and 1 + 2^-7: ties to the even mantissa (1.0)
        assertEquals(1.0f, ElementAccess.bf16ToFloat(ElementAccess.floatToBf16(1.00390625f)));
        // 1 + 3·2^-8 lies between 1 + 2^-7 and 1 + 2^-6: the even one is 1 + 2^-6
        assertEquals(1.015625f, ElementAccess.bf16ToFloat(ElementAccess.floatToBf16(1.01171875f)));
        assertEquals(0x3F80, ElementAccess.floatToBf16(1f) & 0xFFFF);
        assertEquals(Float.POSITIVE_INFINITY, ElementAccess.bf16ToFloat(ElementAccess.floatToBf16(Float.MAX_VALUE)));
        assertEquals(true, Float.isNaN(ElementAccess.bf16ToFloat(ElementAccess.floatToBf16(Float.NaN))));
    }

    @Test
    void f16ConversionsRoundAndSaturateToInfinity() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1f / 3, 65504f, 65520f, 1e-8f, -2.5f).cast(DType.F16);
            float[] back = x.toFloatArray();
            assertEquals(0.333251953125f, back[0]);        // 0x3555
            assertEquals(65504f, back[1]);                 // largest finite half
            assertEquals(Float.POSITIVE_INFINITY, back[2]); // rounds past the largest finite
            assertEquals(0f, back[3]);                     // below half the smallest subnormal
            assertEquals(-2.5f, back[4]);
        }
    }

    @Test
    void promotionWithHalfTypes() {
        assertEquals(DType.F32, DType.promote(DType.F16, DType.BF16));
        assertEquals(DType.F32, DType.promote(DType.F16, DType.F32));
        assertEquals(DType.F64, DType.promote(DType.BF16, DType.F64));
        assertEquals(DType.F16, DType.promote(DType.F16, DType.U8));
        assertEquals(DType.F64, DType.promote(DType.F16, DType.I32));
        assertEquals(DType.BF16, DType.promote(DType.BOOL, DType.BF16));
    }

    @Test
    void arithmeticComputesInF32AndStoresHalf() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1f, 2f, 3f, 2048f).cast(DType.F16);
            Tensor b = Tensor.of(0.5f, 0.25f, 1f / 3, 1f).cast(DType.F16);
            Tensor sum = a.add(b);
            assertEquals(DType.F16, sum.dtype());
            // 2048 + 1 is not representable in F16 (spacing 2 there): ties to even gives 2048
            assertArrayEquals(new float[]{1.5f, 2.25f, 3.333984375f, 2048f}, sum.toFloatArray());
            Tensor scaled = a.mul(0.1);
            assertEquals(DType.F16, scaled.dtype());
            // NumPy 2 (NEP 50): 0.1 is rounded to F16 first (0.0999755859375), then 3 · that rounds to 0.2998046875
            assertEquals(0.2998046875f, scaled.toFloatArray()[2]);
            Tensor e = Tensor.of(0f, 1f).cast(DType.BF16).exp();
            assertEquals(DType.BF16, e.dtype());
            assertArrayEquals(new float[]{1f, 2.71875f}, e.toFloatArray());
            Tensor total = Tensor.ones(DType.F16, 3000).sum();
            assertEquals(DType.F16, total.dtype());
            assertEquals(3000f, total.item(), "accumulated in wide precision, rounded once");
            Tensor m = Tensor.fromArray(new float[][]{{1, 2}, {3, 4}}).cast(DType.BF16);
            Tensor prod = m.matmul(m);
            assertEquals(DType.BF16, prod.dtype());
            assertArrayEquals(new float[]{7, 10, 15, 22}, prod.toFloatArray());
            assertArrayEquals(new boolean[]{false, true, true, true}, a.gt(1.5).toBooleanArray());
        }
    }

    @Test
    void halfMatmulIsTheF32ProductRoundedOnce() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seed(8);
            for (DType h : new DType[]{DType.F16, DType.BF16}) {
                Tensor a = rng.normal(DType.F32, 0, 1, 3, 33, 47).cast(h);
                Tensor b = rng.normal(DType.F32, 0, 1, 47, 29).cast(h);
                Tensor expected = a.cast(DType.F32).matmul(b.cast(DType.F32)).cast(h);
                Tensor prod = a.matmul(b);                                    // batched, b broadcast
                assertEquals(h, prod.dtype());
                assertArrayEquals(expected.toFloatArray(), prod.toFloatArray());
                Tensor bt = b.transpose(0, 1).contiguous().transpose(0, 1);  // a transposed (column-major) view
                assertArrayEquals(expected.toFloatArray(), a.matmul(bt).toFloatArray());
                Tensor v = rng.normal(DType.F32, 0, 1, 47).cast(h);
                assertArrayEquals(a.cast(DType.F32).matmul(v.cast(DType.F32)).cast(h).toFloatArray(), a.matmul(v).toFloatArray());
                Tensor w = b.detach().requiresGrad(true);
                a.matmul(w).sum().backward();
                assertEquals(h, w.grad().dtype(), "the gradient keeps the parameter's dtype");
                Tensor g = a.cast(DType.F32).sum(new int[]{0}, false).transpose(0, 1)
                        .matmul(Tensor.ones(DType.F32, 33, 29));
                assertTrue(w.grad().cast(DType.F32).allClose(g, 2e-2, 2e-1), "gradient of sum(a @ w) is sum_batch(a)^T @ 1");
            }
        }
    }

    @Test
    void theCpuBackendReducesHalfSourcesItIsHandedDirectly() {
        try (Scope s = Scope.open()) {
            for (DType h : new DType[]{DType.F16, DType.BF16}) {
                Tensor x = Rng.seed(4).normal(DType.F32, 0, 1, 3, 50).cast(h);
                for (var op : new dev.proxima.tensor.spi.ReduceOp[]{dev.proxima.tensor.spi.ReduceOp.SUM,
                        dev.proxima.tensor.spi.ReduceOp.MAX_ABS, dev.proxima.tensor.spi.ReduceOp.SUM_SQUARES}) {
                    Tensor out = Tensor.zeros(DType.F32, 3);
                    new dev.proxima.tensor.internal.CpuBackend().reduce(op, x.view(), new int[]{1}, out.view());
                    Tensor wide = x.cast(DType.F32);
                    Tensor expected = switch (op) {
                        case SUM -> wide.sum(new int[]{1}, false);
                        case MAX_ABS -> wide.abs().max(1);
                        default -> wide.square().sum(new int[]{1}, false);
                    };
                    assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 1e-5f, op + " of " + h);
                }
            }
        }
    }

    @Test
    void theCpuBackendComputesHalfViewsLikeTheFrontEnd() {
        var cpu = new dev.proxima.tensor.internal.CpuBackend();
        for (DType h : new DType[]{DType.F16, DType.BF16}) {
            try (Scope s = Scope.open()) {
                Tensor f = Tensor.of(0.1f, -2.7f, 3.3f, 65504f, 1e-6f, Float.NaN, -0f, 7.25f, 1000.5f, -0.3f, 2f, 9f);
                Tensor x = f.cast(h).reshape(3, 4);
                Tensor xt = x.transpose(0, 1);                        // a strided half view
                Tensor out = Tensor.zeros(h, 4, 3);
                cpu.unary(dev.proxima.tensor.spi.UnaryOp.EXP, xt.view(), out.view());
                assertArrayEquals(xt.exp().cast(DType.F32).toFloatArray(), out.cast(DType.F32).toFloatArray(), 0f);
                Tensor sum = Tensor.zeros(h, 4, 3);
                cpu.binary(dev.proxima.tensor.spi.BinaryOp.MUL, xt.view(), out.view(), sum.view());
                assertArrayEquals(xt.mul(out).cast(DType.F32).toFloatArray(), sum.cast(DType.F32).toFloatArray(), 0f);
                Tensor gt = Tensor.zeros(DType.BOOL, 4, 3);
                cpu.binary(dev.proxima.tensor.spi.BinaryOp.GT, xt.view(), out.view(), gt.view());
                assertArrayEquals(xt.gt(out).toBooleanArray(), gt.toBooleanArray());
                Tensor fma = Tensor.zeros(h, 4, 3);
                cpu.mulAdd(xt.view(), out.view(), sum.view(), fma.view());
                assertArrayEquals(xt.mulAdd(out, sum).cast(DType.F32).toFloatArray(), fma.cast(DType.F32).toFloatArray(), 0f);
                Tensor m = Tensor.zeros(h, 4, 4);
                cpu.matmul(xt.view(), x.view(), m.view());
                assertArrayEquals(xt.matmul(x).cast(DType.F32).toFloatArray(), m.cast(DType.F32).toFloatArray(), 0f);
            }
        }
    }

    @Test
    void theCpuBackendReducesHalfViewsExactlyAsTheFrontEnd() {
        var cpu = new dev.proxima.tensor.internal.CpuBackend();
        for (DType h : new DType[]{DType.F16, DType.BF16}) {
            try (Scope s = Scope.open()) {
                // rows of 5000: long enough that an F32 sum in blocks and a sum in double round differently
                Tensor x = Rng.seed(5).normal(DType.F32, 0, 3, 4, 5000).cast(h);
                Tensor wide = x.cast(DType.F32);
                for (var op : new dev.proxima.tensor.spi.ReduceOp[]{dev.proxima.tensor.spi.ReduceOp.SUM,
                        dev.proxima.tensor.spi.ReduceOp.SUM_ABS, dev.proxima.tensor.spi.ReduceOp.SUM_SQUARES}) {
                    Tensor out = Tensor.zeros(DType.F32, 4);
                    cpu.reduce(op, x.view(), new int[]{1}, out.view());
                    Tensor expected = switch (op) {
                        case SUM -> wide.sum(1);
                        case SUM_ABS -> wide.abs().sum(1);
                        default -> wide.square().sum(1);
                    };
                    assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), 0f, op + " of " + h);
                }
                Tensor halfOut = Tensor.zeros(h, 5000);
                cpu.reduce(dev.proxima.tensor.spi.ReduceOp.MAX, x.view(), new int[]{0}, halfOut.view());
                assertArrayEquals(x.max(0).toFloatArray(), halfOut.toFloatArray(), 0f, "max of " + h + " into " + h);
            }
        }
    }

    @Test
    void explicitOutputFormsOfHalfTypesGiveTheAllocatingFormsBits() {
        for (DType h : new DType[]{DType.F16, DType.BF16}) {
            try (Scope s = Scope.open()) {
                Rng rng = Rng.seed(6);
                Tensor x = rng.normal(DType.F32, 0, 2, 33, 20).cast(h);
                Tensor y = rng.normal(DType.F32, 0, 2, 20, 33).cast(h).transpose(0, 1);   // a strided operand
                Tensor z = rng.normal(DType.F32, 0, 2, 20).cast(h);                        // broadcast along rows
                assertArrayEquals(x.exp().toFloatArray(), Into.exp(x, Tensor.zeros(h, 33, 20)).toFloatArray(), 0f, "exp " + h);
                assertArrayEquals(x.add(y).toFloatArray(), Into.add(x, y, Tensor.zeros(h, 33, 20)).toFloatArray(), 0f, "add " + h);
                assertArrayEquals(x.div(z).toFloatArray(), Into.div(x, z, Tensor.zeros(h, 33, 20)).toFloatArray(), 0f, "div " + h);
                assertArrayEquals(x.mulAdd(y, z).toFloatArray(), Into.mulAdd(x, y, z, Tensor.zeros(h, 33, 20)).toFloatArray(), 0f,
                        "mulAdd " + h);
                assertArrayEquals(x.sum(0).toFloatArray(), Into.sum(x, new int[]{0}, false, Tensor.zeros(h, 20)).toFloatArray(), 0f,
                        "sum " + h);
                Tensor inPlace = x.copy();
                Into.mul(inPlace, y, inPlace);
                assertArrayEquals(x.mul(y).toFloatArray(), inPlace.toFloatArray(), 0f, "in-place mul " + h);
            }
        }
    }

    @Test
    void indexingAndSortingMoveHalfElementsWhole() {
        for (DType h : new DType[]{DType.F16, DType.BF16}) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(1f, 2f, 3f, 4f, 5f, 6f, 7f).cast(h);
                assertArrayEquals(new float[]{7, 6, 5, 4, 3, 2, 1}, x.flip(0).toFloatArray(), "flip " + h);
                assertArrayEquals(new float[]{3, 1, 7}, x.indexSelect(0, Tensor.of(2L, 0L, 6L)).toFloatArray(), "indexSelect " + h);
                assertArrayEquals(new float[]{5, 6, 7}, x.maskedSelect(x.gt(4)).toFloatArray(), "maskedSelect " + h);
                assertArrayEquals(new float[]{7, 6, 5, 4, 3, 2, 1}, x.sort(0, true).toFloatArray(), "sort " + h);
                Tensor m = Tensor.fromArray(new float[][]{{1, 2}, {3, 4}}).cast(h);
                assertArrayEquals(new float[]{2, 1, 3, 3}, m.gather(1, Tensor.fromArray(new long[][]{{1, 0}, {0, 0}})).toFloatArray(),
                        "gather " + h);
                assertArrayEquals(new float[]{1, 9, 3, 4}, m.scatter(1, Tensor.fromArray(new long[][]{{1}}), Tensor.full(9, h, 1, 1))
                        .toFloatArray(), "scatter " + h);
            }
        }
    }
}
