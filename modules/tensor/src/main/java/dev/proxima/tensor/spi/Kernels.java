package dev.proxima.tensor.spi;

/**
 * The tensor core's kernel keys: one per kernel signature, with its fixed code, its arguments (inputs, then
 * outputs) and its parameters. Unless a key says otherwise, all views of a call have the same shape, inputs
 * have the same dtype, and outputs do not overlap inputs (an output may be the very same view as an input of
 * an elementwise kernel: every element is read before it is written).
 *
 * <p>The CPU backend registers every key; a device backend registers those it has kernels for, and the
 * dispatcher stages the rest through the host (see {@link KernelRegistry}).
 */
public final class Kernels {

    private Kernels() {
    }

    /** Parameters of {@link #IOTA}. @param start the first value @param step the increment */
    public record Iota(double start, double step) {
    }

    /**
     * Parameters of {@link #REDUCE}.
     *
     * @param op   the reduction
     * @param axes the source axes reduced (sorted, distinct); for ARGMAX/ARGMIN exactly one
     */
    public record Reduction(ReduceOp op, int[] axes) {
    }

    /**
     * Parameters of {@link #SOFTMAX}.
     *
     * @param op   which function
     * @param axis the axis of the lanes, in {@code [0, src.rank())}
     */
    public record Softmax(SoftmaxOp op, int axis) {
    }

    /**
     * Parameters of {@link #RANDOM}: draw {@code draw} of the Philox-4x32-10 stream with key {@code key}.
     *
     * @param op   the distribution
     * @param key  the 64-bit Philox key (key word 0 = low 32 bits)
     * @param draw the draw number (below 2⁴⁸)
     * @param a    the first parameter (low, mean or p)
     * @param b    the second parameter (high or std; unused for BERNOULLI)
     */
    public record RandomDraw(RandomOp op, long key, long draw, double a, double b) {
    }

    /** [dst]: every element of dst := the value (a {@link Double}) converted to dst's dtype. */
    public static final KernelKey<Double> FILL = new KernelKey<>(1, "fill", Double.class, 0, 1, false);

    /** [dst]: dst := start + i·step for element i of the contiguous 1-D view dst. */
    public static final KernelKey<Iota> IOTA = new KernelKey<>(2, "iota", Iota.class, 0, 1, false);

    /** [src, dst]: dst := op(src); dst's dtype is src's, or BOOL for {@link UnaryOp#NOT}. */
    public static final KernelKey<UnaryOp> UNARY = new KernelKey<>(3, "unary", UnaryOp.class, 1, 1, false);

    /** [a, b, dst]: dst := op(a, b); dst's dtype is the inputs', or BOOL for comparisons and logical ops. */
    public static final KernelKey<BinaryOp> BINARY = new KernelKey<>(4, "binary", BinaryOp.class, 2, 1, false);

    /** [a, b, c, dst]: dst := a·b + c (floating types), fused, one rounding. */
    public static final KernelKey<Void> MUL_ADD = new KernelKey<>(5, "mulAdd", Void.class, 3, 1, false);

    /** [condition, a, b, dst]: dst := condition ? a : b, with condition of dtype BOOL. */
    public static final KernelKey<Void> WHERE = new KernelKey<>(6, "where", Void.class, 3, 1, false);

    /**
     * [src, dst]: src reduced over the parameters' axes into dst, whose shape is src's without those axes.
     * SUM, PROD and COUNT_NONZERO of integers and BOOL accumulate in 64 bits; floats accumulate in at least
     * double precision; ARGMAX/ARGMIN write I64.
     */
    public static final KernelKey<Reduction> REDUCE = new KernelKey<>(7, "reduce", Reduction.class, 1, 1, false);

    /**
     * [a, b, dst]: batched matrix product: a is [..., m, k], b is [..., k, n], dst is [..., m, n], all with the
     * same (already broadcast) batch dimensions and dtype: F32, F64, or F16/BF16 (products accumulated in at
     * least F32, the result rounded once).
     */
    public static final KernelKey<Void> MATMUL = new KernelKey<>(8, "matmul", Void.class, 2, 1, false);

    /**
     * [src, dst]: the softmax family along an axis (see {@link SoftmaxOp}); src and dst F32 or F64 of one dtype.
     * For SOFTMAX and LOG_SOFTMAX dst has src's shape; for LOGSUMEXP dst's shape is src's without the axis.
     */
    public static final KernelKey<Softmax> SOFTMAX = new KernelKey<>(9, "softmax", Softmax.class, 1, 1, false);

    /**
     * [dst]: fills the contiguous view dst with a Philox draw: element {@code i} (row-major) must be exactly the
     * value the CPU kernels compute for index {@code i}, so a generator's values do not depend on the device.
     * dst is F32 or F64 for UNIFORM and NORMAL, BOOL for BERNOULLI; the parameters were checked by {@code Rng}.
     */
    public static final KernelKey<RandomDraw> RANDOM = new KernelKey<>(10, "random", RandomDraw.class, 0, 1, false);

    /**
     * How an indexing kernel checks its index view before writing anything: every index must lie in
     * {@code [-shape[axis], shape[axis])} (or {@code [0, shape[axis])} without {@code allowNegative}), else the
     * kernel throws {@link IndexOutOfBoundsException} naming {@code op}, the index, the axis and the shape.
     *
     * @param op            the operation's name, for the message
     * @param axis          the indexed axis
     * @param shape         the indexed tensor's shape, for the bound and the message
     * @param allowNegative whether negative indices count from the end
     */
    public record IndexCheck(String op, int axis, long[] shape, boolean allowNegative) {
    }

    /**
     * Parameters of {@link #SCATTER}.
     *
     * @param check how the indices are checked
     * @param add   accumulate ({@code +=}) instead of overwriting
     */
    public record Scatter(IndexCheck check, boolean add) {
    }

    /**
     * Parameters of {@link #SORT}.
     *
     * @param axis       the axis of the lanes
     * @param descending largest first
     * @param k          how many leading elements of each sorted lane to write (the lane's length for a full sort)
     */
    public record Sort(int axis, boolean descending, long k) {
    }

    /**
     * Parameters of {@link #SCAN}.
     *
     * @param product running products instead of running sums
     * @param axis    the axis to accumulate along
     */
    public record Scan(boolean product, int axis) {
    }

    /**
     * [src, index, dst]: {@code dst[p] = src[p with p[axis] replaced by index[p]]} (negative indices count from
     * the end of the axis); src has dst's shape except along the axis; index is I32 or I64 of dst's shape.
     * The parameters' check runs first.
     */
    public static final KernelKey<IndexCheck> GATHER = new KernelKey<>(11, "gather", IndexCheck.class, 2, 1, false);

    /**
     * [index, src, dst]: {@code dst[p with p[axis] replaced by index[p]] = src[p]} (or {@code +=}) for every
     * position p of index, in row-major order (the last write wins; additions accumulate deterministically);
     * dst holds the values to scatter into and is read. The check runs first.
     */
    public static final KernelKey<Scatter> SCATTER = new KernelKey<>(12, "scatter", Scatter.class, 2, 1, true);

    /** [mask, dst]: dst (0-d I64) := the number of true elements of the BOOL mask. */
    public static final KernelKey<Void> COUNT_TRUE = new KernelKey<>(13, "countTrue", Void.class, 1, 1, false);

    /** [src, mask, dst]: the elements of src where the BOOL mask (of src's shape) is true, in row-major order, into 1-D dst. */
    public static final KernelKey<Void> COMPRESS = new KernelKey<>(14, "compress", Void.class, 2, 1, false);

    /**
     * [src, values, indices]: the first k elements of each lane of src along the axis in stable sorted order
     * (NaNs last in both directions), into values (src's dtype) and their I64 positions into indices; either
     * output may be null when not wanted.
     */
    public static final KernelKey<Sort> SORT = new KernelKey<>(15, "sort", Sort.class, 1, 2, false);

    /**
     * [sorted, values, dst]: for each element of values the I64 insertion position into the 1-D ascending view
     * sorted (the parameter: true for the right end of a run of equal elements).
     */
    public static final KernelKey<Boolean> SEARCH_SORTED = new KernelKey<>(16, "searchSorted", Boolean.class, 2, 1, false);

    /** [src, dst]: running sums or products along the axis; integers accumulate in I64 (dst I64), floats in double. */
    public static final KernelKey<Scan> SCAN = new KernelKey<>(17, "scan", Scan.class, 1, 1, false);
}
