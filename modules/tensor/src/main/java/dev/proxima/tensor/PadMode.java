package dev.proxima.tensor;

/**
 * How {@link Tensor#pad(long[], PadMode, double)} fills the new border elements, with NumPy's
 * {@code numpy.pad} mode names in parentheses. For a dimension {@code [a b c d]} padded by 2 on each side:
 * <pre>
 * CONSTANT  (constant, value v)  v v | a b c d | v v
 * REFLECT   (reflect)            c b | a b c d | c b
 * REPLICATE (edge)               a a | a b c d | d d
 * </pre>
 */
public enum PadMode {
    /** Every new element is the given constant ({@code numpy.pad(mode="constant")}). */
    CONSTANT,
    /**
     * The mirror image about the edge element, which is not repeated ({@code numpy.pad(mode="reflect")},
     * PyTorch's {@code "reflect"}); padding wider than the dimension keeps reflecting back and forth.
     */
    REFLECT,
    /** The edge element repeated ({@code numpy.pad(mode="edge")}, PyTorch's {@code "replicate"}). */
    REPLICATE
}
