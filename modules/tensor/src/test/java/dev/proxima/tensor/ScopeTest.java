package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor lifetimes: scopes, keep, closing, and use after close. */
@ExtendWith(AllocatorCheck.class)
class ScopeTest {

    @Test
    void tensorsAreClosedAtScopeExit() {
        Tensor a;
        Tensor b;
        Tensor view;
        try (Scope scope = Scope.open()) {
            assertSame(scope, Scope.current());
            a = Tensor.ones(DType.F32, 3, 3);
            b = a.mul(2).add(1);
            view = b.transpose();
            assertTrue(Memory.allocatedBytes() > 0);
            // a, the temporary a*2, b and the view
            assertEquals(4, scope.size());
        }
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(view.isClosed());
        assertEquals(0, Memory.allocatedBytes());
        assertEquals(null, Scope.current());
    }

    @Test
    void explicitlyClosedTensorsLeaveTheScope() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 4);
            Tensor b = Tensor.zeros(DType.F64, 4);
            assertEquals(2, scope.size());
            a.close();
            assertEquals(1, scope.size());
            a.close(); // twice is harmless
            assertEquals(1, scope.size());
            assertFalse(b.isClosed());
        }
    }

    @Test
    void keepMovesToTheParentScope() {
        try (Scope outer = Scope.open()) {
            Tensor kept;
            Tensor dropped;
            try (Scope inner = Scope.open()) {
                dropped = Tensor.arange(0, 4, 1, DType.F32);
                kept = inner.keep(dropped.sum());
                assertEquals(1, inner.size());
                assertEquals(1, outer.size());
            }
            assertTrue(dropped.isClosed());
            assertFalse(kept.isClosed());
            assertEquals(6.0, kept.item());
            assertSame(outer, Scope.current());
        }
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void keepWithoutParentHandsTheTensorToTheCaller() {
        Tensor kept;
        try (Scope scope = Scope.open()) {
            kept = scope.keep(Tensor.full(7, DType.I32, 2));
            assertEquals(0, scope.size());
        }
        assertFalse(kept.isClosed());
        assertEquals(7, kept.getLong(1));
        kept.close();
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void keepRejectsForeignTensorsAndClosedScopes() {
        try (Scope outer = Scope.open()) {
            Tensor mine = Tensor.zeros(DType.F32, 1);
            try (Scope inner = Scope.open()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inner.keep(mine));
                assertTrue(e.getMessage().contains("does not own"), e.getMessage());
                assertTrue(e.getMessage().contains("F32[1]"), e.getMessage());
            }
            Scope closed = Scope.open();
            Tensor t = Tensor.zeros(DType.F32, 1);
            closed.close();
            assertThrows(IllegalStateException.class, () -> closed.keep(t));
        }
    }

    @Test
    void tensorsOutsideAnyScopeBelongToTheCaller() {
        assertEquals(null, Scope.current());
        Tensor t = Tensor.zeros(DType.U8, 10);
        try (Scope scope = Scope.open()) {
            assertEquals(0, scope.size());
        }
        assertFalse(t.isClosed());
        assertEquals(64, Memory.allocatedBytes());
        t.close();
        t.close();
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void closingAScopeTwiceIsHarmless() {
        Scope s = Scope.open();
        Tensor.zeros(DType.F64, 3);
        s.close();
        s.close();
        assertEquals(null, Scope.current());
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void closingOutOfOrderThrows() {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        Tensor t = Tensor.zeros(DType.F32, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost"), e.getMessage());
        assertFalse(t.isClosed(), "the failed close released nothing");
        assertSame(inner, Scope.current());
        inner.close();
        assertTrue(t.isClosed());
        assertSame(outer, Scope.current());
        outer.close();
        assertEquals(null, Scope.current());
    }

    @Test
    void closingFromAnotherThreadThrows() throws InterruptedException {
        Scope s = Scope.open();
        try {
            CompletableFuture<Void> f = CompletableFuture.runAsync(s::close);
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("thread"), e.getCause().getMessage());
        } finally {
            s.close();
        }
    }

    @Test
    void usingAClosedTensorThrows() {
        Tensor t;
        Tensor other;
        try (Scope s = Scope.open()) {
            t = Tensor.arange(0, 6, 1, DType.F32).reshape(2, 3);
            other = Tensor.ones(DType.F32, 2, 3);
            t.close();
            List<Executable> uses = List.of(t::item, () -> t.getDouble(0, 0), t::toFloatArray, t::toDoubleArray,
                    t::segment, t::view, () -> t.add(1), () -> t.add(other), () -> other.add(t), t::sum, () -> t.max(0),
                    t::exp, () -> t.reshape(3, 2), t::transpose, () -> t.slice(0, 0, 1, 1), t::copy, t::contiguous,
                    () -> t.cast(DType.F64), () -> t.matmul(other.transpose()), () -> other.matmul(t.transpose()),
                    () -> Tensor.where(t, other, other), () -> t.mulAdd(other, other), t::argmax, t::norm,
                    () -> t.allClose(other, 0, 0), () -> t.to(Device.CPU), t::isContiguous);
            for (Executable use : uses) {
                IllegalStateException e = assertThrows(IllegalStateException.class, use);
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }
            assertEquals("tensor(<closed>, shape=[2, 3], dtype=F32)", t.toString());
            // shape metadata stays readable
            assertEquals(2, t.rank());
        }
        assertTrue(other.isClosed());
    }

    @Test
    void releaseTakesATensorOutOfNestedScopes() {
        Tensor t;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                t = Tensor.ones(DType.F32, 4);
                assertSame(t, Scope.release(t));
                assertEquals(0, inner.size());
            }
            assertEquals(0, outer.size());
        }
        assertFalse(t.isClosed());
        t.close();
        Tensor free = Tensor.ones(DType.F32, 2);
        Scope.release(free); // not owned by any scope: nothing to do
        free.close();
    }
}
