package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arguments at the limits of long arithmetic: clear errors before any allocation, never wrong shapes. */
@ExtendWith(NoLeaks.class)
class HostileArgumentsTest {

    @Test
    void sliceStepsUpToLongMaxDoNotOverflow() {
        try (Scope scope = Scope.open()) {
            Tensor r = Tensor.arange(10);
            Tensor one = r.slice(0, 0, 10, Long.MAX_VALUE);
            assertArrayEquals(new long[]{1}, one.shape());
            assertEquals(0, one.getLong(0));
            assertArrayEquals(new long[]{1}, r.slice(0, 3, Long.MAX_VALUE, Long.MAX_VALUE - 1).shape());
            assertArrayEquals(new long[]{0}, r.slice(0, Long.MIN_VALUE, Long.MIN_VALUE, 7).shape());
            assertArrayEquals(new long[]{0, 3, 6, 9}, r.slice(0, Long.MIN_VALUE, Long.MAX_VALUE, 3).toLongArray());
        }
    }

    @Test
    void tooLargeTensorsAreRefusedWithTheirSize() {
        long before = Memory.allocatedBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 1L << 61));
        assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("F32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1e300, 1e-300, DType.F32));
        assertTrue(e.getMessage().contains("too many"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, Long.MAX_VALUE, DType.F32));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 1L << 40, 1L << 40));
        assertTrue(e.getMessage().contains("2^63"), e.getMessage());
        assertEquals(before, Memory.allocatedBytes());
    }

    @Test
    void hugeMatmulIsRefusedBeforeAllocating() {
        try (Tensor a = Tensor.zeros(DType.F32, 1, 0); Tensor b = Tensor.zeros(DType.F32, 0, 1L << 31)) {
            long before = Memory.allocatedBytes();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
            assertTrue(e.getMessage().contains("2^31"), e.getMessage());
            assertEquals(before, Memory.allocatedBytes(), "nothing was allocated for the refused product");
        }
    }
}
