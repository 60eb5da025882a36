package dev.proxima.tensor.sim;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.RandomOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated accelerator, device kind {@code "sim"}, for testing device-generic code without a GPU: its
 * memory is host memory the front end cannot reach ({@link Storage#segment()} throws, as a GPU's would),
 * and every {@link Backend} method runs the CPU backend's kernel over that private memory. With this module
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

    /** Bytes of sim memory currently allocated. */
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

    @Override
    public void fill(StridedView dst, double value) {
        cpu().fill(reach(dst, false), value);
    }

    @Override
    public void iota(StridedView dst, double start, double step) {
        cpu().iota(reach(dst, false), start, step);
    }

    @Override
    public void unary(UnaryOp op, StridedView src, StridedView dst) {
        cpu().unary(op, reach(src, false), reach(dst, false));
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, StridedView dst) {
        cpu().binary(op, reach(a, false), reach(b, false), reach(dst, false));
    }

    @Override
    public void mulAdd(StridedView a, StridedView b, StridedView c, StridedView dst) {
        cpu().mulAdd(reach(a, false), reach(b, false), reach(c, false), reach(dst, false));
    }

    @Override
    public void where(StridedView condition, StridedView a, StridedView b, StridedView dst) {
        cpu().where(reach(condition, false), reach(a, false), reach(b, false), reach(dst, false));
    }

    @Override
    public void reduce(ReduceOp op, StridedView src, int[] axes, StridedView dst) {
        cpu().reduce(op, reach(src, false), axes, reach(dst, false));
    }

    @Override
    public void matmul(StridedView a, StridedView b, StridedView dst) {
        cpu().matmul(reach(a, false), reach(b, false), reach(dst, false));
    }

    @Override
    public void softmax(SoftmaxOp op, StridedView src, int axis, StridedView dst) {
        cpu().softmax(op, reach(src, false), axis, reach(dst, false));
    }

    @Override
    public void random(RandomOp op, long key, long draw, double a, double b, StridedView dst) {
        cpu().random(op, key, draw, a, b, reach(dst, false));
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
