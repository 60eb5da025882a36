package dev.proxima.tensor.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * A caching allocator for one device: freed blocks are kept in per-size-class free lists and handed out
 * again instead of going back to {@code cuMemFree}.
 *
 * <p>Why: {@code cuMemAlloc} costs microseconds to tens of microseconds and {@code cuMemFree} waits for the
 * device to go idle, so a fresh allocation per tensor serialises the host with the GPU and dominates small
 * and medium operations (PyTorch's CUDA caching allocator exists for the same reason). Reuse is safe
 * because all of the backend's work goes to the legacy default stream of the device's primary context:
 * a kernel that reads a block before it was freed is ordered before any later kernel that writes the reused
 * block.
 *
 * <p>Sizes are rounded up to a size class: multiples of 512 bytes below 4 KiB, then four classes per power
 * of two (so at most 25 % of a block is slack). When the driver reports out of memory, every cached block
 * is freed and the allocation is tried once more.
 *
 * <p>The pool is a plain object over an allocate and a free function, so its bookkeeping is tested without
 * a GPU.
 */
final class DeviceMemoryPool {

    private static final long SMALL = 512;

    private final LongUnaryOperator allocate;
    private final LongConsumer free;
    private final Map<Long, ArrayDeque<Long>> freeLists = new HashMap<>();
    private long cachedBytes;
    private long reservedBytes;

    /**
     * @param allocate returns a device pointer to at least the given number of bytes, or throws
     *                 {@link OutOfDeviceMemory} when the device is full (other exceptions pass through)
     * @param free     returns a pointer obtained from {@code allocate} to the driver
     */
    DeviceMemoryPool(LongUnaryOperator allocate, LongConsumer free) {
        this.allocate = allocate;
        this.free = free;
    }

    /** Thrown by the allocate function when the device has no room for the request. */
    static final class OutOfDeviceMemory extends RuntimeException {
        OutOfDeviceMemory(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The size class of a request of {@code bytes} (> 0): the block size actually reserved for it. */
    static long sizeClass(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        if (bytes <= 4096) {
            return (bytes + SMALL - 1) / SMALL * SMALL;
        }
        int top = 63 - Long.numberOfLeadingZeros(bytes);   // 2^top <= bytes < 2^(top+1)
        long step = 1L << (top - 2);                       // four classes per power of two
        if (bytes > Long.MAX_VALUE - step) {
            throw new IllegalArgumentException("cannot allocate " + bytes + " bytes");
        }
        return (bytes + step - 1) / step * step;
    }

    /** A block of {@link #sizeClass(long) sizeClass(bytes)} bytes, reused when one is cached. */
    synchronized long acquire(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> list = freeLists.get(size);
        if (list != null && !list.isEmpty()) {
            cachedBytes -= size;
            return list.pop();
        }
        long ptr;
        try {
            ptr = allocate.applyAsLong(size);
        } catch (OutOfDeviceMemory e) {
            if (cachedBytes == 0) {
                throw e;
            }
            trim();
            ptr = allocate.applyAsLong(size);
        }
        reservedBytes += size;
        return ptr;
    }

    /** Returns a block from {@link #acquire} of the same {@code bytes} request to the cache. */
    synchronized void release(long pointer, long bytes) {
        long size = sizeClass(bytes);
        freeLists.computeIfAbsent(size, k -> new ArrayDeque<>()).push(pointer);
        cachedBytes += size;
    }

    /** Frees every cached block (blocks in use are untouched). */
    synchronized void trim() {
        RuntimeException first = null;
        for (Map.Entry<Long, ArrayDeque<Long>> e : freeLists.entrySet()) {
            for (long p : e.getValue()) {
                try {
                    free.accept(p);
                } catch (RuntimeException ex) {
                    if (first == null) {
                        first = ex;
                    }
                }
                reservedBytes -= e.getKey();
            }
        }
        freeLists.clear();
        cachedBytes = 0;
        if (first != null) {
            throw first;
        }
    }

    /** Bytes held in the cache, ready for reuse. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Bytes obtained from the driver and not yet freed (in use plus cached). */
    synchronized long reservedBytes() {
        return reservedBytes;
    }
}
