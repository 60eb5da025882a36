package dev.proxima.tensor.cuda;

import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * F16/BF16 on the GPU against the CPU backend: conversions of every half bit pattern (bit for bit), the
 * half element kernels called through the backend (bit for bit where the F32 result is correctly rounded,
 * within one half ulp for transcendentals), half reductions, and gemmEx matmul (within half-precision
 * tolerance of the CPU's F32 product rounded to half), each with no host fallback. Skipped, with the
 * reason printed, where no CUDA device is present.
 */
class CudaHalfGpuTest extends GpuTestBase {

    static final DType[] HALVES = {DType.F16, DType.BF16};
    final CudaBackend backend = new CudaBackend();

    /** Runs {@code r} and asserts it caused no host fallback. */
    private static void onDeviceOnly(String what, Runnable r) {
        long before = Proxima.hostStagings();
        r.run();
        assertEquals(before, Proxima.hostStagings(), what + " fell back to the host");
    }

    /** A host tensor of {@code t} holding the 16-bit patterns 0..65535. */
    private static Tensor allPatterns(DType t) {
        Tensor h = Tensor.zeros(t, 65536);
        MemorySegment s = h.segment();
        for (int i = 0; i < 65536; i++) {
            s.setAtIndex(JAVA_SHORT_UNALIGNED, i, (short) i);
        }
        return h;
    }

    /** Raw element bits of a contiguous host tensor, widened to long. */
    private static long bits(Tensor t, long i) {
        MemorySegment s = t.segment();
        return switch (t.dtype().byteSize()) {
            case 1 -> s.get(JAVA_BYTE, i) & 0xFF;
            case 2 -> s.getAtIndex(JAVA_SHORT_UNALIGNED, i) & 0xFFFF;
            case 4 -> s.getAtIndex(JAVA_INT_UNALIGNED, i) & 0xFFFFFFFFL;
            default -> s.getAtIndex(JAVA_LONG_UNALIGNED, i);
        };
    }

    /**
     * Bitwise equality of two host tensors. Where {@code nanPayloadFree} a NaN on both sides counts as equal:
     * GPU F32 ↔ F64 conversion of a NaN is not specified to keep its payload (the half code is, and is checked
     * strictly), and NaNs produced by arithmetic carry platform-specific bits.
     */
    private static void sameBits(String what, Tensor cpu, Tensor gpu, boolean nanPayloadFree) {
        assertEquals(cpu.dtype(), gpu.dtype());
        assertEquals(cpu.size(), gpu.size());
        double[] cd = nanPayloadFree ? cpuValues(cpu) : null;
        double[] gd = nanPayloadFree ? cpuValues(gpu) : null;
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (long i = 0; i < cpu.size(); i++) {
            long a = bits(cpu, i), b = bits(gpu, i);
            if (a != b && !(nanPayloadFree && Double.isNaN(cd[(int) i]) && Double.isNaN(gd[(int) i])) && bad++ < 8) {
                first.append(String.format(" [%d] cpu %x gpu %x;", i, a, b));
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + cpu.size() + " elements differ:" + first);
        }
    }

    private static double[] cpuValues(Tensor t) {
        try (Tensor d = t.cast(DType.F64)) {
            return d.toDoubleArray();
        }
    }

    /** cast on the GPU (device tensor from the host one, brought back) vs cast on the CPU, bit for bit. */
    private static void castMatches(Tensor host, DType to, boolean nanPayloadFree) {
        try (Tensor cpu = host.cast(to); Tensor dev = host.to(GPU)) {
            Tensor[] g = new Tensor[1];
            onDeviceOnly(host.dtype() + " -> " + to, () -> g[0] = dev.cast(to));
            try (Tensor gd = g[0]; Tensor gh = gd.to(Device.CPU)) {
                sameBits(host.dtype() + " -> " + to, cpu, gh, nanPayloadFree);
            }
        }
    }

    @Test
    void everyHalfBitPatternConvertsAsOnTheCpu() {
        for (DType h : HALVES) {
            try (Tensor all = allPatterns(h)) {
                for (DType to : DType.values()) {
                    castMatches(all, to, to == DType.F64);
                }
                // and back: the F32 values (NaNs with payloads included) and F64 values to the half type
                try (Tensor f = all.cast(DType.F32); Tensor d = all.cast(DType.F64)) {
                    castMatches(f, h, false);
                    castMatches(d, h, true);  // F64 -> F32 on the GPU may not keep a NaN's payload
                }
            }
        }
        // F32 patterns at and around the rounding ties of both formats (the same set the gcc check uses)
        int[] patterns = HalfConversionGccTest.floatPatterns();
        try (Tensor f = Tensor.zeros(DType.F32, patterns.length)) {
            MemorySegment s = f.segment();
            for (int i = 0; i < patterns.length; i++) {
                s.setAtIndex(JAVA_INT_UNALIGNED, i, patterns[i]);
            }
            for (DType h : HALVES) {
                castMatches(f, h, false);
            }
        }
        // integers into half types (round once from the integer, saturating to inf)
        try (Tensor i64 = Tensor.of(0L, 1L, -1L, 2049L, 65519L, 65520L, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE, 16777217L);
             Tensor i32 = Tensor.of(0, 1, -7, 2049, 65504, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE, 257, -129)) {
            for (DType h : HALVES) {
                castMatches(i64, h, false);
                castMatches(i32, h, false);
            }
        }
        // strided device copy between half types (convert_strided with a transposed view)
        for (DType h : HALVES) {
            try (Tensor all = allPatterns(h); Tensor r = all.reshape(256, 256); Tensor m = r.transpose(0, 1)) {
                for (DType to : new DType[] {DType.F16, DType.BF16, DType.F32}) {
                    castMatches(m, to, false);
                }
            }
        }
    }

    private static Tensor data(DType t, long... shape) {
        try (Tensor r = Rng.seed(11).uniform(DType.F64, -3, 3, shape)) {
            return r.cast(t);
        }
    }

    /** Special values in half range: ±0, ±inf, NaN, subnormals, extremes, ties. */
    private static Tensor specials(DType t) {
        try (Tensor f = Tensor.of(0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 5.9604645e-8f, -6.1035156e-5f,
                65504f, -65504f, 1f, -1f, 0.5f, 2.5f, 3.3895314e38f, 9.1835e-41f, 1e-3f)) {
            return f.cast(t);
        }
    }

    /**
     * One backend op on device half views vs the CPU backend over F32 copies rounded back
     * (the CPU backend widens half views to F32 itself); {@code ulps} = 0 asks for identical bits.
     */
    private void halfOpMatches(String what, Tensor[] inputs, DType outType, int ulps, BiConsumer<Backend, StridedView[]> op) {
        long[] shape = inputs[0].shape();
        Tensor[] dev = new Tensor[inputs.length];
        try (Tensor ref = Tensor.zeros(outType, shape); Tensor outHost = Tensor.zeros(outType, shape)) {
            StridedView[] hv = new StridedView[inputs.length + 1];
            for (int i = 0; i < inputs.length; i++) {
                hv[i] = inputs[i].view();
            }
            hv[inputs.length] = ref.view();
            op.accept(CudaBackend.cpu(), hv);
            try (Tensor out = outHost.to(GPU)) {
                StridedView[] dv = new StridedView[inputs.length + 1];
                for (int i = 0; i < inputs.length; i++) {
                    dev[i] = inputs[i].to(GPU);
                    dv[i] = dev[i].view();
                }
                dv[inputs.length] = out.view();
                onDeviceOnly(what, () -> op.accept(backend, dv));
                try (Tensor back = out.to(Device.CPU)) {
                    if (ulps == 0) {
                        // NaNs made by arithmetic (sqrt(-1), 0/0) differ by platform: x86 gives -qNaN, CUDA 0x7fffffff
                        sameBits(what, ref, back, true);
                    } else {
                        double[] c = cpuValues(ref), g = cpuValues(back);
                        double eps = outType == DType.F16 ? 0x1p-10 : 0x1p-7;
                        for (int i = 0; i < c.length; i++) {
                            boolean ok = Double.compare(c[i], g[i]) == 0
                                    || Math.abs(c[i] - g[i]) <= ulps * eps * Math.max(Math.abs(c[i]), 0x1p-14);
                            assertTrue(ok, what + " [" + i + "]: cpu " + c[i] + ", gpu " + g[i]);
                        }
                    }
                }
            }
        } finally {
            for (Tensor d : dev) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }

    @Test
    void halfElementKernelsMatchTheCpu() {
        Set<UnaryOp> exact = Set.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQRT, UnaryOp.SQUARE, UnaryOp.RECIPROCAL);
        for (DType h : HALVES) {
            try (Tensor x = data(h, 7, 33); Tensor y = data(h, 7, 33); Tensor s = specials(h); Tensor z = data(h, 7, 33)) {
                for (UnaryOp op : UnaryOp.values()) {
                    DType out = op == UnaryOp.NOT ? DType.BOOL : h;
                    int ulps = exact.contains(op) || op == UnaryOp.NOT ? 0 : 1;
                    halfOpMatches(op + " " + h, new Tensor[] {x}, out, ulps, (b, v) -> b.unary(op, v[0], v[1]));
                    halfOpMatches(op + " " + h + " specials", new Tensor[] {s}, out, ulps, (b, v) -> b.unary(op, v[0], v[1]));
                }
                for (BinaryOp op : BinaryOp.values()) {
                    DType out = op.isComparison() ? DType.BOOL : h;
                    int ulps = op == BinaryOp.POW || op == BinaryOp.ATAN2 || op == BinaryOp.HYPOT ? 1 : 0;
                    halfOpMatches(op + " " + h, new Tensor[] {x, y}, out, ulps, (b, v) -> b.binary(op, v[0], v[1], v[2]));
                    try (Tensor s2 = s.flip(0)) {
                        halfOpMatches(op + " " + h + " specials", new Tensor[] {s, s2}, out, ulps,
                                (b, v) -> b.binary(op, v[0], v[1], v[2]));
                    }
                }
                halfOpMatches("mulAdd " + h, new Tensor[] {x, y, z}, h, 0, (b, v) -> b.mulAdd(v[0], v[1], v[2], v[3]));
                try (Tensor c = x.gt(0)) {
                    halfOpMatches("where " + h, new Tensor[] {c, x, y}, h, 0, (b, v) -> b.where(v[0], v[1], v[2], v[3]));
                }
                // a strided (transposed) operand takes the strided kernels
                try (Tensor xt = x.transpose(0, 1); Tensor yt = y.transpose(0, 1)) {
                    halfOpMatches("add transposed " + h, new Tensor[] {xt, yt}, h, 0, (b, v) -> b.binary(BinaryOp.ADD, v[0], v[1], v[2]));
                    halfOpMatches("exp transposed " + h, new Tensor[] {xt}, h, 1, (b, v) -> b.unary(UnaryOp.EXP, v[0], v[1]));
                }
            }
        }
    }

    @Test
    void halfTensorsComputeOnTheDevice() {
        // the front end widens half tensors to F32 and rounds back: with device conversions nothing falls back
        for (DType h : HALVES) {
            try (Tensor x = data(h, 16, 40); Tensor y = data(h, 16, 40); Tensor dx = x.to(GPU); Tensor dy = y.to(GPU)) {
                List<Function<Tensor[], Tensor>> fs = List.of(t -> t[0].add(t[1]), t -> t[0].mul(t[1]), t -> t[0].div(t[1]),
                        t -> t[0].sqrt(), t -> t[0].maximum(t[1]), t -> t[0].max(1), t -> t[0].min(1), t -> t[0].add(1.5));
                for (int i = 0; i < fs.size(); i++) {
                    Function<Tensor[], Tensor> f = fs.get(i);
                    Tensor[] g = new Tensor[1];
                    onDeviceOnly(h + " tensor op " + i, () -> g[0] = f.apply(new Tensor[] {dx, dy}));
                    try (Tensor c = f.apply(new Tensor[] {x, y}); Tensor gd = g[0]; Tensor gh = gd.to(Device.CPU)) {
                        sameBits(h + " tensor op " + i, c, gh, true);
                    }
                }
                // sums: double accumulation on both sides, different order: equal after rounding to half, or 1 ulp apart
                Tensor[] g = new Tensor[1];
                onDeviceOnly(h + " sum", () -> g[0] = dx.sum(1));
                try (Tensor c = x.sum(1); Tensor gd = g[0]; Tensor gh = gd.to(Device.CPU)) {
                    double[] cv = cpuValues(c), gv = cpuValues(gh);
                    double eps = h == DType.F16 ? 0x1p-10 : 0x1p-7;
                    for (int i = 0; i < cv.length; i++) {
                        assertTrue(Math.abs(cv[i] - gv[i]) <= eps * Math.max(Math.abs(cv[i]), 1e-3), "sum[" + i + "]: " + cv[i] + " vs " + gv[i]);
                    }
                }
            }
        }
    }

    @Test
    void halfReductionsMatchTheCpu() {
        for (DType h : HALVES) {
            try (Tensor x = data(h, 9, 300)) {
                for (ReduceOp op : ReduceOp.values()) {
                    if (!CudaBackend.REDUCE_KERNELS.contains(op) && !CudaBackend.ARG_REDUCE_KERNELS.contains(op)) {
                        continue; // no kernel case (the nan-reductions): staged through the host, see CudaBackendTest
                    }
                    boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                    DType[] outs = arg || op == ReduceOp.COUNT_NONZERO ? new DType[] {DType.I64} : new DType[] {h, DType.F32, DType.F64};
                    boolean exact = arg || op == ReduceOp.COUNT_NONZERO || op == ReduceOp.MAX || op == ReduceOp.MIN || op == ReduceOp.MAX_ABS
                            || op == ReduceOp.MIN_ABS;
                    for (DType out : outs) {
                        try (Tensor ref = Tensor.zeros(out, 9); Tensor o = Tensor.zeros(out, 9); Tensor dx = x.to(GPU); Tensor dout = o.to(GPU)) {
                            CudaBackend.cpu().reduce(op, x.view(), new int[] {1}, ref.view());
                            onDeviceOnly(op + " " + h + " -> " + out, () -> backend.reduce(op, dx.view(), new int[] {1}, dout.view()));
                            try (Tensor back = dout.to(Device.CPU)) {
                                if (exact) {
                                    sameBits(op + " " + h + " -> " + out, ref, back, true);
                                } else {
                                    double[] c = cpuValues(ref), g = cpuValues(back);
                                    double eps = out == DType.F16 ? 0x1p-10 : out == DType.BF16 ? 0x1p-7 : 1e-6;
                                    for (int i = 0; i < c.length; i++) {
                                        assertTrue(Double.compare(c[i], g[i]) == 0 || Math.abs(c[i] - g[i]) <= eps * Math.max(Math.abs(c[i]), 1e-2),
                                                op + " " + h + " -> " + out + " [" + i + "]: " + c[i] + " vs " + g[i]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** gemmEx matmul of [batch..., m, k] @ [batch..., k, n] vs the CPU's F32 product rounded to the half type. */
    private void matmulMatches(DType h, long[] as, long[] bs, long[] cs, Function<Tensor, Tensor> viewB) {
        try (Tensor a = data(h, as); Tensor b0 = data(h, bs); Tensor b = viewB.apply(b0); Tensor ref = Tensor.zeros(h, cs);
             Tensor o = Tensor.zeros(h, cs); Tensor da = a.to(GPU); Tensor db = b0.to(GPU); Tensor dbv = viewB.apply(db); Tensor dout = o.to(GPU)) {
            CudaBackend.cpu().matmul(a.view(), b.view(), ref.view());
            onDeviceOnly("matmul " + h, () -> backend.matmul(da.view(), dbv.view(), dout.view()));
            try (Tensor back = dout.to(Device.CPU); Tensor af = a.cast(DType.F64); Tensor bf = b.cast(DType.F64);
                 Tensor aa = af.abs(); Tensor ba = bf.abs(); Tensor mag = aa.matmul(ba)) {
                double[] c = cpuValues(ref), g = cpuValues(back), m = cpuValues(mag);
                double eps = h == DType.F16 ? 0x1p-10 : 0x1p-7;
                for (int i = 0; i < c.length; i++) {
                    // one rounding to half of F32 sums taken in different orders (and F32 accumulation error)
                    double tol = eps * Math.abs(c[i]) + 0x1p-20 * m[i];
                    assertTrue(Math.abs(c[i] - g[i]) <= tol, "matmul " + h + " [" + i + "]: cpu " + c[i] + ", gpu " + g[i]);
                }
            }
        }
    }

    @Test
    void gemmExMatmulMatchesTheCpu() {
        for (DType h : HALVES) {
            matmulMatches(h, new long[] {33, 70}, new long[] {70, 19}, new long[] {33, 19}, t -> t.reshape(t.shape()));
            matmulMatches(h, new long[] {4, 16, 64}, new long[] {4, 64, 24}, new long[] {4, 16, 24}, t -> t.reshape(t.shape()));
            // broadcast B over the batch (stride 0)
            matmulMatches(h, new long[] {3, 8, 40}, new long[] {40, 12}, new long[] {3, 8, 12}, t -> t.broadcastTo(3, 40, 12));
        }
        // through the front end (widened to F32, sgemm, rounded back): no fallback either
        try (Tensor a = data(DType.BF16, 20, 30); Tensor b = data(DType.BF16, 30, 10); Tensor da = a.to(GPU); Tensor db = b.to(GPU)) {
            Tensor[] g = new Tensor[1];
            onDeviceOnly("Tensor.matmul BF16", () -> g[0] = da.matmul(db));
            try (Tensor gd = g[0]; Tensor gh = gd.to(Device.CPU); Tensor c = a.matmul(b)) {
                double[] cv = cpuValues(c), gv = cpuValues(gh);
                for (int i = 0; i < cv.length; i++) {
                    assertTrue(Math.abs(cv[i] - gv[i]) <= 0x1p-7 * Math.abs(cv[i]) + 1e-4, "[" + i + "] " + cv[i] + " vs " + gv[i]);
                }
            }
        }
    }
}
