package dev.proxima.tensor.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.MissingJvmFlagException;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.Kernel;
import dev.proxima.tensor.spi.KernelKey;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one place where operations meet kernels. {@link #run} looks up the kernel the device's backend registered
 * for a {@link KernelKey} (tables are built once per backend from {@link Backend#registerKernels}); when the
 * backend has none, or its kernel declines the call, the call is <em>staged through the host</em>: the operands
 * are copied to host memory, the CPU kernel runs, the outputs are copied back, and {@link #hostStagings()}
 * counts it. Front-end code never checks devices itself.
 */
public final class Dispatcher {

    private static final Map<Backend, Map<KernelKey<?>, Kernel<?>>> TABLES = new ConcurrentHashMap<>();
    private static final LongAdder STAGINGS = new LongAdder();

    private Dispatcher() {
    }

    /** The first missing JVM flag a kernel call ran into, to name again when the class it broke is used again. */
    private static volatile MissingJvmFlagException missingFlag;

    /**
     * A kernel (or the native library under it) failed to initialise: if a missing JVM flag explains it (a
     * native call refused, a package not opened), the exception naming the flag; later uses of the class
     * that failed throw a bare {@link NoClassDefFoundError}, answered with the flag found the first time.
     * Else {@code e} itself.
     */
    private static RuntimeException missingFlag(Throwable e) {
        java.util.Optional<MissingJvmFlagException> found = MissingJvmFlagException.diagnose(e);
        if (found.isPresent()) {
            missingFlag = found.get();
            return found.get();
        }
        MissingJvmFlagException earlier = missingFlag;
        if (earlier != null && e instanceof NoClassDefFoundError) {
            return new MissingJvmFlagException(earlier.flag(), earlier.reason(), e);
        }
        if (e instanceof Error error) {
            throw error;
        }
        return (RuntimeException) e;
    }

    /**
     * Runs {@code key} on the device of its last argument (an output).
     *
     * @param key    the kernel signature
     * @param params the call's parameters
     * @param args   the inputs, then the outputs, as {@code key} documents
     * @param <P>    the parameter type
     * @throws IllegalArgumentException if the number of views does not match the key
     * @throws IllegalStateException    if the CPU backend has no kernel for {@code key}
     */
    public static <P> void run(KernelKey<P> key, P params, StridedView... args) {
        if (args.length != key.inputs() + key.outputs()) {
            throw new IllegalArgumentException(key + " takes " + key.inputs() + " inputs and " + key.outputs()
                    + " outputs, got " + args.length + " views");
        }
        Device device = deviceOf(key, args);
        Backend backend = Backends.of(device);
        Kernel<P> kernel = kernel(backend, key);
        Storage[] pinned = pin(key, args);
        try {
            if (kernel != null && kernel.run(params, args)) {
                return;
            }
            if (device.equals(Device.CPU)) {
                throw new IllegalStateException("the CPU backend has no kernel for " + key + " (or declined the call)");
            }
            stage(key, params, args);
        } catch (ExceptionInInitializerError | NoClassDefFoundError | IllegalCallerException e) {
            throw missingFlag(e);
        } finally {
            for (Storage s : pinned) {
                if (s != null) {
                    s.release();
                }
            }
        }
    }

    /**
     * Takes one reference on each distinct storage of the call for its duration, so a tensor closed by another
     * thread meanwhile keeps its memory until the kernel is done (the last release then frees it). A storage
     * already freed cannot be pinned: the call fails with {@link IllegalStateException} before any kernel runs.
     */
    private static Storage[] pin(KernelKey<?> key, StridedView[] args) {
        Storage[] pinned = new Storage[args.length];
        int n = 0;
        try {
            next:
            for (StridedView v : args) {
                if (v == null) {
                    continue;
                }
                Storage s = v.storage();
                for (int i = 0; i < n; i++) {
                    if (pinned[i] == s) {
                        continue next;
                    }
                }
                if (s.isReleased()) {
                    throw new IllegalStateException(key + ": an operand's memory has been freed (its tensor was closed, perhaps by"
                            + " another thread)");
                }
                try {
                    s.retain();
                } catch (RuntimeException e) {
                    throw new IllegalStateException(key + ": an operand's memory was freed while the call started (its tensor"
                            + " was closed by another thread)", e);
                }
                pinned[n++] = s;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < n; i++) {
                pinned[i].release();
            }
            throw e;
        }
        return pinned;
    }

    /** The device of the last non-null output (optional outputs may be null). */
    private static Device deviceOf(KernelKey<?> key, StridedView[] args) {
        for (int i = args.length - 1; i >= key.inputs(); i--) {
            if (args[i] != null) {
                return args[i].storage().device();
            }
        }
        throw new IllegalArgumentException(key + ": every output is null");
    }

    /**
     * The kernel {@code backend} registered for {@code key}, or null.
     *
     * @param backend the backend
     * @param key     the kernel signature
     * @param <P>     the parameter type
     * @return the kernel or null
     */
    @SuppressWarnings("unchecked")
    public static <P> Kernel<P> kernel(Backend backend, KernelKey<P> key) {
        return (Kernel<P>) TABLES.computeIfAbsent(backend, Dispatcher::table).get(key);
    }

    /** @return how many kernel calls ran on the host because their device's backend had no kernel for them */
    public static long hostStagings() {
        return STAGINGS.sum();
    }

    private static Map<KernelKey<?>, Kernel<?>> table(Backend backend) {
        Map<KernelKey<?>, Kernel<?>> table = new HashMap<>();
        Map<Integer, KernelKey<?>> codes = new HashMap<>();
        backend.registerKernels(new KernelRegistry() {
            @Override
            public <P> void register(KernelKey<P> key, Kernel<P> kernel) {
                java.util.Objects.requireNonNull(key, "key");
                java.util.Objects.requireNonNull(kernel, "kernel");
                KernelKey<?> earlier = codes.putIfAbsent(key.code(), key);
                if (earlier != null && earlier != key) {
                    throw new IllegalStateException(backend.kind() + " backend: kernel code " + key.code() + " of " + key
                            + " is already used by " + earlier);
                }
                table.put(key, kernel);
            }
        });
        return Map.copyOf(table);
    }

    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    /** The (device kind, kernel) pairs whose first staging was logged. */
    private static final java.util.Set<String> STAGING_LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Runs the CPU kernel of {@code key} on host copies of device views, then copies the outputs back. */
    private static <P> void stage(KernelKey<P> key, P params, StridedView[] args) {
        Kernel<P> cpu = kernel(Backends.of(Device.CPU), key);
        if (cpu == null) {
            throw new IllegalStateException("no kernel for " + key + " on " + deviceOf(key, args)
                    + ", and none on the CPU to stage it through");
        }
        String kind = deviceOf(key, args).kind();
        if (LOG.isLoggable(System.Logger.Level.DEBUG) && STAGING_LOGGED.add(kind + " " + key)) {
            LOG.log(System.Logger.Level.DEBUG, "{0} runs on the host: the {1} backend has no kernel for it or declined"
                    + " the call (logged once; Proxima.hostStagings() counts every staging)", key, kind);
        }
        Backend host = Backends.of(Device.CPU);
        StridedView[] local = new StridedView[args.length];
        Storage[] temporaries = new Storage[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                StridedView v = args[i];
                if (v == null || v.storage().device().equals(Device.CPU)) {
                    local[i] = v;
                    continue;
                }
                boolean input = i < key.inputs();
                // broadcast (zero-stride) dimensions of an input are copied once, not materialised
                long[] shape = v.shape();
                long[] compact = shape.clone();
                if (input) {
                    for (int d = 0; d < shape.length; d++) {
                        if (v.strides()[d] == 0) {
                            compact[d] = Math.min(1, shape[d]);
                        }
                    }
                }
                long bytes = Math.multiplyExact(size(compact), (long) v.dtype().byteSize());
                temporaries[i] = host.allocate(Device.CPU, bytes);
                long[] dense = denseStrides(compact);
                StridedView h = new StridedView(temporaries[i], v.dtype(), compact, dense, 0);
                if (input || key.readsOutputs()) {
                    transfer(new StridedView(v.storage(), v.dtype(), compact, v.strides(), v.offset()), h);
                }
                long[] strides = dense.clone();
                for (int d = 0; d < shape.length; d++) {
                    if (compact[d] != shape[d]) {
                        strides[d] = 0;
                    }
                }
                local[i] = new StridedView(temporaries[i], v.dtype(), shape, strides, 0);
            }
            if (!cpu.run(params, local)) {
                throw new IllegalStateException("the CPU kernel for " + key + " declined the call");
            }
            for (int i = key.inputs(); i < args.length; i++) {
                if (temporaries[i] != null) {
                    transfer(local[i], args[i]);
                }
            }
            STAGINGS.increment();
        } finally {
            for (Storage s : temporaries) {
                if (s != null) {
                    s.release();
                }
            }
        }
    }

    /**
     * dst := src across devices (same shape; dst's dtype): a host↔device copy goes to the device side's
     * backend, which alone can reach its memory; between two different device kinds through a host buffer.
     *
     * @param src the source
     * @param dst the destination
     */
    public static void transfer(StridedView src, StridedView dst) {
        Device from = src.storage().device();
        Device to = dst.storage().device();
        if (from.equals(Device.CPU)) {
            Backends.of(to).copy(src, dst);
        } else if (to.equals(Device.CPU) || from.kind().equals(to.kind())) {
            Backends.of(from).copy(src, dst);
        } else {
            Storage tmp = Backends.of(Device.CPU).allocate(Device.CPU, Math.multiplyExact(src.size(), (long) src.dtype().byteSize()));
            try {
                StridedView h = new StridedView(tmp, src.dtype(), src.shape(), denseStrides(src.shape()), 0);
                Backends.of(from).copy(src, h);
                Backends.of(to).copy(h, dst);
            } finally {
                tmp.release();
            }
        }
    }

    private static long size(long[] shape) {
        long n = 1;
        for (long e : shape) {
            n = Math.multiplyExact(n, e);
        }
        return n;
    }

    private static long[] denseStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return st;
    }
}
