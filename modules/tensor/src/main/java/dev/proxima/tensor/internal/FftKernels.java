package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * CPU kernels behind {@code dev.proxima.tensor.Fft}: batched 1-D transforms along one axis of strided
 * F32 or F64 memory, computed in double precision with {@link FftPlan}.
 *
 * <p>Lines are processed in blocks of {@link FftPlan#batchCap()} lines: each block is copied into
 * interleaved scratch arrays, transformed, and written out scaled. Blocks run in parallel over
 * {@link Parallel} workers; a single block (one long line) lets the plan parallelise internally.
 * Because every block reads all of its input before writing, the output may be the input memory.
 * {@link #register} adapts them to the dispatcher's keys ({@link Kernels#FFT} and the others), whose views
 * may have any strides.
 */
final class FftKernels {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private FftKernels() {
    }

    /**
     * Where the lines of one operand live. Line {@code l} (row-major index over the batch shape, with
     * multi-index {@code i}) starts at element {@code offset + Σ i_d·strides[d]}; its element {@code j} is
     * at {@code start + j·step}, and for complex data the imaginary part is {@code imag} elements further.
     *
     * @param segment the memory (element indices are relative to it)
     * @param dtype   F32 or F64
     * @param offset  element index of the first line's start
     * @param strides per batch dimension, the step between lines in elements
     * @param step    the step between consecutive elements of a line
     * @param imag    offset of the imaginary part from the real part (ignored for real data)
     */
    public record Lines(MemorySegment segment, DType dtype, long offset, long[] strides, long step, long imag) {
    }

    /** Registers the Fourier-transform kernels (the CPU backend's). */
    static void register(KernelRegistry r) {
        r.register(Kernels.FFT, (p, v) -> {
            complex(v[0], v[1], p.axis(), p.inverse(), p.scale());
            return true;
        });
        r.register(Kernels.RFFT, (p, v) -> {
            realForward(v[0], v[1], p.axis(), p.scale());
            return true;
        });
        r.register(Kernels.IRFFT, (p, v) -> {
            realInverse(v[0], v[1], p.axis(), p.scale());
            return true;
        });
        r.register(Kernels.HERMITIAN_FILL, (none, v) -> {
            hermitianFill(v[0], v[1]);
            return true;
        });
    }

    /**
     * The complex FFT along {@code axis} of the complex views src and dst ({@code [..., 2]}, one shape; dst may
     * be src itself): see {@link #complex(long[], Lines, Lines, int, boolean, double)}.
     */
    static void complex(StridedView src, StridedView dst, int axis, boolean inverse, double scale) {
        long[] shape = src.shape();
        int last = shape.length - 1;
        complex(without(shape, axis, last), lines(src, axis, last, src.strides()[last]), lines(dst, axis, last, dst.strides()[last]),
                (int) shape[axis], inverse, scale);
    }

    /** The rfft along {@code axis} of the real view src into the complex view dst. */
    static void realForward(StridedView src, StridedView dst, int axis, double scale) {
        long[] shape = src.shape();
        int last = dst.rank() - 1;
        realForward(without(shape, axis, -1), lines(src, axis, -1, 0), lines(dst, axis, last, dst.strides()[last]),
                (int) shape[axis], scale);
    }

    /** The irfft along {@code axis} of the complex view src into the real view dst, of length {@code dst.shape[axis]}. */
    static void realInverse(StridedView src, StridedView dst, int axis, double scale) {
        long[] shape = src.shape();
        int last = shape.length - 1;
        realInverse(without(shape, axis, last), lines(src, axis, last, src.strides()[last]), lines(dst, axis, -1, 0),
                (int) dst.shape()[axis], scale);
    }

    /** The lines of {@code v} along {@code axis}, with {@code skip} (the complex dimension, or −1) not a batch axis. */
    private static Lines lines(StridedView v, int axis, int skip, long imag) {
        long[] strides = v.strides();
        long[] batch = new long[strides.length - (skip >= 0 && skip < strides.length ? 2 : 1)];
        for (int d = 0, b = 0; d < strides.length; d++) {
            if (d != axis && d != skip) {
                batch[b++] = strides[d];
            }
        }
        return new Lines(v.storage().segment(), v.dtype(), v.offset(), batch, strides[axis], imag);
    }

    /** {@code shape} without dimensions {@code a} and {@code b} ({@code b} may be −1). */
    private static long[] without(long[] shape, int a, int b) {
        long[] out = new long[shape.length - (b >= 0 ? 2 : 1)];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (d != a && d != b) {
                out[k++] = shape[d];
            }
        }
        return out;
    }

    /**
     * {@code out[..., k₀, k₁] = half[..., k₀, k₁]} for {@code k₁ < m = n₁/2 + 1} and
     * {@code conj(half[..., (n₀ − k₀) mod n₀, n₁ − k₁])} above: the full spectrum of real data from its
     * rfft2 (both contiguous, {@code half} of shape [..., n₀, m, 2], {@code out} [..., n₀, n₁, 2]).
     */
    static void hermitianFill(StridedView halfView, StridedView outView) {
        long[] shape = outView.shape();
        int r = shape.length;
        long n0 = shape[r - 3];
        long n1 = shape[r - 2];
        long m = n1 / 2 + 1;
        boolean single = halfView.dtype() == DType.F32;
        long size = halfView.dtype().byteSize();
        long batches = outView.size() / (n0 * n1 * 2);
        if (batches == 0) {
            return;
        }
        MemorySegment h = Views.dense(halfView, "hermitianFill", "half spectrum");
        MemorySegment o = Views.dense(outView, "hermitianFill", "output");
        for (long b = 0; b < batches; b++) {
            for (long k0 = 0; k0 < n0; k0++) {
                long row = (b * n0 + k0) * n1 * 2;
                MemorySegment.copy(h, (b * n0 + k0) * m * 2 * size, o, row * size, m * 2 * size);
                long mirror = (b * n0 + (n0 - k0) % n0) * m * 2;
                for (long k1 = m; k1 < n1; k1++) {
                    long from = mirror + (n1 - k1) * 2;
                    long to = row + k1 * 2;
                    if (single) {
                        o.setAtIndex(F32, to, h.getAtIndex(F32, from));
                        o.setAtIndex(F32, to + 1, -h.getAtIndex(F32, from + 1));
                    } else {
                        o.setAtIndex(F64, to, h.getAtIndex(F64, from));
                        o.setAtIndex(F64, to + 1, -h.getAtIndex(F64, from + 1));
                    }
                }
            }
        }
    }

    /**
     * Complex to complex: {@code out_k = scale · Σ_j in_j e^{∓2πi jk/n}} (minus sign forward, plus
     * sign for {@code inverse}) for every line.
     */
    public static void complex(long[] batch, Lines in, Lines out, int n, boolean inverse, double scale) {
        FftPlan plan = FftPlan.of(n);
        double sign = inverse ? -1 : 1;
        drive(batch, in, out, plan, 0, (a, cnt, ib, ob, parallel) -> {
            gather(in, ib, cnt, in.step(), 0, n, a.re, 1);
            gather(in, ib, cnt, in.step(), in.imag(), n, a.im, sign);
            boolean w = plan.forward(a.re, a.im, a.wre, a.wim, cnt, parallel);
            scatter(out, ob, cnt, out.step(), 0, n, w ? a.wre : a.re, scale);
            scatter(out, ob, cnt, out.step(), out.imag(), n, w ? a.wim : a.im, sign * scale);
        });
    }

    /**
     * Real to complex: the bins {@code k = 0 … n/2} of {@code scale · Σ_j in_j e^{−2πi jk/n}}. An even
     * length runs as a complex FFT of length n/2 on the pairs {@code (in_{2j}, in_{2j+1})}, split into
     * the spectra of even and odd samples afterwards; an odd length runs as a complex FFT of the real data.
     */
    public static void realForward(long[] batch, Lines in, Lines out, int n, double scale) {
        int bins = n / 2 + 1;
        if (n % 2 == 1) {
            FftPlan plan = FftPlan.of(n);
            drive(batch, in, out, plan, 0, (a, cnt, ib, ob, parallel) -> {
                gather(in, ib, cnt, in.step(), 0, n, a.re, 1);
                Arrays.fill(a.im, 0, cnt * n, 0);
                boolean w = plan.forward(a.re, a.im, a.wre, a.wim, cnt, parallel);
                double[] yi = w ? a.wim : a.im;
                Arrays.fill(yi, 0, cnt, 0); // the DC bin of real data is real
                scatter(out, ob, cnt, out.step(), 0, bins, w ? a.wre : a.re, scale);
                scatter(out, ob, cnt, out.step(), out.imag(), bins, yi, scale);
            });
            return;
        }
        int h = n / 2;
        FftPlan plan = FftPlan.of(h);
        double[][] tw = FftPlan.halfTwiddles(n);
        // extra 3: room for the interleaved output halves of splitRealPacked (h + 2 doubles)
        drive(batch, in, out, plan, 3, (a, cnt, ib, ob, parallel) -> {
            if (cnt == 1 && in.dtype() == DType.F64 && in.step() == 1) {
                // contiguous single line: bulk copies, then de-interleave on the heap
                MemorySegment.copy(in.segment(), F64, ib[0] * Double.BYTES, a.wre, 0, h);
                MemorySegment.copy(in.segment(), F64, (ib[0] + h) * Double.BYTES, a.wim, 0, h);
                deinterleave(a.wre, a.wim, a.re, a.im, h);
            } else {
                gather(in, ib, cnt, 2 * in.step(), 0, h, a.re, 1);
                gather(in, ib, cnt, 2 * in.step(), in.step(), h, a.im, 1);
            }
            boolean w = plan.forward(a.re, a.im, a.wre, a.wim, cnt, parallel);
            double[] zr = w ? a.wre : a.re;
            double[] zi = w ? a.wim : a.im;
            double[] xr = w ? a.re : a.wre;
            double[] xi = w ? a.im : a.wim;
            if (cnt == 1 && out.dtype() == DType.F64 && out.step() == 2 && out.imag() == 1) {
                // contiguous interleaved output: bins 0 … h/2 packed in xr, h/2+1 … h in xi, bulk copies
                splitRealPacked(zr, zi, xr, xi, h, tw[0], tw[1], scale);
                int lo = 2 * (h / 2 + 1);
                MemorySegment.copy(xr, 0, out.segment(), F64, ob[0] * Double.BYTES, lo);
                MemorySegment.copy(xi, 0, out.segment(), F64, (ob[0] + lo) * Double.BYTES, 2 * bins - lo);
                return;
            }
            splitReal(zr, zi, xr, xi, cnt, h, tw[0], tw[1]);
            scatter(out, ob, cnt, out.step(), 0, bins, xr, scale);
            scatter(out, ob, cnt, out.step(), out.imag(), bins, xi, scale);
        });
    }

    /**
     * Complex (bins {@code 0 … n/2}) to real of length {@code n}: {@code scale · Σ_k X_k e^{+2πi jk/n}}
     * over the Hermitian extension {@code X_{n−k} = conj(X_k)}. The imaginary parts of bin 0 and (for
     * even n) bin n/2 are ignored, as in NumPy.
     */
    public static void realInverse(long[] batch, Lines in, Lines out, int n, double scale) {
        int bins = n / 2 + 1;
        if (n % 2 == 1) {
            FftPlan plan = FftPlan.of(n);
            drive(batch, in, out, plan, 0, (a, cnt, ib, ob, parallel) -> {
                // conj(Y) for the full Hermitian spectrum Y, so that a forward FFT computes the inverse
                gather(in, ib, cnt, in.step(), 0, bins, a.re, 1);
                gather(in, ib, cnt, in.step(), in.imag(), bins, a.im, -1);
                Arrays.fill(a.im, 0, cnt, 0);
                for (int k = 1; k < bins; k++) {
                    int from = cnt * k;
                    int to = cnt * (n - k);
                    for (int q = 0; q < cnt; q++) {
                        a.re[to + q] = a.re[from + q];
                        a.im[to + q] = -a.im[from + q];
                    }
                }
                boolean w = plan.forward(a.re, a.im, a.wre, a.wim, cnt, parallel);
                scatter(out, ob, cnt, out.step(), 0, n, w ? a.wre : a.re, scale);
            });
            return;
        }
        int h = n / 2;
        FftPlan plan = FftPlan.of(h);
        double[][] tw = FftPlan.halfTwiddles(n);
        drive(batch, in, out, plan, 1, (a, cnt, ib, ob, parallel) -> {
            gather(in, ib, cnt, in.step(), 0, bins, a.wre, 1);
            gather(in, ib, cnt, in.step(), in.imag(), bins, a.wim, 1);
            mergeReal(a.wre, a.wim, a.re, a.im, cnt, h, tw[0], tw[1]);
            boolean w = plan.forward(a.re, a.im, a.wre, a.wim, cnt, parallel);
            scatter(out, ob, cnt, 2 * out.step(), 0, h, w ? a.wre : a.re, scale);
            scatter(out, ob, cnt, 2 * out.step(), out.step(), h, w ? a.wim : a.im, -scale);
        });
    }

    /**
     * From {@code Z = FFT_h(x_even + i·x_odd)} to the real spectrum {@code X_k = E_k + w_n^k O_k},
     * {@code k = 0 … h}, with {@code E_k = (Z_k + conj Z_{h−k})/2} and {@code O_k = (Z_k − conj Z_{h−k})/(2i)}
     * ({@code Z_h = Z_0}). Since {@code E_{h−k} = conj E_k}, {@code O_{h−k} = conj O_k} and
     * {@code w_n^{h−k} = −conj w_n^k}, each pair gives {@code X_{h−k} = conj(E_k − w_n^k O_k)} as well.
     */
    private static void splitReal(double[] zr, double[] zi, double[] xr, double[] xi, int cnt, int h, double[] wr, double[] wi) {
        if (cnt == 1) {
            splitRealLine(zr, zi, xr, xi, h, wr, wi);
            return;
        }
        for (int k = 0; k <= h / 2; k++) {
            int kk = h - k;
            int ka = cnt * k;
            int kb = cnt * (k == 0 ? 0 : kk);
            double c = wr[k];
            double s = wi[k];
            for (int q = 0; q < cnt; q++) {
                double ar = zr[ka + q];
                double ai = zi[ka + q];
                double br = zr[kb + q];
                double bi = -zi[kb + q];
                double er = 0.5 * (ar + br);
                double ei = 0.5 * (ai + bi);
                double or = 0.5 * (ai - bi);
                double oi = -0.5 * (ar - br);
                double pr = c * or - s * oi;
                double pi = c * oi + s * or;
                xr[cnt * kk + q] = er - pr;
                xi[cnt * kk + q] = pi - ei;
                xr[ka + q] = er + pr;
                xi[ka + q] = ei + pi;
            }
        }
        Arrays.fill(xi, 0, cnt, 0);
        Arrays.fill(xi, cnt * h, cnt * h + cnt, 0);
    }

    /** {@code re[j] = x[2j]}, {@code im[j] = x[2j+1]} where {@code x} is {@code a} (h values) followed by {@code b} (h values). */
    private static void deinterleave(double[] a, double[] b, double[] re, double[] im, int h) {
        int half = h / 2;
        for (int j = 0; j < half; j++) {
            re[j] = a[2 * j];
            im[j] = a[2 * j + 1];
        }
        if (h % 2 == 1) {
            // x[h − 1] ends a, x[h] starts b
            re[half] = a[h - 1];
            im[half] = b[0];
            for (int j = half + 1; j < h; j++) {
                re[j] = b[2 * j - h];
                im[j] = b[2 * j + 1 - h];
            }
            return;
        }
        for (int j = half; j < h; j++) {
            re[j] = b[2 * j - h];
            im[j] = b[2 * j + 1 - h];
        }
    }

    /**
     * {@link #splitRealLine} writing {@code scale}·bins as interleaved (re, im) pairs: bins {@code 0 … h/2}
     * to {@code lo[0 … h+1]}, bins {@code h/2+1 … h} to {@code hi[0 … ]}.
     */
    private static void splitRealPacked(double[] zr, double[] zi, double[] lo, double[] hi, int h, double[] wr, double[] wi, double scale) {
        int half = h / 2;
        int base = 2 * (half + 1);
        double f = 0.5 * scale;
        for (int k = 0; k <= half; k++) {
            int kk = h - k;
            int kb = k == 0 ? 0 : kk;
            double ar = zr[k];
            double ai = zi[k];
            double br = zr[kb];
            double bi = -zi[kb];
            double er = f * (ar + br);
            double ei = f * (ai + bi);
            double or = f * (ai - bi);
            double oi = -f * (ar - br);
            double c = wr[k];
            double s = wi[k];
            double pr = c * or - s * oi;
            double pi = c * oi + s * or;
            if (kk > half) {
                hi[2 * kk - base] = er - pr;
                hi[2 * kk + 1 - base] = pi - ei;
            } else {
                lo[2 * kk] = er - pr;
                lo[2 * kk + 1] = pi - ei;
            }
            lo[2 * k] = er + pr;
            lo[2 * k + 1] = ei + pi;
        }
        lo[1] = 0;
        hi[2 * h + 1 - base] = 0; // bin h (> h/2 for h ≥ 1) is real
    }

    /** {@link #splitReal} for a single line. */
    private static void splitRealLine(double[] zr, double[] zi, double[] xr, double[] xi, int h, double[] wr, double[] wi) {
        for (int k = 0; k <= h / 2; k++) {
            int kk = h - k;
            int kb = k == 0 ? 0 : kk;
            double ar = zr[k];
            double ai = zi[k];
            double br = zr[kb];
            double bi = -zi[kb];
            double er = 0.5 * (ar + br);
            double ei = 0.5 * (ai + bi);
            double or = 0.5 * (ai - bi);
            double oi = -0.5 * (ar - br);
            double c = wr[k];
            double s = wi[k];
            double pr = c * or - s * oi;
            double pi = c * oi + s * or;
            xr[kk] = er - pr;
            xi[kk] = pi - ei;
            xr[k] = er + pr;
            xi[k] = ei + pi;
        }
        xi[0] = 0;
        xi[h] = 0;
    }

    /**
     * The inverse of {@link #splitReal}, conjugated: from bins {@code X_0 … X_h} to
     * {@code conj(Z'_k)}, {@code Z'_k = S_k + i·T_k}, {@code k < h}, with {@code S_k = X_k + conj X_{h−k}}
     * ({@code = 2E_k}) and {@code T_k = conj(w_n^k)·(X_k − conj X_{h−k})} ({@code = 2O_k}); the forward FFT
     * of the result is the conjugate of the unscaled inverse transform of {@code x_even + i·x_odd}.
     * The pair {@code h−k} has {@code S_{h−k} = conj S_k}, {@code T_{h−k} = conj T_k}. Imaginary parts of
     * {@code X_0} and {@code X_h} are dropped.
     */
    private static void mergeReal(double[] xr, double[] xi, double[] zr, double[] zi, int cnt, int h, double[] wr, double[] wi) {
        Arrays.fill(xi, 0, cnt, 0);
        Arrays.fill(xi, cnt * h, cnt * h + cnt, 0);
        for (int k = 0; k <= h / 2; k++) {
            int kk = h - k;
            int ka = cnt * k;
            int kb = cnt * kk;
            double c = wr[k];
            double s = wi[k];
            for (int q = 0; q < cnt; q++) {
                double ar = xr[ka + q];
                double ai = xi[ka + q];
                double br = xr[kb + q];
                double bi = -xi[kb + q];
                double sr = ar + br;
                double si = ai + bi;
                double dr = ar - br;
                double di = ai - bi;
                double tr = c * dr + s * di;
                double ti = c * di - s * dr;
                if (kk < h) {
                    zr[kb + q] = sr + ti;
                    zi[kb + q] = si - tr;
                }
                zr[ka + q] = sr - ti;
                zi[ka + q] = -(si + tr);
            }
        }
    }

    // ------------------------------------------------------------------ driver

    /** Scratch arrays of one worker (at least as long as asked, contents arbitrary). */
    private static final class Arrays4 {
        final double[] re;
        final double[] im;
        final double[] wre;
        final double[] wim;

        Arrays4(int size) {
            double[][] a = FftScratch.four(FftScratch.Slot.LINES, size);
            re = a[0];
            im = a[1];
            wre = a[2];
            wim = a[3];
        }
    }

    @FunctionalInterface
    private interface Block {
        void run(Arrays4 a, int count, long[] inStarts, long[] outStarts, boolean parallel);
    }

    /**
     * Runs {@code body} over blocks of lines; scratch arrays hold {@code plan.n + extra} elements per line.
     */
    private static void drive(long[] batch, Lines in, Lines out, FftPlan plan, int extra, Block body) {
        long lines = 1;
        for (long d : batch) {
            lines *= d;
        }
        if (lines == 0) {
            return;
        }
        long total = lines;
        int cap = (int) Math.min(plan.batchCap(), lines);
        long blocks = (lines + cap - 1) / cap;
        boolean inner = blocks == 1;
        int perLine = plan.n + extra;
        int cost = (int) Math.min(Integer.MAX_VALUE, 8L * cap * perLine);
        Parallel.RangeBody range = (b0, b1) -> {
            Arrays4 a = new Arrays4(cap * perLine);
            long[] ib = new long[cap];
            long[] ob = new long[cap];
            for (long b = b0; b < b1; b++) {
                long l0 = b * cap;
                int cnt = (int) Math.min(cap, total - l0);
                starts(batch, in, l0, cnt, ib);
                starts(batch, out, l0, cnt, ob);
                body.run(a, cnt, ib, ob, inner);
            }
        };
        if (blocks == 1) {
            range.run(0, 1);
        } else {
            Parallel.forRange(blocks, cost, range);
        }
    }

    /** The starts of lines {@code l0 … l0+cnt−1}. */
    private static void starts(long[] batch, Lines lines, long l0, int cnt, long[] dst) {
        int rank = batch.length;
        long[] idx = new long[rank];
        long rest = l0;
        long start = lines.offset();
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = rest % batch[d];
            rest /= batch[d];
            start += idx[d] * lines.strides()[d];
        }
        for (int q = 0; q < cnt; q++) {
            dst[q] = start;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                start += lines.strides()[d];
                if (idx[d] < batch[d]) {
                    break;
                }
                start -= idx[d] * lines.strides()[d];
                idx[d] = 0;
            }
        }
    }

    /**
     * {@code dst[q + cnt·j] = factor · element(start[q] + j·step + shift)} for {@code j < len}; walks
     * memory line by line or across lines, whichever is closer to sequential.
     */
    private static void gather(Lines src, long[] start, int cnt, long step, long shift, int len, double[] dst, double factor) {
        MemorySegment s = src.segment();
        boolean f32 = src.dtype() == DType.F32;
        if (acrossLines(start, cnt, step)) {
            for (int j = 0; j < len; j++) {
                int o = cnt * j;
                long at = j * step + shift;
                for (int q = 0; q < cnt; q++) {
                    dst[o + q] = factor * (f32 ? s.getAtIndex(F32, start[q] + at) : s.getAtIndex(F64, start[q] + at));
                }
            }
        } else if (f32) {
            for (int q = 0; q < cnt; q++) {
                long at = start[q] + shift;
                for (int j = 0; j < len; j++) {
                    dst[q + cnt * j] = factor * s.getAtIndex(F32, at + j * step);
                }
            }
        } else {
            for (int q = 0; q < cnt; q++) {
                long at = start[q] + shift;
                for (int j = 0; j < len; j++) {
                    dst[q + cnt * j] = factor * s.getAtIndex(F64, at + j * step);
                }
            }
        }
    }

    /** {@code element(start[q] + k·step + shift) = factor · src[q + cnt·k]} for {@code k < len}. */
    private static void scatter(Lines dst, long[] start, int cnt, long step, long shift, int len, double[] src, double factor) {
        MemorySegment s = dst.segment();
        boolean f32 = dst.dtype() == DType.F32;
        if (acrossLines(start, cnt, step)) {
            for (int k = 0; k < len; k++) {
                int o = cnt * k;
                long at = k * step + shift;
                for (int q = 0; q < cnt; q++) {
                    double v = factor * src[o + q];
                    if (f32) {
                        s.setAtIndex(F32, start[q] + at, (float) v);
                    } else {
                        s.setAtIndex(F64, start[q] + at, v);
                    }
                }
            }
        } else if (f32) {
            for (int q = 0; q < cnt; q++) {
                long at = start[q] + shift;
                for (int k = 0; k < len; k++) {
                    s.setAtIndex(F32, at + k * step, (float) (factor * src[q + cnt * k]));
                }
            }
        } else {
            for (int q = 0; q < cnt; q++) {
                long at = start[q] + shift;
                for (int k = 0; k < len; k++) {
                    s.setAtIndex(F64, at + k * step, factor * src[q + cnt * k]);
                }
            }
        }
    }

    /** True when consecutive lines are closer together in memory than consecutive elements of a line. */
    private static boolean acrossLines(long[] start, int cnt, long step) {
        return cnt > 1 && Math.abs(start[1] - start[0]) < Math.abs(step);
    }
}
