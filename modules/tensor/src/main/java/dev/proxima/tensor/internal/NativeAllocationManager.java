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
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Arrow allocation manager backed by the C library's {@code aligned_alloc}/{@code free}, called through
 * FFM: every buffer is 64-byte aligned (for the Vector API and BLAS) and is freed (or cached, see below)
 * the moment Arrow releases it.
 *
 * <p>Buffers of {@value #HUGE_THRESHOLD} bytes or more are aligned to 2 MiB, rounded up to a multiple of
 * 2 MiB and advised to the kernel as transparent-huge-page candidates ({@code madvise(MADV_HUGEPAGE)}, on
 * Linux): a fresh 40 MB block otherwise costs about 17 ms of page faults on first touch on the CI machine,
 * against about 3 ms with huge pages, which would dominate every large elementwise operation.
 *
 * <p>Freed blocks of {@value BlockCache#MIN_BLOCK} bytes or more are kept in a bounded {@link BlockCache}
 * and handed to the next allocation of the same size, with their pages still mapped.
 *
 * <p>Why not an {@code Arena} per buffer: closing a shared arena costs a thread handshake (about 25 µs
 * measured on the 2-core CI machine), which would dominate small tensor operations. Use-after-free is
 * instead prevented one level up: every tensor checks that it is open before touching its storage.
 */
final class NativeAllocationManager extends AllocationManager {

    static final long ALIGNMENT = 64;
    static final long HUGE_THRESHOLD = 4L << 20;
    static final long HUGE_PAGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MADVISE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        ALIGNED_ALLOC = linker.downcallHandle(libc.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
        FREE = linker.downcallHandle(libc.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDRESS), Linker.Option.critical(false));
        boolean linux = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
        MADVISE = linux ? libc.find("madvise").map(a -> linker.downcallHandle(a,
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT))).orElse(null) : null;
    }

    /**
     * The factory to pass to {@code RootAllocator.configBuilder().allocationManagerFactory(...)}: freed
     * blocks of {@value BlockCache#MIN_BLOCK} bytes or more go to {@code cache}, and allocations of their
     * exact size take them back.
     */
    static Factory factory(BlockCache cache) {
        return new Factory() {
            @Override
            public AllocationManager create(BufferAllocator accountingAllocator, long size) {
                return new NativeAllocationManager(accountingAllocator, size, cache);
            }

            @Override
            public ArrowBuf empty() {
                return new ArrowBuf(ReferenceManager.NO_OP, null, 0, 0);
            }
        };
    }

    private final long size;
    private final long address;
    private final BlockCache cache;

    private NativeAllocationManager(BufferAllocator accountingAllocator, long requestedSize, BlockCache cache) {
        super(accountingAllocator);
        this.size = allocationSize(requestedSize);
        this.cache = cache;
        long reused = size >= BlockCache.MIN_BLOCK ? cache.take(size) : 0;
        this.address = reused != 0 ? reused : allocateFresh(accountingAllocator.getRoot());
    }

    /**
     * New memory from the C library. Arrow has already reserved this request, so the root's allocated
     * bytes include it: cached blocks are freed first as far as needed to keep live plus cached bytes
     * within the root's limit, and all of them if the C library refuses the request.
     */
    private long allocateFresh(BufferAllocator root) {
        long limit = root.getLimit();
        if (limit != Long.MAX_VALUE) {
            cache.trimTo(limit - root.getAllocatedMemory());
        }
        long p = alignedAlloc(size);
        if (p == 0 && cache.cachedBytes() > 0) {
            cache.clear();
            p = alignedAlloc(size);
        }
        if (p == 0) {
            throw new OutOfMemoryException("aligned_alloc failed for " + size + " bytes");
        }
        return p;
    }

    /** {@code aligned_alloc}, advised as huge pages from {@value #HUGE_THRESHOLD} bytes; 0 if refused. */
    private static long alignedAlloc(long size) {
        boolean huge = size >= HUGE_THRESHOLD && MADVISE != null;
        long alignment = huge ? HUGE_PAGE : ALIGNMENT;
        try {
            MemorySegment p = (MemorySegment) ALIGNED_ALLOC.invokeExact(alignment, size);
            if (p.equals(MemorySegment.NULL)) {
                return 0;
            }
            if (huge) {
                // advisory only: a kernel without THP answers with an error, which changes nothing
                int ignored = (int) MADVISE.invokeExact(p, size, MADV_HUGEPAGE);
            }
            return p.address();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Returns a block to the C library. */
    static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The bytes really allocated (and accounted by Arrow's rounding policy) for a request. */
    static long allocationSize(long requested) {
        if (requested >= HUGE_THRESHOLD && MADVISE != null) {
            return (requested + HUGE_PAGE - 1) & -HUGE_PAGE;
        }
        return Math.max(ALIGNMENT, (requested + ALIGNMENT - 1) & -ALIGNMENT);
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
        if (!cache.offer(address, size)) {
            free(address);
        }
    }
}
