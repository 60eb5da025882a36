package dev.proxima.tensor.spi;

import dev.proxima.tensor.DType;

/**
 * What a backend kernel sees of a tensor: storage, element type, shape, strides and offset.
 *
 * <p>Element {@code (i0, i1, …)} lives at element index {@code offset + Σ ik·strides[k]} of the storage.
 * Strides may be 0 (broadcast) or negative-free positive values; the arrays are not copied and must not
 * be modified.
 *
 * @param storage the memory
 * @param dtype   element type
 * @param shape   extent of each dimension
 * @param strides step in elements of each dimension
 * @param offset  element index of element (0, 0, …)
 */
public record StridedView(Storage storage, DType dtype, long[] shape, long[] strides, long offset) {

    /** {@return number of elements} */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@return number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return true if the elements are dense in row-major order (size-1 dimensions ignored)} */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }
}
