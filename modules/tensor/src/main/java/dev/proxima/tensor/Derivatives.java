package dev.proxima.tensor;

import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.UnaryOp;

import java.util.Arrays;

/**
 * Reverse-mode derivative rules. Every rule is written with public tensor operations, so when the
 * backward pass runs with graph recording on (higher-order differentiation) the gradient computation is
 * itself recorded and can be differentiated again. Rules never read the forward output (that would make
 * a node keep itself alive); functions whose derivative is naturally expressed through the output
 * (exp, tanh, sigmoid, sqrt) recompute it from the saved input.
 */
final class Derivatives {

    private Derivatives() {
    }

    /**
     * Sums {@code g} down to {@code shape}: over leading dimensions it has in excess and over dimensions
     * where {@code shape} has extent 1 (undoing broadcasting).
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
        Tensor summed = g.sum(Arrays.copyOf(axes, n), true);
        return summed.reshape(shape);
    }

    static GradNode.Backward unary(UnaryOp op) {
        return (g, s, needs) -> {
            Tensor a = s[0];
            Tensor r = switch (op) {
                case NEG -> g.neg();
                case ABS -> g.mul(a.sign());
                case SIGN, NOT -> null;
                case EXP -> g.mul(a.exp());
                case LOG -> g.div(a);
                case SQRT -> g.mul(0.5).div(a.sqrt());
                case TANH -> g.mul(a.tanh().square().neg().add(1));
                case SIN -> g.mul(a.cos());
                case COS -> g.mul(a.sin()).neg();
                case SIGMOID -> {
                    Tensor sg = a.sigmoid();
                    yield g.mul(sg).mul(sg.neg().add(1));
                }
                case SQUARE -> g.mul(a).mul(2);
                case RECIPROCAL -> g.div(a.square()).neg();
                case ERF -> g.mul(a.square().neg().exp()).mul(2 / Math.sqrt(Math.PI));
            };
            return new Tensor[]{r};
        };
    }

    static GradNode.Backward binary(BinaryOp op) {
        return (g, s, needs) -> {
            Tensor a = s[0];
            Tensor b = s[1];
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
                default -> {
                    // comparisons and logical operations are not differentiable and are never recorded
                }
            }
            return new Tensor[]{ga, gb};
        };
    }

    static GradNode.Backward mulAdd() {
        return (g, s, needs) -> new Tensor[]{
                needs[0] ? sumTo(g.mul(s[1]), s[0].shape()) : null,
                needs[1] ? sumTo(g.mul(s[0]), s[1].shape()) : null,
                needs[2] ? sumTo(g, s[2].shape()) : null};
    }

    static GradNode.Backward where() {
        return (g, s, needs) -> {
            Tensor zero = Tensor.scalar(0, g.dtype(), g.device());
            return new Tensor[]{null,
                    needs[1] ? sumTo(Tensor.where(s[0], g, zero), s[1].shape()) : null,
                    needs[2] ? sumTo(Tensor.where(s[0], zero, g), s[2].shape()) : null};
        };
    }

    /** The gradient of a reduction: broadcast back over the reduced axes, times the local derivative. */
    static GradNode.Backward reduce(ReduceOp op, int[] axes, boolean keepDims) {
        return (g, s, needs) -> {
            Tensor a = s[0];
            long[] shape = a.shape();
            Tensor gk = keepDims ? g : unsqueezeAll(g, axes);
            Tensor gb = gk.broadcastTo(shape);
            Tensor r = switch (op) {
                case SUM -> gb;
                case SUM_SQUARES -> gb.mul(a).mul(2);
                case SUM_ABS -> gb.mul(a.sign());
                case PROD -> prodGrad(gb, a, axes);
                case MAX, MIN, MAX_ABS, MIN_ABS -> {
                    Tensor x = op == ReduceOp.MAX || op == ReduceOp.MIN ? a : a.abs();
                    Tensor extreme = op == ReduceOp.MAX || op == ReduceOp.MAX_ABS ? x.max(axes, true) : x.min(axes, true);
                    Tensor mask = x.eq(extreme).cast(g.dtype());
                    Tensor share = gb.mul(mask).div(mask.sum(axes, true));
                    yield op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS ? share.mul(a.sign()) : share;
                }
                case COUNT_NONZERO, ARGMAX, ARGMIN -> null;
            };
            return new Tensor[]{r};
        };
    }

    /** ∂(Π x)/∂xᵢ = Π_{j≠i} xⱼ, computed without dividing by zero. */
    private static Tensor prodGrad(Tensor gb, Tensor a, int[] axes) {
        Tensor isZero = a.eq(0);
        Tensor one = Tensor.scalar(1, a.dtype(), a.device());
        Tensor nonZero = Tensor.where(isZero, one, a);
        Tensor prodNonZero = nonZero.prod(axes, true);
        Tensor zeros = isZero.cast(a.dtype()).sum(axes, true);
        // no zero in the group: P / xᵢ; exactly one zero: P (of the others) at the zero, 0 elsewhere; more: 0
        Tensor none = prodNonZero.div(nonZero);
        Tensor single = Tensor.where(isZero, prodNonZero, Tensor.scalar(0, a.dtype(), a.device()));
        Tensor local = Tensor.where(zeros.eq(0), none, Tensor.where(zeros.eq(1), single, Tensor.scalar(0, a.dtype(), a.device())));
        return gb.mul(local);
    }

    private static Tensor unsqueezeAll(Tensor g, int[] sortedAxes) {
        Tensor t = g;
        for (int axis : sortedAxes) {
            t = t.unsqueeze(axis);
        }
        return t;
    }

    /**
     * Matrix product with NumPy's 1-D rules: the gradient is computed on the 2-D forms (a 1-D left operand
     * is a row, a 1-D right operand a column) and reduced over broadcast batch dimensions.
     */
    static GradNode.Backward matmul() {
        return (g, s, needs) -> {
            Tensor a = s[0];
            Tensor b = s[1];
            boolean vecA = a.rank() == 1;
            boolean vecB = b.rank() == 1;
            Tensor a2 = vecA ? a.unsqueeze(0) : a;
            Tensor b2 = vecB ? b.unsqueeze(-1) : b;
            Tensor g2 = g;
            if (vecA && vecB) {
                g2 = g.reshape(1, 1);
            } else if (vecA) {
                g2 = g.unsqueeze(-2);
            } else if (vecB) {
                g2 = g.unsqueeze(-1);
            }
            Tensor ga = null;
            Tensor gb = null;
            if (needs[0]) {
                ga = sumTo(g2.matmul(b2.transpose(-1, -2)), a2.shape()).reshape(a.shape());
            }
            if (needs[1]) {
                gb = sumTo(a2.transpose(-1, -2).matmul(g2), b2.shape()).reshape(b.shape());
            }
            return new Tensor[]{ga, gb};
        };
    }
}
