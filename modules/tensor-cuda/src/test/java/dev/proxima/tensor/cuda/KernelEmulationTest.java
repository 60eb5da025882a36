package dev.proxima.tensor.cuda;

import dev.proxima.cuda.KernelArgs;
import dev.proxima.cuda.KernelSource;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static dev.proxima.tensor.cuda.KernelEmulation.chunk;
import static dev.proxima.tensor.cuda.KernelEmulation.decode;
import static dev.proxima.tensor.cuda.KernelEmulation.encode;
import static dev.proxima.tensor.cuda.KernelEmulation.getRaw;
import static dev.proxima.tensor.cuda.KernelEmulation.setRaw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The elementwise and conversion kernels ({@code elementwise.cu}, {@code convert.cu}, with {@code common.cuh}
 * and {@code half.cuh}) executed on the host and compared with the CPU backend on the same inputs.
 *
 * <p><b>What is emulated.</b> Each specialisation is assembled exactly as the backend assembles it
 * ({@link KernelSource#of} with {@link CudaBackend#elementDefines} / {@link CudaBackend#convertDefines}),
 * wrapped in its own C++ namespace (its kernels renamed, its macros undefined afterwards) behind a small
 * prelude that defines the CUDA qualifiers away, {@code __align__} as {@code alignas}, the bit-cast
 * intrinsics ({@code __float_as_uint}, {@code __double_as_longlong}, …) with {@code memcpy}, and
 * {@code threadIdx}/{@code blockIdx}/{@code blockDim}/{@code gridDim} as globals
 * ({@link KernelEmulation#PRELUDE}). Warp and block primitives ({@code __syncthreads}, {@code __shfl_down_sync}) are declared but abort if called: they only appear in
 * templates these kernels do not instantiate. All of it is compiled by {@code g++ -O1 -ffp-contract=off
 * -fno-fast-math} into one shared library per kernel file, loaded with Panama. Every {@code __global__}
 * function gets a generated launcher {@code launch(void** params, grid, block)} whose parameter list is
 * parsed from the kernel's own declaration: it reads the parameters from the same {@code void**} array
 * that {@code cuLaunchKernel} takes (built with {@link KernelArgs}, structs {@code PxShape}/{@code PxView}
 * from {@link CudaBackend#shape} / {@link CudaBackend#view}) and runs every (block, thread) pair in turn; a
 * {@code __trap()} (an op code the kernel's switch does not handle) stops it and fails the launch
 * ({@link #unknownOpCodesTrap()} checks that every op-taking kernel traps).
 * The test then mirrors {@link CudaBackend}'s dispatch (which kernel, which pointer — base or
 * offset-advanced — which arguments) over host memory standing in for device memory, and compares whole
 * output storages (so stray writes outside the view are caught too) with the CPU backend: bit for bit,
 * except NaN payloads (any NaN equals any NaN: the GPU returns canonical NaNs from arithmetic, x86
 * propagates payloads, and neither says what the other does) and the transcendental functions (exp, log,
 * tanh, sin, cos, sigmoid, erf, pow), where glibc — standing in for CUDA's libdevice — and the JDK's
 * (vectorised, float-precision for F32) functions may differ by a few ulp: {@link #ulps(DType, boolean)}.
 * Each case runs with one thread (grid 1 × block 1: every grid-stride loop covers all elements) and with
 * grid 3 × block 4 (the grid-stride start and step).
 *
 * <p><b>What this does not prove.</b> It says nothing about the real GPU memory model (threads run one
 * after another here, so races and missing synchronisation cannot show), warp-level code (reductions and
 * softmax run in {@link BlockKernelEmulationTest}'s SIMT emulation), NVRTC's own front end and optimiser
 * (compile-only checks cover that:
 * {@link KernelSpecialisationsCompileTest}), libdevice's accuracy, flush-to-zero or NaN canonicalisation
 * on the device, or contraction of {@code a*b+c} into FMAs (NVRTC's default {@code --fmad=true}; here
 * {@code -ffp-contract=off}), or the behaviour of undefined-behaviour corners (signed overflow, out-of-range
 * float→int casts) on the GPU, which g++ on x86 may resolve differently. For those, run this test by hand
 * with {@code -Dproxima.emu.cflags=-fsanitize=undefined,float-cast-overflow} and read UBSan's reports on stderr.
 * Skipped, with the reason printed, where no {@code g++} is installed or a kernel uses something the
 * prelude cannot emulate (the compiler's complaint is printed).
 */
class KernelEmulationTest {

    private static final DType[] ALL = DType.values();
    private static final DType[] FLOATS = {DType.F32, DType.F64, DType.F16, DType.BF16};
    private static final int[][] GRIDS = {{1, 1}, {3, 4}};
    private static final Set<UnaryOp> TRANSCENDENTAL = EnumSet.of(UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIN,
            UnaryOp.COS, UnaryOp.SIGMOID, UnaryOp.ERF, UnaryOp.LOG1P, UnaryOp.EXPM1, UnaryOp.LOG2, UnaryOp.LOG10, UnaryOp.EXP2);

    private static String skip;
    private static Arena libArena;
    private static final Map<String, KernelEmulation.Launcher> LAUNCHERS = new LinkedHashMap<>();
    private static final AtomicLong LAUNCHES = new AtomicLong();
    private static final AtomicLong ELEMENTS = new AtomicLong();
    private static Path dir;

    private final List<Storage> storages = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    // ------------------------------------------------------------------ building the emulation

    static String elementNs(DType t) {
        return "e_" + t.name();
    }

    static String convertNs(DType from, DType to) {
        return "c_" + from.name() + "_" + to.name();
    }

    @BeforeAll
    static void build() throws Throwable {
        Path gxx = KernelEmulation.gxx();
        if (gxx == null) {
            skip = "no g++ on PATH";
            System.out.println("[cuda] SKIPPED kernel emulation: " + skip);
            return;
        }
        dir = Files.createTempDirectory("px-kernel-emu");
        Map<String, String> launchers = new LinkedHashMap<>();
        StringBuilder elem = new StringBuilder(KernelEmulation.PRELUDE);
        for (DType t : ALL) {
            elem.append(chunk(elementNs(t), KernelSource.of("elementwise.cu", CudaBackend.elementDefines(t)), launchers, false));
        }
        StringBuilder conv = new StringBuilder(KernelEmulation.PRELUDE);
        for (DType from : ALL) {
            for (DType to : ALL) {
                if (CudaBackend.convertOnDevice(from, to)) {
                    conv.append(chunk(convertNs(from, to), KernelSource.of("convert.cu", CudaBackend.convertDefines(from, to)), launchers, false));
                }
            }
        }
        Map<String, String> sources = Map.of("elementwise", elem.toString(), "convert", conv.toString());
        String failed = KernelEmulation.compile(gxx, dir, sources, "c++17");
        if (failed != null) {
            Set<String> missing = KernelEmulation.missing(failed);
            skip = "a kernel uses what the prelude cannot emulate" + (missing.isEmpty() ? "" : " " + missing) + "; g++ said:\n"
                    + failed.lines().limit(20).reduce("", (a, b) -> a + b + "\n");
            System.out.println("[cuda] SKIPPED kernel emulation: " + skip);
            return;
        }
        libArena = Arena.ofShared();
        SymbolLookup el = SymbolLookup.libraryLookup(dir.resolve("libelementwise.so"), libArena);
        SymbolLookup cl = SymbolLookup.libraryLookup(dir.resolve("libconvert.so"), libArena);
        LAUNCHERS.putAll(KernelEmulation.bind(launchers, el, cl));
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (libArena != null) {
            libArena.close();
        }
        KernelEmulation.deleteTree(dir);
        if (LAUNCHES.get() > 0) {
            System.out.println("[cuda] kernel emulation: " + LAUNCHES.get() + " emulated launches over " + ELEMENTS.get()
                    + " output elements compared with the CPU backend");
        }
    }

    @AfterEach
    void release() {
        storages.forEach(Storage::release);
        storages.clear();
    }

    private static void requireEmulation() {
        Assumptions.assumeTrue(skip == null, () -> skip);
    }

    /** Runs one emulated launch; a {@code __trap()} throws {@link KernelEmulation.EmulationError}. */
    private static void launch(String ns, String kernel, KernelArgs args, int[] grid) {
        KernelEmulation.Launcher l = LAUNCHERS.get(ns + "/" + kernel);
        if (l == null) {
            throw new IllegalStateException("no kernel " + kernel + " in " + ns);
        }
        LAUNCHES.incrementAndGet();
        KernelEmulation.launch(l, args.segment(), grid[0], grid[1]);
    }

    // ------------------------------------------------------------------ the backend's dispatch, over host memory

    private static Backend cpu() {
        return CudaBackend.cpu();
    }

    private static long base(StridedView v) {
        return v.storage().segment().address();
    }

    private static long address(StridedView v) {
        return base(v) + v.offset() * v.dtype().byteSize();
    }

    /** CudaBackend.copy's device-to-device conversion ({@code convert_strided}). */
    static void devCopy(StridedView src, StridedView dst, int[] g) {
        try (Arena a = Arena.ofConfined()) {
            launch(convertNs(src.dtype(), dst.dtype()), "convert_strided", new KernelArgs(a).ptr(base(src)).ptr(base(dst))
                    .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, src)).bytes(CudaBackend.view(a, dst)), g);
        }
    }

    /** {@code convert_contig} (not launched by the backend today; kept correct for when it is). */
    static void devConvertContig(StridedView src, StridedView dst, int[] g) {
        try (Arena a = Arena.ofConfined()) {
            launch(convertNs(src.dtype(), dst.dtype()), "convert_contig", new KernelArgs(a).ptr(address(src)).ptr(address(dst))
                    .i64(dst.size()), g);
        }
    }

    static void devFill(StridedView dst, double value, int[] g) {
        Storage one = cpu().allocate(Device.CPU, dst.dtype().byteSize());
        try (Arena a = Arena.ofConfined()) {
            cpu().fill(new StridedView(one, dst.dtype(), new long[0], new long[0], 0), value);
            launch(elementNs(dst.dtype()), "fill_strided", new KernelArgs(a).ptr(base(dst)).bytes(one.segment())
                    .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, dst)), g);
        } finally {
            one.release();
        }
    }

    static void devIota(StridedView dst, double start, double step, int[] g) {
        assertTrue(dst.isContiguous());
        try (Arena a = Arena.ofConfined()) {
            launch(elementNs(dst.dtype()), "iota_contig", new KernelArgs(a).ptr(address(dst)).f64(start).f64(step).i64(dst.size()), g);
        }
    }

    static void devUnary(UnaryOp op, StridedView src, StridedView dst, int[] g) {
        assertTrue(CudaBackend.unaryOnDevice(op, src.dtype()));
        String ns = elementNs(src.dtype());
        try (Arena a = Arena.ofConfined()) {
            if (op == UnaryOp.NOT) {
                launch(ns, "not_strided", new KernelArgs(a).ptr(base(src)).ptr(base(dst)).bytes(CudaBackend.shape(a, dst.shape()))
                        .bytes(CudaBackend.view(a, src)).bytes(CudaBackend.view(a, dst)), g);
            } else if (src.isContiguous() && dst.isContiguous()) {
                launch(ns, "unary_contig", new KernelArgs(a).i32(op.code()).ptr(address(src)).ptr(address(dst)).i64(dst.size()), g);
            } else {
                launch(ns, "unary_strided", new KernelArgs(a).i32(op.code()).ptr(base(src)).ptr(base(dst))
                        .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, src)).bytes(CudaBackend.view(a, dst)), g);
            }
        }
    }

    static void devBinary(BinaryOp op, StridedView x, StridedView y, StridedView dst, int[] g) {
        assertTrue(CudaBackend.binaryOnDevice(op, x.dtype()));
        String ns = elementNs(x.dtype());
        try (Arena a = Arena.ofConfined()) {
            if (!op.isComparison() && x.isContiguous() && y.isContiguous() && dst.isContiguous()) {
                launch(ns, "binary_contig", new KernelArgs(a).i32(op.code()).ptr(address(x)).ptr(address(y)).ptr(address(dst))
                        .i64(dst.size()), g);
            } else {
                launch(ns, op.isComparison() ? "compare_strided" : "binary_strided", new KernelArgs(a).i32(op.code()).ptr(base(x))
                        .ptr(base(y)).ptr(base(dst)).bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, x))
                        .bytes(CudaBackend.view(a, y)).bytes(CudaBackend.view(a, dst)), g);
            }
        }
    }

    static void devMulAdd(StridedView x, StridedView y, StridedView z, StridedView dst, int[] g) {
        assertTrue(CudaBackend.mulAddOnDevice(x.dtype()));
        try (Arena a = Arena.ofConfined()) {
            launch(elementNs(x.dtype()), "muladd_strided", new KernelArgs(a).ptr(base(x)).ptr(base(y)).ptr(base(z)).ptr(base(dst))
                    .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, x)).bytes(CudaBackend.view(a, y))
                    .bytes(CudaBackend.view(a, z)).bytes(CudaBackend.view(a, dst)), g);
        }
    }

    static void devWhere(StridedView cond, StridedView x, StridedView y, StridedView dst, int[] g) {
        try (Arena a = Arena.ofConfined()) {
            launch(elementNs(x.dtype()), "where_strided", new KernelArgs(a).ptr(base(cond)).ptr(base(x)).ptr(base(y)).ptr(base(dst))
                    .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, cond)).bytes(CudaBackend.view(a, x))
                    .bytes(CudaBackend.view(a, y)).bytes(CudaBackend.view(a, dst)), g);
        }
    }

    // ------------------------------------------------------------------ values

    /** Edge values of every kind, as doubles (converted to each float type by the CPU's rules). */
    static final double[] EDGES = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, -1, 0.5, -0.5, 1.5, -1.5,
        2.5, -2.7, 0.9999, -0.9999, 3, 7, 100, 127, 127.5, 128, -128, -128.5, -129, 255, 255.5, 256, -1e-3, 1e-3, 65504, 65519.99, 65520,
        -70000, 2147483647.0, 2147483648.0, -2147483648.0, -2147483649.0, 3e9, -3e9, 16777217, 9.007199254740993e15, 9.223372036854775807e18,
        -9.223372036854775808e18, 1e19, -1e19, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, 1e-40, Double.MAX_VALUE,
        Double.MIN_VALUE, 6e-8, 5.96e-8, 3e-8, 6.1e-5, 3.3895313892515355e38, 3.4e38, Math.PI, -Math.E, 1e300, -1e-300, 0.1, 20, -20, 88.7,
        -103.9, 710, 1e-7};

    /** Edge integers (wrapped into each integer type). */
    static final long[] INT_EDGES = {0, 1, -1, 2, 7, 127, 128, -128, -129, 255, 256, -256, 32767, 32768, 65535, 65536, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 0x80000001L, 16777217, 16777219, (1L << 53) + 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1, 0x123456789abcdefL, -0x123456789abcdefL, 1_000_000_007L, -3};

    /** Extra raw half patterns: subnormals, max, infinities, quiet and signalling NaNs. */
    static final long[] HALF_RAW = {0x0001, 0x8001, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7d01, 0xfe01, 0x3555, 0x0200};
    static final long[] BF16_RAW = {0x0001, 0x8001, 0x007f, 0x0080, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x7f81, 0xffc1, 0x3eab};

    /** n values of type t: the edges first, then seeded random ones. */
    static long[] values(DType t, int n, long seed) {
        List<Long> out = new ArrayList<>();
        if (t == DType.BOOL) {
            for (int i = 0; i < n; i++) {
                out.add((long) ((i * 7 + seed) % 3 == 0 ? 0 : 1));
            }
        } else if (t.isFloating()) {
            for (double d : EDGES) {
                out.add(encode(t, d));
            }
            for (long r : t == DType.F16 ? HALF_RAW : t == DType.BF16 ? BF16_RAW : new long[0]) {
                out.add(r);
            }
        } else {
            for (long v : INT_EDGES) {
                out.add(v);
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        while (out.size() < n) {
            if (t.isFloating()) {
                double m = Math.pow(10, r.nextInt(-8, 12));
                out.add(encode(t, (r.nextDouble() * 2 - 1) * m * (r.nextBoolean() ? 1 : 0.7)));
            } else if (t == DType.BOOL) {
                out.add((long) r.nextInt(2));
            } else {
                out.add(r.nextBoolean() ? r.nextLong() : r.nextLong(-300, 300));
            }
        }
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    // ------------------------------------------------------------------ storages and comparison

    Storage storage(DType t, long elements) {
        Storage s = cpu().allocate(Device.CPU, Math.max(1, elements) * t.byteSize());
        storages.add(s);
        return s;
    }

    /** A storage of {@code elements} holding {@code vals} from index 0 (cycled). */
    Storage filled(DType t, long elements, long[] vals) {
        Storage s = storage(t, elements);
        for (long i = 0; i < elements; i++) {
            setRaw(s.segment(), t, i, vals[(int) (i % vals.length)]);
        }
        return s;
    }

    static StridedView view(Storage s, DType t, long[] shape, long[] strides, long offset) {
        return new StridedView(s, t, shape, strides, offset);
    }

    static StridedView dense(Storage s, DType t, long offset, long... shape) {
        return new StridedView(s, t, shape, CudaBackend.contiguous(shape), offset);
    }

    /** The same view over another storage. */
    static StridedView on(Storage s, StridedView v) {
        return new StridedView(s, v.dtype(), v.shape(), v.strides(), v.offset());
    }

    static final long SENTINEL = 0xa5a5a5a5a5a5a5a5L;

    static void poison(Storage s) {
        s.segment().fill((byte) 0xa5);
    }

    /** Max ulp distance for transcendental results (0: bit for bit). */
    static int ulps(DType t, boolean transcendental) {
        if (!transcendental) {
            return 0;
        }
        return switch (t) {
            case F32 -> 4;      // the CPU's F32 vector loops compute in float; the kernel in double, rounded once
            case F64 -> 4;      // glibc vs the JDK's Math (and SpecialFunctions.erf)
            default -> 1;       // F16/BF16: one rounding apart at most
        };
    }

    static long ordered(DType t, long raw) {
        int bits = t.byteSize() * 8;
        long sign = 1L << (bits - 1);
        long mag = raw & (sign - 1);
        return (raw & sign) != 0 ? -mag : mag;
    }

    /**
     * Compares two whole storages of type t element by element; any NaN equals any NaN for float types, and
     * finite results may be {@code ulps} apart.
     */
    static void assertSame(String what, DType t, Storage emu, Storage ref, int ulps) {
        long n = emu.byteSize() / t.byteSize();
        int bad = 0;
        StringBuilder sb = new StringBuilder();
        for (long i = 0; i < n; i++) {
            long e = getRaw(emu.segment(), t, i);
            long c = getRaw(ref.segment(), t, i);
            if (e == c) {
                continue;
            }
            if (t.isFloating()) {
                double de = decode(t, e), dc = decode(t, c);
                if (Double.isNaN(de) && Double.isNaN(dc)) {
                    continue;
                }
                if (ulps > 0 && !Double.isNaN(de) && !Double.isNaN(dc) && Math.abs(ordered(t, e) - ordered(t, c)) <= ulps) {
                    continue;
                }
                if (bad++ < 6) {
                    sb.append(String.format("%n  [%d] cpu %s (0x%x), kernel %s (0x%x)", i, dc, c, de, e));
                }
            } else if (bad++ < 6) {
                sb.append(String.format("%n  [%d] cpu %d (0x%x), kernel %d (0x%x)", i, (long) decode(t, c), c, (long) decode(t, e), e));
            }
        }
        ELEMENTS.addAndGet(n);
        if (bad > 0) {
            fail(what + ": " + bad + " of " + n + " elements differ" + sb);
        }
    }

    /**
     * Runs {@code ref} (CPU) and {@code dev} (emulated kernel, once per grid) into copies of {@code out} both
     * poisoned with the same sentinel, and compares the whole output storage.
     */
    void check(String what, StridedView out, int ulps, Consumer<StridedView> ref, DevOp dev) {
        Storage r = storage(out.dtype(), out.storage().byteSize() / out.dtype().byteSize());
        poison(r);
        ref.accept(on(r, out));
        for (int[] g : GRIDS) {
            poison(out.storage());
            dev.run(out, g);
            try {
                assertSame(what + " (grid " + g[0] + "x" + g[1] + ")", out.dtype(), out.storage(), r, ulps);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
    }

    /** Fails with every mismatch collected by {@link #check} (each case is checked, not only the first). */
    void report() {
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < failures.size(); i++) {
                sb.append('\n').append(i < 20 ? failures.get(i) : failures.get(i).lines().findFirst().orElse(""));
            }
            fail(failures.size() + " cases differ from the CPU backend:" + sb);
        }
    }

    interface DevOp {
        void run(StridedView out, int[] grid);
    }

    /** A few layouts over shape [rows, cols] of dtype t holding vals: dense, transposed, sliced with offset, broadcast. */
    List<StridedView> layouts(DType t, long rows, long cols, long[] vals) {
        List<StridedView> l = new ArrayList<>();
        l.add(dense(filled(t, rows * cols, vals), t, 0, rows, cols));
        // transposed: storage holds [cols, rows] row-major, plus an offset of 3
        l.add(view(filled(t, 3 + rows * cols, vals), t, new long[] {rows, cols}, new long[] {1, rows}, 3));
        // sliced: every other column of a [rows, 2*cols+1] storage, starting at (0, 1)
        l.add(view(filled(t, rows * (2 * cols + 1), vals), t, new long[] {rows, cols}, new long[] {2 * cols + 1, 2}, 1));
        // broadcast along rows (a row vector) with an offset
        l.add(view(filled(t, 2 + cols, vals), t, new long[] {rows, cols}, new long[] {0, 1}, 2));
        return l;
    }

    // ------------------------------------------------------------------ conversions

    @Test
    void convertEveryPairOnEdgeValues() {
        requireEmulation();
        for (DType from : ALL) {
            long[] vals = values(from, 96, from.ordinal());
            for (DType to : ALL) {
                if (!CudaBackend.convertOnDevice(from, to)) {
                    continue;
                }
                String p = from + "->" + to;
                int n = vals.length;
                for (int[] offs : new int[][] {{0, 0}, {1, 3}, {3, 0}}) {
                    StridedView src = dense(filled(from, offs[0] + n, shifted(vals, offs[0])), from, offs[0], n);
                    StridedView dst = dense(storage(to, offs[1] + n + 2), to, offs[1], n);
                    check(p + " convert_contig offsets " + offs[0] + "," + offs[1], dst, 0, d -> cpu().copy(src, d),
                            (d, g) -> devConvertContig(src, d, g));
                    check(p + " convert_strided dense offsets " + offs[0] + "," + offs[1], dst, 0, d -> cpu().copy(src, d),
                            (d, g) -> devCopy(src, d, g));
                }
                // transposed source with offset into a strided destination (every other element, offset 2)
                long rows = 8, cols = 12;
                StridedView src = view(filled(from, 1 + rows * cols, shifted(vals, 1)), from, new long[] {rows, cols},
                        new long[] {1, rows}, 1);
                StridedView dst = view(storage(to, 2 + rows * cols * 2), to, new long[] {rows, cols}, new long[] {cols * 2, 2}, 2);
                check(p + " convert_strided transposed", dst, 0, d -> cpu().copy(src, d), (d, g) -> devCopy(src, d, g));
                // broadcast source (column vector) of rank 3
                StridedView bsrc = view(filled(from, 5, vals), from, new long[] {2, 5, 3}, new long[] {0, 1, 0}, 0);
                StridedView bdst = dense(storage(to, 30), to, 0, 2, 5, 3);
                check(p + " convert_strided broadcast", bdst, 0, d -> cpu().copy(bsrc, d), (d, g) -> devCopy(bsrc, d, g));
            }
        }
        report();
    }

    /** vals placed so that index {@code off} holds vals[0]. */
    static long[] shifted(long[] vals, int off) {
        long[] s = new long[vals.length];
        for (int i = 0; i < vals.length; i++) {
            s[(i + off) % vals.length] = vals[i];
        }
        return s;
    }

    // ------------------------------------------------------------------ unary

    private void unaryCase(String what, UnaryOp op, StridedView src, StridedView dst) {
        DType t = src.dtype();
        int tol = ulps(t, TRANSCENDENTAL.contains(op));
        check(what, dst, tol, d -> cpu().unary(op, src, d),
                (d, g) -> devUnary(op, src, d, g));
    }

    @Test
    void unaryOpsContiguousAndStrided() {
        requireEmulation();
        for (DType t : ALL) {
            for (UnaryOp op : UnaryOp.values()) {
                if (!CudaBackend.unaryOnDevice(op, t)) {
                    continue;
                }
                DType out = op == UnaryOp.NOT ? DType.BOOL : t;
                long[] vals = values(t, 101, 11 + t.ordinal());
                // contiguous: sizes around multiples of 4 with misaligned offsets (the float4 path and its tail)
                for (int n : new int[] {1, 3, 4, 5, 8, 13, 101}) {
                    for (int[] offs : new int[][] {{0, 0}, {1, 1}, {0, 2}, {3, 1}, {4, 4}}) {
                        StridedView src = dense(filled(t, offs[0] + n, shifted(vals, offs[0])), t, offs[0], n);
                        StridedView dst = dense(storage(out, offs[1] + n + 1), out, offs[1], n);
                        unaryCase(op + " " + t + " n=" + n + " offsets " + offs[0] + "," + offs[1], op, src, dst);
                    }
                }
                for (StridedView src : layouts(t, 7, 9, vals)) {
                    StridedView dst = view(storage(out, 3 + 7 * 9 * 2), out, new long[] {7, 9}, new long[] {1, 14}, 3);
                    unaryCase(op + " " + t + " strided " + java.util.Arrays.toString(src.strides()), op, src, dst);
                }
            }
        }
        report();
    }

    // ------------------------------------------------------------------ binary and comparisons

    private void binaryCase(String what, BinaryOp op, StridedView x, StridedView y, StridedView dst) {
        DType t = x.dtype();
        int tol = ulps(t, op == BinaryOp.POW || op == BinaryOp.ATAN2 || op == BinaryOp.HYPOT);
        check(what, dst, tol, d -> cpu().binary(op, x, y, d),
                (d, g) -> devBinary(op, x, y, d, g));
    }

    @Test
    void binaryOpsAndComparisonsWithBroadcasting() {
        requireEmulation();
        for (DType t : ALL) {
            for (BinaryOp op : BinaryOp.values()) {
                if (!CudaBackend.binaryOnDevice(op, t)) {
                    continue;
                }
                DType out = op.isComparison() ? DType.BOOL : t;
                long[] vals = values(t, 70, 21 + t.ordinal());
                int k = vals.length;
                // every pair of values: a column [k, 1] against a row [1, k], broadcast by zero strides
                StridedView col = view(filled(t, 1 + k, shifted(vals, 1)), t, new long[] {k, k}, new long[] {1, 0}, 1);
                StridedView row = view(filled(t, k, vals), t, new long[] {k, k}, new long[] {0, 1}, 0);
                StridedView all = dense(storage(out, k * k), out, 0, k, k);
                binaryCase(op + " " + t + " all pairs", op, col, row, all);
                // contiguous with misaligned offsets and sizes around multiples of 4 (binary_contig, float4 path)
                long[] other = values(t, 70, 99 + t.ordinal());
                for (int n : new int[] {1, 3, 4, 7, 8, 9, 70}) {
                    for (int[] offs : new int[][] {{0, 0, 0}, {1, 1, 1}, {0, 0, 4}, {2, 0, 0}, {3, 1, 2}}) {
                        StridedView x = dense(filled(t, offs[0] + n, shifted(vals, offs[0])), t, offs[0], n);
                        StridedView y = dense(filled(t, offs[1] + n, shifted(other, offs[1])), t, offs[1], n);
                        StridedView dst = dense(storage(out, offs[2] + n + 1), out, offs[2], n);
                        binaryCase(op + " " + t + " n=" + n + " offsets " + java.util.Arrays.toString(offs), op, x, y, dst);
                    }
                }
                // non-contiguous operands and output
                List<StridedView> xs = layouts(t, 6, 10, vals);
                List<StridedView> ys = layouts(t, 6, 10, other);
                for (int i = 0; i < xs.size(); i++) {
                    StridedView dst = view(storage(out, 5 + 60 * 2), out, new long[] {6, 10}, new long[] {1, 12}, 5);
                    binaryCase(op + " " + t + " layouts " + i, op, xs.get(i), ys.get((i + 1) % ys.size()), dst);
                }
            }
        }
        report();
    }

    // ------------------------------------------------------------------ unknown op codes

    /**
     * Launches {@code kernel} of t's specialisation with op code {@code code} over 4 elements ({@code 1.5, -2, 0.25, 3}, or
     * {@code 1, -2, 5, 3} for integers), grid 1 × block 1 (thread 0 handles every element, the first one first), into a poisoned output;
     * returns the emulation error, or null if the launch completed.
     */
    private KernelEmulation.EmulationError launchWithCode(DType t, String kernel, int code, Storage out) {
        long[] vals = t.isFloating() ? new long[] {encode(t, 1.5), encode(t, -2), encode(t, 0.25), encode(t, 3)} : new long[] {1, -2, 5, 3};
        StridedView x = dense(filled(t, 4, vals), t, 0, 4);
        StridedView y = dense(filled(t, 4, vals), t, 0, 4);
        DType outType = kernel.equals("compare_strided") ? DType.BOOL : t;
        StridedView dst = dense(out, outType, 0, 4);
        poison(out);
        int[] g = {1, 1};
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).i32(code);
            switch (kernel) {
                case "unary_contig" -> args.ptr(address(x)).ptr(address(dst)).i64(4);
                case "unary_strided" -> args.ptr(base(x)).ptr(base(dst)).bytes(CudaBackend.shape(a, dst.shape()))
                        .bytes(CudaBackend.view(a, x)).bytes(CudaBackend.view(a, dst));
                case "binary_contig" -> args.ptr(address(x)).ptr(address(y)).ptr(address(dst)).i64(4);
                case "binary_strided", "compare_strided" -> args.ptr(base(x)).ptr(base(y)).ptr(base(dst))
                        .bytes(CudaBackend.shape(a, dst.shape())).bytes(CudaBackend.view(a, x)).bytes(CudaBackend.view(a, y))
                        .bytes(CudaBackend.view(a, dst));
                default -> throw new IllegalArgumentException(kernel);
            }
            launch(elementNs(t), kernel, args, g);
            return null;
        } catch (KernelEmulation.EmulationError e) {
            return e;
        }
    }

    /**
     * Every kernel that takes an op code traps on a code its switch does not handle — codes no constant has, and
     * constants that belong to another kernel (NOT, which has {@code not_strided}; a comparison in the arithmetic
     * kernels and back; a transcendental in an integer specialisation, which has none) — instead of writing its
     * input: the launch stops at the first element, so the output keeps its poison. Valid codes then run as usual.
     */
    @Test
    void unknownOpCodesTrap() {
        requireEmulation();
        int[] unknown = {-1, 9999, Integer.MIN_VALUE};
        Map<String, List<Integer>> codes = new LinkedHashMap<>();
        for (String k : List.of("unary_contig", "unary_strided")) {
            codes.put(k, List.of(unknown[0], unknown[1], unknown[2], UnaryOp.NOT.code()));
        }
        for (String k : List.of("binary_contig", "binary_strided")) {
            codes.put(k, List.of(unknown[0], unknown[1], unknown[2], BinaryOp.EQ.code(), BinaryOp.XOR.code()));
        }
        codes.put("compare_strided", List.of(unknown[0], unknown[1], unknown[2], BinaryOp.ADD.code(), BinaryOp.MAX.code()));
        int traps = 0;
        for (DType t : new DType[] {DType.F32, DType.F64, DType.F16, DType.I32}) {
            for (Map.Entry<String, List<Integer>> k : codes.entrySet()) {
                List<Integer> bad = new ArrayList<>(k.getValue());
                if (!t.isFloating() && k.getKey().startsWith("unary")) {
                    bad.add(UnaryOp.EXP.code());
                    bad.add(UnaryOp.SQRT.code());
                }
                DType outType = k.getKey().equals("compare_strided") ? DType.BOOL : t;
                for (int code : bad) {
                    Storage out = storage(outType, 4);
                    KernelEmulation.EmulationError e = launchWithCode(t, k.getKey(), code, out);
                    String what = k.getKey() + " " + t + " code " + code;
                    assertTrue(e != null, what + ": no trap");
                    assertEquals(KernelEmulation.TRAP_MESSAGE + " in thread 0 of block 0", e.getMessage(), what);
                    for (int i = 0; i < 4; i++) {
                        assertEquals(SENTINEL & (outType.byteSize() == 8 ? -1L : (1L << 8 * outType.byteSize()) - 1),
                                getRaw(out.segment(), outType, i), what + ": element " + i + " was written");
                    }
                    traps++;
                }
            }
            // the library is still usable, and a valid code computes: -x, x + x, x < x
            Storage neg = storage(t, 4), sum = storage(t, 4), lt = storage(DType.BOOL, 4);
            assertNull(launchWithCode(t, "unary_strided", UnaryOp.NEG.code(), neg));
            assertNull(launchWithCode(t, "binary_contig", BinaryOp.ADD.code(), sum));
            assertNull(launchWithCode(t, "compare_strided", BinaryOp.LT.code(), lt));
            double[] x = {1.5, -2, 0.25, 3};
            for (int i = 0; i < 4; i++) {
                double xi = t.isFloating() ? x[i] : new long[] {1, -2, 5, 3}[i];
                assertEquals(-xi, decode(t, getRaw(neg.segment(), t, i)), t + " NEG [" + i + "]");
                assertEquals(2 * xi, decode(t, getRaw(sum.segment(), t, i)), t + " ADD [" + i + "]");
                assertEquals(0, getRaw(lt.segment(), DType.BOOL, i), t + " LT [" + i + "]");
            }
        }
        assertEquals(4 * (2 * 4 + 2 * 5 + 5) + 2 * 2, traps);
    }

    // ------------------------------------------------------------------ mulAdd, where, fill, iota

    @Test
    void mulAddFusedWithBroadcasting() {
        requireEmulation();
        for (DType t : FLOATS) {
            assertTrue(CudaBackend.mulAddOnDevice(t));
            long[] vals = values(t, 40, 31 + t.ordinal());
            // near-cancelling products, where fused and unfused differ
            SplittableRandom r = new SplittableRandom(5);
            for (int i = 20; i < 40; i++) {
                vals[i] = encode(t, 1 + r.nextInt(1 << 12) * 0x1p-12);
            }
            int k = 14;
            long[] a = java.util.Arrays.copyOfRange(vals, 0, k), b = java.util.Arrays.copyOfRange(vals, 13, 13 + k);
            long[] c = new long[k];
            for (int i = 0; i < k; i++) {
                c[i] = encode(t, -decode(t, vals[20 + i]) * decode(t, vals[26 + (i % 14)]));
            }
            StridedView x = view(filled(t, k, a), t, new long[] {k, k, k}, new long[] {1, 0, 0}, 0);
            StridedView y = view(filled(t, 1 + k, shifted(b, 1)), t, new long[] {k, k, k}, new long[] {0, 1, 0}, 1);
            StridedView z = view(filled(t, k, c), t, new long[] {k, k, k}, new long[] {0, 0, 1}, 0);
            StridedView dst = view(storage(t, 2 + k * k * k * 2), t, new long[] {k, k, k}, new long[] {k * k * 2, k * 2, 2}, 2);
            check("mulAdd " + t + " broadcast", dst, 0,
                    d -> cpu().mulAdd(x, y, z, d),
                    (d, g) -> devMulAdd(x, y, z, d, g));
            StridedView xd = dense(filled(t, 40, vals), t, 0, 5, 8);
            StridedView yd = view(filled(t, 41, shifted(vals, 3)), t, new long[] {5, 8}, new long[] {1, 5}, 1);
            StridedView zd = dense(filled(t, 43, shifted(vals, 7)), t, 3, 5, 8);
            StridedView dd = dense(storage(t, 41), t, 1, 5, 8);
            check("mulAdd " + t + " dense/transposed", dd, 0,
                    d -> cpu().mulAdd(xd, yd, zd, d),
                    (d, g) -> devMulAdd(xd, yd, zd, d, g));
        }
        report();
    }

    @Test
    void whereEveryType() {
        requireEmulation();
        long[] conds = {0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1};
        for (DType t : ALL) {
            long[] va = values(t, 40, 41 + t.ordinal()), vb = values(t, 40, 51 + t.ordinal());
            StridedView cond = view(filled(DType.BOOL, 1 + 11, shifted(conds, 1)), DType.BOOL, new long[] {4, 11}, new long[] {0, 1}, 1);
            for (int i = 0; i < 4; i++) {
                StridedView a = i == 0 ? dense(filled(t, 44, va), t, 0, 4, 11)
                        : view(filled(t, 3 + 4 * 11, va), t, new long[] {4, 11}, new long[] {1, i == 1 ? 0 : 4}, i == 1 ? 3 : 0);
                StridedView b = i == 2 ? view(filled(t, 4, vb), t, new long[] {4, 11}, new long[] {1, 0}, 0)
                        : view(filled(t, 2 + 44, vb), t, new long[] {4, 11}, new long[] {11, 1}, 2);
                StridedView dst = view(storage(t, 3 + 88), t, new long[] {4, 11}, new long[] {1, 8}, 3);
                check("where " + t + " layout " + i, dst, 0, d -> cpu().where(cond, a, b, d), (d, g) -> devWhere(cond, a, b, d, g));
            }
        }
        report();
    }

    @Test
    void fillEveryTypeAndValue() {
        requireEmulation();
        double[] fills = {0.0, -0.0, 1, -1, 2.5, -2.5, 300, -300, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e10,
            -1e19, 65520, 1e-8, 3.4e38};
        for (DType t : ALL) {
            for (double v : fills) {
                StridedView dst = view(storage(t, 4 + 6 * 7 * 2), t, new long[] {6, 7}, new long[] {1, 12}, 4);
                check("fill " + t + " " + v, dst, 0, d -> cpu().fill(d, v), (d, g) -> devFill(d, v, g));
                StridedView dense = dense(storage(t, 13), t, 1, 11);
                check("fill dense " + t + " " + v, dense, 0, d -> cpu().fill(d, v), (d, g) -> devFill(d, v, g));
            }
        }
        report();
    }

    @Test
    void iotaEveryType() {
        requireEmulation();
        double[][] ramps = {{0, 1}, {-3.5, 0.75}, {100, 7}, {0.1, 0.1}, {-1, 0.5}, {2.1e9, 1e8}, {-1e19, 1e18}, {65500, 3}, {1e-8, -3e-9}};
        for (DType t : ALL) {
            if (!CudaBackend.iotaOnDevice(t)) {
                continue;
            }
            for (double[] r : ramps) {
                for (int off : new int[] {0, 3}) {
                    StridedView dst = dense(storage(t, off + 45), t, off, 41);
                    check("iota " + t + " start " + r[0] + " step " + r[1] + " offset " + off, dst, 0, d -> cpu().iota(d, r[0], r[1]),
                            (d, g) -> devIota(d, r[0], r[1], g));
                }
            }
        }
        report();
    }
}
