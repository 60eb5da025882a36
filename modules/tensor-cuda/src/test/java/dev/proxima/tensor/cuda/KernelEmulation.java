package dev.proxima.tensor.cuda;

import dev.proxima.cuda.KernelSource;
import dev.proxima.tensor.DType;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The machinery shared by the host emulations of the CUDA kernels ({@link KernelEmulationTest}, sequential;
 * {@link BlockKernelEmulationTest}, SIMT): the C++ preludes that stand in for CUDA, the wrapping of one kernel
 * specialisation in its own namespace with a generated launcher per {@code __global__} function, the g++ build
 * and raw element access.
 *
 * <p><b>Sequential prelude</b> ({@link #PRELUDE}, C++17): the CUDA qualifiers defined away, bit-cast intrinsics
 * with {@code memcpy}, {@code threadIdx}/{@code blockIdx}/{@code blockDim}/{@code gridDim} as globals; the
 * launcher runs every (block, thread) pair in turn. Warp and block primitives abort if called.
 *
 * <p><b>{@code __trap()}</b> (what the kernels' op switches call for a code they do not handle) throws a C++
 * exception in both preludes: the trapping thread stops where it is, as the whole launch does on the GPU. The
 * sequential launcher catches it and returns 1 without running the remaining (block, thread) pairs; under SIMT
 * the thread leaves the block like an exited thread and the launch reports an emulation error. Either way
 * {@code px_emu_message()} says which thread trapped ({@link #TRAP_MESSAGE} starts the text).
 *
 * <p><b>SIMT prelude</b> ({@link #SIMT_PRELUDE}, C++20, {@code -pthread}): blocks run one after another; the
 * {@code blockDim.x} threads of a block run concurrently, each on its own OS thread (small stacks), with
 * {@code threadIdx}/{@code blockIdx} {@code thread_local}. {@code __shared__} is {@code static}: one instance
 * shared by all threads of the running block (blocks never overlap, so one instance per block is exact; it is
 * not re-poisoned between blocks, so a read of shared memory that no thread of the block wrote is not caught).
 * {@code __syncthreads()} is a {@code std::barrier} over the block's threads; a thread that returns from the
 * kernel drops out of it (as exited threads do on the GPU). The warp primitives ({@code __shfl_sync},
 * {@code __shfl_down_sync}, {@code __shfl_up_sync}, {@code __shfl_xor_sync}, {@code __syncwarp}) use a
 * per-warp exchange buffer and a per-warp {@code std::barrier} (32-lane warps; the last warp of a block whose size
 * is not a multiple of 32 is partial), with CUDA's semantics: the source lane is computed within segments of
 * {@code width} lanes, and a lane whose source falls outside its segment gets its own value. Misuse that the
 * GPU leaves undefined is reported as an emulation error: a calling lane missing from {@code mask}, or reading
 * a lane that is not in {@code mask}, has exited, or does not exist. A block that does not finish within
 * {@link #BLOCK_TIMEOUT_S} seconds (a barrier some threads never reach) is reported as a deadlock. The SIMT
 * launcher returns 0, or 1 after an emulation error whose text {@code px_emu_message()} returns.
 *
 * <p>Every launcher has the C signature {@code int launch(void** params, unsigned grid, unsigned block)}
 * ({@link #LAUNCHER}); {@link #launch} runs one and turns a non-zero result into {@link EmulationError}.
 */
final class KernelEmulation {

    /** Seconds a block of the SIMT emulation may take before it is reported as deadlocked. */
    static final int BLOCK_TIMEOUT_S = 60;

    /** How {@code px_emu_message()} starts after a kernel called {@code __trap()}. */
    static final String TRAP_MESSAGE = "__trap() called";

    /** The signature of every generated launcher: {@code int (void** params, unsigned grid, unsigned block)}. */
    static final FunctionDescriptor LAUNCHER = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

    /** A launch that did not complete: a {@code __trap()}, or (SIMT) misuse of a primitive or a deadlock. */
    static final class EmulationError extends AssertionError {
        EmulationError(String message) {
            super(message);
        }
    }

    private static final String COMMON = """
            #include <math.h>
            #include <string.h>
            #include <stdio.h>
            #include <stdlib.h>
            struct uint3 { unsigned x, y, z; };
            struct dim3 { unsigned x, y, z; };
            #define __global__
            #define __device__
            #define __host__
            #define __forceinline__ inline __attribute__((always_inline))
            #define __shared__ static
            #define __align__(n) alignas(n)
            static inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
            static inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
            static inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
            static inline int __float_as_int(float f) { int u; memcpy(&u, &f, 4); return u; }
            static inline double __longlong_as_double(long long u) { double f; memcpy(&f, &u, 8); return f; }
            static inline long long __double_as_longlong(double f) { long long u; memcpy(&u, &f, 8); return u; }
            static inline double __dmul_rn(double a, double b) { return a * b; }   // -ffp-contract=off: never fused
            static inline double __dadd_rn(double a, double b) { return a + b; }
            static inline float __fmul_rn(float a, float b) { return a * b; }
            static inline float __fadd_rn(float a, float b) { return a + b; }
            struct PxTrap {};                          // thrown by __trap(): ends the trapping thread (the launch, on the GPU)
            static char px_emu_msg[512];
            extern "C" const char* px_emu_message() { return px_emu_msg; }
            """;

    /** Sequential emulation: one (block, thread) pair after another; warp and block primitives abort. */
    static final String PRELUDE = "// CUDA emulation prelude (sequential): host stand-ins with the device semantics\n" + COMMON + """
            static uint3 threadIdx, blockIdx;
            static dim3 blockDim, gridDim;
            static void px_emu_unsupported(const char* what) { fprintf(stderr, "emulation: %s is not emulated\\n", what); abort(); }
            [[noreturn]] static void __trap() {
                snprintf(px_emu_msg, sizeof px_emu_msg, "%TRAP% in thread %u of block %u", threadIdx.x, blockIdx.x);
                throw PxTrap{};
            }
            static inline void __syncthreads() { px_emu_unsupported("__syncthreads"); }
            template <typename T> static inline T __shfl_down_sync(unsigned, T v, int) { px_emu_unsupported("__shfl_down_sync"); return v; }
            """.replace("%TRAP%", TRAP_MESSAGE);

    /** SIMT emulation: the threads of a block run concurrently; see the class comment. */
    static final String SIMT_PRELUDE = "// CUDA emulation prelude (SIMT): host stand-ins with the device semantics\n" + COMMON + """
            #include <atomic>
            #include <barrier>
            #include <chrono>
            #include <condition_variable>
            #include <functional>
            #include <mutex>
            #include <pthread.h>
            static thread_local uint3 threadIdx, blockIdx;
            static dim3 blockDim, gridDim;
            static std::atomic<int> px_emu_error{0};
            static void px_emu_fail(const char* fmt, unsigned a, unsigned b) {
                int expected = 0;
                if (px_emu_error.compare_exchange_strong(expected, 1)) {
                    snprintf(px_emu_msg, sizeof px_emu_msg, fmt, a, b, blockIdx.x);
                }
            }
            [[noreturn]] static void __trap() {
                px_emu_fail("%TRAP% in thread %u (lane %u) of block %u", threadIdx.x, threadIdx.x & 31);
                throw PxTrap{};
            }
            struct PxWarp {
                std::barrier<>* bar;
                alignas(16) unsigned char slot[32][16];
                std::atomic<bool> alive[32];
                unsigned lanes;                        // threads of the block in this warp (32 but for a partial last warp)
            };
            static PxWarp* px_warps;
            static std::barrier<>* px_block_bar;
            static inline void __syncthreads() { px_block_bar->arrive_and_wait(); }
            static inline void __syncwarp(unsigned mask = 0xffffffffu) { (void) mask; px_warps[threadIdx.x >> 5].bar->arrive_and_wait(); }
            // one exchange: every lane of the warp publishes v, then reads lane src (own value when src < 0)
            template <typename T> static T px_shfl(unsigned mask, T v, int src) {
                static_assert(sizeof(T) <= 16, "shuffle of a type wider than 16 bytes");
                unsigned lane = threadIdx.x & 31;
                PxWarp& w = px_warps[threadIdx.x >> 5];
                if (!((mask >> lane) & 1u)) px_emu_fail("lane %u calls a shuffle with mask 0x%x that excludes it (block %u)", lane, mask);
                memcpy(w.slot[lane], &v, sizeof(T));
                w.bar->arrive_and_wait();
                T r = v;
                if (src >= 0 && (unsigned) src != lane) {
                    if ((unsigned) src >= w.lanes || !((mask >> src) & 1u) || !w.alive[src].load())
                        px_emu_fail("lane %u reads lane %u, which is not in the mask, has exited or does not exist (block %u)", lane, (unsigned) src);
                    else memcpy(&r, w.slot[src], sizeof(T));
                }
                w.bar->arrive_and_wait();              // nobody overwrites a slot before every lane has read it
                return r;
            }
            static inline int px_width(int width) { return (width >= 1 && width <= 32 && (width & (width - 1)) == 0) ? width : 32; }
            template <typename T> static inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
                int w = px_width(width), lane = threadIdx.x & 31;
                return px_shfl(mask, v, (lane & ~(w - 1)) + (srcLane & (w - 1)));
            }
            template <typename T> static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
                int w = px_width(width), lane = threadIdx.x & 31;
                return px_shfl(mask, v, (lane & (w - 1)) + (int) delta < w ? lane + (int) delta : -1);
            }
            template <typename T> static inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
                int w = px_width(width), lane = threadIdx.x & 31;
                return px_shfl(mask, v, (lane & (w - 1)) >= (int) delta ? lane - (int) delta : -1);
            }
            template <typename T> static inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
                int w = px_width(width), lane = threadIdx.x & 31, src = lane ^ laneMask;
                return px_shfl(mask, v, (src & ~(w - 1)) == (lane & ~(w - 1)) ? src : -1);
            }
            struct PxStart { unsigned t, b; const std::function<void()>* body; };
            static std::mutex px_done_m;
            static std::condition_variable px_done_cv;
            static unsigned px_done;
            static void* px_thread_main(void* arg) {
                PxStart* s = (PxStart*) arg;
                threadIdx = {s->t, 0, 0};
                blockIdx = {s->b, 0, 0};
                try {
                    (*s->body)();
                } catch (const PxTrap&) {              // recorded by __trap(); the thread leaves the block
                }
                PxWarp& w = px_warps[s->t >> 5];
                w.alive[s->t & 31].store(false);
                w.bar->arrive_and_drop();              // an exited thread no longer holds up its warp or block
                px_block_bar->arrive_and_drop();
                { std::lock_guard<std::mutex> l(px_done_m); ++px_done; }
                px_done_cv.notify_all();
                return nullptr;
            }
            // runs the blocks one after another, the threads of each concurrently; 0, or 1 on an emulation error
            static int px_simt_launch(unsigned grid, unsigned block, const std::function<void()>& body) {
                px_emu_error = 0;
                px_emu_msg[0] = 0;
                gridDim = {grid, 1, 1};
                blockDim = {block, 1, 1};
                unsigned nw = (block + 31) / 32;
                for (unsigned b = 0; b < grid && px_emu_error == 0; ++b) {
                    std::barrier<> block_bar((std::ptrdiff_t) block);
                    PxWarp* warps = new PxWarp[nw];
                    for (unsigned i = 0; i < nw; ++i) {
                        warps[i].lanes = i + 1 < nw ? 32 : block - 32 * i;
                        warps[i].bar = new std::barrier<>((std::ptrdiff_t) warps[i].lanes);
                        for (int l = 0; l < 32; ++l) warps[i].alive[l] = (unsigned) l < warps[i].lanes;
                    }
                    px_warps = warps;
                    px_block_bar = &block_bar;
                    px_done = 0;
                    PxStart* starts = new PxStart[block];
                    pthread_t* th = new pthread_t[block];
                    pthread_attr_t attr;
                    pthread_attr_init(&attr);
                    pthread_attr_setstacksize(&attr, 1 << 19);
                    unsigned started = 0;
                    for (unsigned t = 0; t < block; ++t) {
                        starts[t] = {t, b, &body};
                        if (pthread_create(&th[t], &attr, px_thread_main, &starts[t]) != 0) {
                            fprintf(stderr, "emulation: cannot start thread %u of %u\\n", t, block);
                            abort();                   // the started threads wait at barriers for it
                        }
                        ++started;
                    }
                    pthread_attr_destroy(&attr);
                    std::unique_lock<std::mutex> l(px_done_m);
                    bool done = px_done_cv.wait_for(l, std::chrono::seconds(%TIMEOUT%), [&] { return px_done == block; });
                    l.unlock();
                    if (!done) {
                        px_emu_fail("block did not finish in %u s: %u threads wait at a barrier the others never reach (block %u)",
                                %TIMEOUT%, block - px_done);
                        return 1;                      // the stuck threads and their state are leaked on purpose
                    }
                    for (unsigned t = 0; t < started; ++t) pthread_join(th[t], nullptr);
                    for (unsigned i = 0; i < nw; ++i) delete warps[i].bar;
                    delete[] warps;
                    delete[] starts;
                    delete[] th;
                    px_warps = nullptr;
                    px_block_bar = nullptr;
                }
                return px_emu_error.load();
            }
            """.replace("%TIMEOUT%", Integer.toString(BLOCK_TIMEOUT_S)).replace("%TRAP%", TRAP_MESSAGE);

    private static final Pattern KERNEL = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("^\\s*#\\s*define\\s+(\\w+)", Pattern.MULTILINE);
    private static final Pattern PARAM_NAME = Pattern.compile("\\s*\\b(\\w+)\\s*$");

    private KernelEmulation() {
    }

    /**
     * One specialisation in namespace {@code ns}: kernels renamed to {@code ns_name}, a launcher
     * {@code int ns_name__launch(void** params, unsigned grid, unsigned block)} per kernel (0, or 1 after a
     * {@code __trap()} or, under SIMT, an emulation error), the file's macros undefined after. {@code launchers}
     * receives {@code ns/kernel -> launcher symbol}.
     */
    static String chunk(String ns, KernelSource src, Map<String, String> launchers, boolean simt) {
        String text = src.text();
        StringBuilder sb = new StringBuilder();
        Matcher k = KERNEL.matcher(text);
        List<String[]> kernels = new ArrayList<>();
        while (k.find()) {
            kernels.add(new String[] {k.group(1), k.group(2)});
        }
        for (String[] kn : kernels) {
            sb.append("#define ").append(kn[0]).append(' ').append(ns).append('_').append(kn[0]).append('\n');
        }
        sb.append("namespace ").append(ns).append(" {\n").append(text).append('\n');
        for (String[] kn : kernels) {
            String launcher = ns + "_" + kn[0] + "__launch";
            StringBuilder call = new StringBuilder(kn[0]).append('(');
            String[] params = kn[1].split(",");
            for (int i = 0; i < params.length; i++) {
                Matcher pn = PARAM_NAME.matcher(params[i]);
                if (!pn.find()) {
                    throw new IllegalStateException("cannot parse parameter '" + params[i] + "' of " + kn[0]);
                }
                String type = params[i].substring(0, pn.start()).trim();
                call.append(i == 0 ? "" : ", ").append("*(").append(type).append("*) p[").append(i).append(']');
            }
            call.append(");");
            if (simt) {
                sb.append("extern \"C\" int ").append(launcher).append("(void** p, unsigned grid, unsigned block) {\n")
                        .append("    return px_simt_launch(grid, block, [p]() { ").append(call).append(" });\n}\n");
            } else {
                sb.append("extern \"C\" int ").append(launcher).append("(void** p, unsigned grid, unsigned block) {\n")
                        .append("    gridDim.x = grid; gridDim.y = gridDim.z = 1; blockDim.x = block; blockDim.y = blockDim.z = 1;\n")
                        .append("    px_emu_msg[0] = 0;\n")
                        .append("    try {\n")
                        .append("        for (unsigned b = 0; b < grid; ++b) for (unsigned t = 0; t < block; ++t) {\n")
                        .append("            blockIdx.x = b; threadIdx.x = t;\n            ").append(call).append("\n        }\n")
                        .append("    } catch (const PxTrap&) {\n        return 1;\n    }\n    return 0;\n}\n");
            }
            launchers.put(ns + "/" + kn[0], launcher);
        }
        sb.append("} // namespace ").append(ns).append('\n');
        Set<String> macros = new LinkedHashSet<>();
        Matcher d = DEFINE.matcher(text);
        while (d.find()) {
            macros.add(d.group(1));
        }
        for (String[] kn : kernels) {
            macros.add(kn[0]);
        }
        for (String m : macros) {
            sb.append("#undef ").append(m).append('\n');
        }
        return sb.toString();
    }

    /** g++ on the PATH, or null. */
    static Path gxx() {
        return executable(List.of("g++"));
    }

    /**
     * The first of {@code names} found as an executable in a {@code PATH} folder, then in {@code extraDirs}
     * (tools the tests drive: compilers), or null.
     */
    static Path executable(List<String> names, String... extraDirs) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of(extraDirs));
        for (String name : names) {
            for (String dir : dirs) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /**
     * Builds {@code dir/lib<name>.so} from each source (in parallel) with {@code g++ -std=<std> -O1
     * -ffp-contract=off -fno-fast-math} (plus {@code -pthread} for C++20 and the flags of the system property
     * {@code proxima.emu.cflags}); null when all built, else the first failing compiler's output.
     */
    static String compile(Path gxx, Path dir, Map<String, String> sources, String std) throws Exception {
        Map<String, Process> jobs = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path src = dir.resolve(e.getKey() + ".cpp");
            Files.writeString(src, e.getValue());
            List<String> cmd = new ArrayList<>(List.of(gxx.toString(), "-std=" + std, "-O1", "-ffp-contract=off", "-fno-fast-math",
                    "-fno-strict-aliasing", "-fPIC", "-shared", "-w", "-o", dir.resolve("lib" + e.getKey() + ".so").toString(), src.toString()));
            if (std.equals("c++20")) {
                cmd.add(1, "-pthread");
            }
            // extra g++ flags for runs by hand, e.g. -Dproxima.emu.cflags=-fsanitize=undefined,float-cast-overflow: UBSan's
            // reports (signed overflow, out-of-range float -> int casts, which the GPU may resolve differently) go to stderr
            String extra = System.getProperty("proxima.emu.cflags", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(1, List.of(extra.split("\\s+")));
            }
            jobs.put(e.getKey(), new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(e.getKey() + ".log").toFile())
                    .start());
        }
        String failed = null;
        for (Map.Entry<String, Process> j : jobs.entrySet()) {
            if (!j.getValue().waitFor(300, TimeUnit.SECONDS)) {
                j.getValue().destroyForcibly();
                return j.getKey() + ": g++ timed out";
            }
            if (j.getValue().exitValue() != 0 && failed == null) {
                failed = j.getKey() + ".cu: " + Files.readString(dir.resolve(j.getKey() + ".log"));
            }
        }
        return failed;
    }

    /** The identifiers g++ complained are undeclared in {@code log} (what a prelude lacks). */
    static Set<String> missing(String log) {
        Set<String> missing = new LinkedHashSet<>();
        Matcher m = Pattern.compile("'(\\w+)' was not declared|'(\\w+)' does not name a type").matcher(log);
        while (m.find()) {
            missing.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return missing;
    }

    // ------------------------------------------------------------------ raw element access

    static long getRaw(MemorySegment s, DType t, long i) {
        return switch (t.byteSize()) {
            case 1 -> s.getAtIndex(JAVA_BYTE, i) & 0xffL;
            case 2 -> s.getAtIndex(JAVA_SHORT_UNALIGNED, i) & 0xffffL;
            case 4 -> s.getAtIndex(JAVA_INT_UNALIGNED, i) & 0xffffffffL;
            default -> s.getAtIndex(JAVA_LONG_UNALIGNED, i);
        };
    }

    static void setRaw(MemorySegment s, DType t, long i, long raw) {
        switch (t.byteSize()) {
            case 1 -> s.setAtIndex(JAVA_BYTE, i, (byte) raw);
            case 2 -> s.setAtIndex(JAVA_SHORT_UNALIGNED, i, (short) raw);
            case 4 -> s.setAtIndex(JAVA_INT_UNALIGNED, i, (int) raw);
            default -> s.setAtIndex(JAVA_LONG_UNALIGNED, i, raw);
        }
    }

    /** The value of raw bits {@code raw} of type t (integers as their signed/unsigned value). */
    static double decode(DType t, long raw) {
        return switch (t) {
            case F32 -> Float.intBitsToFloat((int) raw);
            case F64 -> Double.longBitsToDouble(raw);
            case F16 -> Float.float16ToFloat((short) raw);
            case BF16 -> Float.intBitsToFloat((int) raw << 16);
            case I32 -> (int) raw;
            case I8 -> (byte) raw;
            default -> raw;
        };
    }

    /** float to BF16 bits, round to nearest even, as the CPU stores it. */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The raw bits of v in float type t (halves rounded through float, as the CPU does). */
    static long encode(DType t, double v) {
        return switch (t) {
            case F32 -> Float.floatToRawIntBits((float) v);
            case F64 -> Double.doubleToRawLongBits(v);
            case F16 -> Float.floatToFloat16((float) v);
            case BF16 -> bf16((float) v);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /** A generated launcher bound for calls: its downcall ({@link #LAUNCHER}) and its library's {@code px_emu_message()}. */
    record Launcher(String name, MethodHandle launch, MethodHandle message) {
    }

    /** The launchers ({@code "ns/kernel"} → symbol) found in {@code libs}, bound ({@code "ns/kernel"} → launcher). */
    static Map<String, Launcher> bind(Map<String, String> launchers, SymbolLookup... libs) {
        Linker linker = Linker.nativeLinker();
        Map<SymbolLookup, MethodHandle> messages = new java.util.HashMap<>();
        Map<String, Launcher> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : launchers.entrySet()) {
            SymbolLookup lib = java.util.Arrays.stream(libs).filter(l -> l.find(e.getValue()).isPresent()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no symbol " + e.getValue()));
            MethodHandle message = messages.computeIfAbsent(lib, l -> linker.downcallHandle(l.find("px_emu_message").orElseThrow(
                    () -> new IllegalStateException("no px_emu_message in the library of " + e.getValue())), FunctionDescriptor.of(ADDRESS)));
            out.put(e.getKey(), new Launcher(e.getKey(), linker.downcallHandle(lib.find(e.getValue()).orElseThrow(), LAUNCHER), message));
        }
        return out;
    }

    /**
     * Runs {@code l} with the kernel parameters {@code params} (a {@code void**} array, as {@code cuLaunchKernel}
     * takes) on {@code grid} blocks of {@code block} threads.
     *
     * @throws EmulationError if the launch returned non-zero: a {@code __trap()} (the message starts with
     *                        {@link #TRAP_MESSAGE}) or a SIMT emulation error; the message is {@code px_emu_message()}
     */
    static void launch(Launcher l, MemorySegment params, int grid, int block) {
        int rc;
        try {
            rc = (int) l.launch().invokeExact(params, grid, block);
        } catch (Throwable t) {
            throw new AssertionError(l.name() + ": the launcher failed", t);
        }
        if (rc != 0) {
            String msg;
            try {
                msg = ((MemorySegment) l.message().invokeExact()).reinterpret(512).getString(0);
            } catch (Throwable t) {
                msg = t.toString();
            }
            throw new EmulationError(msg);
        }
    }

    /** Deletes {@code dir} and everything below it (null: nothing). */
    static void deleteTree(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }
}
