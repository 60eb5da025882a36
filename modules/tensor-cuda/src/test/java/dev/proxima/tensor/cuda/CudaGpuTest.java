package dev.proxima.tensor.cuda;

import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.KernelArgs;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every GPU op against the CPU backend. Skipped, with the reason printed, where no CUDA device is present.
 * Run on a GPU machine as described in native/cuda/README.md.
 */
class CudaGpuTest extends GpuTestBase {

    private static Tensor data(DType t, long... shape) {
        try (Tensor r = Rng.seed(7).uniform(DType.F64, -2, 2, shape)) {
            return r.cast(t);
        }
    }

    /** f on the GPU (result brought back) equals f on the CPU within tol. */
    private static void same(Tensor host, Function<Tensor, Tensor> f, double tol) {
        try (Tensor dev = host.to(GPU); Tensor g = f.apply(dev); Tensor gh = g.to(Device.CPU); Tensor c = f.apply(host);
             Tensor gd = gh.cast(DType.F64); Tensor cd = c.cast(DType.F64)) {
            assertArrayEquals(cd.shape(), gd.shape());
            assertArrayEquals(cd.toDoubleArray(), gd.toDoubleArray(), tol);
        }
    }

    @Test
    void roundTripAndConversions() {
        for (DType t : DType.values()) {
            try (Tensor x = data(t, 3, 5)) {
                same(x, d -> d.copy(), 0);
                for (DType u : new DType[] {DType.F32, DType.I32, DType.BOOL, DType.U8}) {
                    same(x, d -> d.cast(u), 0);
                }
            }
        }
    }

    @Test
    void elementwise() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Tensor x = data(t, 7, 33); Tensor y = data(t, 33)) {
                double tol = t == DType.F32 ? 1e-6 : 1e-12;
                same(x, Tensor::exp, tol);
                same(x, Tensor::tanh, tol);
                same(x, d -> d.add(d), tol);
                same(x, d -> d.mul(2.5), tol);
                same(x, d -> d.gt(0.5), 0);
                try (Tensor yd = y.to(GPU)) {
                    same(x, d -> d.add(d.device().equals(GPU) ? yd : y), tol); // broadcast: zero strides
                }
            }
        }
    }

    @Test
    void reductionsAndMatmul() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 1e-4 : 1e-10;
            try (Tensor x = data(t, 6, 1000); Tensor a = data(t, 4, 33, 17); Tensor b = data(t, 4, 17, 9)) {
                same(x, d -> d.sum(1), tol);
                same(x, d -> d.max(1), 0);
                same(x, d -> d.argmax(1, false), 0);
                long fallbacks = Proxima.hostStagings();
                same(x, d -> d.sum(0), tol);                          // leading axis: reduce_strided
                same(a, d -> d.sum(new int[] {0, 2}, false), tol);   // non-trailing axes
                same(a, d -> d.sum(new int[] {1, 2}, true), tol);    // trailing axes: rows of 33·17
                same(a, d -> d.max(1), 0);
                same(a, d -> d.argmin(1, false), 0);                  // argreduce_strided
                same(a.transpose(0, 2), d -> d.sum(1), tol);          // non-contiguous source
                assertEquals(fallbacks, Proxima.hostStagings(), "these reductions run on the device");
                try (Tensor bd = b.to(GPU); Tensor bt = b.transpose(1, 2).contiguous(); Tensor btd = bt.to(GPU)) {
                    long before = Proxima.hostStagings();
                    same(a, d -> d.matmul(d.device().equals(GPU) ? bd : b), tol);
                    // transposed views (what matmul's gradients use) go to cuBLAS with OP_T
                    same(a, d -> d.matmul((d.device().equals(GPU) ? btd : bt).transpose(1, 2)), tol);
                    same(a, d -> d.transpose(1, 2).matmul(d), tol);
                    same(a, d -> d.slice(2, 0, 8, 1).matmul(d.slice(1, 0, 8, 1)), tol);   // row-major slices (ld 17)
                    assertEquals(before, Proxima.hostStagings(), "these products run on cuBLAS");
                }
            }
        }
    }

    @Test
    void philoxUniformKernelMatchesRng() {
        CudaContext c = CudaContext.of(0);
        int n = 4099;
        var st = new CudaBackend().allocate(GPU, n * 4L);
        try (Arena a = Arena.ofConfined(); Tensor cpu = Rng.seed(42).uniform(DType.F32, -1, 3, n)) {
            long ptr = ((DeviceStorage) st).pointer();
            // Rng.seed(42): key words (42, 0); its first draw is number 0. Clamp bounds as RandomKernels computes them.
            KernelArgs args = new KernelArgs(a).ptr(ptr).i64(n).i32(42).i32(0).i64(0).f64(-1).f64(3).f32(-1f).f32(Math.nextDown(3f));
            CudaDriver.launchKernel(c.function("philox.cu", java.util.Map.of(), "uniform_f32"), new int[] {8, 1, 1},
                    new int[] {128, 1, 1}, 0, MemorySegment.NULL, args.segment());
            MemorySegment host = a.allocate(n * 4L);
            CudaDriver.memcpyDtoH(host, ptr, n * 4L);
            float[] expected = cpu.toFloatArray();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(host.getAtIndex(JAVA_FLOAT, i)), "element " + i);
            }
        } finally {
            st.release();
        }
    }

    @Test
    void deviceCopiesAndTheCachingAllocator() {
        CudaBackend.emptyCache(0);
        assertEquals(0, CudaBackend.cachedBytes(0));
        try (Tensor h = data(DType.F32, 1000, 3); Tensor d = h.to(GPU)) {
            try (Tensor c = d.copy(); Tensor back = c.to(Device.CPU)) {       // same-type dense copy: cuMemcpyDtoDAsync
                assertArrayEquals(h.toFloatArray(), back.toFloatArray());
            }
            long cached = CudaBackend.cachedBytes(0);
            assertEquals(DeviceMemoryPool.sizeClass(12_000), cached, "the copy's block went to the cache");
            try (Tensor again = d.mul(2)) {                                     // same size class: reused
                assertEquals(0, CudaBackend.cachedBytes(0));
                CudaBackend.synchronize(0);
                assertArrayEquals(h.mul(2).toFloatArray(), again.toFloatArray());
            }
            try (Tensor slice = d.slice(0, 10, 20, 1); Tensor c = slice.copy(); Tensor hs = h.slice(0, 10, 20, 1)) {
                assertArrayEquals(hs.toFloatArray(), c.toFloatArray());       // offset views copy the right bytes
            }
        }
        CudaBackend.emptyCache(0);
        assertEquals(0, CudaBackend.cachedBytes(0));
    }
}
