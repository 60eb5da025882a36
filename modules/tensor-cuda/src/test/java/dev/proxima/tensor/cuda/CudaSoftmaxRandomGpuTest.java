package dev.proxima.tensor.cuda;

import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax family (softmax.cu) and the device random streams (philox.cu through {@code Rng.on}) against
 * the CPU. Skipped, with the reason printed, where no CUDA device is present.
 */
class CudaSoftmaxRandomGpuTest extends GpuTestBase {

    private static Tensor data(DType t, long... shape) {
        try (Tensor r = Rng.seed(7).uniform(DType.F64, -8, 8, shape)) {
            return r.cast(t);
        }
    }

    /**
     * f on the GPU equals f on the CPU: NaN and infinities exactly, finite values within
     * tol·max(1, |cpu|); returns the number of host fallbacks f made on the GPU.
     */
    private static long same(Tensor host, Function<Tensor, Tensor> f, double tol) {
        try (Scope s = Scope.open()) {
            Tensor dev = host.to(GPU);
            long before = Proxima.hostStagings();
            Tensor g = f.apply(dev);
            long fallbacks = Proxima.hostStagings() - before;
            assertEquals(GPU, g.device());
            double[] gd = g.to(Device.CPU).toDoubleArray();
            Tensor c = f.apply(host);
            assertArrayEquals(c.shape(), g.shape());
            double[] cd = c.toDoubleArray();
            for (int i = 0; i < cd.length; i++) {
                if (!Double.isFinite(cd[i])) {
                    assertEquals(cd[i], gd[i], "element " + i);
                } else {
                    assertTrue(Math.abs(gd[i] - cd[i]) <= tol * Math.max(1, Math.abs(cd[i])),
                            "element " + i + ": cpu " + cd[i] + ", gpu " + gd[i]);
                }
            }
            return fallbacks;
        }
    }

    @Test
    void lastAxisRunsOnTheDeviceAndMatchesTheCpu() {
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 2e-6 : 1e-13; // the GPU works in double, the CPU's F32 kernel in float
            for (long[] shape : new long[][]{{6, 1000}, {33, 7}, {2, 3, 2049}, {1}, {300, 3}}) {
                try (Tensor x = data(t, shape)) {
                    assertEquals(0, same(x, d -> d.softmax(-1), tol), "softmax fell back to the host");
                    assertEquals(0, same(x, d -> d.logSoftmax(-1), tol), "logSoftmax fell back to the host");
                    assertEquals(0, same(x, d -> d.logsumexp(new int[]{-1}, false), tol), "logsumexp fell back to the host");
                    same(x, d -> d.logsumexp(new int[]{-1}, true), tol);
                }
            }
        }
    }

    /**
     * The last-axis kernels loop over rows with stride {@code gridDim.x} (the backend caps the grid at 65 535 blocks):
     * launched directly with fewer blocks than rows (3 blocks for 70 rows, so each block takes 23 or 24 rows), every row
     * matches the CPU. Sized for the CUDA shim; a 70 000-row tensor reaches the cap through the backend only on a GPU.
     */
    @Test
    void lastAxisKernelsLoopOverMoreRowsThanBlocks() {
        CudaContext c = CudaContext.of(0);
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 2e-6 : 1e-13;
            try (Tensor x = data(t, 70, 3); Tensor dx = x.to(GPU); Tensor soft = x.softmax(-1); Tensor logSoft = x.logSoftmax(-1);
                 Tensor lse = x.logsumexp(new int[]{-1}, false)) {
                String[] kernels = {"softmax_last", "log_softmax_last", "logsumexp_last"};
                Tensor[] expected = {soft, logSoft, lse};
                for (int k = 0; k < kernels.length; k++) {
                    try (Tensor out = Tensor.zeros(t, expected[k].shape()); Tensor dout = out.to(GPU);
                         java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                        long src = ((DeviceStorage) dx.view().storage()).pointer();
                        long dst = ((DeviceStorage) dout.view().storage()).pointer();
                        dev.proxima.cuda.KernelArgs args = new dev.proxima.cuda.KernelArgs(a).ptr(src).ptr(dst).i64(70).i64(3);
                        dev.proxima.cuda.CudaDriver.launchKernel(c.function("softmax.cu",
                                        dev.proxima.cuda.KernelSource.elementDefines(CudaBackend.cType(t)), kernels[k]),
                                new int[]{3, 1, 1}, new int[]{32, 1, 1}, 0, java.lang.foreign.MemorySegment.NULL, args.segment());
                        try (Tensor back = dout.to(Device.CPU)) {
                            double[] got = back.toDoubleArray();
                            double[] want = expected[k].toDoubleArray();
                            for (int i = 0; i < want.length; i++) {
                                assertTrue(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])),
                                        kernels[k] + " " + t + " element " + i + ": cpu " + want[i] + ", gpu " + got[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void specialRowsMatchTheCpu() {
        double ninf = Double.NEGATIVE_INFINITY;
        double inf = Double.POSITIVE_INFINITY;
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            try (Tensor flat = Tensor.of(new double[]{1, 2, 3, ninf, ninf, ninf, 1, inf, 2, 0, Double.NaN, 1, ninf, 5, 1e30, -1e30, 0, 0});
                 Tensor x = flat.reshape(6, 3); Tensor xt = x.cast(t)) {
                double tol = t == DType.F32 ? 2e-6 : 1e-13;
                same(xt, d -> d.softmax(1), tol);
                same(xt, d -> d.logSoftmax(1), tol);
                same(xt, d -> d.logsumexp(new int[]{1}, false), tol);
            }
        }
    }

    @Test
    void otherAxesRunOneThreadPerLaneAndSeveralAxesMerge() {
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            double tol = t == DType.F32 ? 2e-6 : 1e-13;
            try (Tensor x = data(t, 4, 5, 6)) {
                assertEquals(0, same(x, d -> d.softmax(0), tol), "axis 0 runs softmax_strided on the device");
                assertEquals(0, same(x, d -> d.logSoftmax(1), tol), "axis 1 runs softmax_strided on the device");
                assertEquals(0, same(x, d -> d.logsumexp(new int[]{1}, false), tol), "logsumexp over axis 1 on the device");
                same(x, d -> d.logsumexp(new int[]{0, 2}, true), tol);
                same(x, d -> d.logsumexp(new int[0], false), tol);
            }
        }
    }

    @Test
    void gradientOnTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor x = data(DType.F64, 5, 9);
            Tensor w = data(DType.F64, 5, 9).sin();
            Tensor xd = x.to(GPU);
            Tensor wd = w.to(GPU);
            double[] cpu = Autodiff.grad(t -> t.softmax(1).mul(w).sum().add(t.logsumexp(new int[]{1}, false).sum()), x).toDoubleArray();
            Tensor gd = Autodiff.grad(t -> t.softmax(1).mul(wd).sum().add(t.logsumexp(new int[]{1}, false).sum()), xd);
            assertEquals(GPU, gd.device());
            assertArrayEquals(cpu, gd.to(Device.CPU).toDoubleArray(), 1e-12);
        }
    }

    // ------------------------------------------------------------------ random

    @Test
    void uniformAndBernoulliAreTheCpuStreamBitForBit() {
        for (long n : new long[]{1, 3, 4099, 1 << 20}) {
            try (Scope s = Scope.open()) {
                Rng host = Rng.seed(42);
                Rng dev = Rng.seed(42).on(GPU);
                Tensor u32 = dev.uniform(DType.F32, -1, 3, n);
                Tensor u64 = dev.uniform(DType.F64, -1e-3, 7, n);
                Tensor b = dev.bernoulli(0.3, n);
                Tensor narrow = dev.uniform(DType.F32, 1, Math.nextUp(1f), n); // clamps: every value is 1
                assertEquals(GPU, u32.device());
                assertArrayEquals(host.uniform(DType.F32, -1, 3, n).toFloatArray(), u32.to(Device.CPU).toFloatArray());
                assertArrayEquals(host.uniform(DType.F64, -1e-3, 7, n).toDoubleArray(), u64.to(Device.CPU).toDoubleArray());
                assertArrayEquals(host.bernoulli(0.3, n).toBooleanArray(), b.to(Device.CPU).toBooleanArray());
                assertArrayEquals(host.uniform(DType.F32, 1, Math.nextUp(1f), n).toFloatArray(), narrow.to(Device.CPU).toFloatArray());
                assertEquals(4, dev.draws());
            }
        }
    }

    @Test
    void normalMatchesTheCpuToTheLastBits() {
        // CUDA's log (1 ulp), sin and cos (2 ulp) are not StrictMath's (fdlibm): F64 samples may differ in the
        // last few bits, F32 samples (rounded from the same double computation) by at most one float ulp, rarely
        long n = 100_003;
        double mean = 0.5;
        double std = 2;
        try (Scope s = Scope.open()) {
            Rng dev = Rng.seed(9).on(GPU);
            Rng host = Rng.seed(9);
            float[] g32 = dev.normal(DType.F32, mean, std, n).to(Device.CPU).toFloatArray();
            float[] c32 = host.normal(DType.F32, mean, std, n).toFloatArray();
            int differ32 = 0;
            for (int i = 0; i < n; i++) {
                if (g32[i] != c32[i]) {
                    differ32++;
                    assertTrue(Math.abs(g32[i] - c32[i]) <= Math.ulp(c32[i]), "F32 element " + i + ": cpu " + c32[i] + ", gpu " + g32[i]);
                }
            }
            double[] g64 = dev.normal(DType.F64, mean, std, n).to(Device.CPU).toDoubleArray();
            double[] c64 = host.normal(DType.F64, mean, std, n).toDoubleArray();
            int differ64 = 0;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double tol = 8 * Math.ulp(Math.abs(c64[i] - mean)) + 2 * Math.ulp(c64[i]);
                if (g64[i] != c64[i]) {
                    differ64++;
                    assertTrue(Math.abs(g64[i] - c64[i]) <= tol, "F64 element " + i + ": cpu " + c64[i] + ", gpu " + g64[i]);
                }
                sum += g64[i];
            }
            System.out.println("[cuda] normal: " + differ32 + " of " + n + " F32 and " + differ64 + " F64 samples differ from the CPU in the last bits");
            assertTrue(differ32 <= n / 1000, "F32 normals should almost always be identical, " + differ32 + " differ");
            assertEquals(mean, sum / n, 0.03);
        }
    }

    @Test
    void theCounterIsSharedAndHostOnlyDistributionsAreCopied() {
        try (Scope s = Scope.open()) {
            Rng base = Rng.seed(3);
            Rng dev = base.on(GPU);
            Rng ref = Rng.seed(3);
            Tensor a = dev.uniform(DType.F32, 0, 1, 10);   // draw 0 on the device
            Tensor b = base.uniform(DType.F32, 0, 1, 10);  // draw 1 on the host
            assertArrayEquals(ref.uniform(DType.F32, 0, 1, 10).toFloatArray(), a.to(Device.CPU).toFloatArray());
            assertArrayEquals(ref.uniform(DType.F32, 0, 1, 10).toFloatArray(), b.toFloatArray());
            Tensor g = dev.gamma(DType.F64, 0.7, 2, 100);
            Tensor p = dev.permutation(50);
            Tensor c = dev.choice(4, 30, true, Tensor.of(0.1, 0.2, 0.3, 0.4).to(GPU));
            Tensor r = dev.randint(-5, 5, DType.I32, 17);
            assertEquals(GPU, g.device());
            assertEquals(GPU, c.device());
            assertArrayEquals(ref.gamma(DType.F64, 0.7, 2, 100).toDoubleArray(), g.to(Device.CPU).toDoubleArray());
            assertArrayEquals(ref.permutation(50).toLongArray(), p.to(Device.CPU).toLongArray());
            assertArrayEquals(ref.choice(4, 30, true, Tensor.of(0.1, 0.2, 0.3, 0.4)).toLongArray(), c.to(Device.CPU).toLongArray());
            assertArrayEquals(ref.randint(-5, 5, DType.I32, 17).toLongArray(), r.to(Device.CPU).toLongArray());
            assertEquals(ref.draws(), base.draws());
            Rng child = dev.split();
            assertEquals(GPU, child.device());
        }
    }
}
