package dev.proxima.tensor.spi;

import dev.proxima.tensor.Device;

import java.lang.foreign.MemorySegment;

/**
 * A reference-counted block of memory on one device, shared by a tensor and its views.
 *
 * <p>Each {@link dev.proxima.tensor.Tensor} holds one reference; the memory is freed (and returned to
 * its allocator's accounting) when the last reference is released.
 */
public interface Storage {

    /** {@return the device this memory lives on} */
    Device device();

    /** {@return size in bytes} */
    long byteSize();

    /**
     * The memory as a host segment of {@link #byteSize()} bytes, 64-byte aligned.
     *
     * @return the whole memory, of {@link #byteSize()} bytes
     * @throws IllegalStateException if the storage has been freed
     * @throws UnsupportedOperationException if the memory is not host-accessible
     */
    MemorySegment segment();

    /** Adds a reference. */
    void retain();

    /** Drops a reference; the memory is freed when none remain. */
    void release();

    /** {@return true once the last reference was released} */
    boolean isReleased();
}
