package dev.proxima.tensor.cuda;

import dev.proxima.cuda.CompileOptions;
import dev.proxima.cuda.Cublas;
import dev.proxima.cuda.Cuda;
import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.KernelCache;
import dev.proxima.cuda.KernelSource;
import dev.proxima.cuda.Nvrtc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-device state: the retained primary context, the cuBLAS handle, and loaded kernel modules
 * (compiled by NVRTC for the device's compute capability, cached in memory and on disk).
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

    /** The kernel {@code name} of {@code file} specialised with {@code defines}, compiled on first use. */
    MemorySegment function(String file, Map<String, String> defines, String name) {
        String fkey = file + defines + "#" + name;
        MemorySegment f = functions.get(fkey);
        if (f != null) {
            return f;
        }
        makeCurrent();
        KernelSource src = KernelSource.of(file, defines);
        var options = CompileOptions.forDevice(info.major(), info.minor(), Nvrtc.Output.PTX, false);
        String version = Arrays.toString(Nvrtc.version());
        String key = KernelCache.key(src.text(), options, version, Nvrtc.Output.PTX);
        MemorySegment module = modules.computeIfAbsent(key, k -> CudaDriver.moduleLoadData(
                CACHE.get(k, Nvrtc.Output.PTX, () -> Nvrtc.compile(src.text(), file, options, Nvrtc.Output.PTX))));
        f = CudaDriver.moduleGetFunction(module, name);
        functions.put(fkey, f);
        return f;
    }
}
