package dev.proxima.io.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.HostStorages;
import dev.proxima.tensor.spi.Storage;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Helpers shared by the readers and writers: uninitialised tensors, bulk copies, byte swaps. */
public final class Buffers {

    private static final int CHUNK = 1 << 20;

    private Buffers() {
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
        long bytes = Math.multiplyExact(n, (long) dtype.byteSize());
        return wrap(HostStorages.allocate(bytes), dtype, shape);
    }

    /** A tensor over storage it takes over; the storage is released if the tensor cannot be made. */
    public static Tensor wrap(Storage storage, DType dtype, long[] shape) {
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
        if (t.device().equals(dev.proxima.tensor.Device.CPU)) {
            return t.contiguous();
        }
        return t.to(dev.proxima.tensor.Device.CPU);
    }

    /**
     * Fills {@code dst} from {@code channel} starting at file position {@code position}.
     *
     * @throws EOFException if the file ends first
     */
    public static void read(FileChannel channel, long position, MemorySegment dst) throws IOException {
        long done = 0;
        long n = dst.byteSize();
        while (done < n) {
            int len = (int) Math.min(n - done, 1L << 30);
            ByteBuffer bb = dst.asSlice(done, len).asByteBuffer();
            while (bb.hasRemaining()) {
                int r = channel.read(bb, position + done + bb.position());
                if (r < 0) {
                    throw new EOFException("file ends " + (n - done - bb.position()) + " bytes early");
                }
            }
            done += len;
        }
    }

    /** Fills {@code dst} from a stream. @throws EOFException if the stream ends first */
    public static void read(InputStream in, MemorySegment dst) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, dst.byteSize()))];
        long done = 0;
        long n = dst.byteSize();
        while (done < n) {
            int want = (int) Math.min(chunk.length, n - done);
            int got = in.readNBytes(chunk, 0, want);
            MemorySegment.copy(chunk, 0, dst, ValueLayout.JAVA_BYTE, done, got);
            done += got;
            if (got < want) {
                throw new EOFException("data ends " + (n - done) + " bytes early");
            }
        }
    }

    /** Writes all of {@code src} to {@code channel} at its current position. */
    public static void write(FileChannel channel, MemorySegment src) throws IOException {
        long done = 0;
        long n = src.byteSize();
        while (done < n) {
            int len = (int) Math.min(n - done, 1L << 30);
            ByteBuffer bb = src.asSlice(done, len).asByteBuffer();
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
            done += len;
        }
    }

    /** Writes all of {@code src} to a stream. */
    public static void write(OutputStream out, MemorySegment src) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, src.byteSize()))];
        long done = 0;
        long n = src.byteSize();
        while (done < n) {
            int len = (int) Math.min(chunk.length, n - done);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, done, chunk, 0, len);
            out.write(chunk, 0, len);
            done += len;
        }
    }

    /** Reverses the byte order of each {@code width}-byte element of {@code s} in place. */
    public static void swapBytes(MemorySegment s, int width) {
        long n = s.byteSize() / width;
        switch (width) {
            case 1 -> { }
            case 2 -> {
                for (long i = 0; i < n; i++) {
                    s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Short.reverseBytes(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
                }
            }
            case 4 -> {
                for (long i = 0; i < n; i++) {
                    s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, Integer.reverseBytes(s.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i)));
                }
            }
            case 8 -> {
                for (long i = 0; i < n; i++) {
                    s.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, Long.reverseBytes(s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i)));
                }
            }
            default -> throw new IllegalArgumentException("no byte swap for width " + width);
        }
    }

    /** Maps every nonzero byte to 1 (booleans from a file that may hold other values). */
    public static void normaliseBooleans(MemorySegment s) {
        for (long i = 0; i < s.byteSize(); i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) != 0) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
        }
    }

    /** True on little-endian hosts (every platform Proxima ships for). */
    public static boolean nativeLittleEndian() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }
}
