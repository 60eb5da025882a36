package dev.proxima.tensor;

/**
 * The result of {@link Tensor#topk(long, int, boolean)}: the k selected values along an axis, in sorted
 * order, and the I64 positions they came from (PyTorch's {@code torch.return_types.topk}); also of
 * {@link Tensor#kthvalue(long, int, boolean)}, with the one k-th value.
 *
 * <p>Both tensors were registered with the {@link Scope} current when {@code topk} ran; without one, the
 * caller closes them, for instance with {@link #close()}.
 *
 * @param values  the selected elements, of the input's dtype; the input's shape with k along the axis (1 for
 *                {@code kthvalue})
 * @param indices their positions along the axis in the input, I64, same shape as {@code values}
 */
public record TopK(Tensor values, Tensor indices) implements AutoCloseable {

    /** Closes both tensors. */
    @Override
    public void close() {
        values.close();
        indices.close();
    }
}
