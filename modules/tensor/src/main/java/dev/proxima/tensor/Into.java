package dev.proxima.tensor;

import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.UnaryOp;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The explicit-output tier: operations that write their result into a tensor you provide instead of allocating
 * a new one, like NumPy's {@code out=} and PyTorch's {@code out=} / in-place methods. An optimizer step on ten
 * million parameters uses them so that no step allocates (and page-faults) fresh 40 MB results.
 *
 * {@snippet :
 * try (Tensor x = Tensor.ones(DType.F32, 1_000_000); Tensor y = Tensor.zeros(DType.F32, 1_000_000)) {
 *     for (int step = 0; step < 1000; step++) {
 *         Into.mulAdd(x, 0.5, y, y);          // y := 0.5·x + y, in place, no allocation
 *     }
 * }
 * }
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>{@code out} must already have the result's shape (the broadcast shape of the operands; no resizing) and
 *       exactly the result's dtype (as the allocating operation would produce it; no implicit cast), and live on
 *       the operands' device (0-d host tensors may join as scalars, as in every elementwise operation).</li>
 *   <li>{@code out} may be one of the operands of an elementwise operation (the very same view: every element is
 *       read before it is written), but must not partially overlap any operand, nor be a broadcast view (a
 *       zero stride over an extent above 1: several elements in one place). Reductions and matrix products
 *       must not write into memory they read.</li>
 *   <li>Autodiff (PyTorch's rule): these operations are not recorded. While recording is on
 *       ({@link Autodiff#isGradEnabled()}), neither {@code out} nor an operand may require grad — run parameter
 *       updates inside {@code try (var off = Autodiff.noGrad()) { … }}, as optimizers do. And never may
 *       {@code out} be memory that a recorded operation saved for its backward pass (that would silently change
 *       the gradients): such a write throws even with recording off.</li>
 * </ul>
 * Every method returns {@code out}. F16/BF16 results are computed in F32 and rounded once into {@code out} (those
 * go through a temporary).
 */
public final class Into {

    private Into() {
    }

    // ------------------------------------------------------------------ the rules

    /** Checks {@code out} for an elementwise operation (in place allowed) with result {@code type} of {@code shape}. */
    static void check(String op, Tensor out, DType type, long[] shape, Tensor... inputs) {
        check(op, out, type, shape, true, inputs);
    }

    /** Checks {@code out} for an operation that must not write into memory it reads (reductions, matmul). */
    static void checkSeparate(String op, Tensor out, DType type, long[] shape, Tensor... inputs) {
        check(op, out, type, shape, false, inputs);
    }

    private static void check(String op, Tensor out, DType type, long[] shape, boolean inPlace, Tensor... inputs) {
        out.live();
        for (Tensor t : inputs) {
            t.live();
        }
        if (Autodiff.isGradEnabled()) {
            if (out.requiresGrad()) {
                throw new IllegalStateException(op + " into a tensor that requires grad: explicit-output operations are not"
                        + " recorded by autodiff; update it inside Autodiff.noGrad() (as an optimizer step does)");
            }
            for (Tensor t : inputs) {
                if (t.requiresGrad()) {
                    throw new IllegalStateException(op + ": an operand requires grad, but explicit-output operations are not"
                            + " recorded by autodiff; use the allocating form, or run inside Autodiff.noGrad()");
                }
            }
        }
        if (GradNode.isSaved(out.storage)) {
            throw new IllegalStateException(op + ": the output " + out.describe() + " shares memory with a tensor that a recorded"
                    + " operation saved for its backward pass; writing there would change its gradients (backward first, or write"
                    + " into another tensor)");
        }
        if (out.dtype != type) {
            throw new DTypeMismatchException(op + ": the result is " + type + " but the output tensor is " + out.dtype
                    + "; pass an output of dtype " + type);
        }
        if (!Arrays.equals(out.shape, shape)) {
            throw new ShapeMismatchException(op + ": the result has shape " + Shapes.str(shape) + " but the output tensor has "
                    + Shapes.str(out.shape));
        }
        for (int d = 0; d < out.shape.length; d++) {
            if (out.strides[d] == 0 && out.shape[d] > 1) {
                throw new IllegalArgumentException(op + ": the output " + out.describe() + " is a broadcast view (several elements"
                        + " share one place along dimension " + d + "); write into a tensor with its own memory");
            }
        }
        for (Tensor t : inputs) {
            boolean hostScalar = t.shape.length == 0 && t.device().equals(Device.CPU);
            if (!hostScalar && !t.device().equals(out.device())) {
                throw new IllegalArgumentException(op + ": the output is on " + out.device() + " but an operand is on " + t.device()
                        + "; move them to one device with to(Device)");
            }
            if (t.storage != out.storage) {
                continue;
            }
            boolean same = inPlace && t.offset == out.offset && Arrays.equals(t.shape, out.shape) && Arrays.equals(t.strides, out.strides);
            if (!same) {
                throw new IllegalArgumentException(op + ": the output " + out.describe() + " overlaps an operand " + t.describe()
                        + (inPlace ? " without being the very same view" : "") + "; write into a separate tensor");
            }
        }
    }

    // ------------------------------------------------------------------ copies

    /**
     * {@code out := src}, converted to out's dtype (rules on {@link DType}) and broadcast to out's shape; src may
     * be on another device (a transfer).
     *
     * @param src the values
     * @param out where to write them
     * @return {@code out}
     * @throws ShapeMismatchException if src does not broadcast to out's shape
     * @throws IllegalStateException  if out is closed, or the autodiff rule above is broken
     */
    public static Tensor copy(Tensor src, Tensor out) {
        return ElementwiseOps.copyInto(src, out);
    }

    /**
     * Every element of {@code out} := {@code value} converted to out's dtype (rounded once for floating types,
     * truncated toward zero for integer types).
     *
     * @param out   the tensor to fill
     * @param value the value
     * @return {@code out}
     * @throws ScalarOutOfRangeException if out has an integer dtype and {@code value} is NaN, infinite or, truncated,
     *                                   outside its range
     * @throws IllegalStateException     if out is closed, or the autodiff rule above is broken
     */
    public static Tensor fill(Tensor out, double value) {
        check("fill", out, out.dtype, out.shape);
        if (out.dtype.isInteger()) {
            Scalars.checkRange("fill", out.dtype, value);
        }
        return Ops.write(out, Kernels.FILL, out.dtype.isFloating() ? Scalars.rounded(out.dtype, value) : value, out.kernelView());
    }

    /**
     * Every element of {@code out} := {@code value}, exactly for integer dtypes (also an I64 beyond 2^53), rounded
     * once for floating ones.
     *
     * @param out   the tensor to fill
     * @param value the value
     * @return {@code out}
     * @throws ScalarOutOfRangeException if out has an integer dtype whose range excludes {@code value}
     * @throws IllegalStateException     if out is closed, or the autodiff rule above is broken
     */
    public static Tensor fill(Tensor out, long value) {
        check("fill", out, out.dtype, out.shape);
        OptionalDouble fill = Scalars.fillValue("fill", out.dtype, value);
        if (fill.isPresent()) {
            return Ops.write(out, Kernels.FILL, fill.getAsDouble(), out.kernelView());
        }
        try (Tensor s = Scalars.operand(out.dtype, value, Device.CPU)) {
            return ElementwiseOps.copyInto(s, out);
        }
    }

    // ------------------------------------------------------------------ elementwise

    /**
     * {@code out := a + b}, broadcast.
     *
     * @param a   the first operand
     * @param b   the second operand
     * @param out the result, of the broadcast shape and the promoted dtype
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor add(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.ADD, a, b, out);
    }

    /**
     * {@code out := a + b} for a scalar b (typed by the scalar rule on {@link DType}).
     *
     * @param a   the tensor operand
     * @param b   the scalar
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not a's
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor add(Tensor a, double b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.ADD, a, b, out);
    }

    /**
     * {@code out := a + b} for a {@code long} scalar b (a Python int: an integer tensor keeps its dtype, see
     * {@link DType}).
     *
     * @param a   the tensor operand
     * @param b   the scalar
     * @param out the result
     * @return {@code out}
     * @throws ScalarOutOfRangeException if a has an integer dtype whose range excludes b
     * @throws ShapeMismatchException    if out's shape is not a's
     * @throws DTypeMismatchException    if out's dtype is not the result's
     * @throws IllegalStateException     if the autodiff rule above is broken
     */
    public static Tensor add(Tensor a, long b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.ADD, a, b, out);
    }

    /**
     * {@code out := a − b}, broadcast.
     *
     * @param a   the first operand
     * @param b   the second operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor sub(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.SUB, a, b, out);
    }

    /**
     * {@code out := a · b}, broadcast.
     *
     * @param a   the first operand
     * @param b   the second operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor mul(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.MUL, a, b, out);
    }

    /**
     * {@code out := a · b} for a scalar b.
     *
     * @param a   the tensor operand
     * @param b   the scalar
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not a's
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor mul(Tensor a, double b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.MUL, a, b, out);
    }

    /**
     * {@code out := a · b} for a {@code long} scalar b (a Python int: an integer tensor keeps its dtype, see
     * {@link DType}).
     *
     * @param a   the tensor operand
     * @param b   the scalar
     * @param out the result
     * @return {@code out}
     * @throws ScalarOutOfRangeException if a has an integer dtype whose range excludes b
     * @throws ShapeMismatchException    if out's shape is not a's
     * @throws DTypeMismatchException    if out's dtype is not the result's
     * @throws IllegalStateException     if the autodiff rule above is broken
     */
    public static Tensor mul(Tensor a, long b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.MUL, a, b, out);
    }

    /**
     * {@code out := a / b}, broadcast (true division: out is floating).
     *
     * @param a   the dividend
     * @param b   the divisor
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor div(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.DIV, a, b, out);
    }

    /**
     * {@code out := max(a, b)} elementwise, broadcast (NaN if either is NaN).
     *
     * @param a   the first operand
     * @param b   the second operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor maximum(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.MAX, a, b, out);
    }

    /**
     * {@code out := min(a, b)} elementwise, broadcast (NaN if either is NaN).
     *
     * @param a   the first operand
     * @param b   the second operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor minimum(Tensor a, Tensor b, Tensor out) {
        return ElementwiseOps.binaryInto(BinaryOp.MIN, a, b, out);
    }

    /**
     * {@code out := a · b + c} in one pass with one rounding (fused multiply-add), broadcast.
     *
     * @param a   the first factor
     * @param b   the second factor
     * @param c   the addend
     * @param out the result (floating)
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor mulAdd(Tensor a, Tensor b, Tensor c, Tensor out) {
        return ElementwiseOps.mulAddInto(a, b, c, out);
    }

    /**
     * {@code out := a · b + c} for a scalar b, fused: with {@code out == c} this is BLAS's axpy, the update of
     * most optimizers.
     *
     * @param a   the tensor factor
     * @param b   the scalar factor
     * @param c   the addend
     * @param out the result (floating)
     * @return {@code out}
     * @throws ShapeMismatchException if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor mulAdd(Tensor a, double b, Tensor c, Tensor out) {
        return ElementwiseOps.mulAddInto(a, b, c, out);
    }

    /**
     * {@code out := a · b + c} for a {@code long} scalar b, fused (b typed as {@code a.mul(b)} types it).
     *
     * @param a   the tensor factor
     * @param b   the scalar factor
     * @param c   the addend
     * @param out the result (floating)
     * @return {@code out}
     * @throws ScalarOutOfRangeException if a has an integer dtype whose range excludes b
     * @throws ShapeMismatchException    if the shapes do not broadcast or out has another shape
     * @throws DTypeMismatchException    if out's dtype is not the result's
     * @throws IllegalStateException     if the autodiff rule above is broken
     */
    public static Tensor mulAdd(Tensor a, long b, Tensor c, Tensor out) {
        return ElementwiseOps.mulAddInto(a, b, c, out);
    }

    /**
     * {@code out := −x}.
     *
     * @param x   the operand
     * @param out the result, of x's shape and dtype
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not x's
     * @throws DTypeMismatchException if out's dtype is not the result's, or x is BOOL
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor neg(Tensor x, Tensor out) {
        return ElementwiseOps.unaryInto(UnaryOp.NEG, x, out);
    }

    /**
     * {@code out := x²}.
     *
     * @param x   the operand
     * @param out the result, of x's shape and dtype
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not x's
     * @throws DTypeMismatchException if out's dtype is not the result's, or x is BOOL
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor square(Tensor x, Tensor out) {
        return ElementwiseOps.unaryInto(UnaryOp.SQUARE, x, out);
    }

    /**
     * {@code out := √x} (integers give F64).
     *
     * @param x   the operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not x's
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor sqrt(Tensor x, Tensor out) {
        return ElementwiseOps.unaryInto(UnaryOp.SQRT, x, out);
    }

    /**
     * {@code out := eˣ} (integers give F64).
     *
     * @param x   the operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not x's
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor exp(Tensor x, Tensor out) {
        return ElementwiseOps.unaryInto(UnaryOp.EXP, x, out);
    }

    /**
     * {@code out := 1 / x} (integers give F64).
     *
     * @param x   the operand
     * @param out the result
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not x's
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor reciprocal(Tensor x, Tensor out) {
        return ElementwiseOps.unaryInto(UnaryOp.RECIPROCAL, x, out);
    }

    // ------------------------------------------------------------------ reductions and products

    /**
     * {@code out := Σ x} over {@code axes} (all if empty); integers and BOOL sum to I64.
     *
     * @param x        the operand
     * @param axes     the axes to reduce (negative count from the end)
     * @param keepDims whether out keeps the reduced dimensions as extent 1
     * @param out      the result, not overlapping x
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not the reduced shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalArgumentException if out overlaps x
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims, Tensor out) {
        return ReductionOps.sumInto(x, axes, keepDims, out);
    }

    /**
     * {@code out := the mean of x} over {@code axes} (all if empty); integers give F64.
     *
     * @param x        the operand
     * @param axes     the axes to reduce
     * @param keepDims whether out keeps the reduced dimensions as extent 1
     * @param out      the result, not overlapping x
     * @return {@code out}
     * @throws ShapeMismatchException if out's shape is not the reduced shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalArgumentException if out overlaps x
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims, Tensor out) {
        return ReductionOps.meanInto(x, axes, keepDims, out);
    }

    /**
     * {@code out := a @ b} with {@link Tensor#matmul}'s rules.
     *
     * @param a   the left operand
     * @param b   the right operand
     * @param out the product, not overlapping a or b
     * @return {@code out}
     * @throws ShapeMismatchException if the operands do not multiply or out has another shape
     * @throws DTypeMismatchException if out's dtype is not the result's
     * @throws IllegalArgumentException if out overlaps an operand
     * @throws IllegalStateException  if the autodiff rule above is broken
     */
    public static Tensor matmul(Tensor a, Tensor b, Tensor out) {
        return MatmulOps.matmulInto(a, b, out);
    }

    // ------------------------------------------------------------------ fused optimizer updates

    /**
     * One Adam or AdamW step in place, fused (PyTorch's {@code torch.optim.Adam}/{@code AdamW} update of one
     * parameter): one pass reads {@code grad}, {@code param} and both moments and writes {@code param},
     * {@code expAvg} and {@code expAvgSq} back, where the same update as tensor operations makes several passes
     * and full-size temporaries.
     * <pre>
     * g        := grad + weightDecay·param          (Adam; AdamW instead: param := param·(1 − lr·weightDecay))
     * expAvg   := β₁·expAvg + (1 − β₁)·g
     * expAvgSq := β₂·expAvgSq + (1 − β₂)·g·g
     * param    := param − lr/(1 − β₁ᵗ) · expAvg / (√expAvgSq / √(1 − β₂ᵗ) + eps)
     * </pre>
     * computed in the tensors' dtype, element by element (results do not depend on the thread count).
     *
     * {@snippet :
     * try (var off = Autodiff.noGrad()) {
     *     Into.adamStep(w, w.grad(), m, v, step, 1e-3, 0.9, 0.999, 1e-8, 1e-2, true);   // AdamW
     * }
     * }
     *
     * @param param                the parameter, updated in place (F32 or F64)
     * @param grad                 its gradient, of the same dtype and shape
     * @param expAvg               the first moment, updated in place (zeros before the first step)
     * @param expAvgSq             the second moment, updated in place (zeros before the first step)
     * @param step                 the step number t, counted from 1
     * @param lr                   the learning rate, finite and ≥ 0
     * @param beta1                β₁, in [0, 1)
     * @param beta2                β₂, in [0, 1)
     * @param eps                  added to the denominator, finite and ≥ 0
     * @param weightDecay          λ, finite and ≥ 0
     * @param decoupledWeightDecay true for AdamW's decoupled decay, false for Adam's L2 term
     * @return {@code param}
     * @throws IllegalArgumentException if a hyper-parameter is out of range (the message names it), two of the
     *                                  tensors share memory, they are on different devices, or an output is a
     *                                  broadcast view
     * @throws DTypeMismatchException   if the dtypes differ or are not F32/F64
     * @throws ShapeMismatchException   if the shapes differ
     * @throws IllegalStateException    if the autodiff rule above is broken
     */
    public static Tensor adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step, double lr, double beta1,
                                  double beta2, double eps, double weightDecay, boolean decoupledWeightDecay) {
        return OptimizerOps.adamStepInto(param, grad, expAvg, expAvgSq, step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay);
    }
}
