package dev.proxima.io.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Storage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tensor storage over a slice of a memory-mapped file. The mapping lives in its own shared arena,
 * which is closed (unmapping the file) when the last reference is released. The memory is not counted
 * by Proxima's Arrow allocator.
 */
public final class MappedStorage implements Storage {

    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicInteger refs = new AtomicInteger(1);

    /**
     * @param arena   the arena the mapping belongs to; this storage closes it
     * @param segment the bytes tensors see (a 64-byte aligned slice of the mapping)
     */
    public MappedStorage(Arena arena, MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
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
            throw new IllegalStateException("mapped file has been unmapped");
        }
        return segment;
    }

    @Override
    public void retain() {
        refs.updateAndGet(r -> {
            if (r <= 0) {
                throw new IllegalStateException("mapped file has been unmapped");
            }
            return r + 1;
        });
    }

    @Override
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            arena.close();
        } else if (r < 0) {
            throw new IllegalStateException("mapped storage released more often than retained");
        }
    }

    @Override
    public boolean isReleased() {
        return refs.get() <= 0;
    }
}
