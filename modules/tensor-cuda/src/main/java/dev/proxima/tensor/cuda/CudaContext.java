package dev.proxima.tensor.cuda;

import dev.proxima.cuda.CompileOptions;
import dev.proxima.cuda.Cublas;
import dev.proxima.cuda.Cuda;
import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.CudaException;
import dev.proxima.cuda.KernelCache;
import dev.proxima.cuda.KernelSource;
import dev.proxima.cuda.Nvrtc;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-device state: the retained primary context, the cuBLAS handle, and loaded kernel modules
 * (compiled by NVRTC for the device: a CUBIN for its exact {@code sm_XY} where NVRTC supports it, else
 * PTX; cached in memory and on disk).
 * All work goes to the legacy default stream, so host↔device copies order with kernels.
 */
final class CudaContext {

    private static final Map<Integer, CudaContext> CONTEXTS = new ConcurrentHashMap<>();
    private static final KernelCache CACHE = new KernelCache(KernelCache.defaultFolder());

    final int ordinal;
    final Cuda.DeviceInfo info;
    private final MemorySegment context;
    private volatile MemorySegment cublas;
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> modules = new ConcurrentHashMap<>();
    private volatile CompileOptions.Target target;
    private volatile String compiler;

    private CudaContext(int ordinal) {
        var devices = Cuda.devices();
        if (ordinal >= devices.size()) {
            throw new IllegalArgumentException("no device cuda:" + ordinal + " (" + devices.size() + " present)");
        }
        this.ordinal = ordinal;
        this.info = devices.get(ordinal);
        this.context = CudaDriver.primaryCtxRetain(CudaDriver.device(ordinal));
    }

    static CudaContext of(int ordinal) {
        return CONTEXTS.computeIfAbsent(ordinal, CudaContext::new);
    }

    /** Binds this device's context to the calling thread (cheap; done before every call sequence). */
    void makeCurrent() {
        CudaDriver.ctxSetCurrent(context);
    }

    /** The retained primary context ({@code CUcontext}), e.g. for {@code cuMemcpyPeerAsync}. */
    MemorySegment handle() {
        return context;
    }

    MemorySegment cublas() {
        MemorySegment h = cublas;
        if (h == null) {
            synchronized (this) {
                if (cublas == null) {
                    makeCurrent();
                    cublas = Cublas.create();
                }
                h = cublas;
            }
        }
        return h;
    }

    /**
     * What NVRTC builds for this device, chosen once: a CUBIN for the exact {@code sm_XY} when this NVRTC
     * supports it, else PTX for the highest supported architecture below it (see {@link CompileOptions#target}).
     */
    CompileOptions.Target target() {
        CompileOptions.Target t = target;
        if (t == null) {
            synchronized (this) {
                if (target == null) {
                    int[] v = Nvrtc.version();
                    compiler = "NVRTC " + v[0] + "." + v[1]; // written before target, which readers test
                    target = CompileOptions.target(Nvrtc.supportedArchs(), info.major(), info.minor());
                }
                t = target;
            }
        }
        return t;
    }

    /**
     * The kernel {@code name} of {@code file} specialised with {@code defines}, compiled on first use for
     * {@link #target()}. The cache key covers the source, the options (which name the architecture), the
     * NVRTC version and the output kind, so PTX and CUBIN images never mix.
     */
    MemorySegment function(String file, Map<String, String> defines, String name) {
        String fkey = file + defines + "#" + name;
        MemorySegment f = functions.get(fkey);
        if (f != null) {
            return f;
        }
        makeCurrent();
        KernelSource src = KernelSource.of(file, defines);
        CompileOptions.Target t = target();
        var options = CompileOptions.forTarget(t, false);
        String key = KernelCache.key(src.text(), options, compiler, t.output());
        MemorySegment module = modules.computeIfAbsent(key, k -> load(
                CACHE.get(k, t.output(), () -> Nvrtc.compile(src.text(), file, options, t.output())), file, t));
        f = CudaDriver.moduleGetFunction(module, name);
        functions.put(fkey, f);
        return f;
    }

    /** {@code cuModuleLoadData}, with what was loaded and which compiler made it added to a failure. */
    private MemorySegment load(byte[] image, String file, CompileOptions.Target t) {
        try {
            return CudaDriver.moduleLoadData(image);
        } catch (CudaException e) {
            int v = CudaDriver.driverVersion();
            throw new CudaException(e.call(), e.code(), e.errorName(), file + " as " + t.output() + " for " + t.option()
                    + " from " + compiler + " (" + Nvrtc.libraryPath() + ") on driver " + v / 1000 + "." + (v % 1000) / 10
                    + " for " + info.arch() + "; a driver older than the compiler's major version cannot load its output");
        }
    }
}
