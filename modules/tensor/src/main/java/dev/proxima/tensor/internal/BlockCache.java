package dev.proxima.tensor.internal;

import java.util.ArrayList;
import java.util.function.LongConsumer;

/**
 * A bounded cache of recently freed large host blocks, so that a new result of a size just freed gets
 * memory whose pages are already mapped (and huge) instead of fresh pages that fault on first touch.
 *
 * <p>A block of at least {@value #MIN_BLOCK} bytes is kept when it is freed, up to {@code capacity} bytes
 * in all (the oldest blocks are freed first to make room); an allocation of exactly the same size takes
 * the most recently freed block of that size. Cached blocks are not live memory: they are not counted by
 * any allocator, and {@link NativeAllocationManager} evicts them before a fresh allocation would make
 * live plus cached bytes exceed the root limit, and before it retries an allocation the C library refused.
 *
 * <p>Thread-safe; blocks are freed outside the lock.
 */
final class BlockCache {

    /** Smaller blocks are freed at once: the C library recycles them well, and they fault little. */
    static final long MIN_BLOCK = 1L << 20;

    private record Block(long address, long size) {
    }

    private final long capacity;
    private final LongConsumer free;
    /** Oldest first. At most capacity / MIN_BLOCK entries, so linear scans stay short. */
    private final ArrayList<Block> blocks = new ArrayList<>();
    private long cachedBytes;

    /**
     * @param capacity the most bytes the cache holds (0 keeps nothing)
     * @param free     frees a block given its address
     */
    BlockCache(long capacity, LongConsumer free) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must not be negative: " + capacity);
        }
        this.capacity = capacity;
        this.free = free;
    }

    /** The most bytes the cache holds. */
    long capacity() {
        return capacity;
    }

    /** Bytes held now. */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Removes and returns the most recently cached block of exactly {@code size} bytes, or 0 if there is none. */
    synchronized long take(long size) {
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block b = blocks.get(i);
            if (b.size == size) {
                blocks.remove(i);
                cachedBytes -= size;
                return b.address;
            }
        }
        return 0;
    }

    /**
     * Keeps a freed block, evicting the oldest blocks if needed to stay within the capacity.
     *
     * @return false if the block is too small or larger than the whole cache (the caller frees it)
     */
    boolean offer(long address, long size) {
        if (size < MIN_BLOCK || size > capacity) {
            return false;
        }
        ArrayList<Block> evicted = new ArrayList<>(0);
        synchronized (this) {
            while (cachedBytes + size > capacity) {
                Block oldest = blocks.removeFirst();
                cachedBytes -= oldest.size;
                evicted.add(oldest);
            }
            blocks.add(new Block(address, size));
            cachedBytes += size;
        }
        freeAll(evicted);
        return true;
    }

    /** Frees the oldest blocks until at most {@code maxBytes} (if negative, 0) remain cached. */
    void trimTo(long maxBytes) {
        ArrayList<Block> evicted = new ArrayList<>(0);
        synchronized (this) {
            while (cachedBytes > maxBytes && !blocks.isEmpty()) {
                Block oldest = blocks.removeFirst();
                cachedBytes -= oldest.size;
                evicted.add(oldest);
            }
        }
        freeAll(evicted);
    }

    /** Frees every cached block. */
    void clear() {
        trimTo(0);
    }

    private void freeAll(ArrayList<Block> evicted) {
        for (Block b : evicted) {
            free.accept(b.address);
        }
    }
}
