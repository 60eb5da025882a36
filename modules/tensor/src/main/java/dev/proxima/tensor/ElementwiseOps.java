package dev.proxima.tensor;

import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.UnaryOp;

import java.util.Arrays;

/**
 * The elementwise family: unary functions ({@link UnaryOp}), binary operations with broadcasting
 * ({@link BinaryOp}, tensor or Python-style scalar operand), the fused {@code mulAdd} and {@code where} — for
 * each its dtype rule, its kernel ({@link Kernels#UNARY}, {@link Kernels#BINARY}, {@link Kernels#MUL_ADD},
 * {@link Kernels#WHERE}), its derivative, and its explicit-output form ({@code …Into}, used by {@link Into}).
 *
 * <p>Dtype rules: unary functions that are only defined on the reals (exp, log, …) compute integers in F64;
 * sign-preserving ones (neg, abs, sign, square) keep the dtype and reject BOOL; the rounding ones (floor, ceil,
 * trunc, rint) return integers and BOOL unchanged (NumPy 2) and are not differentiated. Binary operations promote as
 * {@link DType#promote} says, division, atan2, hypot and copysign always to a floating type; comparisons and
 * logical operations give BOOL, and so do the classifications (isnan, isinf, isfinite, signbit), which are built
 * from comparisons and copysign rather than kernels of their own. Where NumPy picks a narrower float for small
 * integers (float16 for int8/uint8/bool), the core's rule gives F64.
 * F16/BF16 operands are computed in F32 and the result rounded once.
 *
 * <p>Derivative rules are written with tensor operations, so the backward pass can itself be recorded and
 * differentiated again; they never read the forward output (a node would keep itself alive), so functions whose
 * derivative is naturally expressed through the output (exp, tanh, sigmoid, sqrt) recompute it from the input.
 */
final class ElementwiseOps {

    private ElementwiseOps() {
    }

    // ------------------------------------------------------------------ devices and broadcasting

    /**
     * The device an elementwise operation runs on: the operands' common device, where a 0-d host tensor counts as
     * a scalar that joins any device (PyTorch's rule for CPU scalars). Any other mix of devices is an error.
     *
     * @throws IllegalArgumentException naming both devices if two operands are on different devices
     */
    static Device elementwiseDevice(String op, Tensor... operands) {
        return Ops.commonDevice(op, true, operands);
    }

    /** {@code t} converted to {@code type} and moved to {@code device} (a scoped-free handle the caller closes). */
    private static Tensor operand(Tensor t, DType type, Device device) {
        Tensor c = t.cast(type, false);
        if (c.device().equals(device)) {
            return c;
        }
        try (Tensor host = c) {
            Tensor moved = host.to(device);
            Tensor.disown(moved);
            return moved;
        }
    }

    /**
     * Sums {@code g} down to {@code shape}: over leading dimensions it has in excess and over dimensions where
     * {@code shape} has extent 1 (undoing broadcasting).
     */
    static Tensor sumTo(Tensor g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int[] axes = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) {
                axes[n++] = d;
            }
        }
        return g.sum(Arrays.copyOf(axes, n), true).reshape(shape);
    }

    // ------------------------------------------------------------------ unary

    /** The result dtype of unary {@code op} on {@code t}: floating for real functions, the dtype for the rest. */
    static DType unaryType(String op, UnaryOp u, DType t) {
        return switch (u) {
            case NEG, ABS, SIGN, SQUARE -> {
                if (t == DType.BOOL) {
                    throw new DTypeMismatchException(op + " is not defined for BOOL tensors; cast first");
                }
                yield t;
            }
            case NOT, FLOOR, CEIL, TRUNC, RINT -> t;
            default -> DType.floating(t);
        };
    }

    /** {@code op(self)} computed in {@code compute} (the result dtype, or BOOL for NOT). */
    static Tensor unary(Tensor self, UnaryOp op) {
        DType compute = unaryType(op.name().toLowerCase(), op, self.dtype);
        self.live();
        if (isRounding(op) && !compute.isFloating()) {
            return self.copy();
        }
        if (compute.isHalf()) {
            try (Tensor wide = self.cast(DType.F32, false)) {
                Tensor r = unary(wide, op);
                return op == UnaryOp.NOT ? r : r.convertAndClose(compute);
            }
        }
        try (Tensor in = compute == self.dtype ? null : self.cast(compute, false)) {
            Tensor src = in == null ? self : in;
            Tensor out = Tensor.allocate(op == UnaryOp.NOT ? DType.BOOL : compute, self.shape, self.device(), true);
            Ops.run(out, Kernels.UNARY, op, src.kernelView(), out.kernelView());
            if (compute.isFloating() && op != UnaryOp.NOT && op != UnaryOp.SIGN && !isRounding(op)) {
                GradNode.record(out, op.name().toLowerCase(), new Tensor[]{src}, src, unaryRule(op));
            }
            return out;
        }
    }

    /** The derivative of unary {@code op} at the saved input {@code x}. */
    private static GradNode.Rule1 unaryRule(UnaryOp op) {
        return (g, x, needs) -> new Tensor[]{switch (op) {
            case NEG -> g.neg();
            case ABS -> g.mul(x.sign());
            case SIGN, NOT, FLOOR, CEIL, TRUNC, RINT -> null;
            case EXP -> g.mul(x.exp());
            case LOG -> g.div(x);
            case SQRT -> g.mul(0.5).div(x.sqrt());
            case TANH -> g.mul(x.tanh().square().neg().add(1));
            case SIN -> g.mul(x.cos());
            case COS -> g.mul(x.sin()).neg();
            case SIGMOID -> {
                Tensor s = x.sigmoid();
                yield g.mul(s).mul(s.neg().add(1));
            }
            case SQUARE -> g.mul(x).mul(2);
            case RECIPROCAL -> g.div(x.square()).neg();
            case ERF -> g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI));
            case LOG1P -> g.div(x.add(1));
            case EXPM1 -> g.mul(x.exp());
            case LOG2 -> g.div(x.mul(Math.log(2)));
            case LOG10 -> g.div(x.mul(Math.log(10)));
            case EXP2 -> g.mul(x.exp2()).mul(Math.log(2));
        }};
    }

    /** {@code out := op(x)} without allocating (half views go to the kernel as they are), under {@link Into}'s rules. */
    static Tensor unaryInto(UnaryOp op, Tensor x, Tensor out) {
        String name = op.name().toLowerCase();
        DType compute = unaryType(name, op, x.dtype);
        DType result = op == UnaryOp.NOT ? DType.BOOL : compute;
        Into.check(name, out, result, x.shape, x);
        if (compute != x.dtype) {
            try (Tensor r = unary(x, op)) {
                Tensor.disown(r);
                return copyInto(r, out);
            }
        }
        return Ops.write(out, Kernels.UNARY, op, x.kernelView(), out.kernelView());
    }

    // ------------------------------------------------------------------ binary

    /** The compute dtype of binary {@code op} on {@code a} and {@code b}. */
    static DType binaryType(BinaryOp op, DType a, DType b) {
        DType compute = DType.promote(a, b);
        if (op == BinaryOp.DIV || op == BinaryOp.ATAN2 || op == BinaryOp.HYPOT || op == BinaryOp.COPYSIGN) {
            compute = DType.floating(compute);
        }
        if (compute == DType.BOOL && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.POW
                || op == BinaryOp.REMAINDER || op == BinaryOp.FLOOR_DIVIDE)) {
            throw new DTypeMismatchException(op.name().toLowerCase() + " is not defined for two BOOL tensors; cast to an integer type first");
        }
        return compute;
    }

    /** {@code op(self, other)}, broadcast. */
    static Tensor binary(Tensor self, BinaryOp op, Tensor other) {
        String name = op.name().toLowerCase();
        Device device = elementwiseDevice(name, self, other);
        DType compute = binaryType(op, self.dtype, other.dtype);
        long[] outShape = Shapes.broadcast(name, self.shape, other.shape);
        if (compute.isHalf()) {
            try (Tensor a = self.cast(DType.F32, false); Tensor b = other.cast(DType.F32, false)) {
                Tensor r = binary(a, op, b);
                return op.isComparison() ? r : r.convertAndClose(compute);
            }
        }
        DType outType = op.isComparison() ? DType.BOOL : compute;
        try (Tensor x = operand(self, compute, device); Tensor y = operand(other, compute, device)) {
            Tensor out = Tensor.allocate(outType, outShape, device, true);
            // a kernel may throw (an integer power with a negative exponent): Ops.run closes the result then
            Ops.run(out, Kernels.BINARY, op, x.broadcastView(outShape), y.broadcastView(outShape), out.kernelView());
            if (outType.isFloating() && op != BinaryOp.FLOOR_DIVIDE) {
                GradNode.record(out, name, new Tensor[]{x, y}, x, y, binaryRule(op));
            }
            return out;
        }
    }

    /**
     * {@code op(self, scalar)} for a Java {@code double} (a Python float), by the rule documented on {@link DType}: a
     * floating tensor keeps its dtype and the scalar is rounded to it first; an integer or BOOL tensor computes in
     * F64, except comparisons of integer tensors, which are exact.
     */
    static Tensor binary(Tensor self, BinaryOp op, double scalar) {
        self.live();
        if (self.dtype.isHalf()) {
            // the scalar is rounded to the half type, then joins the F32 computation exactly
            double rounded = Scalars.rounded(self.dtype, scalar);
            try (Tensor wide = self.cast(DType.F32, false)) {
                Tensor r = binary(wide, op, rounded);
                return op.isComparison() ? r : r.convertAndClose(self.dtype);
            }
        }
        if (self.dtype.isInteger() && op.isComparison()) {
            return Scalars.compare(self, op, scalar);
        }
        try (Tensor s = scalarOperand(self, scalar)) {
            return binary(self, op, s);
        }
    }

    /**
     * {@code op(self, scalar)} for a Java {@code long} (a Python int), by the rule documented on {@link DType}: a
     * floating tensor keeps its dtype (the scalar rounded to it), BOOL becomes I64, an integer tensor keeps its
     * dtype, its comparisons are exact and an operation computed in floating point (true division) takes the
     * scalar's value.
     *
     * @throws ScalarOutOfRangeException if an integer tensor's arithmetic gets a scalar outside its dtype's range
     */
    static Tensor binary(Tensor self, BinaryOp op, long scalar) {
        self.live();
        DType t = self.dtype;
        if (t.isFloating()) {
            return binary(self, op, Scalars.rounded(t, scalar));
        }
        if (t.isInteger() && op.isComparison()) {
            return Scalars.compare(self, op, scalar);
        }
        try (Tensor s = scalarOperand(self, op, scalar)) {
            return binary(self, op, s);
        }
    }

    /** A 0-d tensor on {@code like}'s device holding {@code scalar} in the type the scalar rule gives it. */
    private static Tensor scalarOperand(Tensor like, double scalar) {
        DType t = DType.promoteScalar(like.dtype, scalar);
        Tensor s = Tensor.allocate(t, new long[0], like.device(), false);
        Ops.run(s, Kernels.FILL, Scalars.rounded(t, scalar), s.kernelView());
        return s;
    }

    /**
     * A 0-d tensor on {@code like}'s device holding {@code scalar} for {@code op} on the integer or BOOL tensor
     * {@code like}: in like's dtype (range-checked), as I64 beside BOOL, or as F64 where {@code op} computes integers
     * in floating point.
     */
    private static Tensor scalarOperand(Tensor like, BinaryOp op, long scalar) {
        DType t = like.dtype;
        if (binaryType(op, t, t == DType.BOOL ? DType.I64 : t).isFloating()) {
            return scalarOperand(like, (double) scalar);
        }
        if (t == DType.BOOL) {
            return Scalars.operand(DType.promoteScalar(t, scalar), scalar, like.device());
        }
        Scalars.checkRange(op.name().toLowerCase(), t, scalar);
        return Scalars.operand(t, scalar, like.device());
    }

    /** The derivative of binary {@code op} at the saved (promoted, unbroadcast) inputs a and b. */
    private static GradNode.Rule2 binaryRule(BinaryOp op) {
        return (g, a, b, needs) -> {
            long[] as = a.shape();
            long[] bs = b.shape();
            Tensor ga = null;
            Tensor gb = null;
            switch (op) {
                case ADD -> {
                    ga = needs[0] ? sumTo(g, as) : null;
                    gb = needs[1] ? sumTo(g, bs) : null;
                }
                case SUB -> {
                    ga = needs[0] ? sumTo(g, as) : null;
                    gb = needs[1] ? sumTo(g.neg(), bs) : null;
                }
                case MUL -> {
                    ga = needs[0] ? sumTo(g.mul(b), as) : null;
                    gb = needs[1] ? sumTo(g.mul(a), bs) : null;
                }
                case DIV -> {
                    ga = needs[0] ? sumTo(g.div(b), as) : null;
                    gb = needs[1] ? sumTo(g.mul(a).div(b.square()).neg(), bs) : null;
                }
                case POW -> {
                    ga = needs[0] ? sumTo(g.mul(b).mul(a.pow(b.sub(1))), as) : null;
                    gb = needs[1] ? sumTo(g.mul(a.pow(b)).mul(a.log()), bs) : null;
                }
                case MIN, MAX -> {
                    // the selected operand gets the gradient; ties split it evenly
                    Tensor wins = op == BinaryOp.MAX ? a.gt(b) : a.lt(b);
                    Tensor weight = Tensor.where(wins, Tensor.scalar(1, g.dtype(), g.device()),
                            Tensor.where(a.eq(b), Tensor.scalar(0.5, g.dtype(), g.device()), Tensor.scalar(0, g.dtype(), g.device())));
                    ga = needs[0] ? sumTo(g.mul(weight), as) : null;
                    gb = needs[1] ? sumTo(g.mul(weight.neg().add(1)), bs) : null;
                }
                case FMAX, FMIN -> {
                    // as MAX/MIN, where a NaN operand loses to a number (both NaN: the first operand)
                    Tensor wins = (op == BinaryOp.FMAX ? a.gt(b) : a.lt(b)).logicalOr(b.isnan());
                    Tensor weight = Tensor.where(wins, Tensor.scalar(1, g.dtype(), g.device()),
                            Tensor.where(a.eq(b), Tensor.scalar(0.5, g.dtype(), g.device()), Tensor.scalar(0, g.dtype(), g.device())));
                    ga = needs[0] ? sumTo(g.mul(weight), as) : null;
                    gb = needs[1] ? sumTo(g.mul(weight.neg().add(1)), bs) : null;
                }
                case ATAN2 -> {
                    Tensor r2 = a.square().add(b.square());
                    ga = needs[0] ? sumTo(g.mul(b).div(r2), as) : null;
                    gb = needs[1] ? sumTo(g.mul(a).div(r2).neg(), bs) : null;
                }
                case HYPOT -> {
                    Tensor h = a.hypot(b);
                    ga = needs[0] ? sumTo(g.mul(a).div(h), as) : null;
                    gb = needs[1] ? sumTo(g.mul(b).div(h), bs) : null;
                }
                case REMAINDER -> {
                    ga = needs[0] ? sumTo(g, as) : null;
                    gb = needs[1] ? sumTo(g.mul(a.floorDivide(b)).neg(), bs) : null;
                }
                case COPYSIGN -> {
                    // ±1: whether the sign of a is flipped; the sign of b is piecewise constant (no gradient)
                    Tensor one = Tensor.scalar(1, a.dtype(), a.device());
                    ga = needs[0] ? sumTo(g.mul(one.copysign(a)).mul(one.copysign(b)), as) : null;
                }
                default -> {
                    // comparisons, logical operations and FLOOR_DIVIDE (integer-valued) are never recorded
                }
            }
            return new Tensor[]{ga, gb};
        };
    }

    /** {@code out := op(a, b)}, broadcast to out's shape, without allocating (half views go to the kernel as they are). */
    static Tensor binaryInto(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        String name = op.name().toLowerCase();
        DType compute = binaryType(op, a.dtype, b.dtype);
        DType result = op.isComparison() ? DType.BOOL : compute;
        long[] shape = Shapes.broadcast(name, a.shape, b.shape);
        Into.check(name, out, result, shape, a, b);
        if (compute != a.dtype || compute != b.dtype || !a.device().equals(b.device())) {
            try (Tensor r = binary(a, op, b)) {
                Tensor.disown(r);
                return copyInto(r, out);
            }
        }
        return Ops.write(out, Kernels.BINARY, op, a.broadcastView(shape), b.broadcastView(shape), out.kernelView());
    }

    /** {@code out := op(a, scalar)} under {@link Into}'s rules. */
    static Tensor binaryInto(BinaryOp op, Tensor a, double scalar, Tensor out) {
        try (Tensor s = scalarOperand(a, scalar)) {
            return binaryInto(op, a, s, out);
        }
    }

    /**
     * {@code out := op(a, scalar)} for a {@code long} scalar under {@link Into}'s rules.
     *
     * @throws ScalarOutOfRangeException if an integer tensor's arithmetic gets a scalar outside its dtype's range
     */
    static Tensor binaryInto(BinaryOp op, Tensor a, long scalar, Tensor out) {
        a.live();
        if (a.dtype.isFloating()) {
            return binaryInto(op, a, Scalars.rounded(a.dtype, scalar), out);
        }
        try (Tensor s = scalarOperand(a, op, scalar)) {
            return binaryInto(op, a, s, out);
        }
    }

    // ------------------------------------------------------------------ fused and selecting

    /** {@code self · b + c}, fused (one rounding), broadcast; integers are computed in F64. */
    static Tensor mulAdd(Tensor self, Tensor b, Tensor c) {
        Device device = elementwiseDevice("mulAdd", self, b, c);
        DType compute = DType.floating(DType.promote(DType.promote(self.dtype, b.dtype), c.dtype));
        long[] outShape = Shapes.broadcast("mulAdd", Shapes.broadcast("mulAdd", self.shape, b.shape), c.shape);
        if (compute.isHalf()) {
            try (Tensor x = self.cast(DType.F32, false); Tensor y = b.cast(DType.F32, false); Tensor z = c.cast(DType.F32, false)) {
                return mulAdd(x, y, z).convertAndClose(compute);
            }
        }
        try (Tensor x = operand(self, compute, device); Tensor y = operand(b, compute, device); Tensor z = operand(c, compute, device)) {
            Tensor out = Tensor.allocate(compute, outShape, device, true);
            Ops.run(out, Kernels.MUL_ADD, null, x.broadcastView(outShape), y.broadcastView(outShape), z.broadcastView(outShape), out.kernelView());
            return GradNode.record(out, "mulAdd", new Tensor[]{x, y, z}, x, y, z, (g, a, bb, cc, needs) -> new Tensor[]{
                    needs[0] ? sumTo(g.mul(bb), a.shape()) : null,
                    needs[1] ? sumTo(g.mul(a), bb.shape()) : null,
                    needs[2] ? sumTo(g, cc.shape()) : null});
        }
    }

    /** {@code out := a · b + c}, fused, broadcast to out's shape, without allocating (half views go to the kernel as they are). */
    static Tensor mulAddInto(Tensor a, Tensor b, Tensor c, Tensor out) {
        DType compute = DType.floating(DType.promote(DType.promote(a.dtype, b.dtype), c.dtype));
        long[] shape = Shapes.broadcast("mulAdd", Shapes.broadcast("mulAdd", a.shape, b.shape), c.shape);
        Into.check("mulAdd", out, compute, shape, a, b, c);
        boolean direct = a.dtype == compute && b.dtype == compute && c.dtype == compute
                && a.device().equals(out.device()) && b.device().equals(out.device()) && c.device().equals(out.device());
        if (!direct) {
            try (Tensor r = mulAdd(a, b, c)) {
                Tensor.disown(r);
                return copyInto(r, out);
            }
        }
        return Ops.write(out, Kernels.MUL_ADD, null, a.broadcastView(shape), b.broadcastView(shape), c.broadcastView(shape), out.kernelView());
    }

    /** {@code out := a · scalar + c} (the BLAS axpy when out is c), under {@link Into}'s rules. */
    static Tensor mulAddInto(Tensor a, double scalar, Tensor c, Tensor out) {
        try (Tensor s = scalarOperand(a, scalar)) {
            return mulAddInto(a, s, c, out);
        }
    }

    /**
     * {@code out := a · scalar + c} for a {@code long} scalar (typed as {@code a.mul(scalar)} types it), under
     * {@link Into}'s rules.
     *
     * @throws ScalarOutOfRangeException if {@code a} is an integer tensor and the scalar is outside its range
     */
    static Tensor mulAddInto(Tensor a, long scalar, Tensor c, Tensor out) {
        a.live();
        if (a.dtype.isFloating()) {
            return mulAddInto(a, Scalars.rounded(a.dtype, scalar), c, out);
        }
        try (Tensor s = scalarOperand(a, BinaryOp.MUL, scalar)) {
            return mulAddInto(a, s, c, out);
        }
    }

    /** {@code condition ? a : b}, all three broadcast; the condition is read as truth values. */
    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Device device = elementwiseDevice("where", condition, a, b);
        DType t = DType.promote(a.dtype, b.dtype);
        long[] outShape = Shapes.broadcast("where", Shapes.broadcast("where", condition.shape, a.shape), b.shape);
        try (Tensor c = operand(condition, DType.BOOL, device); Tensor x = operand(a, t, device); Tensor y = operand(b, t, device)) {
            Tensor out = Tensor.allocate(t, outShape, device, true);
            Ops.run(out, Kernels.WHERE, null, c.broadcastView(outShape), x.broadcastView(outShape), y.broadcastView(outShape), out.kernelView());
            if (!t.isFloating()) {
                return out;
            }
            return GradNode.record(out, "where", new Tensor[]{c, x, y}, c, x, y, (g, mask, xs, ys, needs) -> {
                Tensor zero = Tensor.scalar(0, g.dtype(), g.device());
                return new Tensor[]{null,
                        needs[1] ? sumTo(Tensor.where(mask, g, zero), xs.shape()) : null,
                        needs[2] ? sumTo(Tensor.where(mask, zero, g), ys.shape()) : null};
            });
        }
    }

    /**
     * Each element limited to {@code [min, max]} ({@code minimum(maximum(x, min), max)}); an infinite bound on its
     * own side is no bound and leaves the dtype unchanged.
     */
    static Tensor clamp(Tensor self, double min, double max) {
        self.live();
        try (Scope scope = Scope.open()) {
            Tensor current = self;
            if (min != Double.NEGATIVE_INFINITY) {
                current = current.maximum(min);
            }
            if (max != Double.POSITIVE_INFINITY) {
                current = current.minimum(max);
            }
            return scope.keep(current == self ? self.copy() : current);
        }
    }

    // ------------------------------------------------------------------ NumPy's rounding, classification and bounds

    /** True for the ops that round to an integer value: the identity on integers, no gradient on floats. */
    static boolean isRounding(UnaryOp op) {
        return op == UnaryOp.FLOOR || op == UnaryOp.CEIL || op == UnaryOp.TRUNC || op == UnaryOp.RINT;
    }

    /**
     * NumPy's {@code round(x, decimals)}: x scaled by 10^decimals, rounded half to even and scaled back, in the
     * tensor's type (x·10^d then ÷10^d for d &gt; 0, x÷10^−d then ·10^−d for d &lt; 0, as NumPy); integers are
     * returned unchanged for d ≥ 0 and for d &lt; 0 computed in F64 and converted back, as NumPy does.
     */
    static Tensor round(Tensor self, int decimals) {
        self.live();
        if (decimals == 0) {
            return unary(self, UnaryOp.RINT);
        }
        if (!self.dtype.isFloating() && decimals > 0) {
            return self.copy();
        }
        double factor = Math.pow(10, Math.abs((double) decimals));
        try (Scope scope = Scope.open()) {
            Tensor x = self.dtype.isFloating() ? self : self.cast(DType.F64);
            Tensor r = decimals > 0 ? x.mul(factor).round().div(factor) : x.div(factor).round().mul(factor);
            return scope.keep(self.dtype.isFloating() ? r : r.cast(self.dtype));
        }
    }

    /** BOOL: x is NaN (never for integers). */
    static Tensor isnan(Tensor self) {
        self.live();
        return self.dtype.isFloating() ? self.ne(self) : Tensor.full(0, DType.BOOL, self.device(), self.shape);
    }

    /** BOOL: x is +∞ or −∞ (never for integers). */
    static Tensor isinf(Tensor self) {
        self.live();
        if (!self.dtype.isFloating()) {
            return Tensor.full(0, DType.BOOL, self.device(), self.shape);
        }
        try (Tensor magnitude = self.abs()) {
            return magnitude.eq(Double.POSITIVE_INFINITY);
        }
    }

    /** BOOL: x is neither infinite nor NaN (always for integers). */
    static Tensor isfinite(Tensor self) {
        self.live();
        if (!self.dtype.isFloating()) {
            return Tensor.full(1, DType.BOOL, self.device(), self.shape);
        }
        try (Tensor magnitude = self.abs()) {
            return magnitude.lt(Double.POSITIVE_INFINITY);
        }
    }

    /** BOOL: the sign bit of x is set (−0.0 and NaNs with the bit included; x &lt; 0 for integers). */
    static Tensor signbit(Tensor self) {
        self.live();
        if (!self.dtype.isFloating()) {
            return self.dtype == DType.BOOL ? Tensor.full(0, DType.BOOL, self.device(), self.shape) : self.lt(0);
        }
        try (Tensor one = Tensor.scalar(1, self.dtype, self.device()); Tensor signed = one.copysign(self)) {
            return signed.lt(0);
        }
    }

    /** The largest finite value of a floating dtype. */
    static double largestFinite(DType t) {
        return switch (t) {
            case F64 -> Double.MAX_VALUE;
            case F32 -> Float.MAX_VALUE;
            case F16 -> 65504.0;
            case BF16 -> 0x1.fep127;
            default -> throw new IllegalArgumentException("largestFinite: " + t + " is not a floating dtype");
        };
    }

    /**
     * NaN, +∞ and −∞ replaced by the given values (converted to the tensor's dtype); integers are returned
     * unchanged. The gradient flows to the finite elements only.
     */
    static Tensor nanToNum(Tensor self, double nan, double posInf, double negInf) {
        self.live();
        if (!self.dtype.isFloating()) {
            return self.copy();
        }
        try (Scope scope = Scope.open()) {
            Device d = self.device();
            Tensor r = Tensor.where(self.isnan(), Tensor.scalar(nan, self.dtype, d),
                    Tensor.where(self.eq(Double.POSITIVE_INFINITY), Tensor.scalar(posInf, self.dtype, d),
                            Tensor.where(self.eq(Double.NEGATIVE_INFINITY), Tensor.scalar(negInf, self.dtype, d), self)));
            return scope.keep(r);
        }
    }

    /**
     * Each element limited to [min, max] with tensor bounds broadcast against x: {@code minimum(maximum(x, min),
     * max)}; a null bound is no bound.
     *
     * @throws IllegalArgumentException if both bounds are null
     */
    static Tensor clamp(Tensor self, Tensor min, Tensor max) {
        self.live();
        if (min == null && max == null) {
            throw new IllegalArgumentException("clamp: both bounds are null; give a lower bound, an upper bound or both");
        }
        try (Scope scope = Scope.open()) {
            Tensor current = min == null ? self : self.maximum(min);
            if (max != null) {
                current = current.minimum(max);
            }
            return scope.keep(current);
        }
    }

    /**
     * Each element limited to {@code [min, max]} with {@code long} bounds: the dtype is kept (BOOL gives I64). On an
     * integer tensor a bound beyond the dtype's range on its own side is no bound, as in NumPy 2's {@code clip}; a
     * bound beyond it on the other side is out of range.
     *
     * @throws ScalarOutOfRangeException if an integer tensor's {@code min} is above or {@code max} below its range
     */
    static Tensor clamp(Tensor self, long min, long max) {
        self.live();
        boolean integer = self.dtype.isInteger();
        try (Scope scope = Scope.open()) {
            Tensor current = self;
            if (!integer || min >= Scalars.min(self.dtype)) {
                current = current.maximum(min);
            }
            if (!integer || max <= Scalars.max(self.dtype)) {
                current = current.minimum(max);
            }
            return scope.keep(current == self ? self.copy() : current);
        }
    }

    /** {@code out := src} converted to out's dtype, broadcast to out's shape (a transfer if src is elsewhere). */
    static Tensor copyInto(Tensor src, Tensor out) {
        src.live();
        out.live();
        if (!Arrays.equals(Shapes.broadcast("copy", src.shape, out.shape), out.shape)) {
            throw new ShapeMismatchException("copy: a tensor of shape " + Shapes.str(src.shape) + " cannot be written into one of shape "
                    + Shapes.str(out.shape));
        }
        Into.check("copy", out, out.dtype, out.shape, src.device().equals(out.device()) ? new Tensor[]{src} : new Tensor[0]);
        dev.proxima.tensor.internal.Dispatcher.transfer(src.broadcastView(out.shape), out.kernelView());
        return out;
    }
}
