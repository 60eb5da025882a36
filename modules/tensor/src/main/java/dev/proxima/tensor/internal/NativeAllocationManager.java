package dev.proxima.tensor.internal;

import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.ReferenceManager;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Arrow allocation manager backed by the C library's {@code aligned_alloc}/{@code free}, called through
 * FFM: every buffer is 64-byte aligned (for the Vector API and BLAS) and is freed the moment Arrow
 * releases it.
 *
 * <p>Why not an {@code Arena} per buffer: closing a shared arena costs a thread handshake (about 25 µs
 * measured on the 2-core CI machine), which would dominate small tensor operations. Use-after-free is
 * instead prevented one level up: every tensor checks that it is open before touching its storage.
 */
final class NativeAllocationManager extends AllocationManager {

    static final long ALIGNMENT = 64;

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        ALIGNED_ALLOC = linker.downcallHandle(libc.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
        FREE = linker.downcallHandle(libc.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS), Linker.Option.critical(false));
    }

    /** The factory to pass to {@code RootAllocator.configBuilder().allocationManagerFactory(...)}. */
    static final Factory FACTORY = new Factory() {
        @Override
        public AllocationManager create(BufferAllocator accountingAllocator, long size) {
            return new NativeAllocationManager(accountingAllocator, size);
        }

        @Override
        public ArrowBuf empty() {
            return new ArrowBuf(ReferenceManager.NO_OP, null, 0, 0);
        }
    };

    private final long size;
    private final long address;

    private NativeAllocationManager(BufferAllocator accountingAllocator, long requestedSize) {
        super(accountingAllocator);
        this.size = Math.max(ALIGNMENT, roundUp(requestedSize));
        try {
            MemorySegment p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, size);
            if (p.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryException("aligned_alloc failed for " + size + " bytes");
            }
            this.address = p.address();
        } catch (OutOfMemoryException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long roundUp(long bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
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
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
