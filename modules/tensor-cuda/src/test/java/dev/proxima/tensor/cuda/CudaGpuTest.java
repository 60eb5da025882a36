package dev.proxima.tensor.cuda;

import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.KernelArgs;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
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
                try (Tensor at = a.transpose(0, 2)) {
                    same(at, d -> d.sum(1), tol);                     // non-contiguous source
                }
                assertEquals(fallbacks, Proxima.hostStagings(), "these reductions run on the device");
                try (Tensor bd = b.to(GPU); Tensor btv = b.transpose(1, 2); Tensor bt = btv.contiguous(); Tensor btd = bt.to(GPU)) {
                    long before = Proxima.hostStagings();
                    same(a, d -> d.matmul(d.device().equals(GPU) ? bd : b), tol);
                    // transposed views (what matmul's gradients use) go to cuBLAS with OP_T; every view made inside a
                    // lambda is closed there, or its storage (host or device) stays alive after the test
                    same(a, d -> {
                        try (Tensor v = (d.device().equals(GPU) ? btd : bt).transpose(1, 2)) {
                            return d.matmul(v);
                        }
                    }, tol);
                    same(a, d -> {
                        try (Tensor v = d.transpose(1, 2)) {
                            return v.matmul(d);
                        }
                    }, tol);
                    same(a, d -> {                                    // row-major slices (ld 17)
                        try (Tensor l = d.slice(2, 0, 8, 1); Tensor r = d.slice(1, 0, 8, 1)) {
                            return l.matmul(r);
                        }
                    }, tol);
                    assertEquals(before, Proxima.hostStagings(), "these products run on cuBLAS");
                }
            }
        }
    }

    /**
     * {@code to(cuda:1)} from {@code cuda:0} (issue 18, item 1): a kernel may only touch memory of the device whose
     * context launches it, so a copy between GPUs goes peer to peer, converting or gathering on the source device
     * first and scattering on the destination device after. Dense, converted, strided-source and strided-destination
     * copies in both directions; the shim fails any launch with a pointer into the other device's memory.
     */
    @Test
    void copiesBetweenTwoDevices() {
        Assumptions.assumeTrue(dev.proxima.cuda.Cuda.devices().size() >= 2,
                "needs two CUDA devices, found " + dev.proxima.cuda.Cuda.devices().size());
        Device gpu1 = new Device("cuda", 1);
        long before1 = CudaBackend.allocatedBytes(1);
        try (Tensor h = data(DType.F32, 6, 5); Tensor d0 = h.to(GPU)) {
            try (Tensor d1 = d0.to(gpu1); Tensor back = d1.to(Device.CPU)) {                       // dense, same type
                assertEquals(gpu1, d1.device());
                assertArrayEquals(h.toFloatArray(), back.toFloatArray());
            }
            try (Tensor c0 = d0.cast(DType.F64); Tensor d1 = c0.to(gpu1); Tensor back = d1.to(Device.CPU); Tensor hd = h.cast(DType.F64)) {
                assertArrayEquals(hd.toDoubleArray(), back.toDoubleArray(), 0);
            }
            try (Tensor t0 = d0.transpose(0, 1); Tensor d1 = t0.to(gpu1); Tensor back = d1.to(Device.CPU);   // strided source
                 Tensor ht = h.transpose(0, 1); Tensor hc = ht.contiguous()) {
                assertArrayEquals(hc.toFloatArray(), back.toFloatArray());
                try (Tensor again = d1.to(GPU); Tensor back0 = again.to(Device.CPU)) {                   // and back to cuda:0
                    assertArrayEquals(hc.toFloatArray(), back0.toFloatArray());
                }
            }
            try (Tensor z = Tensor.zeros(DType.F64, 5, 6); Tensor target = z.to(gpu1); Tensor view = target.transpose(0, 1)) {
                new CudaBackend().copy(d0.view(), view.view());                                      // strided destination, converted
                try (Tensor back = target.to(Device.CPU); Tensor ht = h.transpose(0, 1); Tensor hd = ht.cast(DType.F64)) {
                    assertArrayEquals(hd.toDoubleArray(), back.toDoubleArray(), 0);
                }
            }
        }
        assertEquals(before1, CudaBackend.allocatedBytes(1), "cuda:1 bytes still allocated");
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
            try (Tensor again = d.mul(2); Tensor expected = h.mul(2)) {         // same size class: reused
                // the 12 000-byte block was taken from the cache; what is cached now is the smallest class, the
                // block of the 0-d device scalar (2) that mul uploaded and released
                assertEquals(DeviceMemoryPool.sizeClass(Float.BYTES), CudaBackend.cachedBytes(0),
                        "the copy's block was reused and only mul's scalar operand went back to the cache");
                CudaBackend.synchronize(0);
                assertArrayEquals(expected.toFloatArray(), again.toFloatArray());
            }
            try (Tensor slice = d.slice(0, 10, 20, 1); Tensor c = slice.copy(); Tensor hs = h.slice(0, 10, 20, 1)) {
                assertArrayEquals(hs.toFloatArray(), c.toFloatArray());       // offset views copy the right bytes
            }
        }
        CudaBackend.emptyCache(0);
        assertEquals(0, CudaBackend.cachedBytes(0));
    }
}
