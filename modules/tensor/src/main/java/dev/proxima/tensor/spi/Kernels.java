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

    /**
     * Parameters of {@link #IOTA}.
     *
     * @param start the first value
     * @param step  the increment
     */
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
     * [src, dst]: src reduced over the parameters' axes into the contiguous dst, whose shape is src's without those axes.
     * SUM, PROD and COUNT_NONZERO of integers and BOOL accumulate in 64 bits; floats accumulate in at least
     * double precision; ARGMAX/ARGMIN write I64.
     */
    public static final KernelKey<Reduction> REDUCE = new KernelKey<>(7, "reduce", Reduction.class, 1, 1, false);

    /**
     * [a, b, dst]: batched matrix product: a is [..., m, k], b is [..., k, n], dst is [..., m, n], all with the
     * same (already broadcast) batch dimensions and dtype: F32, F64, or F16/BF16 (products accumulated in at
     * least F32, the result rounded once). dst may have any strides (an explicit output may be a transposed view).
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
     * [src, values, indices]: the k-th element (k counted from 1) of each lane of src along the axis in the stable
     * sorted order of {@link #SORT}, found by selection without sorting the lane, into values (src's dtype) and its
     * I64 position into indices, both of extent 1 along the axis; either output may be null when not wanted.
     */
    public static final KernelKey<Sort> KTH_VALUE = new KernelKey<>(39, "kthValue", Sort.class, 1, 2, false);

    /**
     * [sorted, values, dst]: for each element of values the I64 insertion position into the 1-D ascending view
     * sorted (the parameter: true for the right end of a run of equal elements).
     */
    public static final KernelKey<Boolean> SEARCH_SORTED = new KernelKey<>(16, "searchSorted", Boolean.class, 2, 1, false);

    /** [src, dst]: running sums or products along the axis; integers accumulate in I64 (dst I64), floats in double. */
    public static final KernelKey<Scan> SCAN = new KernelKey<>(17, "scan", Scan.class, 1, 1, false);

    // ------------------------------------------------------------------ convolution, pooling, resizing

    /**
     * Parameters of {@link #CONV2D} and {@link #CONV_TRANSPOSE2D}: the forward convolution's stride, zero
     * padding and dilation per spatial axis (height, width) and its number of channel groups.
     *
     * @param strideH   the step between output rows, at least 1
     * @param strideW   the step between output columns, at least 1
     * @param padH      zero rows added above and below, at least 0
     * @param padW      zero columns added left and right, at least 0
     * @param dilationH the spacing between kernel rows, at least 1
     * @param dilationW the spacing between kernel columns, at least 1
     * @param groups    the number of channel groups, dividing both channel counts
     */
    public record Convolution(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    }

    /**
     * Parameters of the pooling kernels: the window, its step and the padding per spatial axis.
     *
     * @param kernelH the window height, at least 1
     * @param kernelW the window width, at least 1
     * @param strideH the step between windows down, at least 1
     * @param strideW the step between windows across, at least 1
     * @param padH    rows of padding above and below, between 0 and kernelH/2
     * @param padW    columns of padding left and right, between 0 and kernelW/2
     */
    public record Pooling(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
    }

    /**
     * Parameters of {@link #AVG_POOL2D}.
     *
     * @param window          the window, step and padding
     * @param countIncludePad divide by kernelH·kernelW (padded zeros count) instead of by the window's
     *                        positions inside the input
     */
    public record AvgPooling(Pooling window, boolean countIncludePad) {
    }

    /**
     * Parameters of {@link #RESIZE}.
     *
     * @param mode         the interpolation rule
     * @param alignCorners for BILINEAR: align the corner pixels' centres (false for NEAREST)
     */
    public record Resize(dev.proxima.tensor.Conv.Mode mode, boolean alignCorners) {
    }

    /**
     * [input, weight, bias, out]: 2-D convolution (cross-correlation) of contiguous NCHW data, input
     * {@code [N, C, H, W]}, weight {@code [O, C/groups, kH, kW]}, bias {@code [O]} or null, out
     * {@code [N, O, Hout, Wout]} with the output sizes of the parameters; all F32 or all F64, contiguous, every
     * size within {@code int} range (the front end checked it, and {@code conv1d} passes a height of 1).
     */
    public static final KernelKey<Convolution> CONV2D = new KernelKey<>(18, "conv2d", Convolution.class, 3, 1, false);

    /**
     * [input, weight, bias, out]: 2-D transposed convolution, the adjoint of the {@link #CONV2D} with these
     * parameters that maps out's images to input's: input {@code [N, Cin, H, W]}, weight
     * {@code [Cin, Cout/groups, kH, kW]}, bias {@code [Cout]} or null, out {@code [N, Cout, Hout, Wout]}; all F32
     * or all F64, contiguous.
     */
    public static final KernelKey<Convolution> CONV_TRANSPOSE2D =
            new KernelKey<>(19, "convTranspose2d", Convolution.class, 3, 1, false);

    /**
     * [input, out]: the maximum of each window of the contiguous {@code [N, C, H, W]} input (padding never
     * wins; a NaN in a window gives NaN) into the contiguous {@code [N, C, Hout, Wout]} out; F32 or F64.
     */
    public static final KernelKey<Pooling> MAX_POOL2D = new KernelKey<>(20, "maxPool2d", Pooling.class, 1, 1, false);

    /**
     * [input, gradOut, gradIn]: the derivative of {@link #MAX_POOL2D}: gradIn (input's shape) := zeros, then
     * each element of gradOut (out's shape) added at the position that won its window (the first maximum, or
     * the first NaN); all of one dtype, F32 or F64, contiguous.
     */
    public static final KernelKey<Pooling> MAX_POOL2D_BACKWARD = new KernelKey<>(21, "maxPool2dBackward", Pooling.class, 2, 1, false);

    /** [input, out]: the mean of each window, as {@link #MAX_POOL2D} otherwise. */
    public static final KernelKey<AvgPooling> AVG_POOL2D = new KernelKey<>(22, "avgPool2d", AvgPooling.class, 1, 1, false);

    /**
     * [input, out]: each {@code H × W} image of the contiguous {@code [N, C, H, W]} input resized to out's
     * {@code [N, C, Hout, Wout]} (PyTorch's formulas and single-precision coordinates); F32 or F64.
     */
    public static final KernelKey<Resize> RESIZE = new KernelKey<>(23, "resize", Resize.class, 1, 1, false);

    /**
     * [image, kernel, out]: same-size correlation of every {@code H × W} plane of the contiguous image
     * {@code [..., H, W]} (F32 or F64, out alike) with the contiguous F64 kernel {@code [kH, kW]} centred at
     * {@code (kH/2, kW/2)}, positions outside read through the boundary rule; sums in double precision.
     */
    public static final KernelKey<dev.proxima.tensor.Conv.Boundary> CORRELATE2D =
            new KernelKey<>(24, "correlate2d", dev.proxima.tensor.Conv.Boundary.class, 2, 1, false);

    // ------------------------------------------------------------------ Fourier transforms

    /**
     * Parameters of {@link #FFT}.
     *
     * @param axis    the transformed dimension of the views (below the trailing dimension of size 2)
     * @param inverse the positive exponent (inverse transform) instead of the negative one
     * @param scale   the factor every output is multiplied by
     */
    public record FftAxis(int axis, boolean inverse, double scale) {
    }

    /**
     * Parameters of {@link #RFFT} and {@link #IRFFT}.
     *
     * @param axis  the transformed dimension of the views (of the real view's dimensions)
     * @param scale the factor every output is multiplied by
     */
    public record RealFftAxis(int axis, double scale) {
    }

    /**
     * [src, dst]: the complex FFT of length {@code n = shape[axis]} of every line along the axis; src and dst
     * are complex ({@code [..., 2]}: real and imaginary parts), of one shape and dtype (F32 or F64, computed in
     * double precision), any strides; dst may be the very same view as src (every line is read before it is
     * written) and n is at most 2²⁷.
     */
    public static final KernelKey<FftAxis> FFT = new KernelKey<>(25, "fft", FftAxis.class, 1, 1, false);

    /**
     * [src, dst]: the bins {@code 0 … n/2} of the FFT of every real line of src along the axis
     * ({@code n = src.shape[axis]}) into complex dst: src's shape with the axis extent {@code n/2 + 1} and a
     * trailing 2; one dtype, F32 or F64.
     */
    public static final KernelKey<RealFftAxis> RFFT = new KernelKey<>(26, "rfft", RealFftAxis.class, 1, 1, false);

    /**
     * [src, dst]: the real inverse FFT of length {@code n = dst.shape[axis]} of every line of complex src
     * ({@code n/2 + 1} bins along the axis; the imaginary parts of bin 0 and, for even n, bin n/2 ignored) into
     * real dst; one dtype, F32 or F64.
     */
    public static final KernelKey<RealFftAxis> IRFFT = new KernelKey<>(27, "irfft", RealFftAxis.class, 1, 1, false);

    /**
     * [half, dst]: the full 2-D spectrum of real data from its rfft2: contiguous half {@code [..., n0, m, 2]}
     * with {@code m = n1/2 + 1}, contiguous dst {@code [..., n0, n1, 2]}:
     * {@code dst[..., k0, k1] = half[..., k0, k1]} below m, else {@code conj(half[..., (n0 − k0) mod n0, n1 − k1])}.
     */
    public static final KernelKey<Void> HERMITIAN_FILL = new KernelKey<>(28, "hermitianFill", Void.class, 1, 1, false);

    // ------------------------------------------------------------------ linear algebra (LAPACK)
    //
    // Matrices are the last two dimensions of a view; leading dimensions are a batch, the same for every view of
    // a call. Inputs have any strides (broadcast batch dimensions too) and the one dtype of the call, F32 or F64;
    // outputs are contiguous. A numerical failure (a singular matrix, no convergence) throws
    // dev.proxima.tensor.LinalgException naming the routine, LAPACK's info and the batch element; a NaN that
    // LAPACKE refuses throws IllegalArgumentException.

    /**
     * Parameters of {@link #TRIANGULAR_SOLVE}.
     *
     * @param lower        A is lower (else upper) triangular; its other triangle is not read
     * @param unitDiagonal A's diagonal is taken to be ones (and not read)
     */
    public record TriangularSolve(boolean lower, boolean unitDiagonal) {
    }

    /** [a, b, x]: x := A⁻¹·B for a {@code [..., n, n]} and b, x {@code [..., n, k]} (LU with partial pivoting). */
    public static final KernelKey<Void> LU_SOLVE = new KernelKey<>(29, "luSolve", Void.class, 2, 1, false);

    /** [a, inverse]: the inverse of each {@code [..., n, n]} matrix (LU). */
    public static final KernelKey<Void> INVERSE = new KernelKey<>(30, "inverse", Void.class, 1, 1, false);

    /**
     * [a, sign, logAbsDet]: for each {@code [..., n, n]} matrix the sign of its determinant and the natural log
     * of its absolute value (0 and −∞ for an exactly singular matrix), both of shape {@code [...]}.
     */
    public static final KernelKey<Void> SLOGDET = new KernelKey<>(31, "slogdet", Void.class, 1, 2, false);

    /**
     * [a, factor]: the Cholesky factor of each {@code [..., n, n]} matrix, from its lower triangle into a
     * lower-triangular L with A = L·Lᵀ, or (parameter true) from its upper triangle into an upper U with
     * A = Uᵀ·U; the other triangle of the factor is zero.
     */
    public static final KernelKey<Boolean> CHOLESKY = new KernelKey<>(32, "cholesky", Boolean.class, 1, 1, false);

    /** [a, b, x]: x := A⁻¹·B for triangular a {@code [..., n, n]} and b, x {@code [..., n, k]}. */
    public static final KernelKey<TriangularSolve> TRIANGULAR_SOLVE =
            new KernelKey<>(33, "triangularSolve", TriangularSolve.class, 2, 1, false);

    /**
     * [a, q, r]: A = Q·R for each {@code [..., m, n]} matrix, with k = min(m, n): q {@code [..., m, k]} and r
     * {@code [..., k, n]}, or (parameter true, complete) q {@code [..., m, m]} and r {@code [..., m, n]}; r is
     * upper triangular (zeros below the diagonal).
     */
    public static final KernelKey<Boolean> QR = new KernelKey<>(34, "qr", Boolean.class, 1, 2, false);

    /**
     * [a, u, s, vt]: A = U·diag(S)·Vᵀ for each {@code [..., m, n]} matrix, singular values s {@code [..., k]}
     * (k = min(m, n)) descending; u {@code [..., m, k]} and vt {@code [..., k, n]}, or (parameter true, full
     * matrices) u {@code [..., m, m]} and vt {@code [..., n, n]}. With u and vt both null only the singular
     * values are computed (failures then name {@code svdvals}).
     */
    public static final KernelKey<Boolean> SVD = new KernelKey<>(35, "svd", Boolean.class, 1, 3, false);

    /**
     * [a, values, vectors]: the eigenvalues (ascending, {@code [..., n]}) and orthonormal eigenvectors (columns of
     * {@code [..., n, n]}) of each symmetric matrix, read from its lower triangle; vectors null for the values
     * only.
     */
    public static final KernelKey<Void> EIGH = new KernelKey<>(36, "eigh", Void.class, 1, 2, false);

    /**
     * [a, values, vectors]: the eigenvalues and right eigenvectors (unit norm) of each general
     * {@code [..., n, n]} matrix as complex values {@code [..., n, 2]} and vectors {@code [..., n, n, 2]}
     * (vector j in column j), in LAPACK's order: conjugate pairs adjacent, positive imaginary part first.
     */
    public static final KernelKey<Void> EIG = new KernelKey<>(37, "eig", Void.class, 1, 2, false);

    /**
     * [a, b, solution, singularValues, rank]: the minimum-norm least-squares solution of A·X = B for one
     * {@code [m, n]} matrix a and b {@code [m, k]}, by SVD; solution {@code [max(m, n), k]} holds X in its first
     * n rows and, below them when m &gt; n, the rows whose squares sum to the residuals; singularValues
     * {@code [min(m, n)]} descending; rank a 0-d I64. The parameter is the relative cutoff below which singular
     * values count as zero (LAPACK replaces 0 by the machine epsilon).
     */
    public static final KernelKey<Double> LSTSQ = new KernelKey<>(38, "lstsq", Double.class, 2, 3, false);

    /**
     * Parameters of {@link #ADAM_STEP}: one Adam/AdamW step with PyTorch's formulas (see the key).
     *
     * @param step                 the step number t, counted from 1 (for the bias corrections 1 − βᵗ)
     * @param lr                   the learning rate
     * @param beta1                the first moment's decay β₁
     * @param beta2                the second moment's decay β₂
     * @param eps                  added to the denominator
     * @param weightDecay          the weight decay λ (0 for none)
     * @param decoupledWeightDecay true for AdamW's {@code p := p·(1 − lr·λ)}, false for Adam's {@code g := g + λp}
     */
    public record AdamStep(long step, double lr, double beta1, double beta2, double eps, double weightDecay,
                           boolean decoupledWeightDecay) {
    }

    /**
     * [grad, param, expAvg, expAvgSq]: one fused Adam/AdamW step, in place (the three outputs are read, then
     * written): {@code g := grad (+ λ·param unless decoupled)}, {@code param := param·(1 − lr·λ)} if decoupled,
     * {@code expAvg := β₁·expAvg + (1 − β₁)·g}, {@code expAvgSq := β₂·expAvgSq + (1 − β₂)·g·g},
     * {@code param := param + (−lr/(1 − β₁ᵗ))·(expAvg / (√expAvgSq / √(1 − β₂ᵗ) + eps))}. All four views have one
     * shape and one floating dtype (F32 or F64, computed in that type), and the outputs do not overlap each
     * other or the gradient. Each element is computed alone (no reduction), so results do not depend on the
     * thread count.
     */
    public static final KernelKey<AdamStep> ADAM_STEP = new KernelKey<>(60, "adamStep", AdamStep.class, 1, 3, true);

    /**
     * Parameters of {@link #SOFT_MIN} and {@link #SOFT_MIN_SQUARED_DISTANCES}.
     *
     * @param epsilon the temperature ε, positive and finite
     */
    public record SoftMin(double epsilon) {
    }

    /**
     * [cost, potential, dst]: the soft-minimum of each cost row, {@code dst[..., i] = −ε·log Σ_j exp((h[..., j] −
     * C[..., i, j])/ε)}, fused (no [n, m] temporary), for cost {@code [n, m]} shared by every batch or
     * {@code [..., n, m]}, potential h {@code [..., m]} and dst {@code [..., n]} with the same batch dimensions;
     * all of one dtype, F32 or F64; h and dst contiguous, the cost contiguous or the transpose of its last two axes
     * of a contiguous tensor (the column soft-min of a row-major cost, read in place). Each row is computed by one
     * thread in a fixed order, so results do not depend on the thread count.
     */
    public static final KernelKey<SoftMin> SOFT_MIN = new KernelKey<>(40, "softMin", SoftMin.class, 2, 1, false);

    /**
     * [x, y, potential, dst]: {@link #SOFT_MIN} of the squared Euclidean costs {@code C[i, j] = ‖x_i − y_j‖²}
     * computed on the fly from the points x {@code [n, d]} and y {@code [m, d]} (shared by every batch, or each
     * with the batch dimensions of the potential {@code [..., m]}), never forming the cost matrix; dst
     * {@code [..., n]}; all contiguous and of one dtype, F32 or F64.
     */
    public static final KernelKey<SoftMin> SOFT_MIN_SQUARED_DISTANCES =
            new KernelKey<>(41, "softMinSquaredDistances", SoftMin.class, 3, 1, false);
}
