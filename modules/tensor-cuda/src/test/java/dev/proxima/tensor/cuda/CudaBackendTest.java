package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cublas;
import dev.proxima.cuda.Cuda;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.ServiceLoader;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What runs without a GPU: discovery, the unavailable path, and the argument packing. */
class CudaBackendTest {

    @Test
    void serviceLoaderFindsTheBackendAndInfoListsIt() {
        boolean found = ServiceLoader.load(Backend.class).stream().anyMatch(p -> p.type() == CudaBackend.class);
        assertTrue(found);
        String info = Proxima.info().toString();
        System.out.println(info);
        if (!Cuda.availability().available()) {
            assertTrue(info.contains("unavailable cuda: no CUDA driver") || info.contains("unavailable cuda: "), info);
            var e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(DType.F32, 2).to(new Device("cuda", 0)));
            assertTrue(e.getMessage().contains("not available"), e.getMessage());
        } else {
            assertTrue(info.contains("cuda: driver"), info);
        }
    }

    @Test
    void geometryStructsMatchTheKernelLayout() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = CudaBackend.shape(a, new long[] {2, 3, 4});
            assertEquals(80, s.byteSize());
            assertEquals(3, s.getAtIndex(JAVA_LONG, 0));
            assertEquals(24, s.getAtIndex(JAVA_LONG, 1));
            assertEquals(4, s.getAtIndex(JAVA_LONG, 4));
            MemorySegment v = CudaBackend.view(a, new StridedView(null, DType.F32, new long[] {2, 3}, new long[] {3, 1}, 5));
            assertEquals(72, v.byteSize());
            assertEquals(5, v.getAtIndex(JAVA_LONG, 0));
            assertEquals(3, v.getAtIndex(JAVA_LONG, 1));
            assertEquals(1, v.getAtIndex(JAVA_LONG, 2));
            assertThrows(IllegalArgumentException.class, () -> CudaBackend.shape(a, new long[9]));
        }
    }

    @Test
    void batchStridesCollapseOrFallBack() {
        assertEquals(12, CudaBackend.batchStride(new StridedView(null, DType.F32, new long[] {5, 3, 4}, new long[] {12, 4, 1}, 0)));
        assertEquals(12, CudaBackend.batchStride(new StridedView(null, DType.F32, new long[] {2, 5, 3, 4}, new long[] {60, 12, 4, 1}, 0)));
        assertEquals(0, CudaBackend.batchStride(new StridedView(null, DType.F32, new long[] {2, 5, 3, 4}, new long[] {0, 0, 4, 1}, 0)));
        assertEquals(-1, CudaBackend.batchStride(new StridedView(null, DType.F32, new long[] {2, 5, 3, 4}, new long[] {0, 12, 4, 1}, 0)));
        assertEquals(12, CudaBackend.batchStride(new StridedView(null, DType.F32, new long[] {3, 4}, new long[] {4, 1}, 0)));
    }

    @Test
    void conversionDefines() {
        var d = CudaBackend.convertDefines(DType.F64, DType.I8);
        assertEquals("double", d.get("PX_SRC"));
        assertEquals("signed char", d.get("PX_DST"));
        assertEquals("1", d.get("PX_DST_KIND"));
        assertEquals("(-128.0)", d.get("PX_DST_MIN"));
        assertEquals("3", CudaBackend.convertDefines(DType.I32, DType.BOOL).get("PX_DST_KIND"));
        assertEquals("unsigned short", CudaBackend.cType(DType.F16));
        assertEquals("unsigned short", CudaBackend.cType(DType.BF16));
    }

    @Test
    void halfConversionDefines() {
        var d = CudaBackend.convertDefines(DType.F16, DType.BF16);
        assertEquals("unsigned short", d.get("PX_SRC"));
        assertEquals("unsigned short", d.get("PX_DST"));
        assertEquals("1", d.get("PX_SRC_FLOAT"));
        assertEquals("1", d.get("PX_SRC_HALF"));
        assertEquals("2", d.get("PX_DST_HALF"));
        assertEquals("0", d.get("PX_DST_KIND"));
        var e = CudaBackend.convertDefines(DType.BF16, DType.I32);
        assertEquals("2", e.get("PX_SRC_HALF"));
        assertEquals("0", e.get("PX_DST_HALF"));
        assertEquals("1", e.get("PX_DST_KIND"));
        assertEquals("(2.147483647E9)", e.get("PX_DST_MAX"));
        var f = CudaBackend.convertDefines(DType.I64, DType.F16);
        assertEquals("0", f.get("PX_SRC_FLOAT"));
        assertEquals("0", f.get("PX_SRC_HALF"));
        assertEquals("1", f.get("PX_DST_HALF"));
        assertEquals("0", CudaBackend.convertDefines(DType.F32, DType.F64).get("PX_DST_HALF"));
        for (DType a : DType.values()) {
            for (DType b : DType.values()) {
                assertTrue(CudaBackend.convertOnDevice(a, b), a + " -> " + b);
            }
        }
    }

    @Test
    void elementAndReduceDefinesForHalfTypes() {
        var h = CudaBackend.elementDefines(DType.F16);
        assertEquals(Map.of("PX_T", "unsigned short", "PX_IS_FLOAT", "1", "PX_HALF", "1"), h);
        assertEquals(Map.of("PX_T", "unsigned short", "PX_IS_FLOAT", "1", "PX_HALF", "2"), CudaBackend.elementDefines(DType.BF16));
        assertEquals(Map.of("PX_T", "float", "PX_IS_FLOAT", "1", "PX_HALF", "0"), CudaBackend.elementDefines(DType.F32));
        assertEquals(Map.of("PX_T", "long long", "PX_IS_FLOAT", "0", "PX_HALF", "0"), CudaBackend.elementDefines(DType.I64));
        assertEquals(Map.of("PX_T", "unsigned char", "PX_IS_FLOAT", "0", "PX_HALF", "0"), CudaBackend.elementDefines(DType.BOOL));
        var r = CudaBackend.reduceDefines(ReduceOp.SUM, DType.F32, DType.BF16);
        assertEquals("float", r.get("PX_T"));
        assertEquals("0", r.get("PX_HALF"));
        assertEquals("unsigned short", r.get("PX_OUT"));
        assertEquals("2", r.get("PX_OUT_HALF"));
        var s = CudaBackend.reduceDefines(ReduceOp.MAX, DType.F16, DType.F64);
        assertEquals("1", s.get("PX_HALF"));
        assertEquals("double", s.get("PX_OUT"));
        assertEquals("0", s.get("PX_OUT_HALF"));
        var arg = CudaBackend.reduceDefines(ReduceOp.ARGMAX, DType.BF16, DType.I64);
        assertEquals("2", arg.get("PX_HALF"));
        assertFalse(arg.containsKey("PX_OUT"), "the arg kernel writes i64 itself");
    }

    @Test
    void whichOpsRunOnTheDevice() {
        for (DType h : new DType[] {DType.F16, DType.BF16, DType.F32, DType.F64}) {
            for (UnaryOp op : UnaryOp.values()) {
                assertTrue(CudaBackend.unaryOnDevice(op, h), op + " " + h);
            }
            for (BinaryOp op : BinaryOp.values()) {
                assertTrue(CudaBackend.binaryOnDevice(op, h), op + " " + h);
            }
            assertTrue(CudaBackend.mulAddOnDevice(h));
            for (ReduceOp op : ReduceOp.values()) {
                boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                DType out = arg || op == ReduceOp.COUNT_NONZERO ? DType.I64 : h;
                // an op without a kernel case (the nan-reductions) is declined and staged through the host
                boolean kernel = CudaBackend.REDUCE_KERNELS.contains(op) || CudaBackend.ARG_REDUCE_KERNELS.contains(op);
                assertEquals(kernel, CudaBackend.reduceOnDevice(op, h, out), op + " " + h + " -> " + out);
            }
            // the front end reduces half tensors as F32 into a half result
            assertTrue(CudaBackend.reduceOnDevice(ReduceOp.SUM, DType.F32, h));
            assertFalse(CudaBackend.reduceOnDevice(ReduceOp.SUM, h, DType.I64));
            assertFalse(CudaBackend.reduceOnDevice(ReduceOp.ARGMAX, h, DType.F32));
        }
        // integer sums into a float (means) are exact on the host (128 bits), 64-bit on the device: staged
        for (DType i : new DType[] {DType.I64, DType.I32, DType.U8}) {
            assertFalse(CudaBackend.reduceOnDevice(ReduceOp.SUM, i, DType.F64), i + " mean");
            assertFalse(CudaBackend.reduceOnDevice(ReduceOp.SUM, i, DType.F32), i + " mean");
            assertTrue(CudaBackend.reduceOnDevice(ReduceOp.SUM, i, DType.I64), i + " sum");
            assertTrue(CudaBackend.reduceOnDevice(ReduceOp.MAX, i, i), i + " max");
        }
        // integers: wrap-around NEG/ABS/SIGN/SQUARE and DIV/POW stay on the host, comparisons and NOT do not
        assertFalse(CudaBackend.unaryOnDevice(UnaryOp.NEG, DType.I32));
        assertFalse(CudaBackend.unaryOnDevice(UnaryOp.SQUARE, DType.I64));
        assertTrue(CudaBackend.unaryOnDevice(UnaryOp.NOT, DType.I8));
        assertTrue(CudaBackend.binaryOnDevice(BinaryOp.ADD, DType.I64));
        assertTrue(CudaBackend.binaryOnDevice(BinaryOp.LT, DType.U8));
        assertFalse(CudaBackend.binaryOnDevice(BinaryOp.DIV, DType.I32));
        assertFalse(CudaBackend.binaryOnDevice(BinaryOp.POW, DType.I32));
        assertFalse(CudaBackend.binaryOnDevice(BinaryOp.EQ, DType.BOOL));
        assertFalse(CudaBackend.mulAddOnDevice(DType.I32));
        assertTrue(CudaBackend.reduceOnDevice(ReduceOp.SUM, DType.I32, DType.I64));
        for (ReduceOp op : new ReduceOp[] {ReduceOp.NAN_SUM, ReduceOp.NAN_MAX, ReduceOp.NAN_MIN}) {
            assertFalse(CudaBackend.reduceOnDevice(op, DType.F32, DType.F32), op + ": no kernel case, staged through the host");
        }
        // matmul: cuBLAS types
        assertEquals(Cublas.R_16F, CudaBackend.gemmType(DType.F16));
        assertEquals(Cublas.R_16BF, CudaBackend.gemmType(DType.BF16));
        assertEquals(Cublas.R_32F, CudaBackend.gemmType(DType.F32));
        assertEquals(Cublas.R_64F, CudaBackend.gemmType(DType.F64));
        assertEquals(-1, CudaBackend.gemmType(DType.I32));
        assertEquals(-1, CudaBackend.gemmType(DType.BOOL));
    }

    @Test
    void reductionLayoutsChooseTheRowKernelOrTheStridedOne() {
        assertTrue(CudaBackend.trailingAxes(new int[] {2}, 3));
        assertTrue(CudaBackend.trailingAxes(new int[] {1, 2}, 3));
        assertTrue(CudaBackend.trailingAxes(new int[] {0, 1, 2}, 3));
        assertFalse(CudaBackend.trailingAxes(new int[] {0}, 3));
        assertFalse(CudaBackend.trailingAxes(new int[] {0, 2}, 3));
        assertFalse(CudaBackend.trailingAxes(new int[0], 3));
        // [4, 5, 6] at offset 7 with strides (30, 6, 1), reducing axes 0 and 2: keep [5] (stride 6), reduce [4, 6]
        StridedView v = new StridedView(null, DType.F32, new long[] {4, 5, 6}, new long[] {30, 6, 1}, 7);
        StridedView[] parts = CudaBackend.splitAxes(v, new int[] {0, 2});
        assertArrayEquals(new long[] {5}, parts[0].shape());
        assertArrayEquals(new long[] {6}, parts[0].strides());
        assertEquals(7, parts[0].offset());
        assertArrayEquals(new long[] {4, 6}, parts[1].shape());
        assertArrayEquals(new long[] {30, 1}, parts[1].strides());
        assertEquals(0, parts[1].offset());
    }

    @Test
    void gemmLayoutsOfRowMajorTransposedAndOtherViews() {
        // [.., 3, 4] row-major (ld 4), a row-major slice of a wider matrix (ld 10), its transpose (OP_T, ld 10)
        assertArrayEquals(new int[] {Cublas.OP_N, 4}, CudaBackend.gemmLayout(view(new long[] {3, 4}, new long[] {4, 1})));
        assertArrayEquals(new int[] {Cublas.OP_N, 10}, CudaBackend.gemmLayout(view(new long[] {3, 4}, new long[] {10, 1})));
        assertArrayEquals(new int[] {Cublas.OP_T, 10}, CudaBackend.gemmLayout(view(new long[] {4, 3}, new long[] {1, 10})));
        assertArrayEquals(new int[] {Cublas.OP_T, 4}, CudaBackend.gemmLayout(view(new long[] {2, 4, 3}, new long[] {12, 1, 4})));
        // vectors: any stride on the size-1 dimension; a column of a matrix keeps its row stride
        assertArrayEquals(new int[] {Cublas.OP_N, 5}, CudaBackend.gemmLayout(view(new long[] {1, 5}, new long[] {0, 1})));
        assertArrayEquals(new int[] {Cublas.OP_N, 7}, CudaBackend.gemmLayout(view(new long[] {3, 1}, new long[] {7, 0})));
        assertArrayEquals(new int[] {Cublas.OP_N, 1}, CudaBackend.gemmLayout(view(new long[] {1, 1}, new long[] {0, 0})));
        // not expressible: a stepped slice, broadcast rows, overlapping rows
        assertEquals(null, CudaBackend.gemmLayout(view(new long[] {3, 4}, new long[] {8, 2})));
        assertEquals(null, CudaBackend.gemmLayout(view(new long[] {3, 4}, new long[] {0, 1})));
        assertEquals(null, CudaBackend.gemmLayout(view(new long[] {3, 4}, new long[] {2, 1})));
    }

    private static StridedView view(long[] shape, long[] strides) {
        return new StridedView(null, DType.F32, shape, strides, 0);
    }
}
