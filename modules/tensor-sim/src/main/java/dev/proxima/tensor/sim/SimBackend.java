package dev.proxima.tensor.sim;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated accelerator, device kind {@code "sim"}, for testing device-generic code without a GPU: its
 * memory is host memory the front end cannot reach ({@link Storage#segment()} throws, as a GPU's would),
 * and the kernels it registers run the CPU backend's kernels over that private memory. With this module
 * on the module path, {@code tensor.to(new Device("sim", 0))} works and every code path a real device takes
 * (host staging of ops without a device kernel, transfers, autodiff on the device, layers moved with
 * {@code Module.to}) runs, with results that must equal the CPU's.
 *
 * <p>Only {@link #copy} accepts host operands (transfers between host and sim); every other method
 * requires all its views on sim memory, so a front-end bug that hands a host tensor to a device kernel
 * fails loudly. Allocated bytes are counted ({@link #allocatedBytes()}) so tests can check that device
 * memory is freed. Found by {@link ServiceLoader} like any backend; it is not meant for production use.
 */
public final class SimBackend implements Backend {

    /** The simulated device {@code sim:0}. */
    public static final Device SIM = new Device("sim", 0);

    private static final AtomicLong ALLOCATED = new AtomicLong();

    /** Creates the backend (called by the service loader). */
    public SimBackend() {
    }

    /** {@return bytes of sim memory currently allocated} */
    public static long allocatedBytes() {
        return ALLOCATED.get();
    }

    private static Backend cpu() {
        return Backend.of(Device.CPU);
    }

    @Override
    public String kind() {
        return "sim";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String describe() {
        return "sim: simulated device for tests (host memory behind a non-addressable storage), "
                + ALLOCATED.get() + " bytes allocated";
    }

    @Override
    public Storage allocate(Device device, long bytes) {
        if (!device.kind().equals("sim")) {
            throw new IllegalArgumentException("the sim backend cannot allocate on " + device);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate a negative number of bytes: " + bytes);
        }
        return new SimStorage(device, bytes);
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        cpu().copy(reach(src, true), reach(dst, true));
    }

    /**
     * Registers the core's elementwise, reduction, matmul, softmax and random kernels, each running the CPU
     * kernel over sim memory; every other operation (gather, sort, convolution, FFT, linear algebra…) is left
     * to the dispatcher's host staging, as on a device without those kernels.
     */
    @Override
    public void registerKernels(KernelRegistry r) {
        r.register(Kernels.FILL, (value, v) -> {
            cpu().fill(reach(v[0], false), value);
            return true;
        });
        r.register(Kernels.IOTA, (p, v) -> {
            cpu().iota(reach(v[0], false), p.start(), p.step());
            return true;
        });
        r.register(Kernels.UNARY, (op, v) -> {
            cpu().unary(op, reach(v[0], false), reach(v[1], false));
            return true;
        });
        r.register(Kernels.BINARY, (op, v) -> {
            cpu().binary(op, reach(v[0], false), reach(v[1], false), reach(v[2], false));
            return true;
        });
        r.register(Kernels.MUL_ADD, (none, v) -> {
            cpu().mulAdd(reach(v[0], false), reach(v[1], false), reach(v[2], false), reach(v[3], false));
            return true;
        });
        r.register(Kernels.WHERE, (none, v) -> {
            cpu().where(reach(v[0], false), reach(v[1], false), reach(v[2], false), reach(v[3], false));
            return true;
        });
        r.register(Kernels.REDUCE, (p, v) -> {
            cpu().reduce(p.op(), reach(v[0], false), p.axes(), reach(v[1], false));
            return true;
        });
        r.register(Kernels.MATMUL, (none, v) -> {
            cpu().matmul(reach(v[0], false), reach(v[1], false), reach(v[2], false));
            return true;
        });
        r.register(Kernels.SOFTMAX, (p, v) -> {
            cpu().softmax(p.op(), reach(v[0], false), p.axis(), reach(v[1], false));
            return true;
        });
        r.register(Kernels.RANDOM, (p, v) -> {
            cpu().random(p.op(), p.key(), p.draw(), p.a(), p.b(), reach(v[0], false));
            return true;
        });
    }

    /**
     * The view the CPU kernels can read: a sim view re-pointed at its private host memory, or (only where
     * {@code hostAllowed}) a host view unchanged.
     */
    private static StridedView reach(StridedView v, boolean hostAllowed) {
        if (v.storage() instanceof SimStorage s) {
            return new StridedView(s.hostAlias(), v.dtype(), v.shape(), v.strides(), v.offset());
        }
        if (hostAllowed && v.storage().device().equals(Device.CPU)) {
            return v;
        }
        throw new IllegalStateException("sim backend got an operand on " + v.storage().device()
                + ": only copy may mix host and sim memory");
    }

    /** Sim memory: 64-byte aligned host memory of its own arena, not reachable through {@link #segment()}. */
    static final class SimStorage implements Storage {

        private final Device device;
        private final long byteSize;
        private final Arena arena;
        private final MemorySegment memory;
        private final AtomicInteger refs = new AtomicInteger(1);
        private final Storage alias;

        SimStorage(Device device, long byteSize) {
            this.device = device;
            this.byteSize = byteSize;
            this.arena = Arena.ofShared();
            this.memory = arena.allocate(Math.max(1, byteSize), 64).asSlice(0, byteSize);
            ALLOCATED.addAndGet(byteSize);
            this.alias = new HostAlias(this);
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public long byteSize() {
            return byteSize;
        }

        @Override
        public MemorySegment segment() {
            throw new IllegalStateException("sim device memory is not host addressable");
        }

        /** A host-addressable handle on the same memory, for the CPU kernels this backend delegates to. */
        Storage hostAlias() {
            if (isReleased()) {
                throw new IllegalStateException("sim storage has been freed");
            }
            return alias;
        }

        @Override
        public void retain() {
            if (refs.getAndIncrement() <= 0) {
                throw new IllegalStateException("sim storage has been freed");
            }
        }

        @Override
        public void release() {
            int left = refs.decrementAndGet();
            if (left == 0) {
                arena.close();
                ALLOCATED.addAndGet(-byteSize);
            } else if (left < 0) {
                throw new IllegalStateException("sim storage released more often than retained");
            }
        }

        @Override
        public boolean isReleased() {
            return refs.get() <= 0;
        }
    }

    /** The CPU kernels' view of a sim storage: its memory as a host segment; the lifetime stays the owner's. */
    private record HostAlias(SimStorage owner) implements Storage {

        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        public long byteSize() {
            return owner.byteSize;
        }

        @Override
        public MemorySegment segment() {
            if (owner.isReleased()) {
                throw new IllegalStateException("sim storage has been freed");
            }
            return owner.memory;
        }

        @Override
        public void retain() {
            owner.retain();
        }

        @Override
        public void release() {
            owner.release();
        }

        @Override
        public boolean isReleased() {
            return owner.isReleased();
        }
    }
}
