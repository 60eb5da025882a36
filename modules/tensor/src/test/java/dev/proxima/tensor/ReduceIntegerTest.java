package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Integer sums, products and means against NumPy 2 (values hand-computed): sums and products wrap in 64 bits like
 * NumPy's int64 (and, for U8, uint64) accumulators; means sum exactly and round once, where NumPy's float64
 * accumulator would round at every step.
 */
@ExtendWith(AllocatorCheck.class)
class ReduceIntegerTest {

    @Test
    void meansOfLargeIntegersDoNotWrap() {
        try (Scope s = Scope.open()) {
            long v = 1_700_000_000_000_000_000L;
            Tensor x = Tensor.of(v, v, v, v, v, v);
            assertEquals(DType.F64, x.mean().dtype());
            assertEquals(1.7e18, x.mean().item(), "six values of 1.7e18 average to 1.7e18 (the I64 sum would wrap)");
            assertEquals(-1.7e18, x.neg().mean().item());
            // along an axis (one output per row, and the column loop) and over more than one chunk of the parallel split
            assertArrayEquals(new double[]{1.7e18, 1.7e18}, x.reshape(2, 3).mean(1).toDoubleArray());
            assertArrayEquals(new double[]{1.7e18, 1.7e18, 1.7e18}, x.reshape(2, 3).mean(0).toDoubleArray());
            Tensor many = Tensor.full(v, DType.I64, 100_003);
            assertEquals(1.7e18, many.mean().item());
            // the exact sum 2^63 + 2^63 - 2 rounds once: the mean of MAX and MAX - 1 is MAX - 0.5 rounded, 2^63
            assertEquals(0x1p63, Tensor.of(Long.MAX_VALUE, Long.MAX_VALUE - 1).mean().item());
            assertEquals(-0x1p63, Tensor.of(Long.MIN_VALUE, Long.MIN_VALUE).mean().item());
            // large terms that cancel exactly: (2^63 - 1) - 2^63 + 2 = 1
            assertEquals(1.0 / 3, Tensor.of(Long.MAX_VALUE, Long.MIN_VALUE, 2L).mean().item());
        }
    }

    @Test
    void integerSumsWrapLikeNumpysInt64() {
        try (Scope s = Scope.open()) {
            // numpy.array([2**62, 2**62]).sum() == -2**63 (int64 wraps)
            assertEquals(Long.MIN_VALUE, Tensor.of(1L << 62, 1L << 62).sum().getLong());
            assertEquals(DType.I64, Tensor.of(1, 2).cast(DType.I32).sum().dtype());
            assertEquals(3L * Integer.MAX_VALUE, Tensor.full(Integer.MAX_VALUE, DType.I32, 3).sum().getLong(), "I32 sums in 64 bits");
        }
    }

    @Test
    void u8SumsAndProductsGiveI64WithNumpysUint64Bits() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.full(255, DType.U8, 8);
            assertEquals(DType.I64, x.sum().dtype());
            assertEquals(2040, x.sum().getLong());
            // numpy.full(8, 255, numpy.uint8).prod() == 17878103347812890625 (uint64); the same 64 bits as I64
            assertEquals(DType.I64, x.prod().dtype());
            assertEquals(Long.parseUnsignedLong("17878103347812890625"), x.prod().getLong());
            assertEquals(-568640725896660991L, x.prod().getLong());
        }
    }
}
