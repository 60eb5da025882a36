package dev.proxima.tensor;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.OutOfMemoryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocator tree: named child pools with limits, per-thread use, leak reports. */
@ExtendWith(AllocatorCheck.class)
class MemoryPoolTest {

    private static final long MIB = 1L << 20;

    @Test
    void aPoolCountsWhatIsAllocatedWhileInUse() {
        try (MemoryPool pool = Memory.child("optimizer", 4 * MIB)) {
            assertEquals("optimizer", pool.name());
            assertEquals(4 * MIB, pool.limit());
            Tensor inside;
            try (MemoryPool.Use use = pool.use()) {
                assertSame(pool, use.pool());
                inside = Tensor.zeros(DType.F32, 1000);               // 4000 -> 4032 bytes
                assertEquals(4032, pool.allocatedBytes());
                assertSame(pool.allocator(), Memory.allocator(), "Arrow buffers of this thread come from the pool too");
                ArrowBuf buf = Memory.allocator().buffer(100);       // -> 128
                assertEquals(4032 + 128, pool.allocatedBytes());
                buf.close();
            }
            assertEquals(4032, pool.allocatedBytes(), "the tensor stays charged to its pool after the use ends");
            assertEquals(4032, Memory.allocatedBytes(), "the root's total includes every pool");
            try (Tensor outside = Tensor.zeros(DType.F64, 8)) {     // 64 bytes at the root
                assertEquals(4032, pool.allocatedBytes());
                assertEquals(4032 + 64, Memory.allocatedBytes());
            }
            inside.close();
            assertEquals(0, pool.allocatedBytes());
            assertEquals(4032 + 128, pool.peakBytes());
        }
    }

    @Test
    void exceedingAPoolLimitNamesThePoolItsLimitAndTheRequest() {
        try (MemoryPool pool = Memory.child("optimizer", MIB); MemoryPool.Use use = pool.use();
             Tensor half = Tensor.zeros(DType.F32, 128 * 1024)) {     // 512 KiB
            OutOfMemoryException e = assertThrows(OutOfMemoryException.class, () -> Tensor.zeros(DType.F32, 3 * 64 * 1024));
            assertEquals("memory pool 'optimizer' cannot allocate 786432 bytes: its limit is 1048576 bytes"
                    + " and 524288 bytes of it are in use", e.getMessage());
            assertEquals(524288, pool.allocatedBytes(), "nothing was taken");
            assertEquals(524288, Memory.allocatedBytes());
            try (Tensor fits = Tensor.zeros(DType.F32, 128 * 1024)) {
                assertEquals(MIB, pool.allocatedBytes(), "up to the limit itself is allowed");
            }
        }
    }

    @Test
    void nestedPoolsChargeEveryPoolAboveThem() {
        try (MemoryPool outer = Memory.child("outer", 3 * MIB); MemoryPool inner = outer.child("inner", Long.MAX_VALUE)) {
            assertEquals("inner", inner.name());
            Tensor a;
            try (MemoryPool.Use use = inner.use()) {
                a = Tensor.zeros(DType.F32, 512 * 1024);                // 2 MiB
                assertEquals(2 * MIB, inner.allocatedBytes());
                assertEquals(2 * MIB, outer.allocatedBytes());
                assertEquals(2 * MIB, Memory.allocatedBytes());
                OutOfMemoryException e = assertThrows(OutOfMemoryException.class, () -> Tensor.zeros(DType.F32, 512 * 1024));
                assertEquals("memory pool 'outer/inner' cannot allocate 2097152 bytes: the limit of pool 'outer' above it"
                        + " is 3145728 bytes and 2097152 bytes of it are in use", e.getMessage());
            }
            assertEquals("MemoryPool[outer/inner: 2097152 bytes]", inner.toString());
            assertEquals("MemoryPool[outer: 2097152 of 3145728 bytes]", outer.toString());
            IllegalStateException open = assertThrows(IllegalStateException.class, outer::close);
            assertEquals("memory pool 'outer' cannot be closed: nested pool(s) [outer/inner] are still open", open.getMessage());
            a.close();
        }
    }

    @Test
    void usesNestAndMustBeClosedInnermostFirst() {
        try (MemoryPool a = Memory.child("a", Long.MAX_VALUE); MemoryPool b = Memory.child("b", Long.MAX_VALUE)) {
            MemoryPool.Use useA = a.use();
            MemoryPool.Use useB = b.use();
            try (Tensor t = Tensor.zeros(DType.I8, 64)) {
                assertEquals(0, a.allocatedBytes());
                assertEquals(64, b.allocatedBytes(), "the innermost use wins");
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, useA::close);
            assertEquals("close the innermost MemoryPool.use() first", e.getMessage());
            useB.close();
            useB.close(); // harmless
            try (Tensor t = Tensor.zeros(DType.I8, 64)) {
                assertEquals(64, a.allocatedBytes());
            }
            useA.close();
            assertSame(Memory.allocator(), dev.proxima.tensor.internal.HostMemory.root());
        }
    }

    @Test
    void aUseChargesOnlyItsOwnThread() throws Exception {
        try (MemoryPool pool = Memory.child("mine", Long.MAX_VALUE); MemoryPool.Use use = pool.use()) {
            long rootBytes = CompletableFuture.supplyAsync(() -> {
                try (Tensor t = Tensor.zeros(DType.F32, 16)) {
                    return Memory.allocatedBytes();
                }
            }).get();
            assertEquals(64, rootBytes);
            assertEquals(0, pool.peakBytes(), "another thread's tensor was charged to the root");
            ExecutionException e = assertThrows(ExecutionException.class, () -> CompletableFuture.runAsync(use::close).get());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("MemoryPool.use() must be closed by the thread that opened it"),
                    e.getCause().getMessage());
        }
    }

    @Test
    void closingAPoolWithLiveTensorsNamesThePoolAndTheBytes() {
        assertEquals("", Memory.leakReport());
        MemoryPool pool = Memory.child("leaky", MIB);
        MemoryPool nested = pool.child("scratch", Long.MAX_VALUE);
        Tensor t;
        Tensor u;
        try (MemoryPool.Use use = pool.use()) {
            t = Tensor.zeros(DType.F32, 1024);                           // 4096 bytes
        }
        try (MemoryPool.Use use = nested.use()) {
            u = Tensor.zeros(DType.F32, 16);                             // 64 bytes
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, nested::close);
        assertEquals("memory pool 'leaky/scratch' closed with 64 bytes outstanding (tensors or buffers allocated in it"
                + " are still open); it stays open", e.getMessage());
        assertFalse(nested.isClosed());
        assertEquals("""
                root: 4160 bytes outstanding
                  leaky: 4160 bytes outstanding (limit 1048576)
                    leaky/scratch: 64 bytes outstanding
                """, Memory.leakReport());
        u.close();
        nested.close();
        assertTrue(nested.isClosed());
        nested.close(); // harmless
        e = assertThrows(IllegalStateException.class, pool::close);
        assertTrue(e.getMessage().startsWith("memory pool 'leaky' closed with 4096 bytes outstanding"), e.getMessage());
        t.close();
        pool.close();
        assertEquals("", Memory.leakReport());
    }

    @Test
    void aClosedPoolRefusesAllocations() {
        MemoryPool pool = Memory.child("gone", Long.MAX_VALUE);
        try (MemoryPool.Use use = pool.use()) {
            pool.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.F32, 4));
            assertEquals("memory pool 'gone' is closed", e.getMessage());
        }
        assertThrows(IllegalStateException.class, pool::use);
        assertThrows(IllegalStateException.class, () -> pool.child("late", 1));
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void badArgumentsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Memory.child("p", 0));
        assertEquals("memory pool 'p' needs a positive limit in bytes, got 0 (Long.MAX_VALUE for no limit of its own)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Memory.child(" ", 10));
        assertThrows(NullPointerException.class, () -> Memory.child(null, 10));
        assertEquals("", Memory.leakReport(), "no pool was left behind");
    }

    @Test
    void theRootReportsItsLimit() {
        // the test JVM sets no proxima.memory.limit
        assertEquals(Long.MAX_VALUE, Memory.limit());
    }
}
