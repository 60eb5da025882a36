package dev.proxima.tensor.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Storage;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Host memory that Proxima's allocator does not own (a memory-mapped file, a native library's buffer):
 * a segment and the action that gives it back, run once when the last reference is released. Not
 * counted by any memory pool.
 */
public final class ExternalStorage implements Storage {

    private final MemorySegment segment;
    private final Runnable release;
    private final AtomicInteger refs = new AtomicInteger(1);

    /**
     * @param segment the bytes tensors see
     * @param release gives the memory back; run by the last {@link #release()}
     */
    public ExternalStorage(MemorySegment segment, Runnable release) {
        this.segment = segment;
        this.release = release;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public MemorySegment segment() {
        if (isReleased()) {
            throw new IllegalStateException("external storage has been released");
        }
        return segment;
    }

    @Override
    public void retain() {
        refs.updateAndGet(r -> {
            if (r <= 0) {
                throw new IllegalStateException("external storage has been released");
            }
            return r + 1;
        });
    }

    @Override
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            release.run();
        } else if (r < 0) {
            throw new IllegalStateException("external storage released more often than retained");
        }
    }

    @Override
    public boolean isReleased() {
        return refs.get() <= 0;
    }
}
