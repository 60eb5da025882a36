package dev.proxima.tensor.spi;

import dev.proxima.tensor.internal.ExternalStorage;
import dev.proxima.tensor.internal.HostStorage;
import org.apache.arrow.memory.ArrowBuf;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;

/**
 * Host {@link Storage} for modules that bring their own bytes: raw byte storage from the current memory
 * pool, storage over an Arrow buffer, and storage over memory the caller owns (a memory-mapped file).
 * {@link dev.proxima.tensor.Tensor#wrap(Storage, dev.proxima.tensor.DType, long...)} turns any of them
 * into a tensor, and a {@link PackedLayout} describes block-packed formats stored in them.
 *
 * <p>Every storage returned here holds one reference, which belongs to the caller: pass it on to
 * {@code Tensor.wrap} (the tensor takes it over) or {@link Storage#release()} it.
 *
 * {@snippet :
 * Arena arena = Arena.ofShared();
 * MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
 * Storage storage = HostStorages.external(mapped.asSlice(128, 4096), arena::close);
 * Tensor t = Tensor.wrap(storage, DType.F32, 1024);   // the file is unmapped when t is closed
 * }
 */
public final class HostStorages {

    /** Alignment every host storage must have: the {@link Storage#segment()} contract. */
    public static final long ALIGNMENT = 64;

    private HostStorages() {
    }

    /**
     * Allocates {@code bytes} of uninitialised host memory, charged to this thread's current memory pool
     * (see {@link dev.proxima.tensor.MemoryPool#use()}; the root pool outside any).
     *
     * @param bytes the size; 0 gives an empty storage
     * @return new storage holding one reference, 64-byte aligned
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws org.apache.arrow.memory.OutOfMemoryException if a pool's limit leaves no room for it
     * @throws IllegalStateException if the current pool is closed
     */
    public static Storage allocate(long bytes) {
        return HostStorage.allocate(bytes);
    }

    /**
     * Storage over an Arrow buffer, without copying (for example one read from an IPC file). Takes a
     * reference of its own on the buffer: the caller keeps its reference and closes it when it likes.
     *
     * @param buffer the buffer; its memory must stay where it is (Arrow buffers do)
     * @return storage of {@code buffer.capacity()} bytes holding one reference
     * @throws IllegalArgumentException if the buffer's address is not a multiple of {@value #ALIGNMENT}
     * @throws IllegalStateException    if the buffer has already been released
     */
    public static Storage share(ArrowBuf buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.capacity() > 0 && buffer.getReferenceManager().getRefCount() == 0) {
            throw new IllegalStateException("cannot share an Arrow buffer that has been released");
        }
        if (buffer.capacity() > 0 && buffer.memoryAddress() % ALIGNMENT != 0) {
            throw new IllegalArgumentException("an Arrow buffer must be " + ALIGNMENT + "-byte aligned to back a tensor, "
                    + "got address 0x" + Long.toHexString(buffer.memoryAddress()) + " (copy it into HostStorages.allocate storage)");
        }
        return HostStorage.share(buffer);
    }

    /**
     * Storage over host memory the caller owns, such as a memory-mapped file: {@code release} runs once,
     * when the last reference is released (the last tensor over it is closed). The memory is not counted
     * by any memory pool. A read-only segment (a file mapped read-only) stays read-only.
     *
     * @param segment the bytes tensors will see, starting at element 0
     * @param release gives the memory back (for example {@code arena::close}); runs on the thread that
     *                releases the last reference
     * @return storage of {@code segment.byteSize()} bytes holding one reference
     * @throws IllegalArgumentException if {@code segment} is not native memory or its address is not a
     *                                  multiple of {@value #ALIGNMENT}
     * @throws IllegalStateException    if the segment's scope is no longer alive
     */
    public static Storage external(MemorySegment segment, Runnable release) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(release, "release");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("storage needs native memory, got a heap segment of " + segment.byteSize() + " bytes");
        }
        if (segment.address() % ALIGNMENT != 0) {
            throw new IllegalArgumentException("storage must be " + ALIGNMENT + "-byte aligned, got address 0x"
                    + Long.toHexString(segment.address()));
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's memory has already been freed");
        }
        return new ExternalStorage(segment, release);
    }

    /**
     * The Arrow buffer behind host storage, for zero-copy export to Arrow vectors.
     *
     * @param storage any storage
     * @return the buffer when {@code storage} was allocated by Proxima or made by {@link #share}, else empty
     * @throws IllegalStateException if the storage has been freed
     */
    public static Optional<ArrowBuf> arrowBuffer(Storage storage) {
        if (storage instanceof HostStorage h) {
            if (h.isReleased()) {
                throw new IllegalStateException("storage has been freed");
            }
            return Optional.of(h.arrowBuffer());
        }
        return Optional.empty();
    }
}
