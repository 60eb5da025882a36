package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cuda;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.StridedView;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals(null, CudaBackend.cType(DType.F16));
    }
}
