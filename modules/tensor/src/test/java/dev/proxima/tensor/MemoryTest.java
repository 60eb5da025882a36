package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arrow accounting of host tensor memory. */
@ExtendWith(AllocatorCheck.class)
class MemoryTest {

    @Test
    void allocationsAreRoundedTo64Bytes() {
        assertEquals(0, Memory.allocatedBytes());
        try (Tensor t = Tensor.zeros(DType.F32, 1)) {
            assertEquals(64, Memory.allocatedBytes());
            try (Tensor u = Tensor.zeros(DType.F64, 9)) { // 72 bytes
                assertEquals(64 + 128, Memory.allocatedBytes());
            }
            try (Tensor u = Tensor.zeros(DType.F64, 16)) { // exactly 128
                assertEquals(64 + 128, Memory.allocatedBytes());
            }
            try (Tensor empty = Tensor.zeros(DType.F32, 0, 5)) {
                assertEquals(64, Memory.allocatedBytes(), "an empty tensor takes no memory");
            }
        }
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void segmentsAre64ByteAligned() {
        try (Scope s = Scope.open()) {
            for (int n = 1; n < 20; n++) {
                assertEquals(0, Tensor.zeros(DType.I8, n).segment().address() % 64);
            }
        }
    }

    @Test
    void viewsAndTemporariesAreAccounted() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 100); // 800 -> 832
            assertEquals(832, Memory.allocatedBytes());
            a.reshape(10, 10).transpose().slice(0, 0, 5, 1);
            assertEquals(832, Memory.allocatedBytes(), "views allocate nothing");
            a.add(1);
            assertEquals(2 * 832, Memory.allocatedBytes(), "the result; the 0-d scalar operand is already freed");
            assertTrue(Memory.peakBytes() >= 2 * 832);
        }
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void allocatorIsTheRoot() {
        assertSame(Memory.allocator(), Memory.allocator());
        try (Tensor t = Tensor.zeros(DType.I32, 1000)) {
            assertEquals(Memory.allocatedBytes(), Memory.allocator().getAllocatedMemory());
            assertEquals(4032, Memory.allocatedBytes());
        }
    }
}
