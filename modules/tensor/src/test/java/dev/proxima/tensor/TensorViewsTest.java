package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Views: shared memory, strides, offsets, copies versus views, and the errors of each view operation. */
@ExtendWith(AllocatorCheck.class)
class TensorViewsTest {

    /** 0, 1, …, n−1 as F64 in the given shape. */
    private static Tensor iota(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.arange(0, n, 1, DType.F64).reshape(shape);
    }

    private static void write(Tensor base, long flatIndex, double value) {
        base.segment().setAtIndex(ValueLayout.JAVA_DOUBLE, flatIndex, value);
    }

    private static <T extends Throwable> T throwsWith(Class<T> type, org.junit.jupiter.api.function.Executable call,
                                                      String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    @Test
    void reshapeOfContiguousIsAView() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(2, 6);
            Tensor r = a.reshape(3, 4);
            assertEquals(a.segment().address(), r.segment().address());
            assertArrayEquals(new long[]{4, 1}, r.strides());
            Tensor r2 = a.reshape(-1, 2, 3);
            assertArrayEquals(new long[]{2, 2, 3}, r2.shape());
            assertArrayEquals(new long[]{6, 3, 1}, r2.strides());
            write(a, 5, -1);
            assertEquals(-1, r.getDouble(1, 1));
            assertEquals(-1, r2.getDouble(0, 1, 2));
        }
    }

    @Test
    void reshapeOfNonContiguousCopiesWhenItMust() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(4, 6);
            Tensor t = a.transpose();
            assertFalse(t.isContiguous());
            Tensor flat = t.reshape(-1);
            assertTrue(flat.isContiguous());
            assertNotEquals(a.segment().address(), flat.segment().address());
            assertArrayEquals(new double[]{0, 6, 12, 18, 1, 7}, java.util.Arrays.copyOf(flat.toDoubleArray(), 6));
            write(a, 6, 100);
            assertEquals(6, flat.getDouble(1), "the copy does not see later writes");
            assertEquals(100, t.getDouble(0, 1), "the transpose view does");
        }
    }

    @Test
    void reshapeOfNonContiguousStaysAViewWhenItCan() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(2, 3, 4);
            // (3, 2, 4) after swapping the first two axes: splitting the last axis is still a view
            Tensor p = a.permute(1, 0, 2);
            Tensor r = p.reshape(3, 2, 2, 2);
            assertArrayEquals(new long[]{4, 12, 2, 1}, r.strides());
            assertEquals(a.segment().address(), r.segment().address());
            // rows sliced with a step: merging the kept rows is not expressible, splitting columns is
            Tensor rows = iota(6, 4).slice(0, 0, 6, 2);
            Tensor split = rows.reshape(3, 2, 2);
            assertArrayEquals(new long[]{8, 2, 1}, split.strides());
            Tensor merged = rows.reshape(12);
            assertArrayEquals(new long[]{1}, merged.strides());
            assertArrayEquals(new double[]{0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19}, merged.toDoubleArray());
            // a broadcast view reshaped by splitting its broadcast dimension keeps stride 0
            Tensor b = Tensor.of(1.0, 2.0).broadcastTo(4, 2).reshape(2, 2, 2);
            assertArrayEquals(new long[]{0, 0, 1}, b.strides());
        }
    }

    @Test
    void stridesOfTransposeSliceSelect() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(2, 3, 4);
            assertArrayEquals(new long[]{12, 4, 1}, a.strides());
            assertArrayEquals(new long[]{1, 4, 12}, a.transpose().strides());
            assertArrayEquals(new long[]{4, 3, 2}, a.transpose().shape());
            Tensor sw = a.transpose(0, -1);
            assertArrayEquals(new long[]{4, 3, 2}, sw.shape());
            assertArrayEquals(new long[]{1, 4, 12}, sw.strides());
            Tensor sl = a.slice(2, 1, 4, 2);
            assertArrayEquals(new long[]{2, 3, 2}, sl.shape());
            assertArrayEquals(new long[]{12, 4, 2}, sl.strides());
            assertEquals(a.segment().address() + 8, sl.segment().address(), "slice starts one element in");
            assertEquals(1, sl.getDouble(0, 0, 0));
            assertEquals(23, sl.getDouble(1, 2, 1));
            Tensor sel = a.select(1, -1);
            assertArrayEquals(new long[]{2, 4}, sel.shape());
            assertArrayEquals(new long[]{12, 1}, sel.strides());
            assertArrayEquals(new double[]{8, 9, 10, 11, 20, 21, 22, 23}, sel.toDoubleArray());
            Tensor un = a.unsqueeze(1);
            assertArrayEquals(new long[]{2, 1, 3, 4}, un.shape());
            assertEquals(a.segment().address(), un.segment().address());
            assertArrayEquals(a.toDoubleArray(), un.toDoubleArray());
            Tensor bc = Tensor.of(1.0, 2.0, 3.0).unsqueeze(-1).broadcastTo(2, 3, 4);
            assertArrayEquals(new long[]{0, 1, 0}, bc.strides());
            assertEquals(2.0, bc.getDouble(1, 1, 3));
        }
    }

    @Test
    void viewsOfViewsSeeTheOriginal() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(24);
            // slice of transpose of reshape
            Tensor v = a.reshape(4, 6).transpose().slice(0, 1, 6, 2);
            assertArrayEquals(new long[]{3, 4}, v.shape());
            assertArrayEquals(new long[]{2, 6}, v.strides());
            assertArrayEquals(new double[]{1, 7, 13, 19, 3, 9, 15, 21, 5, 11, 17, 23}, v.toDoubleArray());
            write(a, 15, -15);
            assertEquals(-15, v.getDouble(1, 2));
            Tensor vv = v.select(0, 2).slice(0, -2, 100, 1);
            assertArrayEquals(new double[]{17, 23}, vv.toDoubleArray());
            assertEquals(a.segment().address() + 17 * 8, vv.segment().address());
            assertEquals(23, vv.select(0, 1).item());
        }
    }

    @Test
    void elementAccess() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(3, 4).slice(1, 1, 3, 1);
            assertEquals(5, a.getDouble(1, 0));
            assertEquals(10, a.getDouble(-1, -1));
            assertEquals(6L, a.getLong(1, 1));
            throwsWith(IndexOutOfBoundsException.class, () -> a.getDouble(3, 0), "index 3", "dimension 0", "[3, 2]");
            throwsWith(IndexOutOfBoundsException.class, () -> a.getDouble(0, -3), "index -3");
            throwsWith(IllegalArgumentException.class, () -> a.getDouble(1), "expected 2 indices");
            throwsWith(IllegalArgumentException.class, a::item, "exactly one element", "[3, 2]");
            assertEquals(9, a.select(0, 2).select(0, 0).item());
            assertEquals(6, a.slice(0, 1, 2, 1).slice(1, 1, 2, 1).item(), "1x1 view with an offset");
        }
    }

    @Test
    void writesThroughSegmentAreSharedByEveryView() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F32, 2, 3);
            Tensor t = a.transpose();
            Tensor c = a.contiguous();
            Tensor copy = a.copy();
            Tensor on = a.to(Device.CPU);
            MemorySegment seg = a.segment();
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, 4, 7f);
            assertEquals(7f, t.getDouble(1, 1));
            assertEquals(7f, c.getDouble(1, 1), "contiguous() of a contiguous tensor shares memory");
            assertEquals(7f, on.getDouble(1, 1), "to(CPU) of a host tensor shares memory");
            assertEquals(0f, copy.getDouble(1, 1), "copy() does not");
            Tensor tc = t.contiguous();
            assertTrue(tc.isContiguous());
            assertArrayEquals(new long[]{2, 1}, tc.strides());
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 1f);
            assertEquals(0f, tc.getDouble(0, 0), "contiguous() of a transpose is a copy");
        }
    }

    @Test
    void viewsKeepMemoryAliveUntilTheLastHandleCloses() {
        Tensor view;
        assertEquals(0, Memory.allocatedBytes());
        try (Tensor flat = Tensor.arange(0, 16, 1, DType.F64); Tensor a = flat.reshape(4, 4); Tensor t = a.transpose()) {
            view = t.slice(0, 1, 3, 1);
            assertEquals(128, Memory.allocatedBytes(), "four handles, one 16 x 8 byte storage");
        }
        assertEquals(128, Memory.allocatedBytes(), "the view still holds the storage");
        assertFalse(view.isClosed());
        assertArrayEquals(new double[]{1, 5, 9, 13, 2, 6, 10, 14}, view.toDoubleArray());
        view.close();
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void squeezeAndUnsqueeze() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(1, 3, 1, 2);
            assertArrayEquals(new long[]{3, 2}, a.squeeze().shape());
            assertArrayEquals(new long[]{3, 1, 2}, a.squeeze(0).shape());
            assertArrayEquals(new long[]{1, 3, 2}, a.squeeze(-2).shape());
            assertArrayEquals(new long[]{3, 2}, a.squeeze(0, 2).shape());
            assertArrayEquals(new long[0], Tensor.zeros(DType.I32, 1, 1).squeeze().shape());
            throwsWith(ShapeMismatchException.class, () -> a.squeeze(1), "squeeze", "dimension 1", "[1, 3, 1, 2]", "extent 3");
            throwsWith(IllegalArgumentException.class, () -> a.squeeze(4), "axis 4", "rank 4");
            assertArrayEquals(new long[]{1, 1, 3, 1, 2}, a.unsqueeze(0).shape());
            assertArrayEquals(new long[]{1, 3, 1, 2, 1}, a.unsqueeze(-1).shape());
            assertArrayEquals(new long[]{1, 3, 1, 2, 1}, a.unsqueeze(4).shape());
            throwsWith(IllegalArgumentException.class, () -> a.unsqueeze(5), "axis 5");
            throwsWith(IllegalArgumentException.class, () -> a.unsqueeze(-6), "axis -6");
            Tensor scalar = Tensor.scalar(3, DType.F64);
            assertArrayEquals(new long[]{1}, scalar.unsqueeze(0).shape());
            assertEquals(3, scalar.unsqueeze(0).getDouble(0));
        }
    }

    @Test
    void broadcastToErrors() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(3, 1);
            assertArrayEquals(new long[]{2, 3, 4}, a.broadcastTo(2, 3, 4).shape());
            assertArrayEquals(new long[]{3, 5}, a.broadcastTo(-1, 5).shape());
            throwsWith(ShapeMismatchException.class, () -> a.broadcastTo(4), "fewer dimensions", "[3, 1]", "[4]");
            throwsWith(ShapeMismatchException.class, () -> a.broadcastTo(2, 4), "cannot broadcast", "[3, 1]", "[2, 4]");
            throwsWith(ShapeMismatchException.class, () -> a.broadcastTo(-1, 3, 1), "-1 is not allowed");
            // extent 0 is a valid target for an extent-1 dimension
            assertEquals(0, a.broadcastTo(3, 0).size());
        }
    }

    @Test
    void selectSlicePermuteReshapeErrors() {
        try (Scope s = Scope.open()) {
            Tensor a = iota(2, 3);
            throwsWith(IndexOutOfBoundsException.class, () -> a.select(1, 3), "index 3", "axis 1", "[2, 3]");
            throwsWith(IndexOutOfBoundsException.class, () -> a.select(0, -3), "index -3");
            throwsWith(IllegalArgumentException.class, () -> a.select(2, 0), "axis 2", "rank 2");
            throwsWith(IllegalArgumentException.class, () -> a.slice(0, 0, 2, 0), "step must be >= 1");
            throwsWith(IllegalArgumentException.class, () -> a.slice(0, 2, 0, -1), "step must be >= 1");
            assertEquals(0, a.slice(1, 2, 1, 1).dim(1), "an empty slice");
            throwsWith(IllegalArgumentException.class, () -> a.permute(0), "expected 2 axes");
            throwsWith(IllegalArgumentException.class, () -> a.permute(1, 1), "repeated");
            throwsWith(IllegalArgumentException.class, () -> a.permute(0, 2), "axis 2");
            throwsWith(ShapeMismatchException.class, () -> a.reshape(4, 2), "[2, 3]", "6 elements", "[4, 2]", "8 elements");
            throwsWith(ShapeMismatchException.class, () -> a.reshape(-1, 4), "[2, 3]", "[-1, 4]");
            throwsWith(IllegalArgumentException.class, () -> a.reshape(-1, -1), "only one dimension can be -1");
            throwsWith(IllegalArgumentException.class, () -> a.reshape(-2, -3), "invalid dimension -2");
            throwsWith(IllegalArgumentException.class, () -> a.transpose(0, 5), "axis 5");
            throwsWith(IllegalArgumentException.class, () -> a.dim(2), "axis 2");
            assertEquals(3, a.dim(-1));
        }
    }

    @Test
    void emptyTensors() {
        try (Scope s = Scope.open()) {
            Tensor e = Tensor.zeros(DType.F32, 0, 3);
            assertEquals(0, e.size());
            assertEquals(2, e.rank());
            assertTrue(e.isContiguous());
            assertEquals(0, e.toFloatArray().length);
            assertArrayEquals(new long[]{3, 0}, e.transpose().shape());
            assertArrayEquals(new long[]{0}, e.reshape(-1).shape());
            assertArrayEquals(new long[]{0, 5, 0}, e.reshape(0, 5, 0).shape());
            assertEquals("tensor([], shape=[0, 3], dtype=F32)", e.toString());
            assertEquals(0, e.segment().byteSize());
        }
    }

    @Test
    void scalarTensors() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.scalar(2.5, DType.F64);
            assertEquals(0, x.rank());
            assertEquals(1, x.size());
            assertArrayEquals(new long[0], x.shape());
            assertEquals(2.5, x.item());
            assertEquals(2.5, x.getDouble());
            Tensor y = Tensor.arange(0, 6, 1, DType.F64).reshape(2, 3);
            Tensor sum = x.add(y);
            assertArrayEquals(new long[]{2, 3}, sum.shape());
            assertArrayEquals(new double[]{2.5, 3.5, 4.5, 5.5, 6.5, 7.5}, sum.toDoubleArray());
            assertArrayEquals(new double[]{0, -2.5, -5, -7.5, -10, -12.5}, y.mul(x.neg()).toDoubleArray(), 0.0);
            Tensor zz = x.mul(Tensor.scalar(4, DType.I32));
            assertEquals(0, zz.rank());
            assertEquals(DType.F64, zz.dtype());
            assertEquals(10.0, zz.item());
            assertEquals(15.0, y.sum().item());
            assertEquals(0, y.sum().rank());
            assertEquals(2.5, x.reshape(1, 1).getDouble(0, 0));
            assertEquals(2.5, x.reshape().item());
        }
    }
}
