package dev.proxima.io.arrow.internal;

import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;

import java.lang.foreign.Arena;

/**
 * Arrow allocations carved out of one arena, all freed together when the arena closes — even those a
 * library failed to release (Arrow 19's IPC readers leak the message body when a record batch is
 * malformed). Used for the short-lived allocator of one read.
 */
public final class ArenaAllocationManager extends AllocationManager {

    private final long size;
    private final long address;

    private ArenaAllocationManager(BufferAllocator accountingAllocator, Arena arena, long size) {
        super(accountingAllocator);
        this.size = size;
        this.address = arena.allocate(Math.max(1, size), 64).address();
    }

    /** A factory allocating from {@code arena}; the caller closes the arena after the allocator. */
    public static Factory factory(Arena arena) {
        return new Factory() {
            @Override
            public AllocationManager create(BufferAllocator accountingAllocator, long size) {
                return new ArenaAllocationManager(accountingAllocator, arena, size);
            }

            @Override
            public ArrowBuf empty() {
                return new ArrowBuf(ReferenceManager.NO_OP, null, 0, 0);
            }
        };
    }

    @Override
    public long getSize() {
        return size;
    }

    @Override
    protected long memoryAddress() {
        return address;
    }

    @Override
    protected void release0() {
        // freed with the arena
    }
}
