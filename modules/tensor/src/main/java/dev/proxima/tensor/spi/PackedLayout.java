package dev.proxima.tensor.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * How a block-packed tensor format lays out its elements in byte storage: the logical elements, in
 * row-major order, are cut into blocks of {@code elementsPerBlock} consecutive elements, and each block
 * is stored as {@code bytesPerBlock} bytes, block after block, from byte 0 of the storage. What the bytes
 * of a block mean (scales, 4-bit codes, codebook indices) is the format's business; this record only
 * fixes the sizes and checks that they fit.
 *
 * <p>The last dimension must be a multiple of {@code elementsPerBlock}, so that no block straddles two
 * rows (as in GGML's Q8_0 and Q4_0, where a block is 32 elements of one row).
 *
 * {@snippet :
 * // 4-bit codes with one F16 scale per 32 elements: 2 + 16 bytes per block
 * PackedLayout q4 = new PackedLayout("q4_0", new long[]{4096, 4096}, 32, 18);
 * Storage bytes = HostStorages.allocate(q4.byteSize());   // 9 437 184 bytes
 * long third = q4.blockOffset(2);                         // 36
 * }
 *
 * @param format           the format's name, as error messages and readers show it (such as {@code "q4_0"})
 * @param shape            the logical shape of the tensor the bytes encode
 * @param elementsPerBlock elements each block encodes
 * @param bytesPerBlock    bytes each block takes
 */
public record PackedLayout(String format, long[] shape, int elementsPerBlock, int bytesPerBlock) {

    /**
     * Checks the sizes.
     *
     * @throws IllegalArgumentException if {@code format} is blank, the shape has no dimension or a
     *                                  negative one, a block size is not positive, the last dimension is
     *                                  not a multiple of {@code elementsPerBlock}, or the packed bytes
     *                                  would not fit in a {@code long}
     * @throws NullPointerException     if {@code format} or {@code shape} is null
     */
    public PackedLayout {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(shape, "shape");
        shape = shape.clone();
        if (format.isBlank()) {
            throw new IllegalArgumentException("a packed format needs a name");
        }
        if (elementsPerBlock <= 0 || bytesPerBlock <= 0) {
            throw new IllegalArgumentException(format + ": blocks need a positive number of elements and bytes, got "
                    + elementsPerBlock + " elements in " + bytesPerBlock + " bytes");
        }
        if (shape.length == 0) {
            throw new IllegalArgumentException(format + ": a packed tensor needs at least one dimension (its blocks run along the last)");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(format + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n = multiply(format, shape, n, d);
        }
        long last = shape[shape.length - 1];
        if (last % elementsPerBlock != 0) {
            throw new IllegalArgumentException(format + ": the last dimension of shape " + Arrays.toString(shape)
                    + " must be a multiple of the block's " + elementsPerBlock + " elements");
        }
        multiply(format, shape, n / elementsPerBlock, bytesPerBlock);
    }

    private static long multiply(String format, long[] shape, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(format + ": shape " + Arrays.toString(shape) + " needs more than 2^63 bytes or elements");
        }
    }

    /** {@return a copy of the logical shape} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the number of logical elements, the product of the shape} */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@return the number of blocks: {@code elementCount() / elementsPerBlock}} */
    public long blockCount() {
        return elementCount() / elementsPerBlock;
    }

    /** {@return the bytes the packed tensor takes: {@code blockCount() * bytesPerBlock}} */
    public long byteSize() {
        return blockCount() * bytesPerBlock;
    }

    /**
     * The position of a block's first byte.
     *
     * @param block the block's index, counted in row-major element order
     * @return {@code block * bytesPerBlock}
     * @throws IndexOutOfBoundsException if {@code block} is not in {@code [0, blockCount())}
     */
    public long blockOffset(long block) {
        Objects.checkIndex(block, blockCount());
        return block * bytesPerBlock;
    }

    /**
     * Checks that {@code storage} can hold this layout.
     *
     * @param storage the storage that holds (or will hold) the packed bytes
     * @throws IllegalArgumentException if it has fewer than {@link #byteSize()} bytes
     */
    public void checkFits(Storage storage) {
        if (storage.byteSize() < byteSize()) {
            throw new IllegalArgumentException(format + Arrays.toString(shape) + " needs " + byteSize() + " bytes ("
                    + blockCount() + " blocks of " + bytesPerBlock + "), the storage has " + storage.byteSize());
        }
    }

    /** Compares format, block sizes and shape (by value). */
    @Override
    public boolean equals(Object o) {
        return o instanceof PackedLayout p && format.equals(p.format) && Arrays.equals(shape, p.shape)
                && elementsPerBlock == p.elementsPerBlock && bytesPerBlock == p.bytesPerBlock;
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, Arrays.hashCode(shape), elementsPerBlock, bytesPerBlock);
    }

    /** {@return such as {@code PackedLayout[q4_0 [4096, 4096], 32 elements in 18 bytes per block]}} */
    @Override
    public String toString() {
        return "PackedLayout[" + format + " " + Arrays.toString(shape) + ", " + elementsPerBlock + " elements in "
                + bytesPerBlock + " bytes per block]";
    }
}
