package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Tensor#segment()} belongs to its handle: after close it throws instead of reading freed memory. */
@ExtendWith(AllocatorCheck.class)
class TensorSegmentTest {

    @Test
    void aSegmentKeptPastCloseThrowsInsteadOfCrashing() {
        Tensor t = Tensor.arange(0, 16, 1, DType.F32);
        MemorySegment s = t.segment();
        assertEquals(5f, s.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
        t.close();
        assertThrows(IllegalStateException.class, () -> s.getAtIndex(ValueLayout.JAVA_FLOAT, 5));
        assertThrows(IllegalStateException.class, () -> s.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 1f));
    }

    @Test
    void aLargeTensorsSegmentIsInvalidatedAlthoughItsBlockIsReused() {
        Tensor t = Tensor.full(1, DType.F32, 1 << 20);     // 4 MiB: cached when freed
        MemorySegment s = t.segment();
        t.close();
        try (Tensor u = Tensor.full(2, DType.F32, 1 << 20)) {
            assertEquals(2f, u.segment().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertThrows(IllegalStateException.class, () -> s.getAtIndex(ValueLayout.JAVA_FLOAT, 0),
                    "the old handle's segment must not see the new tensor's memory");
        }
    }

    @Test
    void eachHandleScopesItsOwnSegments() {
        Tensor t = Tensor.arange(0, 12, 1, DType.F64);
        Tensor view;
        try (Tensor matrix = t.reshape(3, 4)) {
            view = matrix.slice(0, 1, 3, 1);                // rows 1 and 2
        }
        MemorySegment whole = t.segment();
        MemorySegment rows = view.segment();
        assertEquals(8 * 8, rows.byteSize());
        assertEquals(4.0, rows.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
        t.close();
        assertThrows(IllegalStateException.class, () -> whole.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
        assertEquals(11.0, rows.getAtIndex(ValueLayout.JAVA_DOUBLE, 7), "the view still holds the memory");
        view.close();
        assertThrows(IllegalStateException.class, () -> rows.getAtIndex(ValueLayout.JAVA_DOUBLE, 0));
    }

    @Test
    void segmentsWorkOnOtherThreadsWhileTheTensorIsOpen() throws Exception {
        try (Tensor t = Tensor.arange(0, 4, 1, DType.I32)) {
            MemorySegment s = t.segment();
            assertEquals(3, CompletableFuture.supplyAsync(() -> s.getAtIndex(ValueLayout.JAVA_INT, 3)).get());
            assertEquals(s.address(), t.segment().address(), "the same memory on every call");
        }
        try (Tensor empty = Tensor.zeros(DType.F32, 0)) {
            assertEquals(0, empty.segment().byteSize());
        }
    }
}
