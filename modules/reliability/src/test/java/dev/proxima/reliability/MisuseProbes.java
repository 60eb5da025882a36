package dev.proxima.reliability;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.Conv;
import dev.proxima.tensor.CustomOp;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Fft;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.LinalgException;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.MemoryPool;
import dev.proxima.tensor.PadMode;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.proxima.reliability.Expect.equal;
import static dev.proxima.reliability.Expect.refused;
import static dev.proxima.reliability.Expect.that;

/** Misuse of the tensor API: closed tensors, impossible shapes and arguments, writes that would corrupt data. */
final class MisuseProbes {

    private MisuseProbes() {
    }

    /** Runs {@code body} inside a scope, so that what it creates is freed whatever it throws. */
    private static Probe scoped(Probe body) {
        return () -> {
            try (Scope ignored = Scope.open()) {
                body.run();
            }
        };
    }

    private static Tensor closed() {
        Tensor t = Tensor.ones(DType.F32, 4, 4);
        t.close();
        return t;
    }

    static void register(Probes p) {
        // ---- closed tensors: every path reports the closed tensor, never reads freed memory
        p.add("misuse.closed.sum", () -> refused(IllegalStateException.class, () -> closed().sum(), "closed"));
        p.add("misuse.closed.matmulOperand", scoped(() -> {
            Tensor a = Tensor.ones(DType.F32, 4, 4);
            refused(IllegalStateException.class, () -> a.matmul(closed()), "closed");
        }));
        p.add("misuse.closed.view", () -> refused(IllegalStateException.class, () -> closed().slice(0, 0, 2, 1), "closed"));
        p.add("misuse.closed.item", () -> refused(IllegalStateException.class, () -> closed().toFloatArray(), "closed"));
        p.add("misuse.closed.intoOutput", scoped(() -> {
            Tensor a = Tensor.ones(DType.F32, 4, 4);
            refused(IllegalStateException.class, () -> Into.add(a, a, closed()), "closed");
        }));
        p.add("misuse.closed.twice", () -> {
            Tensor t = Tensor.ones(DType.F32, 8);
            t.close();
            t.close();
            that(t.isClosed(), "closed twice stays closed");
        });
        p.add("misuse.closed.segmentAfterClose", () -> {
            Tensor t = Tensor.ones(DType.F32, 1024);
            MemorySegment s = t.segment();
            t.close();
            refused(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_FLOAT, 0));
        });
        p.add("misuse.closed.viewOutlivesBase", () -> {
            Tensor base = Tensor.arange(10);
            Tensor view = base.slice(0, 2, 8, 2);
            base.close();
            try (view) {
                equal(new long[]{2, 4, 6}, view.toLongArray(), "a view keeps its storage alive");
            }
        });
        p.add("misuse.closed.byScope", () -> {
            Tensor t;
            try (Scope ignored = Scope.open()) {
                t = Tensor.ones(DType.F32, 3);
            }
            refused(IllegalStateException.class, t::sum, "closed");
        });
        p.add("misuse.closed.leafBeforeBackward", scoped(() -> {
            Tensor x = Tensor.ones(DType.F64, 3).requiresGrad(true);
            Tensor y = x.mul(2).sum();
            x.close();
            y.backward();   // the gradient of a leaf nobody holds any more is dropped, not kept
        }));
        // ---- shapes and sizes
        p.add("misuse.shape.negative", () -> refused(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 2, -1), "-1"));
        p.add("misuse.shape.tooLarge", () -> refused(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 1L << 61), "too large"));
        p.add("misuse.shape.productOverflow", () -> refused(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F64, 1L << 40, 1L << 40)));
        p.add("misuse.arange.tooMany", () -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(0, 1e300, 1e-300, DType.F32), "too many"));
        p.add("misuse.arange.zeroStep", () -> refused(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0, DType.F32)));
        p.add("misuse.arange.nanBound", () -> refused(IllegalArgumentException.class, () -> Tensor.arange(0, Double.NaN, 1, DType.F32)));
        p.add("misuse.linspace.huge", () -> refused(IllegalArgumentException.class,
                () -> Tensor.linspace(0, 1, Long.MAX_VALUE, DType.F32), "too large"));
        p.add("misuse.matmul.hugeResult", scoped(() -> {
            Tensor a = Tensor.zeros(DType.F32, 1, 0);
            Tensor b = Tensor.zeros(DType.F32, 0, 1L << 31);
            long before = Memory.allocatedBytes();
            refused(IllegalArgumentException.class, () -> a.matmul(b));
            equal(before, Memory.allocatedBytes(), "bytes allocated by a refused product");
        }));
        p.add("misuse.matmul.innerMismatch", scoped(() -> refused(ShapeMismatchException.class,
                () -> Tensor.ones(DType.F32, 2, 3).matmul(Tensor.ones(DType.F32, 4, 2)))));
        p.add("misuse.matmul.emptyInner", scoped(() -> equal(new double[]{0, 0, 0, 0},
                Tensor.ones(DType.F64, 2, 0).matmul(Tensor.ones(DType.F64, 0, 2)).toDoubleArray(), "empty inner dimension")));
        p.add("misuse.broadcast.incompatible", scoped(() -> refused(ShapeMismatchException.class,
                () -> Tensor.ones(DType.F32, 2, 3).add(Tensor.ones(DType.F32, 4)))));
        p.add("misuse.slice.stepOverflow", scoped(() -> equal(new long[]{0},
                Tensor.arange(10).slice(0, 0, 10, Long.MAX_VALUE).toLongArray(), "slice with step Long.MAX_VALUE")));
        p.add("misuse.slice.zeroStep", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(10).slice(0, 0, 10, 0))));
        p.add("misuse.slice.badAxis", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(10).slice(3, 0, 10, 1))));
        p.add("misuse.reshape.incompatible", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(10).reshape(3, 4))));
        p.add("misuse.reshape.twoUnknowns", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(12).reshape(-1, -1))));
        p.add("misuse.permute.repeatedAxis", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 2, 3).permute(0, 0))));
        p.add("misuse.reduce.badAxis", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 2, 3).sum(5))));
        p.add("misuse.reduce.emptyMax", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F32, 0).max())));
        p.add("misuse.tile.huge", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 4).tile(1L << 62))));
        p.add("misuse.einsum.hugeResult", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.einsum("i,j->ij", Tensor.zeros(DType.F32, 1).broadcastTo(1L << 32),
                        Tensor.zeros(DType.F32, 1).broadcastTo(1L << 32)))));
        p.add("misuse.rng.hugeDraw", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).uniform(DType.F64, 0, 1, 1L << 61), "too large")));
        p.add("misuse.diag.extremeOffset", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 3).diag(Long.MIN_VALUE))));
        p.add("misuse.repeat.huge", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 4).repeatInterleave(1L << 62, 0))));
        p.add("misuse.pad.huge", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 4).pad(new long[]{1L << 62, 1L << 62}, PadMode.CONSTANT, 0))));
        p.add("misuse.pad.negative", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 4).pad(new long[]{-1, 0}, PadMode.CONSTANT, 0))));
        p.add("misuse.broadcastTo.shrink", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F32, 4).broadcastTo(2))));
        p.add("misuse.fromArray.ragged", () -> refused(IllegalArgumentException.class,
                () -> Tensor.fromArray(new double[][]{{1, 2}, {3}})));
        p.add("misuse.fromArray.notAnArray", () -> refused(IllegalArgumentException.class,
                () -> Tensor.fromArray("not an array")));
        // ---- indices
        p.add("misuse.gather.indexOutOfRange", scoped(() -> refused(IndexOutOfBoundsException.class,
                () -> Tensor.arange(5).gather(0, Tensor.of(1L, 7L)), "7")));
        p.add("misuse.gather.negativeIndex", scoped(() -> refused(IndexOutOfBoundsException.class,
                () -> Tensor.arange(5).gather(0, Tensor.of(-9L)), "-9")));
        p.add("misuse.scatter.indexOutOfRange", scoped(() -> {
            Tensor target = Tensor.zeros(DType.F32, 5);
            refused(IndexOutOfBoundsException.class,
                    () -> target.scatter(0, Tensor.of(1L, 99L), Tensor.of(1f, 2f)), "99");
            equal(new float[]{0, 0, 0, 0, 0}, target.toFloatArray(), "the target after a refused scatter");
        }));
        p.add("misuse.indexSelect.huge", scoped(() -> refused(IndexOutOfBoundsException.class,
                () -> Tensor.arange(5).indexSelect(0, Tensor.of(Long.MAX_VALUE)))));
        p.add("misuse.oneHot.classOutOfRange", scoped(() -> refused(IndexOutOfBoundsException.class,
                () -> Tensor.of(0L, 3L).oneHot(3))));
        p.add("misuse.topk.kTooLarge", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.arange(5).topk(6, 0, true))));
        p.add("misuse.einsum.malformed", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.einsum("ij,jk->ik->i", Tensor.ones(DType.F32, 2, 2), Tensor.ones(DType.F32, 2, 2)))));
        p.add("misuse.einsum.operandCount", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.einsum("ij,jk->ik", Tensor.ones(DType.F32, 2, 2)))));
        // ---- explicit outputs that would corrupt data
        p.add("misuse.into.dtypeMismatch", scoped(() -> refused(IllegalArgumentException.class,
                () -> Into.add(Tensor.ones(DType.F32, 3), Tensor.ones(DType.F32, 3), Tensor.zeros(DType.I32, 3)))));
        p.add("misuse.into.shapeMismatch", scoped(() -> refused(IllegalArgumentException.class,
                () -> Into.add(Tensor.ones(DType.F32, 3), Tensor.ones(DType.F32, 3), Tensor.zeros(DType.F32, 4)))));
        p.add("misuse.into.savedForBackward", scoped(() -> {
            Tensor x = Tensor.ones(DType.F64, 3).requiresGrad(true);
            Tensor y = x.exp();
            Tensor loss = y.sum();
            refused(IllegalStateException.class, () -> Into.fill(y, 0));
            loss.backward();
            equal(Math.E, x.grad().getDouble(0), "gradient after a refused overwrite");
        }));
        p.add("misuse.into.broadcastOutput", scoped(() -> refused(IllegalArgumentException.class,
                () -> Into.add(Tensor.ones(DType.F32, 3), Tensor.ones(DType.F32, 3), Tensor.zeros(DType.F32, 1).broadcastTo(3)))));
        // ---- numerical routines
        p.add("misuse.conv.zeroStride", scoped(() -> refused(IllegalArgumentException.class,
                () -> Conv.conv2d(Tensor.ones(DType.F32, 1, 1, 4, 4), Tensor.ones(DType.F32, 1, 1, 3, 3), null, 0, 0, 1))));
        p.add("misuse.conv.kernelLargerThanInput", scoped(() -> refused(IllegalArgumentException.class,
                () -> Conv.conv2d(Tensor.ones(DType.F32, 1, 1, 2, 2), Tensor.ones(DType.F32, 1, 1, 3, 3), null, 1, 0, 1))));
        p.add("misuse.conv.channelMismatch", scoped(() -> refused(IllegalArgumentException.class,
                () -> Conv.conv2d(Tensor.ones(DType.F32, 1, 2, 4, 4), Tensor.ones(DType.F32, 1, 3, 3, 3), null, 1, 0, 1))));
        p.add("misuse.pool.zeroKernel", scoped(() -> refused(IllegalArgumentException.class,
                () -> Conv.maxPool2d(Tensor.ones(DType.F32, 1, 1, 4, 4), 0, 1, 0))));
        p.add("misuse.resize.zero", scoped(() -> refused(IllegalArgumentException.class,
                () -> Conv.resize(Tensor.ones(DType.F32, 1, 1, 4, 4), 0, -3, Conv.Mode.BILINEAR, false))));
        p.add("misuse.fft.empty", scoped(() -> refused(IllegalArgumentException.class, () -> Fft.rfft(Tensor.zeros(DType.F64, 0)))));
        p.add("misuse.fft.irfftZero", scoped(() -> refused(IllegalArgumentException.class,
                () -> Fft.irfft(Tensor.zeros(DType.F64, 4, 2), 0, -1, Fft.Norm.BACKWARD))));
        p.add("misuse.linalg.nonSquare", scoped(() -> refused(IllegalArgumentException.class,
                () -> Linalg.inv(Tensor.ones(DType.F64, 2, 3)))));
        p.add("misuse.linalg.singular", scoped(() -> refused(LinalgException.class,
                () -> Linalg.solve(Tensor.zeros(DType.F64, 3, 3), Tensor.ones(DType.F64, 3, 1)), "singular")));
        p.add("misuse.linalg.infinite", scoped(() -> refused(IllegalArgumentException.class,
                () -> Linalg.svd(Tensor.full(Double.POSITIVE_INFINITY, DType.F64, 3, 3), false), "finite")));
        p.add("misuse.linalg.nan", scoped(() -> refused(IllegalArgumentException.class,
                () -> Linalg.eigh(Tensor.full(Double.NaN, DType.F64, 3, 3)), "finite")));
        p.add("misuse.linalg.notPositiveDefinite", scoped(() -> refused(LinalgException.class,
                () -> Linalg.cholesky(Tensor.of(1.0, 2.0, 2.0, 1.0).reshape(2, 2), false))));
        p.add("misuse.linalg.integerInput", scoped(() -> equal(3.0 * 3 * 3,
                Linalg.det(Tensor.eye(3, DType.I32).mul(3)).item(), "det of an integer matrix (computed in floating point, as NumPy)")));
        // ---- random draws
        p.add("misuse.rng.uniformBounds", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).uniform(DType.F32, 2, 1, 4))));
        p.add("misuse.rng.negativeStd", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).normal(DType.F32, 0, -1, 4))));
        p.add("misuse.rng.nanMean", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).normal(DType.F32, Double.NaN, 1, 4))));
        p.add("misuse.rng.bernoulliP", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).bernoulli(1.5, 4))));
        p.add("misuse.rng.randintEmpty", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).randint(5, 5, DType.I64, 4))));
        p.add("misuse.rng.choiceTooMany", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).choice(3, 4, false, null))));
        p.add("misuse.rng.negativeWeights", scoped(() -> refused(IllegalArgumentException.class,
                () -> Rng.seed(1).choice(3, 1, true, Tensor.of(1.0, -1.0, 1.0)))));
        // ---- autodiff
        p.add("misuse.autodiff.nonScalarBackward", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.F64, 3).requiresGrad(true).mul(2).backward())));
        p.add("misuse.autodiff.integerLeaf", scoped(() -> refused(IllegalArgumentException.class,
                () -> Tensor.ones(DType.I32, 3).requiresGrad(true))));
        p.add("misuse.autodiff.backwardTwice", scoped(() -> {
            Tensor x = Tensor.ones(DType.F64, 3).requiresGrad(true);
            Tensor y = x.mul(2).sum();
            y.backward();
            refused(IllegalStateException.class, y::backward);
            equal(2.0, x.grad().getDouble(0), "gradient after the refused second backward");
        }));
        p.add("misuse.autodiff.customOpWrongGradientShape", scoped(() -> {
            CustomOp op = new CustomOp() {
                @Override
                public Tensor[] forward(Context ctx, Tensor... in) {
                    return new Tensor[]{in[0].mul(3)};
                }

                @Override
                public Tensor[] backward(Context ctx, Tensor... g) {
                    return new Tensor[]{Tensor.ones(DType.F64, 7)};
                }
            };
            Tensor x = Tensor.ones(DType.F64, 3).requiresGrad(true);
            Tensor y = op.apply(x)[0].sum();
            refused(IllegalArgumentException.class, y::backward);
        }));
        p.add("misuse.autodiff.gradOfClosedSeed", scoped(() -> {
            Tensor x = Tensor.ones(DType.F64, 3).requiresGrad(true);
            Tensor y = x.mul(2);
            refused(IllegalStateException.class, () -> Autodiff.gradients(y, closedF64(3), BackwardOptions.defaults(), x));
        }));
        // ---- memory pools
        p.add("misuse.pool.limit", () -> {
            try (MemoryPool pool = Memory.child("probe", 1 << 16); MemoryPool.Use ignored = pool.use()) {
                refused(RuntimeException.class, () -> Tensor.zeros(DType.F64, 1 << 16).close(), "limit");
            }
        });
    }

    private static Tensor closedF64(long n) {
        Tensor t = Tensor.ones(DType.F64, n);
        t.close();
        return t;
    }
}
