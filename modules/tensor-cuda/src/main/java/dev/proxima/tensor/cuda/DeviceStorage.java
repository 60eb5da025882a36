package dev.proxima.tensor.cuda;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Storage;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Device memory from the device's {@link DeviceMemoryPool}: reference counted like host storage, returned
 * to the pool when the last reference goes, and counted in {@link CudaBackend#allocatedBytes(int)}.
 * A zero-byte storage holds no device pointer. {@link #segment()} is unsupported: device memory is not
 * host-accessible; use {@code Tensor.to(Device.CPU)}.
 */
final class DeviceStorage implements Storage {

    private final Device device;
    private final long pointer;
    private final long bytes;
    private final DeviceMemoryPool pool;
    private final AtomicInteger refs = new AtomicInteger(1);

    DeviceStorage(Device device, long pointer, long bytes, DeviceMemoryPool pool) {
        this.device = device;
        this.pointer = pointer;
        this.bytes = bytes;
        this.pool = pool;
    }

    /** The device pointer (0 for an empty storage). */
    long pointer() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("device storage on " + device + " has been freed");
        }
        return pointer;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long byteSize() {
        return bytes;
    }

    @Override
    public MemorySegment segment() {
        throw new UnsupportedOperationException("memory on " + device + " is not host-accessible; copy it with to(Device.CPU)");
    }

    @Override
    public void retain() {
        if (refs.getAndUpdate(r -> r > 0 ? r + 1 : r) <= 0) {
            throw new IllegalStateException("device storage on " + device + " has been freed");
        }
    }

    @Override
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (pointer != 0) {
                pool.release(pointer, bytes);
            }
            CudaBackend.account(device.index(), -bytes);
        } else if (r < 0) {
            refs.set(0);
            throw new IllegalStateException("device storage on " + device + " released more often than retained");
        }
    }

    @Override
    public boolean isReleased() {
        return refs.get() <= 0;
    }
}
