package dev.proxima.tensor.internal;

import dev.proxima.blas.Cblas;
import dev.proxima.tensor.Conv;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

/**
 * Kernels behind {@code dev.proxima.tensor.Conv}: im2col/col2im + BLAS gemm for (transposed)
 * convolutions, direct loops for pooling, resizing and same-size correlation.
 *
 * <p>Every kernel reads and writes dense row-major (NCHW) data given as a segment whose element 0 is
 * the tensor's first element; the front end has validated shapes and parameters, converted operands to
 * one floating type ({@code f32} true for F32, false for F64) and allocated the output. {@link #register}
 * adapts them to the dispatcher's keys ({@link Kernels#CONV2D} and the others), which hand over contiguous
 * views.
 */
final class ConvKernels {

    private ConvKernels() {
    }

    /**
     * The geometry of a grouped 2-D convolution: input {@code n×c×h×w}, weight {@code o×(c/groups)×kh×kw},
     * output {@code n×o×ho×wo}. Every product the kernels form in {@code int} was checked by the front end.
     */
    public record Geometry(int n, int c, int h, int w, int o, int kh, int kw,
                           int sh, int sw, int ph, int pw, int dh, int dw, int groups, int ho, int wo) {
        int cg() {
            return c / groups;
        }

        int og() {
            return o / groups;
        }

        /** Rows of the patch matrix: (c/groups)·kh·kw. */
        int k() {
            return cg() * kh * kw;
        }

        /** Output positions per image: ho·wo. */
        int p() {
            return ho * wo;
        }

        /** Input positions per image: h·w. */
        int q() {
            return h * w;
        }

        /** A 1×1 kernel at stride 1 without padding: the input plane is already the patch matrix. */
        boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
        }
    }

    // =========================================================================== kernels on views

    /** Registers the convolution, pooling, resizing and correlation kernels (the CPU backend's). */
    static void register(KernelRegistry r) {
        r.register(Kernels.CONV2D, (p, v) -> {
            long[] xs = v[0].shape(), ws = v[1].shape(), os = v[3].shape();
            Geometry g = geometry(p, xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], os[2], os[3]);
            conv2d(dense(v[0], "conv2d", "input"), dense(v[1], "conv2d", "weight"), bias(v[2], "conv2d"),
                    dense(v[3], "conv2d", "output"), f32(v[3], "conv2d"), g);
            return true;
        });
        r.register(Kernels.CONV_TRANSPOSE2D, (p, v) -> {
            // the forward convolution this is the adjoint of maps the output images to the input ones
            long[] xs = v[0].shape(), ws = v[1].shape(), os = v[3].shape();
            Geometry g = geometry(p, xs[0], os[1], os[2], os[3], xs[1], ws[2], ws[3], xs[2], xs[3]);
            String k = "convTranspose2d";
            convTranspose2d(dense(v[0], k, "input"), dense(v[1], k, "weight"), bias(v[2], k), dense(v[3], k, "output"),
                    f32(v[3], k), g);
            return true;
        });
        r.register(Kernels.MAX_POOL2D, (p, v) -> {
            pool("maxPool2d", v[0], v[1], p, true, false);
            return true;
        });
        r.register(Kernels.AVG_POOL2D, (p, v) -> {
            pool("avgPool2d", v[0], v[1], p.window(), false, p.countIncludePad());
            return true;
        });
        r.register(Kernels.MAX_POOL2D_BACKWARD, (p, v) -> {
            maxPool2dBackward(v[0], v[1], v[2], p);
            return true;
        });
        r.register(Kernels.RESIZE, (p, v) -> {
            resize(v[0], v[1], p.mode() == Conv.Mode.BILINEAR, p.alignCorners());
            return true;
        });
        r.register(Kernels.CORRELATE2D, (boundary, v) -> {
            correlate2d(v[0], v[1], v[2], boundary);
            return true;
        });
    }

    /** Max ({@code max}) or average pooling of the [N, C, H, W] view x into out. */
    private static void pool(String kernel, StridedView x, StridedView out, Kernels.Pooling p, boolean max, boolean countIncludePad) {
        if (out.size() == 0) {
            return;
        }
        long[] xs = x.shape(), os = out.shape();
        MemorySegment in = dense(x, kernel, "input");
        MemorySegment o = dense(out, kernel, "output");
        boolean f32 = f32(out, kernel);
        if (max) {
            maxPool2d(in, o, f32, xs[0] * xs[1], (int) xs[2], (int) xs[3], p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                    p.padH(), p.padW(), (int) os[2], (int) os[3]);
        } else {
            avgPool2d(in, o, f32, xs[0] * xs[1], (int) xs[2], (int) xs[3], p.kernelH(), p.kernelW(), p.strideH(), p.strideW(),
                    p.padH(), p.padW(), (int) os[2], (int) os[3], countIncludePad);
        }
    }

    /** gx := zeros, then each gradient of g added at its window's winner in x (see {@link Kernels#MAX_POOL2D_BACKWARD}). */
    private static void maxPool2dBackward(StridedView x, StridedView g, StridedView gx, Kernels.Pooling p) {
        String kernel = "maxPool2dBackward";
        MemorySegment out = dense(gx, kernel, "input gradient");
        out.fill((byte) 0);
        if (gx.size() == 0) {
            return;
        }
        long[] xs = x.shape(), gs = g.shape();
        maxPool2dBackward(dense(x, kernel, "input"), dense(g, kernel, "output gradient"), out, f32(gx, kernel), xs[0] * xs[1],
                (int) xs[2], (int) xs[3], p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                (int) gs[2], (int) gs[3]);
    }

    /** Nearest or bilinear resize of the [N, C, H, W] view x into out. */
    private static void resize(StridedView x, StridedView out, boolean bilinear, boolean alignCorners) {
        if (out.size() == 0) {
            return;
        }
        long[] xs = x.shape(), os = out.shape();
        MemorySegment in = dense(x, "resize", "input");
        MemorySegment o = dense(out, "resize", "output");
        boolean f32 = f32(out, "resize");
        if (bilinear) {
            resizeBilinear(in, o, f32, xs[0] * xs[1], (int) xs[2], (int) xs[3], (int) os[2], (int) os[3], alignCorners);
        } else {
            resizeNearest(in, o, f32, xs[0] * xs[1], (int) xs[2], (int) xs[3], (int) os[2], (int) os[3]);
        }
    }

    /** Same-size correlation of every plane of the [..., H, W] view image with the F64 [kH, kW] kernel, into out. */
    private static void correlate2d(StridedView image, StridedView kernel, StridedView out, Conv.Boundary boundary) {
        if (out.size() == 0) {
            return;
        }
        if (kernel.dtype() != DType.F64) {
            throw new IllegalArgumentException("correlate2d reads an F64 kernel, got " + kernel.dtype());
        }
        long[] xs = image.shape(), ks = kernel.shape();
        long h = xs[xs.length - 2], w = xs[xs.length - 1];
        double[] taps = dense(kernel, "correlate2d", "kernel").toArray(JAVA_DOUBLE);
        int code = switch (boundary) {
            case ZERO -> ZERO;
            case REFLECT -> REFLECT;
            case REPLICATE -> REPLICATE;
            case CIRCULAR -> CIRCULAR;
        };
        correlate2d(dense(image, "correlate2d", "image"), dense(out, "correlate2d", "output"), f32(out, "correlate2d"),
                out.size() / (h * w), (int) h, (int) w, taps, (int) ks[0], (int) ks[1], code);
    }

    /** The geometry of a convolution from its extents (checked to fit {@code int} by the front end) and parameters. */
    private static Geometry geometry(Kernels.Convolution p, long n, long c, long h, long w, long o, long kh, long kw,
                                     long ho, long wo) {
        return new Geometry((int) n, (int) c, (int) h, (int) w, (int) o, (int) kh, (int) kw, p.strideH(), p.strideW(),
                p.padH(), p.padW(), p.dilationH(), p.dilationW(), p.groups(), (int) ho, (int) wo);
    }

    private static MemorySegment dense(StridedView v, String kernel, String what) {
        return Views.dense(v, kernel, what);
    }

    private static MemorySegment bias(StridedView bias, String kernel) {
        return bias == null ? null : Views.dense(bias, kernel, "bias");
    }

    /** True for F32 data, false for F64; any other dtype (the kernels have no code for it) is an error. */
    private static boolean f32(StridedView v, String kernel) {
        if (v.dtype() != DType.F32 && v.dtype() != DType.F64) {
            throw new IllegalArgumentException(kernel + " computes F32 or F64 data, got " + v.dtype());
        }
        return v.dtype() == DType.F32;
    }

    // =========================================================================== convolution

    /** Patch-matrix columns worth batching several images into one gemm for (measured: P = 64 gained ~1.7×). */
    static final int TARGET_COLUMNS = 512;
    /** The most bytes of patch matrix one worker fills before its gemm (a few images' worth stays in cache). */
    static final long COLUMN_BUDGET = 4L << 20;

    /**
     * out = conv2d(x, weight) + bias. {@code bias} may be null.
     *
     * <p>With at least as many images as worker threads, the batch is split over the workers and each
     * runs single-threaded gemms ({@link BlasThreads}); otherwise images go one after another and each
     * gemm uses OpenBLAS's threads. Workers take the next chunk of images from a shared counter, so one
     * slowed down by other load on the machine takes fewer. A worker unfolds {@code b} images side by side into one patch matrix
     * (im2col) and multiplies it by each group's weights in one gemm: {@code b = 1} (writing straight
     * into the output) unless an image has fewer than {@link #TARGET_COLUMNS} output positions, then as
     * many images as reach that width within {@link #COLUMN_BUDGET} bytes.
     */
    public static void conv2d(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                              boolean f32, Geometry g) {
        if (g.n() == 0) {
            return;
        }
        if (winograd(f32, g)) {
            conv2dWinograd(x, weight, bias, out, g);
            return;
        }
        int es = f32 ? 4 : 8;
        int threads = Parallel.threads();
        boolean splitBatch = threads > 1 && g.n() >= threads;
        int perWorker = splitBatch ? (g.n() + threads - 1) / threads : g.n();
        int b = g.pointwise() ? 1 : chunkSize(g, es, perWorker);
        long chunks = (g.n() + b - 1) / b;
        double work = (double) b * g.o() * g.k() * g.p(); // multiply-adds per chunk
        AtomicLong next = new AtomicLong();
        long workers = Math.min(threads, chunks);
        Runnable all = () -> Parallel.forRange(workers, costOf(work * chunks / workers), (start, end) -> {
            HostStorage col = g.pointwise() ? null : HostStorage.allocate((long) g.k() * g.p() * b * es);
            HostStorage tmp = b == 1 ? null : HostStorage.allocate((long) g.og() * g.p() * b * es);
            try {
                for (long c; (c = next.getAndIncrement()) < chunks; ) {
                    if (b == 1) {
                        convImage(x, weight, bias, out, col == null ? null : col.segment(), f32, g, c);
                    } else {
                        int n0 = (int) (c * b);
                        convChunk(x, weight, bias, out, col.segment(), tmp.segment(), f32, g, n0, Math.min(b, g.n() - n0));
                    }
                }
            } finally {
                if (col != null) {
                    col.release();
                }
                if (tmp != null) {
                    tmp.release();
                }
            }
        });
        if (splitBatch) {
            BlasThreads.singleThreaded(all);
        } else {
            all.run();
        }
    }

    // =========================================================================== Winograd F(2×2, 3×3)

    /** Tile columns a Winograd chunk aims for (several images' tiles side by side in each gemm). */
    static final int WINOGRAD_TILES = 512; // 256, 512 and 1024 measured the same on the benchmark shape
    private static final boolean WINOGRAD_ENABLED = !"false".equals(System.getProperty("proxima.conv.winograd"));

    /** The most bytes of transformed input and gemm output one worker holds for a chunk. */
    static final long WINOGRAD_BUDGET = 16L << 20;

    /**
     * Whether {@link #conv2d} takes the Winograd F(2×2, 3×3) path (Lavin &amp; Gray 2016): F32, a 3×3
     * kernel at stride 1 and dilation 1, one group, padding at most 1 per side, and enough channels that
     * the 16 small gemms pay for the transforms. System property {@code proxima.conv.winograd=false} turns
     * the path off (for comparisons); results agree with the im2col path to F32 rounding.
     */
    static boolean winograd(boolean f32, Geometry g) {
        return f32 && g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1
                && g.groups() == 1 && g.ph() <= 1 && g.pw() <= 1 && g.ho() >= 1 && g.wo() >= 1
                && g.c() >= 16 && g.o() >= 16 && WINOGRAD_ENABLED;
    }

    /**
     * conv2d by Winograd F(2×2, 3×3): the weights transformed once (U = G g Gᵀ, 16 matrices o×c), each
     * worker transforms the 4×4 input tiles of a chunk of images (V = Bᵀ d B, 16 matrices c×tiles), runs
     * one gemm per transform position (M = U·V) and transforms back (Y = Aᵀ M A, one 2×2 output tile each).
     */
    private static void conv2dWinograd(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                                       Geometry g) {
        int n = g.n(), c = g.c(), o = g.o(), h = g.h(), w = g.w(), ho = g.ho(), wo = g.wo();
        int th = (ho + 1) / 2, tw = (wo + 1) / 2, tiles = th * tw;
        // U[pos][o][c]
        float[] gw = new float[o * c * 9];
        MemorySegment.copy(weight, JAVA_FLOAT, 0, gw, 0, gw.length);
        float[] u = new float[16 * o * c];
        long oc = (long) o * c;
        double[] t = new double[12];
        for (int k = 0; k < o * c; k++) {
            int at = k * 9;
            for (int j = 0; j < 3; j++) { // G·g: 4×3
                double g0 = gw[at + j], g1 = gw[at + 3 + j], g2 = gw[at + 6 + j];
                t[j] = g0;
                t[3 + j] = 0.5 * (g0 + g1 + g2);
                t[6 + j] = 0.5 * (g0 - g1 + g2);
                t[9 + j] = g2;
            }
            for (int i = 0; i < 4; i++) { // (G·g)·Gᵀ: 4×4
                double g0 = t[3 * i], g1 = t[3 * i + 1], g2 = t[3 * i + 2];
                u[(int) ((4 * i) * oc) + k] = (float) g0;
                u[(int) ((4 * i + 1) * oc) + k] = (float) (0.5 * (g0 + g1 + g2));
                u[(int) ((4 * i + 2) * oc) + k] = (float) (0.5 * (g0 - g1 + g2));
                u[(int) ((4 * i + 3) * oc) + k] = (float) g2;
            }
        }
        float[] bv = null;
        if (bias != null) {
            bv = new float[o];
            MemorySegment.copy(bias, JAVA_FLOAT, 0, bv, 0, o);
        }
        float[] biasValues = bv;
        HostStorage uStore = HostStorage.allocate(u.length * 4L);
        try {
            MemorySegment us = uStore.segment();
            MemorySegment.copy(u, 0, us, JAVA_FLOAT, 0, u.length);
            int threads = Parallel.threads();
            boolean splitBatch = threads > 1 && n >= threads;
            int perWorker = splitBatch ? (n + threads - 1) / threads : n;
            long perImageBytes = 16L * (c + o) * tiles * 4;
            int b = (int) Math.max(1, Math.min(perWorker, Math.min((WINOGRAD_TILES + tiles - 1) / tiles,
                    WINOGRAD_BUDGET / perImageBytes)));
            long chunks = (n + b - 1) / b;
            double work = (double) b * o * c * tiles * 16;
            AtomicLong next = new AtomicLong();
            long workers = Math.min(threads, chunks);
            Runnable all = () -> Parallel.forRange(workers, costOf(work * chunks / workers), (start, end) -> {
                int cols = b * tiles;
                // Each transform position's matrix 16 floats past a multiple of 4 KiB from the previous one, so
                // the 16 streams a tile transform writes do not share cache sets.
                int vStride = c * cols + 16, mStride = o * cols + 16;
                HostStorage vs = HostStorage.allocate(16L * vStride * 4);
                HostStorage ms = HostStorage.allocate(16L * mStride * 4);
                try {
                    MemorySegment vseg = vs.segment(), mseg = ms.segment();
                    int hp = 2 * th + 2, wp = 2 * tw + 2;
                    float[] pad = new float[hp * wp];
                    float[] plane = new float[ho * wo];
                    for (long ch; (ch = next.getAndIncrement()) < chunks; ) {
                        int n0 = (int) (ch * b), nb = Math.min(b, n - n0);
                        int used = nb * tiles;
                        for (int i = 0; i < nb; i++) {
                            for (int ci = 0; ci < c; ci++) {
                                loadPadded(x, ((long) (n0 + i) * c + ci) * h * w, h, w, g.ph(), g.pw(), pad, hp, wp);
                                inputTransform(pad, wp, th, tw, vseg, ci * cols + i * tiles, vStride);
                            }
                        }
                        for (int pos = 0; pos < 16; pos++) {
                            gemm(true, false, o, used, c, us, pos * oc, c, vseg, (long) pos * vStride, cols,
                                    0, mseg, (long) pos * mStride, cols);
                        }
                        for (int i = 0; i < nb; i++) {
                            for (int oi = 0; oi < o; oi++) {
                                outputTransform(mseg, oi * cols + i * tiles, mStride, th, tw, ho, wo,
                                        biasValues == null ? 0f : biasValues[oi], plane);
                                MemorySegment.copy(plane, 0, out, JAVA_FLOAT, ((long) (n0 + i) * o + oi) * ho * wo * 4,
                                        ho * wo);
                            }
                        }
                    }
                } finally {
                    vs.release();
                    ms.release();
                }
            });
            if (splitBatch) {
                BlasThreads.singleThreaded(all);
            } else {
                all.run();
            }
        } finally {
            uStore.release();
        }
    }

    /** One h×w plane of x at element {@code src} into {@code pad} (hp×wp) at (ph, pw), zeros around. */
    private static void loadPadded(MemorySegment x, long src, int h, int w, int ph, int pw, float[] pad, int hp, int wp) {
        java.util.Arrays.fill(pad, 0f);
        int rows = Math.min(h, hp - ph), cols = Math.min(w, wp - pw);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(x, JAVA_FLOAT, (src + (long) r * w) * 4, pad, (r + ph) * wp + pw, cols);
        }
    }

    /**
     * V = Bᵀ d B for every 4×4 tile (stride 2) of the padded plane: tile (ti, tj)'s 16 values go to
     * {@code v[pos·posStride + at + ti·tw + tj]}.
     */
    private static void inputTransform(float[] pad, int wp, int th, int tw, MemorySegment v, long at, long posStride) {
        for (int ti = 0; ti < th; ti++) {
            for (int tj = 0; tj < tw; tj++) {
                int r0 = 2 * ti * wp + 2 * tj, r1 = r0 + wp, r2 = r1 + wp, r3 = r2 + wp;
                // columns: Bᵀ·d (rows combined)
                float a0 = pad[r0] - pad[r2], a1 = pad[r0 + 1] - pad[r2 + 1], a2 = pad[r0 + 2] - pad[r2 + 2], a3 = pad[r0 + 3] - pad[r2 + 3];
                float b0 = pad[r1] + pad[r2], b1 = pad[r1 + 1] + pad[r2 + 1], b2 = pad[r1 + 2] + pad[r2 + 2], b3 = pad[r1 + 3] + pad[r2 + 3];
                float c0 = pad[r2] - pad[r1], c1 = pad[r2 + 1] - pad[r1 + 1], c2 = pad[r2 + 2] - pad[r1 + 2], c3 = pad[r2 + 3] - pad[r1 + 3];
                float d0 = pad[r1] - pad[r3], d1 = pad[r1 + 1] - pad[r3 + 1], d2 = pad[r1 + 2] - pad[r3 + 2], d3 = pad[r1 + 3] - pad[r3 + 3];
                long k = at + ti * tw + tj;
                v.setAtIndex(JAVA_FLOAT, k, a0 - a2);
                v.setAtIndex(JAVA_FLOAT, k + posStride, a1 + a2);
                v.setAtIndex(JAVA_FLOAT, k + 2 * posStride, a2 - a1);
                v.setAtIndex(JAVA_FLOAT, k + 3 * posStride, a1 - a3);
                v.setAtIndex(JAVA_FLOAT, k + 4 * posStride, b0 - b2);
                v.setAtIndex(JAVA_FLOAT, k + 5 * posStride, b1 + b2);
                v.setAtIndex(JAVA_FLOAT, k + 6 * posStride, b2 - b1);
                v.setAtIndex(JAVA_FLOAT, k + 7 * posStride, b1 - b3);
                v.setAtIndex(JAVA_FLOAT, k + 8 * posStride, c0 - c2);
                v.setAtIndex(JAVA_FLOAT, k + 9 * posStride, c1 + c2);
                v.setAtIndex(JAVA_FLOAT, k + 10 * posStride, c2 - c1);
                v.setAtIndex(JAVA_FLOAT, k + 11 * posStride, c1 - c3);
                v.setAtIndex(JAVA_FLOAT, k + 12 * posStride, d0 - d2);
                v.setAtIndex(JAVA_FLOAT, k + 13 * posStride, d1 + d2);
                v.setAtIndex(JAVA_FLOAT, k + 14 * posStride, d2 - d1);
                v.setAtIndex(JAVA_FLOAT, k + 15 * posStride, d1 - d3);
            }
        }
    }

    /** Y = Aᵀ M A + bias for every tile of one output plane (ho×wo into {@code plane}); M as V above. */
    private static void outputTransform(MemorySegment m, long at, long posStride, int th, int tw, int ho, int wo, float bias,
                                        float[] plane) {
        for (int ti = 0; ti < th; ti++) {
            for (int tj = 0; tj < tw; tj++) {
                long k = at + ti * tw + tj;
                float m0 = m.getAtIndex(JAVA_FLOAT, k), m1 = m.getAtIndex(JAVA_FLOAT, k + posStride), m2 = m.getAtIndex(JAVA_FLOAT, k + 2 * posStride), m3 = m.getAtIndex(JAVA_FLOAT, k + 3 * posStride);
                float m4 = m.getAtIndex(JAVA_FLOAT, k + 4 * posStride), m5 = m.getAtIndex(JAVA_FLOAT, k + 5 * posStride), m6 = m.getAtIndex(JAVA_FLOAT, k + 6 * posStride), m7 = m.getAtIndex(JAVA_FLOAT, k + 7 * posStride);
                float m8 = m.getAtIndex(JAVA_FLOAT, k + 8 * posStride), m9 = m.getAtIndex(JAVA_FLOAT, k + 9 * posStride), m10 = m.getAtIndex(JAVA_FLOAT, k + 10 * posStride), m11 = m.getAtIndex(JAVA_FLOAT, k + 11 * posStride);
                float m12 = m.getAtIndex(JAVA_FLOAT, k + 12 * posStride), m13 = m.getAtIndex(JAVA_FLOAT, k + 13 * posStride), m14 = m.getAtIndex(JAVA_FLOAT, k + 14 * posStride), m15 = m.getAtIndex(JAVA_FLOAT, k + 15 * posStride);
                // Aᵀ·M: 2×4
                float p0 = m0 + m4 + m8, p1 = m1 + m5 + m9, p2 = m2 + m6 + m10, p3 = m3 + m7 + m11;
                float q0 = m4 - m8 - m12, q1 = m5 - m9 - m13, q2 = m6 - m10 - m14, q3 = m7 - m11 - m15;
                int r = 2 * ti, cc = 2 * tj;
                int at0 = r * wo + cc;
                plane[at0] = p0 + p1 + p2 + bias;
                if (cc + 1 < wo) {
                    plane[at0 + 1] = p1 - p2 - p3 + bias;
                }
                if (r + 1 < ho) {
                    plane[at0 + wo] = q0 + q1 + q2 + bias;
                    if (cc + 1 < wo) {
                        plane[at0 + wo + 1] = q1 - q2 - q3 + bias;
                    }
                }
            }
        }
    }

    /** Images per gemm: see {@link #conv2d}. */
    static int chunkSize(Geometry g, int es, int most) {
        long colBytes = (long) g.k() * g.p() * es;
        long byWidth = (TARGET_COLUMNS + g.p() - 1) / g.p();
        long byBytes = Math.max(1, COLUMN_BUDGET / colBytes);
        return (int) Math.max(1, Math.min(most, Math.min(byWidth, byBytes)));
    }

    private static void convImage(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                                  MemorySegment col, boolean f32, Geometry g, long img) {
        int cg = g.cg(), og = g.og(), k = g.k(), p = g.p();
        long q = g.q();
        long outImage = img * g.o() * (long) p;
        if (bias != null) {
            fillRows(out, outImage, bias, 0, g.o(), p, f32);
        }
        for (int grp = 0; grp < g.groups(); grp++) {
            long xOff = (img * g.c() + (long) grp * cg) * q;
            MemorySegment b;
            long bOff;
            if (col == null) {
                b = x;
                bOff = xOff;
            } else {
                im2col(x, xOff, cg, g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(),
                        g.ho(), g.wo(), col, 0, p, f32);
                b = col;
                bOff = 0;
            }
            gemm(f32, false, og, p, k, weight, (long) grp * og * k, k, b, bOff, p,
                    bias != null ? 1 : 0, out, outImage + (long) grp * og * p, p);
        }
    }

    /**
     * Images {@code n0 … n0 + nb − 1}: per group, their patch matrices side by side in {@code col}
     * (k × nb·p), one gemm into {@code tmp} (og × nb·p), then each image's block copied to the output.
     */
    private static void convChunk(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                                  MemorySegment col, MemorySegment tmp, boolean f32, Geometry g, int n0, int nb) {
        int k = g.k(), p = g.p(), og = g.og(), cg = g.cg();
        long q = g.q();
        int cols = nb * p;
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int i = 0; i < nb; i++) {
                im2col(x, ((long) (n0 + i) * g.c() + (long) grp * cg) * q, cg, g.h(), g.w(), g.kh(), g.kw(),
                        g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(), g.ho(), g.wo(), col, (long) i * p, cols, f32);
            }
            if (bias != null) {
                fillRows(tmp, 0, bias, (long) grp * og, og, cols, f32);
            }
            gemm(f32, false, og, cols, k, weight, (long) grp * og * k, k, col, 0, cols, bias != null ? 1 : 0, tmp, 0, cols);
            for (int i = 0; i < nb; i++) {
                for (int o = 0; o < og; o++) {
                    long dst = ((long) (n0 + i) * g.o() + (long) grp * og + o) * p;
                    copy(tmp, (long) o * cols + (long) i * p, out, dst, p, f32);
                }
            }
        }
    }

    /**
     * out = convTranspose2d(x, weight) + bias, where {@code g} describes the <em>forward</em> convolution
     * that maps out's images (h×w, {@code g.c()} = output channels) to x's (ho×wo, {@code g.o()} = input
     * channels); weight is {@code o × (c/groups) × kh × kw}. Per image and group one gemm forms the
     * columns Wᵀ·x, which col2im adds into the output. The batch is split over the workers as in
     * {@link #conv2d}.
     */
    public static void convTranspose2d(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                                       boolean f32, Geometry g) {
        if (g.n() == 0) {
            return;
        }
        long p = g.p();
        double perImage = (double) g.o() * g.k() * p;
        int threads = Parallel.threads();
        AtomicLong next = new AtomicLong();
        long workers = Math.min(threads, g.n());
        Runnable all = () -> Parallel.forRange(workers, costOf(perImage * g.n() / workers), (start, end) -> {
            HostStorage scratch = HostStorage.allocate((long) g.k() * p * (f32 ? 4 : 8));
            try {
                MemorySegment col = scratch.segment();
                for (long img; (img = next.getAndIncrement()) < g.n(); ) {
                    transposeImage(x, weight, bias, out, col, f32, g, img);
                }
            } finally {
                scratch.release();
            }
        });
        if (threads > 1 && g.n() >= threads) {
            BlasThreads.singleThreaded(all);
        } else {
            all.run();
        }
    }

    private static void transposeImage(MemorySegment x, MemorySegment weight, MemorySegment bias, MemorySegment out,
                                       MemorySegment col, boolean f32, Geometry g, long img) {
        int cg = g.cg(), og = g.og(), k = g.k(), p = g.p();
        long q = g.q();
        long outImage = img * g.c() * q;
        if (bias != null) {
            fillRows(out, outImage, bias, 0, g.c(), q, f32);
        } else {
            zero(out, outImage, g.c() * q, f32);
        }
        for (int grp = 0; grp < g.groups(); grp++) {
            // col (k × p) = W_gᵀ (k × og) · x_g (og × p); W_g is stored og × k.
            gemm(f32, true, k, p, og, weight, (long) grp * og * k, k, x, (img * g.o() + (long) grp * og) * p, p,
                    0, col, 0, p);
            col2im(col, 0, p, cg, g.h(), g.w(), g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.dh(), g.dw(),
                    g.ho(), g.wo(), out, outImage + (long) grp * cg * q, f32);
        }
    }

    /** A per-element cost for {@link Parallel#forRange}, saturated to the int range. */
    private static int costOf(double work) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, work));
    }

    /** dst[base + r·len + i] = values[first + r] for r < rows, i < len. */
    private static void fillRows(MemorySegment dst, long base, MemorySegment values, long first, int rows, long len,
                                 boolean f32) {
        for (int r = 0; r < rows; r++) {
            long at = base + r * len;
            if (f32) {
                float v = values.getAtIndex(JAVA_FLOAT, first + r);
                for (long i = 0; i < len; i++) {
                    dst.setAtIndex(JAVA_FLOAT, at + i, v);
                }
            } else {
                double v = values.getAtIndex(JAVA_DOUBLE, first + r);
                for (long i = 0; i < len; i++) {
                    dst.setAtIndex(JAVA_DOUBLE, at + i, v);
                }
            }
        }
    }

    private static void zero(MemorySegment dst, long at, long count, boolean f32) {
        if (count > 0) {
            int es = f32 ? 4 : 8;
            dst.asSlice(at * es, count * es).fill((byte) 0);
        }
    }

    /** C = op(A)·B + beta·C on element offsets; op(A) is m×k, B k×n, C m×n, all row-major. */
    private static void gemm(boolean f32, boolean transA, int m, int n, int k, MemorySegment a, long aOff, int lda,
                             MemorySegment b, long bOff, int ldb, double beta, MemorySegment c, long cOff, int ldc) {
        int es = f32 ? 4 : 8;
        Cblas.Transpose ta = transA ? Cblas.Transpose.TRANS : Cblas.Transpose.NO_TRANS;
        MemorySegment sa = a.asSlice(aOff * es);
        MemorySegment sb = b.asSlice(bOff * es);
        MemorySegment sc = c.asSlice(cOff * es);
        if (f32) {
            Cblas.sgemm(Cblas.Layout.ROW_MAJOR, ta, Cblas.Transpose.NO_TRANS, m, n, k, 1f, sa, lda, sb, ldb,
                    (float) beta, sc, ldc);
        } else {
            Cblas.dgemm(Cblas.Layout.ROW_MAJOR, ta, Cblas.Transpose.NO_TRANS, m, n, k, 1.0, sa, lda, sb, ldb,
                    beta, sc, ldc);
        }
    }

    /** The first output position {@code o >= 0} with {@code o·s + shift >= 0}, at most {@code outLen}. */
    private static int firstValid(int shift, int s, int outLen) {
        return shift >= 0 ? 0 : Math.min(outLen, (-shift + s - 1) / s);
    }

    /** One past the last output position with {@code o·s + shift < inLen}, at least {@code lo}. */
    private static int endValid(int shift, int s, int inLen, int outLen, int lo) {
        int last = inLen - 1 - shift;
        return last < 0 ? lo : Math.max(lo, Math.min(outLen, last / s + 1));
    }

    /**
     * Writes the patch matrix of {@code channels} planes of {@code imgH×imgW} (starting at element
     * {@code src} of {@code x}) into {@code col}: row {@code (c·kh + ki)·kw + kj}, column
     * {@code oh·outW + ow} holds {@code x[c, oh·sh − ph + ki·dh, ow·sw − pw + kj·dw]} (0 outside), rows
     * {@code ld} elements apart from element {@code col0}.
     */
    static void im2col(MemorySegment x, long src, int channels, int imgH, int imgW, int kh, int kw,
                       int sh, int sw, int ph, int pw, int dh, int dw, int outH, int outW,
                       MemorySegment col, long col0, long ld, boolean f32) {
        long plane = (long) imgH * imgW;
        for (int c = 0; c < channels; c++) {
            long srcPlane = src + c * plane;
            for (int ki = 0; ki < kh; ki++) {
                int a = ki * dh - ph;
                int ohLo = firstValid(a, sh, outH);
                int ohHi = endValid(a, sh, imgH, outH, ohLo);
                for (int kj = 0; kj < kw; kj++) {
                    int b = kj * dw - pw;
                    int lo = firstValid(b, sw, outW);
                    int hi = endValid(b, sw, imgW, outW, lo);
                    long row = col0 + ((long) (c * kh + ki) * kw + kj) * ld;
                    zero(col, row, (long) ohLo * outW, f32);
                    zero(col, row + (long) ohHi * outW, (long) (outH - ohHi) * outW, f32);
                    if (sh == 1 && sw == 1 && outW == imgW && ohHi > ohLo && hi > lo) {
                        // Rows of the band are consecutive in both: one copy from the first valid element to
                        // the last, then clear the columns that wrapped around from a neighbouring row.
                        long from = srcPlane + (long) (ohLo + a) * imgW + lo + b;
                        long count = (long) (ohHi - ohLo - 1) * outW + (hi - lo);
                        copy(x, from, col, row + (long) ohLo * outW + lo, count, f32);
                        for (int oh = ohLo; oh < ohHi; oh++) {
                            long d = row + (long) oh * outW;
                            zeroSmall(col, d, lo, f32);
                            zeroSmall(col, d + hi, outW - hi, f32);
                        }
                        continue;
                    }
                    for (int oh = ohLo; oh < ohHi; oh++) {
                        long d = row + (long) oh * outW;
                        long s = srcPlane + (long) (oh * sh + a) * imgW + (long) lo * sw + b;
                        zeroSmall(col, d, lo, f32);
                        if (sw == 1) {
                            copy(x, s, col, d + lo, hi - lo, f32);
                        } else {
                            gather(x, s, sw, col, d + lo, hi - lo, f32);
                        }
                        zeroSmall(col, d + hi, outW - hi, f32);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds every column entry into the image position it was read from
     * (entries that fall into the padding are dropped).
     */
    static void col2im(MemorySegment col, long col0, long ld, int channels, int imgH, int imgW, int kh, int kw,
                       int sh, int sw, int ph, int pw, int dh, int dw, int outH, int outW,
                       MemorySegment img, long dst, boolean f32) {
        long plane = (long) imgH * imgW;
        for (int c = 0; c < channels; c++) {
            long dstPlane = dst + c * plane;
            for (int ki = 0; ki < kh; ki++) {
                int a = ki * dh - ph;
                int ohLo = firstValid(a, sh, outH);
                int ohHi = endValid(a, sh, imgH, outH, ohLo);
                for (int kj = 0; kj < kw; kj++) {
                    int b = kj * dw - pw;
                    int lo = firstValid(b, sw, outW);
                    int hi = endValid(b, sw, imgW, outW, lo);
                    long row = col0 + ((long) (c * kh + ki) * kw + kj) * ld;
                    for (int oh = ohLo; oh < ohHi; oh++) {
                        long s = row + (long) oh * outW + lo;
                        long d = dstPlane + (long) (oh * sh + a) * imgW + (long) lo * sw + b;
                        scatterAdd(col, s, img, d, sw, hi - lo, f32);
                    }
                }
            }
        }
    }

    private static void zeroSmall(MemorySegment dst, long at, int count, boolean f32) {
        if (f32) {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(JAVA_FLOAT, at + i, 0f);
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(JAVA_DOUBLE, at + i, 0.0);
            }
        }
    }

    private static void copy(MemorySegment src, long from, MemorySegment dst, long to, long count, boolean f32) {
        if (count <= 0) {
            return;
        }
        if (f32) {
            MemorySegment.copy(src, JAVA_FLOAT, from * 4, dst, JAVA_FLOAT, to * 4, count);
        } else {
            MemorySegment.copy(src, JAVA_DOUBLE, from * 8, dst, JAVA_DOUBLE, to * 8, count);
        }
    }

    private static void gather(MemorySegment src, long from, int step, MemorySegment dst, long to, int count, boolean f32) {
        if (f32) {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(JAVA_FLOAT, to + i, src.getAtIndex(JAVA_FLOAT, from + (long) i * step));
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst.setAtIndex(JAVA_DOUBLE, to + i, src.getAtIndex(JAVA_DOUBLE, from + (long) i * step));
            }
        }
    }

    private static void scatterAdd(MemorySegment src, long from, MemorySegment dst, long to, int step, int count, boolean f32) {
        if (f32) {
            for (int i = 0; i < count; i++) {
                long d = to + (long) i * step;
                dst.setAtIndex(JAVA_FLOAT, d, dst.getAtIndex(JAVA_FLOAT, d) + src.getAtIndex(JAVA_FLOAT, from + i));
            }
        } else {
            for (int i = 0; i < count; i++) {
                long d = to + (long) i * step;
                dst.setAtIndex(JAVA_DOUBLE, d, dst.getAtIndex(JAVA_DOUBLE, d) + src.getAtIndex(JAVA_DOUBLE, from + i));
            }
        }
    }

    // =========================================================================== pooling

    /**
     * Max over each window of a {@code planes × h × w} input; positions in the padding are skipped (they
     * count as −∞) and a NaN in a window gives NaN.
     */
    public static void maxPool2d(MemorySegment x, MemorySegment out, boolean f32, long planes, int h, int w,
                                 int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo) {
        Parallel.forRange(planes * ho, costOf((double) kh * kw * wo), (start, end) -> {
            for (long r = start; r < end; r++) {
                long plane = r / ho;
                int oh = (int) (r % ho);
                int h0 = oh * sh - ph;
                int hs = Math.max(h0, 0), he = Math.min(h0 + kh, h);
                long src = plane * h * w;
                long dst = r * wo;
                for (int ow = 0; ow < wo; ow++) {
                    int w0 = ow * sw - pw;
                    int ws = Math.max(w0, 0), we = Math.min(w0 + kw, w);
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = hs; i < he; i++) {
                        long row = src + (long) i * w;
                        for (int j = ws; j < we; j++) {
                            double v = get(x, f32, row + j);
                            if (v > m || Double.isNaN(v)) {
                                m = v;
                            }
                        }
                    }
                    set(out, f32, dst + ow, m);
                }
            }
        });
    }

    /**
     * The gradient of {@link #maxPool2d}: each output gradient goes to the input position that won its
     * window (the first maximum, or the first NaN), accumulated into {@code gx} (zeroed by the caller).
     * Planes are independent, so they are split over workers without write conflicts.
     */
    public static void maxPool2dBackward(MemorySegment x, MemorySegment g, MemorySegment gx, boolean f32, long planes,
                                         int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo) {
        Parallel.forRange(planes, costOf((double) kh * kw * ho * wo), (start, end) -> {
            for (long plane = start; plane < end; plane++) {
                long src = plane * h * w;
                long grad = plane * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    int h0 = oh * sh - ph;
                    int hs = Math.max(h0, 0), he = Math.min(h0 + kh, h);
                    for (int ow = 0; ow < wo; ow++) {
                        int w0 = ow * sw - pw;
                        int ws = Math.max(w0, 0), we = Math.min(w0 + kw, w);
                        double m = Double.NEGATIVE_INFINITY;
                        long best = -1;
                        for (int i = hs; i < he; i++) {
                            long row = src + (long) i * w;
                            for (int j = ws; j < we; j++) {
                                double v = get(x, f32, row + j);
                                if (best < 0 || v > m || (Double.isNaN(v) && !Double.isNaN(m))) {
                                    m = v;
                                    best = row + j;
                                }
                            }
                        }
                        if (best >= 0) {
                            set(gx, f32, best, get(gx, f32, best) + get(g, f32, grad + (long) oh * wo + ow));
                        }
                    }
                }
            }
        });
    }

    /**
     * Mean over each window of a {@code planes × h × w} input. The divisor is kh·kw if
     * {@code countIncludePad}, else the number of window positions inside the input.
     */
    public static void avgPool2d(MemorySegment x, MemorySegment out, boolean f32, long planes, int h, int w,
                                 int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo, boolean countIncludePad) {
        Parallel.forRange(planes * ho, costOf((double) kh * kw * wo), (start, end) -> {
            for (long r = start; r < end; r++) {
                long plane = r / ho;
                int oh = (int) (r % ho);
                int h0 = oh * sh - ph;
                int hs = Math.max(h0, 0), he = Math.min(h0 + kh, h);
                long src = plane * h * w;
                long dst = r * wo;
                for (int ow = 0; ow < wo; ow++) {
                    int w0 = ow * sw - pw;
                    int ws = Math.max(w0, 0), we = Math.min(w0 + kw, w);
                    double sum = 0;
                    for (int i = hs; i < he; i++) {
                        long row = src + (long) i * w;
                        for (int j = ws; j < we; j++) {
                            sum += get(x, f32, row + j);
                        }
                    }
                    int count = countIncludePad ? kh * kw : (he - hs) * (we - ws);
                    set(out, f32, dst + ow, sum / count);
                }
            }
        });
    }

    // =========================================================================== resizing

    /**
     * PyTorch's nearest source index: {@code min(floor(dst · (in/out)), in − 1)} with the scale and the
     * product in single precision, as {@code torch.nn.functional.interpolate} computes them.
     */
    static int nearestIndex(int dst, int in, int out) {
        if (out == in) {
            return dst;
        }
        float scale = (float) in / out;
        return Math.min((int) Math.floor(dst * scale), in - 1);
    }

    /** Nearest-neighbour resize of {@code planes × h × w} to {@code planes × ho × wo}. */
    public static void resizeNearest(MemorySegment x, MemorySegment out, boolean f32, long planes, int h, int w,
                                     int ho, int wo) {
        int[] cols = new int[wo];
        for (int j = 0; j < wo; j++) {
            cols[j] = nearestIndex(j, w, wo);
        }
        Parallel.forRange(planes * ho, wo, (start, end) -> {
            for (long r = start; r < end; r++) {
                long plane = r / ho;
                int oh = (int) (r % ho);
                long src = (plane * h + nearestIndex(oh, h, ho)) * w;
                long dst = r * wo;
                if (f32) {
                    for (int j = 0; j < wo; j++) {
                        out.setAtIndex(JAVA_FLOAT, dst + j, x.getAtIndex(JAVA_FLOAT, src + cols[j]));
                    }
                } else {
                    for (int j = 0; j < wo; j++) {
                        out.setAtIndex(JAVA_DOUBLE, dst + j, x.getAtIndex(JAVA_DOUBLE, src + cols[j]));
                    }
                }
            }
        });
    }

    /**
     * Source indices and weights of linear interpolation along one axis, as PyTorch computes them
     * ({@code compute_source_index_and_lambda}), in float arithmetic for F32 and double for F64.
     */
    private record Linear(int[] i0, int[] i1, double[] l0, double[] l1) {
        static Linear of(int in, int out, boolean alignCorners, boolean f32) {
            int[] i0 = new int[out], i1 = new int[out];
            double[] l0 = new double[out], l1 = new double[out];
            for (int d = 0; d < out; d++) {
                if (in == out) {
                    i0[d] = d;
                    i1[d] = d;
                    l0[d] = 1;
                    continue;
                }
                double real;
                if (f32) {
                    float scale = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f) : (float) in / out;
                    float r = alignCorners ? scale * d : Math.max(scale * (d + 0.5f) - 0.5f, 0f);
                    real = r;
                    i0[d] = (int) r;
                    float lambda = Math.min(Math.max(r - i0[d], 0f), 1f);
                    l1[d] = lambda;
                    l0[d] = 1f - lambda;
                } else {
                    double scale = alignCorners ? (out > 1 ? (double) (in - 1) / (out - 1) : 0) : (double) in / out;
                    real = alignCorners ? scale * d : Math.max(scale * (d + 0.5) - 0.5, 0);
                    i0[d] = (int) real;
                    double lambda = Math.min(Math.max(real - i0[d], 0), 1);
                    l1[d] = lambda;
                    l0[d] = 1 - lambda;
                }
                i1[d] = i0[d] + (i0[d] < in - 1 ? 1 : 0);
            }
            return new Linear(i0, i1, l0, l1);
        }
    }

    /** Bilinear resize of {@code planes × h × w} to {@code planes × ho × wo} (PyTorch's formula and rounding). */
    public static void resizeBilinear(MemorySegment x, MemorySegment out, boolean f32, long planes, int h, int w,
                                      int ho, int wo, boolean alignCorners) {
        Linear rows = Linear.of(h, ho, alignCorners, f32);
        Linear cols = Linear.of(w, wo, alignCorners, f32);
        float[] cl0 = toFloat(cols.l0()), cl1 = toFloat(cols.l1());
        int[] c0 = cols.i0(), c1 = cols.i1();
        Parallel.forRange(planes * ho, costOf(4.0 * wo), (start, end) -> {
            for (long r = start; r < end; r++) {
                long plane = r / ho;
                int oh = (int) (r % ho);
                long top = (plane * h + rows.i0()[oh]) * w;
                long bottom = (plane * h + rows.i1()[oh]) * w;
                long dst = r * wo;
                if (f32) {
                    float h0 = (float) rows.l0()[oh], h1 = (float) rows.l1()[oh];
                    for (int j = 0; j < wo; j++) {
                        float t = cl0[j] * x.getAtIndex(JAVA_FLOAT, top + c0[j]) + cl1[j] * x.getAtIndex(JAVA_FLOAT, top + c1[j]);
                        float b = cl0[j] * x.getAtIndex(JAVA_FLOAT, bottom + c0[j]) + cl1[j] * x.getAtIndex(JAVA_FLOAT, bottom + c1[j]);
                        out.setAtIndex(JAVA_FLOAT, dst + j, t * h0 + b * h1);
                    }
                } else {
                    double h0 = rows.l0()[oh], h1 = rows.l1()[oh];
                    double[] w0 = cols.l0(), w1 = cols.l1();
                    for (int j = 0; j < wo; j++) {
                        double t = w0[j] * x.getAtIndex(JAVA_DOUBLE, top + c0[j]) + w1[j] * x.getAtIndex(JAVA_DOUBLE, top + c1[j]);
                        double b = w0[j] * x.getAtIndex(JAVA_DOUBLE, bottom + c0[j]) + w1[j] * x.getAtIndex(JAVA_DOUBLE, bottom + c1[j]);
                        out.setAtIndex(JAVA_DOUBLE, dst + j, t * h0 + b * h1);
                    }
                }
            }
        });
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    // =========================================================================== correlation

    /** Boundary codes of {@link #correlate2d}. */
    public static final int ZERO = 0, REFLECT = 1, REPLICATE = 2, CIRCULAR = 3;

    /**
     * Where index {@code i} (possibly outside {@code [0, n)}) reads from under a boundary rule, or −1 for a
     * zero. REFLECT mirrors about the edge elements without repeating them ({@code d c b | a b c d | c b a}).
     */
    static int boundaryIndex(int i, int n, int boundary) {
        if (i >= 0 && i < n) {
            return i;
        }
        return switch (boundary) {
            case ZERO -> -1;
            case REPLICATE -> i < 0 ? 0 : n - 1;
            case CIRCULAR -> Math.floorMod(i, n);
            case REFLECT -> {
                if (n == 1) {
                    yield 0;
                }
                int period = 2 * (n - 1);
                int m = Math.floorMod(i, period);
                yield m < n ? m : period - m;
            }
            default -> throw new IllegalArgumentException("unknown boundary code " + boundary);
        };
    }

    /**
     * Same-size correlation of each {@code h × w} plane with a {@code kh × kw} kernel (row-major in
     * {@code kernel}) centred at {@code (kh/2, kw/2)}: {@code out[i, j] = Σ k[a, b]·x[i + a − kh/2, j + b − kw/2]},
     * outside positions resolved by {@code boundary}. Accumulates in double.
     */
    public static void correlate2d(MemorySegment x, MemorySegment out, boolean f32, long planes, int h, int w,
                                   double[] kernel, int kh, int kw, int boundary) {
        int ch = kh / 2, cw = kw / 2;
        int padded = w + kw - 1;
        int[] colMap = new int[padded];
        for (int j = 0; j < padded; j++) {
            colMap[j] = boundaryIndex(j - cw, w, boundary);
        }
        Parallel.forRange(planes * h, costOf((double) kh * kw * w), (start, end) -> {
            double[] src = new double[w];
            double[] ext = new double[padded];
            double[] acc = new double[w];
            for (long r = start; r < end; r++) {
                long plane = r / h;
                int i = (int) (r % h);
                java.util.Arrays.fill(acc, 0);
                for (int a = 0; a < kh; a++) {
                    int si = boundaryIndex(i + a - ch, h, boundary);
                    if (si < 0) {
                        continue;
                    }
                    long row = (plane * h + si) * w;
                    if (f32) {
                        for (int j = 0; j < w; j++) {
                            src[j] = x.getAtIndex(JAVA_FLOAT, row + j);
                        }
                    } else {
                        MemorySegment.copy(x, JAVA_DOUBLE, row * 8, src, 0, w);
                    }
                    for (int j = 0; j < padded; j++) {
                        int c = colMap[j];
                        ext[j] = c < 0 ? 0 : src[c];
                    }
                    for (int b = 0; b < kw; b++) {
                        double k = kernel[a * kw + b];
                        for (int j = 0; j < w; j++) {
                            acc[j] += k * ext[j + b];
                        }
                    }
                }
                long dst = r * w;
                if (f32) {
                    for (int j = 0; j < w; j++) {
                        out.setAtIndex(JAVA_FLOAT, dst + j, (float) acc[j]);
                    }
                } else {
                    MemorySegment.copy(acc, 0, out, JAVA_DOUBLE, dst * 8, w);
                }
            }
        });
    }

    private static double get(MemorySegment s, boolean f32, long i) {
        return f32 ? s.getAtIndex(JAVA_FLOAT, i) : s.getAtIndex(JAVA_DOUBLE, i);
    }

    private static void set(MemorySegment s, boolean f32, long i, double v) {
        if (f32) {
            s.setAtIndex(JAVA_FLOAT, i, (float) v);
        } else {
            s.setAtIndex(JAVA_DOUBLE, i, v);
        }
    }
}
