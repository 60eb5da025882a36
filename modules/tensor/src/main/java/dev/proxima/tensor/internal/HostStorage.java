package dev.proxima.tensor.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Storage;
import org.apache.arrow.memory.ArrowBuf;

import java.lang.foreign.MemorySegment;

/** Host memory held in an Arrow buffer; the buffer's reference count is the storage's. */
public final class HostStorage implements Storage {

    private final ArrowBuf buffer;
    private final long byteSize;
    private final MemorySegment segment;

    private HostStorage(ArrowBuf buffer, long byteSize) {
        this.buffer = buffer;
        this.byteSize = byteSize;
        this.segment = byteSize == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(buffer.memoryAddress()).reinterpret(byteSize);
    }

    /**
     * Allocates {@code bytes} of uninitialised memory, charged to this thread's current memory pool
     * ({@link HostMemory#current()}).
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws org.apache.arrow.memory.OutOfMemoryException if a pool's limit leaves no room for it
     */
    public static HostStorage allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot allocate a negative number of bytes: " + bytes);
        }
        return new HostStorage(HostMemory.current().buffer(bytes), bytes);
    }

    /**
     * Shares an existing Arrow buffer (for example one read from an IPC file). Takes one new reference
     * on it; the caller keeps its own.
     */
    public static HostStorage share(ArrowBuf buffer) {
        buffer.getReferenceManager().retain();
        return new HostStorage(buffer, buffer.capacity());
    }

    /** The underlying Arrow buffer (for zero-copy interchange). */
    public ArrowBuf arrowBuffer() {
        return buffer;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public MemorySegment segment() {
        if (isReleased()) {
            throw new IllegalStateException("storage has been freed");
        }
        return segment;
    }

    @Override
    public void retain() {
        buffer.getReferenceManager().retain();
    }

    @Override
    public void release() {
        buffer.getReferenceManager().release();
    }

    @Override
    public boolean isReleased() {
        return byteSize != 0 && buffer.refCnt() == 0;
    }
}
