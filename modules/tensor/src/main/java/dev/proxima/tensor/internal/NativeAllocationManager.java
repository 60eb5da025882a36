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
 * FFM: every buffer is 64-byte aligned (for the Vector API and BLAS) and is freed the moment Arrow
 * releases it.
 *
 * <p>Buffers of {@value #HUGE_THRESHOLD} bytes or more are aligned to 2 MiB, rounded up to a multiple of
 * 2 MiB and advised to the kernel as transparent-huge-page candidates ({@code madvise(MADV_HUGEPAGE)}, on
 * Linux): a fresh 40 MB block otherwise costs about 17 ms of page faults on first touch on the CI machine,
 * against about 3 ms with huge pages, which would dominate every large elementwise operation.
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
        boolean huge = requestedSize >= HUGE_THRESHOLD && MADVISE != null;
        long alignment = huge ? HUGE_PAGE : ALIGNMENT;
        this.size = allocationSize(requestedSize);
        try {
            MemorySegment p = (MemorySegment) ALIGNED_ALLOC.invokeExact(alignment, size);
            if (p.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryException("aligned_alloc failed for " + size + " bytes");
            }
            if (huge) {
                // advisory only: a kernel without THP answers with an error, which changes nothing
                int ignored = (int) MADVISE.invokeExact(p, size, MADV_HUGEPAGE);
            }
            this.address = p.address();
        } catch (OutOfMemoryException e) {
            throw e;
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
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
