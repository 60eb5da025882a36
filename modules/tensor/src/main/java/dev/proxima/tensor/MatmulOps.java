package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;

import java.util.Arrays;

/**
 * The matrix product with NumPy's {@code matmul} rules — 2-D × 2-D; a 1-D left operand is a row and a 1-D right
 * operand a column (the added dimension is removed from the result); higher ranks are stacks of matrices whose
 * batch dimensions broadcast — its kernel ({@link Kernels#MATMUL}: transposed views reach BLAS as transpose flags,
 * broadcast batches as zero strides), its derivative and its explicit-output form.
 *
 * <p>F32 and F64 (mixed gives F64). F16/BF16 operands go to the backend as they are: a GPU multiplies them on
 * tensor cores (F32 accumulation), the CPU widens them to F32 for sgemm; either way the result is rounded once.
 */
final class MatmulOps {

    private MatmulOps() {
    }

    /** The shapes of one product: operands as (batched) matrices, the broadcast batch, the kernel's and the result's shapes. */
    private record Plan(DType type, boolean vecLeft, boolean vecRight, long[] as, long[] ast, long[] bs, long[] bst,
                        long[] batch, long[] kernelShape, long[] resultShape) {

        static Plan of(String op, Tensor self, Tensor other) {
            self.live();
            other.live();
            if (self.shape.length == 0 || other.shape.length == 0) {
                throw new ShapeMismatchException(op + ": operands must have at least one dimension, got "
                        + Shapes.str(self.shape) + " and " + Shapes.str(other.shape));
            }
            if (!self.dtype.isFloating() || !other.dtype.isFloating()) {
                throw new DTypeMismatchException(op + " supports floating types (F32, F64; F16/BF16 accumulated in F32), got "
                        + self.dtype + " and " + other.dtype + "; cast first");
            }
            if (!other.device().equals(self.device())) {
                throw new IllegalArgumentException(op + ": tensors are on different devices: " + self.device() + " and " + other.device());
            }
            boolean vecLeft = self.shape.length == 1;
            boolean vecRight = other.shape.length == 1;
            long[] as = vecLeft ? new long[]{1, self.shape[0]} : self.shape;
            long[] ast = vecLeft ? new long[]{0, self.strides[0]} : self.strides;
            long[] bs = vecRight ? new long[]{other.shape[0], 1} : other.shape;
            long[] bst = vecRight ? new long[]{other.strides[0], 0} : other.strides;
            long m = as[as.length - 2];
            long k = as[as.length - 1];
            long k2 = bs[bs.length - 2];
            long n = bs[bs.length - 1];
            if (k != k2) {
                throw new ShapeMismatchException(op + ": inner dimensions differ: " + Shapes.str(self.shape) + " @ " + Shapes.str(other.shape)
                        + " (" + k + " vs " + k2 + ")");
            }
            if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
                // checked before anything is allocated: BLAS and cuBLAS index matrices with 32-bit ints
                throw new IllegalArgumentException(op + ": matrix dimensions above 2^31 - 1 are not supported (BLAS takes int"
                        + " sizes): m = " + m + ", k = " + k + ", n = " + n + " for " + Shapes.str(self.shape) + " @ " + Shapes.str(other.shape));
            }
            long[] batch = Shapes.broadcast(op + " (batch dimensions)", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
            int r = batch.length + 2;
            long[] kernelShape = Arrays.copyOf(batch, r);
            kernelShape[r - 2] = m;
            kernelShape[r - 1] = n;
            long[] resultShape = vecLeft && vecRight ? batch.clone() : vecLeft ? append(batch, n) : vecRight ? append(batch, m) : kernelShape;
            return new Plan(DType.promote(self.dtype, other.dtype), vecLeft, vecRight, as, ast, bs, bst, batch, kernelShape, resultShape);
        }

        /** The left operand's view, broadcast over the batch ({@code a}: the operand, or its converted copy). */
        StridedView left(Tensor self, Tensor converted) {
            return converted == null ? batchView(self.storage, type, as, ast, self.offset, batch)
                    : batchView(converted.storage, type, as, vecLeft ? new long[]{0, 1} : converted.strides, converted.offset, batch);
        }

        StridedView right(Tensor other, Tensor converted) {
            return converted == null ? batchView(other.storage, type, bs, bst, other.offset, batch)
                    : batchView(converted.storage, type, bs, vecRight ? new long[]{1, 0} : converted.strides, converted.offset, batch);
        }

        /** out (of the result shape) seen with the kernel's shape: a removed vector dimension comes back as extent 1. */
        StridedView output(Tensor out) {
            if (!vecLeft && !vecRight) {
                return out.kernelView();
            }
            int r = kernelShape.length;
            long[] st = new long[r];
            System.arraycopy(out.strides, 0, st, 0, batch.length);
            if (vecLeft && vecRight) {
                st[r - 2] = 1;
                st[r - 1] = 1;
            } else if (vecLeft) {
                st[r - 1] = out.strides[batch.length];
                st[r - 2] = st[r - 1] * kernelShape[r - 1];
            } else {
                st[r - 2] = out.strides[batch.length];
                st[r - 1] = 1;
            }
            return new StridedView(out.storage, out.dtype, kernelShape, st, out.offset);
        }
    }

    /** {@code self @ other}. */
    static Tensor matmul(Tensor self, Tensor other) {
        Plan plan = Plan.of("matmul", self, other);
        DType t = plan.type;
        try (Tensor a = t == self.dtype ? null : self.cast(t, false); Tensor b = t == other.dtype ? null : other.cast(t, false)) {
            Tensor out = Tensor.allocate(t, plan.resultShape, self.device(), true);
            Ops.run(out, Kernels.MATMUL, null, plan.left(self, a), plan.right(other, b), plan.output(out));
            Tensor x = a == null ? self : a;
            Tensor y = b == null ? other : b;
            return GradNode.record(out, "matmul", new Tensor[]{x, y}, x, y, MatmulOps::rule);
        }
    }

    /** {@code out := self @ other} without allocating (unless an operand needs a dtype conversion first). */
    static Tensor matmulInto(Tensor self, Tensor other, Tensor out) {
        Plan plan = Plan.of("matmul", self, other);
        Into.checkSeparate("matmul", out, plan.type, plan.resultShape, self, other);
        if (self.dtype != plan.type || other.dtype != plan.type) {
            try (Tensor r = matmul(self, other)) {
                Tensor.disown(r);
                return ElementwiseOps.copyInto(r, out);
            }
        }
        return Ops.write(out, Kernels.MATMUL, null, plan.left(self, null), plan.right(other, null), plan.output(out));
    }

    /**
     * The derivative, computed on the 2-D forms (a 1-D left operand is a row, a 1-D right operand a column) and
     * reduced over broadcast batch dimensions: {@code ga = g·bᵀ}, {@code gb = aᵀ·g}.
     */
    private static Tensor[] rule(Tensor g, Tensor a, Tensor b, boolean[] needs) {
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
        Tensor ga = needs[0] ? ElementwiseOps.sumTo(g2.matmul(b2.transpose(-1, -2)), a2.shape()).reshape(a.shape()) : null;
        Tensor gb = needs[1] ? ElementwiseOps.sumTo(a2.transpose(-1, -2).matmul(g2), b2.shape()).reshape(b.shape()) : null;
        return new Tensor[]{ga, gb};
    }

    private static long[] append(long[] a, long last) {
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }

    /** A matrix operand's view with its batch dimensions broadcast to {@code batch}. */
    private static StridedView batchView(Storage storage, DType t, long[] shape, long[] strides, long offset, long[] batch) {
        int r = batch.length + 2;
        int lead = r - shape.length;
        long[] sh = new long[r];
        long[] st = new long[r];
        for (int d = 0; d < r; d++) {
            if (d < lead) {
                sh[d] = batch[d];
                st[d] = 0;
            } else {
                long have = shape[d - lead];
                sh[d] = d < r - 2 ? batch[d] : have;
                st[d] = d < r - 2 && have == 1 && batch[d] != 1 ? 0 : strides[d - lead];
            }
        }
        return new StridedView(storage, t, sh, st, offset);
    }
}
