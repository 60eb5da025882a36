package dev.proxima.io.arrow.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.HostStorages;
import dev.proxima.tensor.spi.Storage;
import org.apache.arrow.memory.ArrowBuf;

/** Tensors over Proxima's host memory for the Arrow reader and writer: uninitialised tensors, dense copies, Arrow buffers. */
public final class TensorMemory {

    private TensorMemory() {
    }

    /**
     * A contiguous tensor with uninitialised contents from Proxima's allocator (the caller fills every
     * element), charged to the current memory pool. Registers with the current scope.
     */
    public static Tensor allocate(DType dtype, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        Storage storage = HostStorages.allocate(Math.multiplyExact(n, (long) dtype.byteSize()));
        try {
            return Tensor.wrap(storage, dtype, shape);
        } catch (RuntimeException e) {
            storage.release();
            throw e;
        }
    }

    /**
     * A row-major copy-or-view of {@code t} in host memory, to read through {@link Tensor#segment()}: a new
     * handle on {@code t}'s own memory when it is a contiguous host tensor, else a dense host copy (tensors on
     * another device are transferred). Close it after use.
     */
    public static Tensor hostContiguous(Tensor t) {
        return t.device().equals(Device.CPU) ? t.contiguous() : t.to(Device.CPU);
    }

    /** The Arrow buffer behind a tensor, or null when its storage is not an Arrow buffer. */
    public static ArrowBuf arrowBuffer(Tensor t) {
        return HostStorages.arrowBuffer(t.view().storage()).orElse(null);
    }
}
