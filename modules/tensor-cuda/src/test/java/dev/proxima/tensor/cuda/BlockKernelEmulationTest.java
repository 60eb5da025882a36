package dev.proxima.tensor.cuda;

import dev.proxima.cuda.KernelArgs;
import dev.proxima.cuda.KernelSource;
import dev.proxima.cuda.LaunchConfig;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
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
 * The block-cooperative kernels — {@code reduce.cu} ({@code reduce_last}, {@code argreduce_last}) and
 * {@code softmax.cu} ({@code softmax_last}, {@code log_softmax_last}, {@code logsumexp_last}) — executed on the
 * host under a SIMT emulation ({@link KernelEmulation#SIMT_PRELUDE}: the threads of a block run concurrently as
 * OS threads, {@code __syncthreads} and the warp shuffles are real barriers and exchanges) and compared with the
 * CPU backend on the same inputs.
 *
 * <p>Each specialisation is assembled as {@link CudaBackend#reduce} / {@link CudaBackend#softmax} assemble it
 * ({@link CudaBackend#reduceDefines}, {@link KernelSource#elementDefines}) and launched with the argument array the
 * backend builds, over host memory. Every case runs with a small grid (2 blocks over 6 rows, so the grid-stride
 * loop over rows is taken) and blocks of 32, 64 or 128 threads; some cases (the long rows of F32 and I64, a few
 * others) also run on their first three rows with the launch the backend would choose ({@link LaunchConfig#perRow}:
 * up to 512 threads for {@code reduce_last} and softmax, 1024 for {@code argreduce_last}). The output storage has a poisoned element on each side of the view, so stray writes show.
 *
 * <p><b>Tolerances.</b> MAX, MIN, MAX_ABS, MIN_ABS, COUNT_NONZERO, every integer reduction and the arg reductions
 * must match bit for bit (any NaN equals any NaN). Float sums differ from the CPU's by summation order: the kernel
 * adds in double in a tree, the CPU adds F32 (and the F32-widened halves) in float blocks of up to 1024 and F64 in
 * vector lanes, so {@code |kernel − cpu| ≤ n·ε·Σ|t| + 2·ε_dst·|cpu|}, with {@code t} the summed terms ({@code x},
 * {@code |x|} or {@code x²}), ε the CPU's accumulation epsilon (2⁻²⁴ for F32/F16/BF16 sources, 2⁻⁵³ for F64) and
 * ε_dst the output's; products (double on both sides) {@code ≤ (n·2⁻⁵³ + 2·ε_dst)·|cpu|}. Non-finite results must
 * agree exactly. Softmax: the kernel works in double and rounds once, the CPU's F32 path computes {@code exp} in
 * float on {@code x − m} rounded to float and sums in float blocks, so the relative error allowed on a softmax value
 * is {@code (8 + min(n, 1024) + |x − m|)·ε} (ε = 2⁻²⁴ for F32, 2⁻⁵³ for F64), the absolute error of a log-softmax
 * value and of logsumexp {@code (8 + min(n, 1024) + |x − m| + |result|)·ε}; positions of NaN and infinities must
 * agree exactly.
 *
 * <p><b>What this does not prove.</b> OS threads interleave far more coarsely than a GPU's warps, so a race that
 * needs a particular interleaving may not show; missing {@code __syncthreads} or {@code __syncwarp} before a
 * shared read usually does (threads of a block really run concurrently). Shared memory is not poisoned between
 * blocks. Nothing here checks NVRTC itself ({@link KernelSpecialisationsCompileTest}), libdevice's {@code exp}/
 * {@code log} (glibc stands in), FMA contraction ({@code -ffp-contract=off} here) or the device memory model.
 * Skipped, with the reason printed, where g++ or C++20's {@code <barrier>} is missing.
 */
class BlockKernelEmulationTest {

    private static final int[] LENGTHS = {1, 31, 32, 33, 1000, 4097};
    private static final int ROWS = 6;
    private static final int GRID = 2;
    /** Rows of the cases run with the backend's own launch (one block of up to 1024 threads per row). */
    private static final int REAL_ROWS = 3;
    private static final int[] SMALL_BLOCKS = {32, 64, 128};
    private static final Set<ReduceOp> EXACT = EnumSet.of(ReduceOp.MAX, ReduceOp.MIN, ReduceOp.MAX_ABS, ReduceOp.MIN_ABS,
            ReduceOp.COUNT_NONZERO, ReduceOp.ARGMAX, ReduceOp.ARGMIN);
    private static final EnumSet<ReduceOp> VALUE_OPS = EnumSet.range(ReduceOp.SUM, ReduceOp.COUNT_NONZERO);

    /** (source, destination, ops): the dtype pairs the front end sends (and the integer ones the backend routes). */
    private static final List<Object[]> COMBOS = List.of(
            new Object[] {DType.F32, DType.F32, VALUE_OPS},
            new Object[] {DType.F32, DType.F64, EnumSet.of(ReduceOp.SUM)},                 // mean
            new Object[] {DType.F64, DType.F64, VALUE_OPS},
            new Object[] {DType.F16, DType.F16, VALUE_OPS},
            new Object[] {DType.F16, DType.F32, EnumSet.of(ReduceOp.SUM, ReduceOp.MAX)},
            new Object[] {DType.BF16, DType.BF16, VALUE_OPS},
            new Object[] {DType.BF16, DType.F32, EnumSet.of(ReduceOp.SUM, ReduceOp.SUM_SQUARES)},
            new Object[] {DType.I32, DType.I64, VALUE_OPS},
            new Object[] {DType.I32, DType.I32, EnumSet.of(ReduceOp.MAX, ReduceOp.MIN)},
            new Object[] {DType.I64, DType.I64, VALUE_OPS},
            new Object[] {DType.I8, DType.I64, VALUE_OPS},
            new Object[] {DType.U8, DType.I64, VALUE_OPS},
            new Object[] {DType.U8, DType.U8, EnumSet.of(ReduceOp.MAX, ReduceOp.MIN)},
            new Object[] {DType.BOOL, DType.I64, EnumSet.of(ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.COUNT_NONZERO)});
    private static final DType[] ARG_TYPES = {DType.F32, DType.F64, DType.F16, DType.BF16, DType.I32, DType.I64, DType.I8, DType.U8,
        DType.BOOL};

    private static String skip;
    private static Arena libArena;
    private static Path dir;
    private static final Map<String, KernelEmulation.Launcher> LAUNCHERS = new LinkedHashMap<>();
    private static final AtomicLong LAUNCHES = new AtomicLong();
    private static final AtomicLong THREADS = new AtomicLong();
    private static long started;

    private final List<Storage> storages = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    /** Kernels that check the emulation itself: the warp primitives, shared memory, a shuffle from exited lanes. */
    private static final String PROBE = """
            extern "C" __global__ void simt_probe(int* out, int width) {
                __shared__ int s[256];
                int t = threadIdx.x, v = t * 10 + blockIdx.x * 1000;
                int* o = out + (blockIdx.x * blockDim.x + t) * 5;
                o[0] = __shfl_down_sync(0xffffffffu, v, 3, width);
                o[1] = __shfl_up_sync(0xffffffffu, v, 2, width);
                o[2] = __shfl_xor_sync(0xffffffffu, v, 5, width);
                o[3] = __shfl_sync(0xffffffffu, v, 7, width);
                s[t] = v;
                __syncthreads();
                o[4] = s[(t + 1) % blockDim.x];
            }
            extern "C" __global__ void simt_exited_lanes(int* out, int unused) {
                if ((threadIdx.x & 31) >= 16) return;
                out[threadIdx.x] = __shfl_down_sync(0xffffffffu, (int) threadIdx.x, 8);
            }
            """;

    static String reduceNs(DType src, DType dst) {
        return "r_" + src.name() + "_" + dst.name();
    }

    static String softmaxNs(DType t) {
        return "s_" + t.name();
    }

    @BeforeAll
    static void build() throws Throwable {
        started = System.nanoTime();
        Path gxx = KernelEmulation.gxx();
        if (gxx == null) {
            skip = "no g++ on PATH";
            System.out.println("[cuda] SKIPPED block kernel emulation: " + skip);
            return;
        }
        dir = Files.createTempDirectory("px-block-emu");
        String probe = KernelEmulation.compile(gxx, dir, Map.of("probe", "#include <barrier>\n#include <thread>\n"
                + "extern \"C\" int px_probe() { std::barrier<> b(1); b.arrive_and_wait(); return 1; }\n"), "c++20");
        if (probe != null) {
            skip = "g++ has no C++20 <barrier>: " + probe.lines().limit(5).reduce("", (a, b) -> a + b + "\n");
            System.out.println("[cuda] SKIPPED block kernel emulation: " + skip);
            return;
        }
        Map<String, String> launchers = new LinkedHashMap<>();
        // two libraries, built in parallel: the float reductions (and softmax), the integer ones
        StringBuilder floats = new StringBuilder(KernelEmulation.SIMT_PRELUDE);
        StringBuilder ints = new StringBuilder(KernelEmulation.SIMT_PRELUDE);
        for (Object[] c : COMBOS) {
            DType src = (DType) c[0], dst = (DType) c[1];
            (src.isFloating() ? floats : ints).append(chunk(reduceNs(src, dst),
                    KernelSource.of("reduce.cu", CudaBackend.reduceDefines(ReduceOp.SUM, src, dst)), launchers, true));
        }
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            floats.append(chunk(softmaxNs(t), KernelSource.of("softmax.cu", KernelSource.elementDefines(CudaBackend.cType(t))),
                    launchers, true));
        }
        floats.append(chunk("probe", new KernelSource("probe.cu", Map.of(), PROBE), launchers, true));
        String failed = KernelEmulation.compile(gxx, dir, Map.of("blockf", floats.toString(), "blocki", ints.toString()), "c++20");
        if (failed != null) {
            Set<String> missing = KernelEmulation.missing(failed);
            skip = "a kernel uses what the SIMT prelude cannot emulate" + (missing.isEmpty() ? "" : " " + missing) + "; g++ said:\n"
                    + failed.lines().limit(20).reduce("", (a, b) -> a + b + "\n");
            System.out.println("[cuda] SKIPPED block kernel emulation: " + skip);
            return;
        }
        libArena = Arena.ofShared();
        SymbolLookup fl = SymbolLookup.libraryLookup(dir.resolve("libblockf.so"), libArena);
        SymbolLookup il = SymbolLookup.libraryLookup(dir.resolve("libblocki.so"), libArena);
        LAUNCHERS.putAll(KernelEmulation.bind(launchers, fl, il));
        System.out.printf("[cuda] block kernel emulation built in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (libArena != null) {
            libArena.close();
        }
        KernelEmulation.deleteTree(dir);
        if (LAUNCHES.get() > 0) {
            System.out.printf("[cuda] block kernel emulation: %d SIMT launches, %d emulated threads, %.1f s%n", LAUNCHES.get(),
                    THREADS.get(), (System.nanoTime() - started) / 1e9);
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

    private static Backend cpu() {
        return CudaBackend.cpu();
    }

    /**
     * Runs a SIMT launch; an emulation error (shuffle misuse, deadlock, {@code __trap()}) throws
     * {@link KernelEmulation.EmulationError} with its description.
     */
    private static void launch(String ns, String kernel, KernelArgs args, int grid, int block) {
        KernelEmulation.Launcher l = LAUNCHERS.get(ns + "/" + kernel);
        if (l == null) {
            throw new IllegalStateException("no kernel " + kernel + " in " + ns);
        }
        LAUNCHES.incrementAndGet();
        THREADS.addAndGet((long) grid * block);
        try {
            KernelEmulation.launch(l, args.segment(), grid, block);
        } catch (KernelEmulation.EmulationError e) {
            if (e.getMessage().startsWith("block did not finish")) {
                skip = "an earlier launch deadlocked: " + e.getMessage();    // its threads are stuck: later launches would be unsound
            }
            throw new KernelEmulation.EmulationError(ns + "/" + kernel + " grid " + grid + " block " + block + ": emulation error: "
                    + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ storages and values

    private Storage storage(DType t, long elements) {
        Storage s = cpu().allocate(Device.CPU, Math.max(1, elements) * t.byteSize());
        storages.add(s);
        s.segment().fill((byte) 0xa5);
        return s;
    }

    /** Raw values of row {@code r} (of {@link #ROWS}) of length n for type t: see the comments for what each row holds. */
    static long[] row(DType t, int n, int r, boolean prod, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + r * 7919L + n);
        long[] a = new long[n];
        boolean f = t.isFloating();
        boolean half = t == DType.F16 || t == DType.BF16;
        for (int i = 0; i < n; i++) {
            double v;
            if (f) {
                v = switch (r) {
                    case 1 -> rnd.nextInt(-3, 4) * (rnd.nextBoolean() ? 1.0 : -1.0);         // ties and signed zeros
                    case 4 -> rnd.nextBoolean() ? 0.0 : -0.0;                                 // signed zeros only
                    default -> prod ? (rnd.nextBoolean() ? 1 : -1) * (0.95 + 0.1 * rnd.nextDouble())
                            : (rnd.nextDouble() * 2 - 1) * Math.pow(10, rnd.nextInt(-2, half ? 2 : 4));
                };
                a[i] = encode(t, v);
            } else {
                long x = switch (r) {
                    case 0 -> rnd.nextLong();                                                     // full range (wraps)
                    case 1 -> rnd.nextInt(-3, 4);                                                 // ties
                    case 2 -> rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;                // extremes of the type
                    case 3 -> 5;                                                                  // all equal
                    case 4 -> (1L << 60) + rnd.nextInt(0, 64);                                    // equal as doubles
                    default -> rnd.nextLong();
                };
                a[i] = narrow(t, x, r == 2 && rnd.nextBoolean());
            }
        }
        if (f && n > 0) {
            switch (r) {
                case 2 -> {                                   // a NaN and a +inf
                    a[rnd.nextInt(n)] = encode(t, Double.POSITIVE_INFINITY);
                    a[rnd.nextInt(n)] = encode(t, Double.NaN);
                }
                case 3 -> {                                   // +inf and -inf
                    a[rnd.nextInt(n)] = encode(t, Double.NEGATIVE_INFINITY);
                    a[rnd.nextInt(n)] = encode(t, Double.POSITIVE_INFINITY);
                }
                case 5 -> java.util.Arrays.fill(a, encode(t, Double.NEGATIVE_INFINITY));   // all -inf
                default -> {
                }
            }
        }
        if (n > 1 && r == 0) {                                // the maximum and minimum twice, far apart (first index wins)
            int p = rnd.nextInt(n / 2 + 1), q = Math.min(n - 1, p + 1 + rnd.nextInt(n - p));
            a[q] = a[p];
        }
        return a;
    }

    /** x wrapped into integer type t ({@code extreme}: the type's min or max instead, by x's sign). */
    private static long narrow(DType t, long x, boolean extreme) {
        return switch (t) {
            case I64 -> x;
            case I32 -> extreme ? (x < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE) & 0xffffffffL : x & 0xffffffffL;
            case I8 -> extreme ? (x < 0 ? 0x80 : 0x7f) : x & 0xff;
            case U8 -> extreme ? (x < 0 ? 0 : 0xff) : x & 0xff;
            case BOOL -> x & 1;
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /** A dense [rows, n] storage of type t holding the rows of {@link #row}. */
    private Storage filled(DType t, int rows, int n, boolean prod, long seed) {
        Storage s = storage(t, (long) rows * n);
        for (int r = 0; r < rows; r++) {
            long[] v = row(t, n, r % ROWS, prod, seed);
            for (int i = 0; i < n; i++) {
                setRaw(s.segment(), t, (long) r * n + i, v[i]);
            }
        }
        return s;
    }

    private static StridedView dense(Storage s, DType t, long offset, long... shape) {
        return new StridedView(s, t, shape, CudaBackend.contiguous(shape), offset);
    }

    private static long address(StridedView v) {
        return v.storage().segment().address() + v.offset() * v.dtype().byteSize();
    }

    private static double eps(DType t) {
        return switch (t) {
            case F64 -> 0x1p-53;
            case F32 -> 0x1p-24;
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
            default -> 0;
        };
    }

    /** The small launch: {@link #GRID} blocks of a size from {@link #SMALL_BLOCKS}. */
    private static List<int[]> small(int variant) {
        return List.of(new int[] {GRID, SMALL_BLOCKS[variant % SMALL_BLOCKS.length]});
    }

    /** The launch the backend chooses ({@link LaunchConfig#perRow}). */
    private static List<int[]> real(int rows, int n, int maxBlock) {
        LaunchConfig lc = LaunchConfig.perRow(rows, n, maxBlock);
        return List.of(new int[] {lc.gridX(), lc.blockX()});
    }

    // ------------------------------------------------------------------ the emulation itself

    @Test
    void warpPrimitivesAndSharedMemoryFollowCuda() {
        requireEmulation();
        int grid = 2, block = 96;
        for (int w : new int[] {32, 8, 4}) {
            Storage out = storage(DType.I32, (long) grid * block * 5);
            try (Arena a = Arena.ofConfined()) {
                launch("probe", "simt_probe", new KernelArgs(a).ptr(out.segment().address()).i32(w), grid, block);
            }
            for (int b = 0; b < grid; b++) {
                for (int t = 0; t < block; t++) {
                    int lane = t & 31, seg = lane & ~(w - 1), in = lane & (w - 1), base = t - lane, xr = lane ^ 5;
                    int[] src = {in + 3 < w ? t + 3 : t, in >= 2 ? t - 2 : t, (xr & ~(w - 1)) == seg ? base + xr : t,
                        base + seg + (7 & (w - 1)), (t + 1) % block};
                    for (int k = 0; k < 5; k++) {
                        long got = (long) decode(DType.I32, getRaw(out.segment(), DType.I32, (long) (b * block + t) * 5 + k));
                        if (got != src[k] * 10 + b * 1000) {
                            failures.add("width " + w + " block " + b + " thread " + t + " primitive " + k + ": expected "
                                    + (src[k] * 10 + b * 1000) + ", got " + got);
                        }
                    }
                }
            }
        }
        report();
        Storage out = storage(DType.I32, 64);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> {
            try (Arena a = Arena.ofConfined()) {
                launch("probe", "simt_exited_lanes", new KernelArgs(a).ptr(out.segment().address()).i32(0), 1, 64);
            }
        });
        assertTrue(e.getMessage().contains("has exited"), e.getMessage());
    }

    // ------------------------------------------------------------------ reductions

    @Test
    void reduceLastEveryOpAgainstCpu() {
        requireEmulation();
        int variant = 0;
        for (Object[] c : COMBOS) {
            DType src = (DType) c[0], dst = (DType) c[1];
            @SuppressWarnings("unchecked")
            Set<ReduceOp> ops = (Set<ReduceOp>) c[2];
            for (ReduceOp op : ops) {
                assertTrue(CudaBackend.reduceOnDevice(op, src, dst), op + " " + src + "->" + dst);
                for (int n : LENGTHS) {
                    reduceCase(op, src, dst, ROWS, n, small(variant++));
                    if (n >= 1000 && (src == DType.F32 || src == DType.I64) || n == 33 && src == DType.F64) {
                        reduceCase(op, src, dst, REAL_ROWS, n, real(REAL_ROWS, n, 512));
                    }
                }
            }
        }
        report();
    }

    @Test
    void argReduceLastAgainstCpu() {
        requireEmulation();
        int variant = 0;
        for (DType src : ARG_TYPES) {
            assertTrue(CudaBackend.reduceOnDevice(ReduceOp.ARGMAX, src, DType.I64));
            for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                for (int n : LENGTHS) {
                    reduceCase(op, src, DType.I64, ROWS, n, small(variant++));
                    if (n >= 1000 && (src == DType.F32 || src == DType.I64) || n == 33 && src == DType.BF16) {
                        reduceCase(op, src, DType.I64, REAL_ROWS, n, real(REAL_ROWS, n, 1024));
                    }
                }
            }
        }
        report();
    }

    @Test
    void reduceLastWithoutRowsWritesNothing() {
        requireEmulation();
        reduceCase(ReduceOp.SUM, DType.F32, DType.F32, 0, 7, List.of(new int[] {1, 32}));
        reduceCase(ReduceOp.ARGMAX, DType.I32, DType.I64, 0, 7, List.of(new int[] {1, 32}));
        report();
    }

    private String argNs(DType src) {
        for (Object[] c : COMBOS) {
            if (c[0] == src) {
                return reduceNs(src, (DType) c[1]);
            }
        }
        throw new IllegalStateException("no reduce.cu chunk for " + src);
    }

    private void reduceCase(ReduceOp op, DType src, DType dst, int rows, int n, List<int[]> launches) {
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        Storage in = filled(src, rows, n, op == ReduceOp.PROD, src.ordinal() * 31L + op.code());
        StridedView x = dense(in, src, 0, rows, n);
        // the CPU reference: halves are widened to F32 first (exact), as the front end does
        Storage ref = storage(dst, rows + 2L);
        StridedView refOut = dense(ref, dst, 1, rows);
        if (src == DType.F16 || src == DType.BF16) {
            Storage wide = storage(DType.F32, (long) rows * n);
            StridedView w = dense(wide, DType.F32, 0, rows, n);
            cpu().copy(x, w);
            cpu().reduce(op, w, new int[] {1}, refOut);
        } else {
            cpu().reduce(op, x, new int[] {1}, refOut);
        }
        String ns = arg ? argNs(src) : reduceNs(src, dst);
        for (int[] g : launches) {
            Storage out = storage(dst, rows + 2L);
            StridedView y = dense(out, dst, 1, rows);
            try (Arena a = Arena.ofConfined()) {
                launch(ns, arg ? "argreduce_last" : "reduce_last",
                        new KernelArgs(a).i32(op.code()).ptr(address(x)).ptr(address(y)).i64(rows).i64(n), g[0], g[1]);
            }
            String what = op + " " + src + "->" + dst + " [" + rows + ", " + n + "] grid " + g[0] + " block " + g[1];
            StringBuilder bad = new StringBuilder();
            int nbad = 0;
            for (int i = 0; i < rows + 2; i++) {
                long e = getRaw(out.segment(), dst, i), c = getRaw(ref.segment(), dst, i);
                boolean pad = i == 0 || i == rows + 1;
                if (e == c || !pad && agree(op, src, dst, e, c, in, i - 1, n)) {
                    continue;
                }
                if (nbad++ < 4) {
                    bad.append(String.format("%n    %s: cpu %s, kernel %s (row: %s)", pad ? "pad " + i : "row " + (i - 1),
                            show(dst, c), show(dst, e), pad ? "-" : rowText(src, in, i - 1, n)));
                }
            }
            if (nbad > 0) {
                failures.add(what + ": " + nbad + " differ" + bad);
            }
        }
    }

    private static String show(DType t, long raw) {
        return t.isFloating() ? decode(t, raw) + String.format(" (0x%x)", raw) : Long.toString((long) decode(t, raw));
    }

    private static String rowText(DType t, Storage s, int r, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, 8); i++) {
            sb.append(i == 0 ? "" : ", ").append(show(t, getRaw(s.segment(), t, (long) r * n + i)));
        }
        return sb.append(n > 8 ? ", … (" + n + ")]" : "]").toString();
    }

    /** True if kernel value e may stand for the CPU's c: see the class comment for the bounds. */
    private static boolean agree(ReduceOp op, DType src, DType dst, long e, long c, Storage in, int r, int n) {
        if (!dst.isFloating()) {
            return false;
        }
        double de = decode(dst, e), dc = decode(dst, c);
        if (Double.isNaN(de) && Double.isNaN(dc)) {
            return true;
        }
        if (EXACT.contains(op) || !src.isFloating() || !Double.isFinite(de) || !Double.isFinite(dc)) {
            return false;
        }
        double bound;
        if (op == ReduceOp.PROD) {
            bound = n * 0x1p-53 * Math.abs(dc);
        } else {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double x = decode(src, getRaw(in.segment(), src, (long) r * n + i));
                s += op == ReduceOp.SUM_SQUARES ? x * x : Math.abs(x);
            }
            bound = n * (src == DType.F64 ? 0x1p-53 : 0x1p-24) * s;
        }
        bound += 2 * eps(dst) * Math.max(Math.abs(dc), Math.abs(de)) + Double.MIN_VALUE;
        return Math.abs(de - dc) <= bound;
    }

    // ------------------------------------------------------------------ softmax

    /**
     * Raw rows for softmax: normal logits, -inf entries, all -inf, +inf, NaN, a 1e30 outlier, a large common offset,
     * +inf beside -inf entries, two +inf, +inf beside NaN.
     */
    static double[] softmaxRow(DType t, int n, int r, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 31 + r * 1009L + n);
        double[] a = new double[n];
        double offset = r == 6 ? (t == DType.F64 ? 1e8 : 1e3) : 0;
        for (int i = 0; i < n; i++) {
            a[i] = offset + rnd.nextGaussian() * 3;
        }
        if (n == 0) {
            return a;
        }
        switch (r) {
            case 1 -> {
                for (int i = 0; i < n; i += 3) {
                    a[i] = Double.NEGATIVE_INFINITY;
                }
            }
            case 2 -> java.util.Arrays.fill(a, Double.NEGATIVE_INFINITY);
            case 3 -> a[rnd.nextInt(n)] = Double.POSITIVE_INFINITY;
            case 4 -> a[rnd.nextInt(n)] = Double.NaN;
            case 5 -> a[rnd.nextInt(n)] = 1e30;
            case 7 -> {
                for (int i = 0; i < n; i += 3) {
                    a[i] = Double.NEGATIVE_INFINITY;
                }
                a[rnd.nextInt(n)] = Double.POSITIVE_INFINITY;
            }
            case 8 -> {
                a[rnd.nextInt(n)] = Double.POSITIVE_INFINITY;
                a[rnd.nextInt(n)] = Double.POSITIVE_INFINITY;
            }
            case 9 -> {
                a[rnd.nextInt(n)] = Double.POSITIVE_INFINITY;
                a[rnd.nextInt(n)] = Double.NaN;
            }
            default -> {
            }
        }
        return a;
    }

    private static final int SOFTMAX_ROWS = 10;

    /**
     * What every output of a row holding special values must be, whatever the CPU says (SciPy's and PyTorch's
     * rules, tabulated for the CPU in SoftmaxPrimitiveTest): NaN anywhere gives NaN; otherwise +inf anywhere gives
     * NaN for softmax and log-softmax and +inf for logsumexp; a row of only -inf gives NaN, or -inf for logsumexp.
     * Null for a row without such values (-inf beside finite values is ordinary).
     */
    static Double specialRowValue(SoftmaxOp op, double[] row) {
        boolean nan = false, posInf = false, allNegInf = row.length > 0;
        for (double v : row) {
            nan |= Double.isNaN(v);
            posInf |= v == Double.POSITIVE_INFINITY;
            allNegInf &= v == Double.NEGATIVE_INFINITY;
        }
        boolean lse = op == SoftmaxOp.LOGSUMEXP;
        if (nan) {
            return Double.NaN;
        }
        if (posInf) {
            return lse ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (allNegInf) {
            return lse ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
        return null;
    }

    @Test
    void softmaxFamilyAgainstCpu() {
        requireEmulation();
        int variant = 0;
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (int n : new int[] {1, 31, 32, 33, 1000, 1024, 1025}) {
                Storage in = storage(t, (long) SOFTMAX_ROWS * n);
                double[][] vals = new double[SOFTMAX_ROWS][];
                for (int r = 0; r < SOFTMAX_ROWS; r++) {
                    vals[r] = softmaxRow(t, n, r, t.ordinal());
                    for (int i = 0; i < n; i++) {
                        setRaw(in.segment(), t, (long) r * n + i, encode(t, vals[r][i]));
                        vals[r][i] = decode(t, encode(t, vals[r][i]));
                    }
                }
                StridedView x = dense(in, t, 0, SOFTMAX_ROWS, n);
                for (SoftmaxOp op : SoftmaxOp.values()) {
                    softmaxCase(op, t, x, vals, n, small(variant++));
                    if (n == 1025 && op == SoftmaxOp.SOFTMAX || n == 33 && op == SoftmaxOp.LOGSUMEXP) {
                        softmaxCase(op, t, x, vals, n, real(SOFTMAX_ROWS, n, 512));
                    }
                }
            }
        }
        report();
    }

    private void softmaxCase(SoftmaxOp op, DType t, StridedView x, double[][] vals, int n, List<int[]> launches) {
        boolean lse = op == SoftmaxOp.LOGSUMEXP;
        int rows = SOFTMAX_ROWS;
        long outN = lse ? rows : (long) rows * n;
        Storage ref = storage(t, outN + 2);
        StridedView refOut = lse ? dense(ref, t, 1, rows) : dense(ref, t, 1, rows, n);
        cpu().softmax(op, x, 1, refOut);
        String kernel = switch (op) {
            case SOFTMAX -> "softmax_last";
            case LOG_SOFTMAX -> "log_softmax_last";
            case LOGSUMEXP -> "logsumexp_last";
        };
        double eps = eps(t);
        for (int[] g : launches) {
            Storage out = storage(t, outN + 2);
            StridedView y = lse ? dense(out, t, 1, rows) : dense(out, t, 1, rows, n);
            try (Arena a = Arena.ofConfined()) {
                launch(softmaxNs(t), kernel, new KernelArgs(a).ptr(address(x)).ptr(address(y)).i64(rows).i64(n), g[0], g[1]);
            }
            StringBuilder bad = new StringBuilder();
            int nbad = 0;
            for (long i = 0; i < outN + 2; i++) {
                long e = getRaw(out.segment(), t, i), c = getRaw(ref.segment(), t, i);
                if (e == c) {
                    continue;
                }
                boolean pad = i == 0 || i == outN + 1;
                boolean ok = false;
                int r = (int) ((i - 1) / (lse ? 1 : n)), j = lse ? 0 : (int) ((i - 1) % n);
                if (!pad) {
                    double de = decode(t, e), dc = decode(t, c);
                    double m = java.util.Arrays.stream(vals[r]).max().orElse(Double.NEGATIVE_INFINITY);
                    double dist = lse ? 0 : Math.abs(vals[r][j] - m);
                    double k = 8 + Math.min(n, 1024) + (Double.isFinite(dist) ? dist : 0);
                    if (Double.isNaN(de) && Double.isNaN(dc)) {
                        ok = true;
                    } else if (Double.isFinite(de) && Double.isFinite(dc)) {
                        double bound = op == SoftmaxOp.SOFTMAX ? k * eps * Math.abs(dc) + Float.MIN_NORMAL * (t == DType.F32 ? 1 : 0)
                                : (k + Math.abs(dc)) * eps;
                        ok = Math.abs(de - dc) <= bound;
                    }
                }
                if (!ok && nbad++ < 4) {
                    bad.append(String.format("%n    %s: cpu %s, kernel %s", pad ? "pad " + i : "row " + r + " [" + j + "] x=" + vals[r][j],
                            show(t, c), show(t, e)));
                }
            }
            long width = lse ? 1 : n;
            for (int r = 0; r < rows; r++) {
                Double special = specialRowValue(op, vals[r]);
                for (long j = 0; special != null && j < width; j++) {
                    double v = decode(t, getRaw(out.segment(), t, 1 + r * width + j));
                    if (Double.compare(v, special) != 0 && nbad++ < 4) {
                        bad.append(String.format("%n    row %d [%d]: kernel %s, but a row like this must give %s", r, j, v, special));
                    }
                }
            }
            if (nbad > 0) {
                failures.add(op + " " + t + " [" + rows + ", " + n + "] grid " + g[0] + " block " + g[1] + ": " + nbad + " differ" + bad);
            }
        }
    }

    // ------------------------------------------------------------------ strided layouts (one thread per output)

    /** A [4, 5, 6] source of type t (NaN and ties in places for floats), optionally read through a transposed view. */
    private StridedView cube(DType t, boolean transposed, long seed) {
        Storage s = storage(t, 120);
        for (int i = 0; i < 120; i++) {
            long[] v = row(t, 1, i % 4 == 0 ? 1 : 0, false, seed + i);
            setRaw(s.segment(), t, i, v[0]);
        }
        if (t.isFloating()) {
            setRaw(s.segment(), t, 37, encode(t, Double.NaN));
        }
        return transposed ? new StridedView(s, t, new long[] {6, 5, 4}, new long[] {1, 6, 30}, 0) : dense(s, t, 0, 4, 5, 6);
    }

    /** The output shape of reducing {@code axes} of {@code shape}. */
    private static long[] without(long[] shape, int[] axes) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> java.util.Arrays.stream(axes).noneMatch(a -> a == d))
                .mapToLong(d -> shape[d]).toArray();
    }

    private void compareStrided(String what, DType t, Storage kernelOut, Storage cpuOut, long n, double relTol) {
        StringBuilder bad = new StringBuilder();
        int nbad = 0;
        for (long i = 0; i < n + 2; i++) {
            long e = getRaw(kernelOut.segment(), t, i), c = getRaw(cpuOut.segment(), t, i);
            double de = decode(t, e), dc = decode(t, c);
            boolean ok = e == c || i > 0 && i <= n && (Double.isNaN(de) && Double.isNaN(dc)
                    || relTol > 0 && Double.isFinite(dc) && Math.abs(de - dc) <= relTol * Math.max(1, Math.abs(dc)));
            if (!ok && nbad++ < 4) {
                bad.append(String.format("%n    element %d: cpu %s, kernel %s", i - 1, show(t, c), show(t, e)));
            }
        }
        if (nbad > 0) {
            failures.add(what + ": " + nbad + " differ" + bad);
        }
    }

    @Test
    void reduceStridedAndArgReduceStridedAgainstCpu() {
        requireEmulation();
        int[][] axesList = {{0}, {1}, {0, 2}, {0, 1}};
        for (DType t : new DType[] {DType.F32, DType.F64, DType.I64, DType.BF16}) {
            DType dst = t == DType.I64 ? DType.I64 : t;
            for (boolean transposed : new boolean[] {false, true}) {
                StridedView x = cube(t, transposed, t.ordinal());
                for (int[] axes : axesList) {
                    long[] outShape = without(x.shape(), axes);
                    long n = java.util.Arrays.stream(outShape).reduce(1, (p, q) -> p * q);
                    StridedView[] parts = CudaBackend.splitAxes(x, axes);
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.MIN_ABS, ReduceOp.COUNT_NONZERO}) {
                        DType d = op == ReduceOp.COUNT_NONZERO ? DType.I64 : dst;
                        if (!CudaBackend.reduceOnDevice(op, t, d) || op == ReduceOp.COUNT_NONZERO && t.isFloating() && t != DType.F32) {
                            continue;
                        }
                        String ns = t == DType.BF16 ? reduceNs(t, DType.BF16) : t == DType.I64 ? reduceNs(t, DType.I64) : reduceNs(t, t);
                        if (op == ReduceOp.COUNT_NONZERO && t == DType.F32) {
                            continue;   // F32 -> I64 is not among the compiled chunks; the integer path covers the kernel
                        }
                        Storage ref = storage(d, n + 2), out = storage(d, n + 2);
                        cpu().reduce(op, t == DType.BF16 ? widened(x) : x, axes, dense(ref, d, 1, outShape));
                        StridedView y = dense(out, d, 1, outShape);
                        try (Arena a = Arena.ofConfined()) {
                            launch(ns, "reduce_strided", new KernelArgs(a).i32(op.code()).ptr(x.storage().segment().address())
                                    .ptr(out.segment().address()).bytes(CudaBackend.shape(a, outShape)).bytes(CudaBackend.view(a, parts[0]))
                                    .bytes(CudaBackend.view(a, y)).bytes(CudaBackend.shape(a, parts[1].shape())).bytes(CudaBackend.view(a, parts[1])),
                                    GRID, 32);
                        }
                        double tol = op == ReduceOp.SUM || op == ReduceOp.PROD ? 8 * eps(t == DType.I64 ? DType.F64 : t) * 30 : 0;
                        compareStrided("reduce_strided " + op + " " + t + (transposed ? " (transposed)" : "") + " axes "
                                + java.util.Arrays.toString(axes), d, out, ref, n, t.isFloating() ? tol : 0);
                    }
                    if (axes.length == 1) {
                        for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
                            Storage ref = storage(DType.I64, n + 2), out = storage(DType.I64, n + 2);
                            cpu().reduce(op, t == DType.BF16 ? widened(x) : x, axes, dense(ref, DType.I64, 1, outShape));
                            StridedView y = dense(out, DType.I64, 1, outShape);
                            try (Arena a = Arena.ofConfined()) {
                                launch(argNs(t), "argreduce_strided", new KernelArgs(a).i32(op.code()).ptr(x.storage().segment().address())
                                        .ptr(out.segment().address()).bytes(CudaBackend.shape(a, outShape)).bytes(CudaBackend.view(a, parts[0]))
                                        .bytes(CudaBackend.view(a, y)).i64(parts[1].shape()[0]).i64(parts[1].strides()[0]), GRID, 32);
                            }
                            compareStrided("argreduce_strided " + op + " " + t + (transposed ? " (transposed)" : "") + " axis " + axes[0],
                                    DType.I64, out, ref, n, 0);
                        }
                    }
                }
            }
        }
        report();
    }

    /** A dense F32 copy of a half view (the CPU reference takes F32, as the front end widens halves). */
    private StridedView widened(StridedView x) {
        Storage w = storage(DType.F32, x.size());
        StridedView v = dense(w, DType.F32, 0, x.shape());
        cpu().copy(x, v);
        return v;
    }

    @Test
    void softmaxStridedAgainstCpu() {
        requireEmulation();
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (boolean transposed : new boolean[] {false, true}) {
                StridedView x = cube(t, transposed, 17 + t.ordinal());
                // special lanes on top of the NaN at storage index 37 = [1, 1, 1] of the dense [4, 5, 6] cube:
                // [2, 3, :] only -inf, +inf at [0, 4, 5] beside -inf at [0, 4, 0], +inf at [1, 1, 4] in the lane of the NaN
                for (int k = 0; k < 6; k++) {
                    setRaw(x.storage().segment(), t, 2 * 30 + 3 * 6 + k, encode(t, Double.NEGATIVE_INFINITY));
                }
                setRaw(x.storage().segment(), t, 4 * 6 + 5, encode(t, Double.POSITIVE_INFINITY));
                setRaw(x.storage().segment(), t, 4 * 6, encode(t, Double.NEGATIVE_INFINITY));
                setRaw(x.storage().segment(), t, 30 + 6 + 4, encode(t, Double.POSITIVE_INFINITY));
                for (int axis = 0; axis < 3; axis++) {
                    int[] ax = {axis};
                    StridedView lanes = CudaBackend.splitAxes(x, ax)[0];
                    long len = x.shape()[axis];
                    for (SoftmaxOp op : SoftmaxOp.values()) {
                        boolean lse = op == SoftmaxOp.LOGSUMEXP;
                        long[] outShape = lse ? without(x.shape(), ax) : x.shape();
                        long n = java.util.Arrays.stream(outShape).reduce(1, (p, q) -> p * q);
                        Storage ref = storage(t, n + 2), out = storage(t, n + 2);
                        cpu().softmax(op, x, axis, dense(ref, t, 1, outShape));
                        StridedView y = dense(out, t, 1, outShape);
                        StridedView yLanes = lse ? y : CudaBackend.splitAxes(y, ax)[0];
                        try (Arena a = Arena.ofConfined()) {
                            launch(softmaxNs(t), "softmax_strided", new KernelArgs(a).i32(op.code()).ptr(x.storage().segment().address())
                                    .ptr(out.segment().address()).bytes(CudaBackend.shape(a, lanes.shape())).bytes(CudaBackend.view(a, lanes))
                                    .bytes(CudaBackend.view(a, yLanes)).i64(len).i64(x.strides()[axis]).i64(lse ? 0 : y.strides()[axis]),
                                    GRID, 32);
                        }
                        compareStrided("softmax_strided " + op + " " + t + (transposed ? " (transposed)" : "") + " axis " + axis,
                                t, out, ref, n, 64 * eps(t));
                    }
                }
            }
        }
        report();
    }

    // ------------------------------------------------------------------ unknown op codes

    /**
     * Launches {@code kernel} (2 blocks of 32 threads) over the [2, 8] rows {@code 1..8}, {@code 9..16} of type t with
     * op code {@code code} into {@code out} (2 elements, or 16 for softmax_strided, viewed at offset 0); returns the
     * emulation error, or null if the launch completed.
     */
    private KernelEmulation.EmulationError launchWithCode(DType t, String kernel, int code, Storage out) {
        Storage in = storage(t, 16);
        for (int i = 0; i < 16; i++) {
            setRaw(in.segment(), t, i, t.isFloating() ? encode(t, i + 1) : i + 1);
        }
        StridedView x = dense(in, t, 0, 2, 8);
        StridedView[] parts = CudaBackend.splitAxes(x, new int[] {1});
        boolean softmax = kernel.equals("softmax_strided");
        DType outType = kernel.startsWith("arg") ? DType.I64 : t;
        StridedView y = softmax ? dense(out, t, 0, 2, 8) : dense(out, outType, 0, 2);
        long base = in.segment().address();
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).i32(code);
            switch (kernel) {
                case "reduce_last", "argreduce_last" -> args.ptr(base).ptr(out.segment().address()).i64(2).i64(8);
                case "reduce_strided" -> args.ptr(base).ptr(out.segment().address()).bytes(CudaBackend.shape(a, y.shape()))
                        .bytes(CudaBackend.view(a, parts[0])).bytes(CudaBackend.view(a, y)).bytes(CudaBackend.shape(a, parts[1].shape()))
                        .bytes(CudaBackend.view(a, parts[1]));
                case "argreduce_strided" -> args.ptr(base).ptr(out.segment().address()).bytes(CudaBackend.shape(a, y.shape()))
                        .bytes(CudaBackend.view(a, parts[0])).bytes(CudaBackend.view(a, y)).i64(8).i64(1);
                case "softmax_strided" -> args.ptr(base).ptr(out.segment().address()).bytes(CudaBackend.shape(a, parts[0].shape()))
                        .bytes(CudaBackend.view(a, parts[0])).bytes(CudaBackend.view(a, CudaBackend.splitAxes(y, new int[] {1})[0]))
                        .i64(8).i64(1).i64(1);
                default -> throw new IllegalArgumentException(kernel);
            }
            launch(softmax ? softmaxNs(t) : reduceNs(t, t), kernel, args, GRID, 32);
            return null;
        } catch (KernelEmulation.EmulationError e) {
            return e;
        }
    }

    /**
     * Every block kernel that takes an op code traps on a code it does not handle — codes no constant has, the arg
     * reductions in the value kernels and the value reductions in the arg kernels — and writes nothing (the output
     * keeps its poison); the emulation reports the trap of a thread of block 0 and the next launch runs normally.
     */
    @Test
    void unknownOpCodesTrap() {
        requireEmulation();
        List<Integer> unknown = List.of(-1, 9999, Integer.MAX_VALUE);
        Map<String, List<Integer>> codes = new LinkedHashMap<>();
        for (String k : List.of("reduce_last", "reduce_strided")) {
            codes.put(k, concat(unknown, ReduceOp.ARGMAX.code(), ReduceOp.ARGMIN.code()));
        }
        for (String k : List.of("argreduce_last", "argreduce_strided")) {
            codes.put(k, concat(unknown, ReduceOp.SUM.code(), ReduceOp.MAX.code()));
        }
        codes.put("softmax_strided", unknown);
        java.util.regex.Pattern trapped = java.util.regex.Pattern.compile(".*: emulation error: "
                + java.util.regex.Pattern.quote(KernelEmulation.TRAP_MESSAGE) + " in thread \\d+ \\(lane \\d+\\) of block 0");
        int traps = 0;
        for (DType t : new DType[] {DType.F64, DType.I64}) {
            for (Map.Entry<String, List<Integer>> k : codes.entrySet()) {
                if (k.getKey().startsWith("softmax") && t == DType.I64) {
                    continue;
                }
                DType outType = k.getKey().startsWith("arg") ? DType.I64 : t;
                for (int code : k.getValue()) {
                    Storage out = storage(outType, 16);
                    KernelEmulation.EmulationError e = launchWithCode(t, k.getKey(), code, out);
                    String what = k.getKey() + " " + t + " code " + code;
                    assertTrue(e != null, what + ": no trap");
                    assertTrue(trapped.matcher(e.getMessage()).matches(), what + ": " + e.getMessage());
                    for (int i = 0; i < 16; i++) {
                        assertEquals(0xa5a5a5a5a5a5a5a5L, getRaw(out.segment(), outType, i), what + ": element " + i + " was written");
                    }
                    traps++;
                }
            }
            // valid codes after the traps: row sums 36 and 100, first minimum at 0, max 8 and 16
            Storage sum = storage(t, 2), argmin = storage(DType.I64, 2), max = storage(t, 2);
            assertNull(launchWithCode(t, "reduce_last", ReduceOp.SUM.code(), sum));
            assertNull(launchWithCode(t, "argreduce_strided", ReduceOp.ARGMIN.code(), argmin));
            assertNull(launchWithCode(t, "reduce_strided", ReduceOp.MAX.code(), max));
            for (int r = 0; r < 2; r++) {
                assertEquals(r == 0 ? 36.0 : 100.0, decode(t, getRaw(sum.segment(), t, r)), t + " SUM row " + r);
                assertEquals(0L, getRaw(argmin.segment(), DType.I64, r), t + " ARGMIN row " + r);
                assertEquals(r == 0 ? 8.0 : 16.0, decode(t, getRaw(max.segment(), t, r)), t + " MAX row " + r);
            }
        }
        // and softmax_strided's LOGSUMEXP: 8 + log((1 - e^-8) / (1 - e^-1)) for the first row, 8 more for the second
        Storage lse = storage(DType.F64, 16);
        assertNull(launchWithCode(DType.F64, "softmax_strided", SoftmaxOp.LOGSUMEXP.code(), lse));
        double first = 8 + Math.log(-Math.expm1(-8) / -Math.expm1(-1));
        assertEquals(first, decode(DType.F64, getRaw(lse.segment(), DType.F64, 0)), 1e-14 * first);
        assertEquals(first + 8, decode(DType.F64, getRaw(lse.segment(), DType.F64, 8)), 1e-14 * (first + 8));
        assertEquals(2 * (2 * 5 + 2 * 5) + 3, traps);
    }

    private static List<Integer> concat(List<Integer> a, Integer... b) {
        List<Integer> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    /** Fails with every mismatch collected (each case is checked, not only the first). */
    private void report() {
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < failures.size(); i++) {
                sb.append('\n').append(i < 30 ? failures.get(i) : failures.get(i).lines().findFirst().orElse(""));
            }
            fail(failures.size() + " cases differ from the CPU backend:" + sb);
        }
    }
}
