package dev.proxima.optim;

import dev.proxima.optim.internal.MfacAlgebra;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;

/**
 * M-FAC (Frantar, Kurtic and Alistarh, 2021): SGD preconditioned by the inverse of the empirical Fisher
 * of the last m gradients, F = λI + (1/m)·Σᵢ gᵢgᵢᵀ, applied matrix-free. Each step puts the new gradient
 * into the window (replacing the oldest), updates one row of the window's Gram matrix (O(md)), rebuilds
 * the m × m coefficients of the Sherman–Morrison recursion (O(m³) scalar work) and returns F⁻¹g in
 * O(md + m²); then momentum and the learning rate apply as in SGD. Until the window is full the missing
 * gradients count as zero (the factor stays 1/m). Weight decay is added to the gradient before
 * preconditioning, as torch's SGD does.
 *
 * {@snippet :
 * Optimizer opt = MFAC.builder().lr(1e-3).historySize(32).damping(1e-4).momentum(0.9).build(model.parameters());
 * opt.zeroGrad();
 * loss.backward();
 * opt.step();
 * }
 *
 * <p>The state holds the window itself (one {@code [m, …]} tensor per parameter: m times the model's
 * size) and the Gram matrix, so it saves and resumes exactly.
 */
public final class MFAC {

    private MFAC() {
    }

    /** {@return a builder with defaults lr 1e-3, historySize 32, damping 1e-4, no momentum, no weight decay} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The preconditioning F⁻¹g over a sliding window of the last {@code historySize} gradients, as a
     * gradient transform. Its state is {@code {count, window, gram}}: the number of gradients seen, a tree
     * with one {@code [m, …leaf shape]} tensor per parameter, and the F64 Gram matrix {@code [m, m]}.
     *
     * @param historySize m ≥ 1
     * @param damping     λ &gt; 0
     * @return the transform
     * @throws IllegalArgumentException if {@code historySize < 1} or {@code damping} is not positive and finite
     */
    public static GradientTransform scaleByInverseFisher(int historySize, double damping) {
        checkSize(historySize);
        Transforms.positive("damping", damping);
        int m = historySize;
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                TensorTree window = params.map(p -> Tensor.zeros(p.dtype(), p.device(), prepend(m, p.shape())));
                return SecondOrderStates.of("count", SecondOrderStates.count(0), "window", window,
                        "gram", Tensor.zeros(DType.F64, m, m));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = SecondOrderStates.dict("scaleByInverseFisher", state, "count", "window", "gram");
                long t = SecondOrderStates.countOf(s);
                int slot = (int) (t % m);
                int k = (int) Math.min(t + 1, m);
                TensorTree window = s.entries().get("window").zip(grads, (w, g) -> {
                    Tensor row = g.cast(w.dtype()).reshape(prepend(1, g.shape()));
                    List<Tensor> parts = new ArrayList<>(3);
                    if (slot > 0) {
                        parts.add(w.slice(0, 0, slot, 1));
                    }
                    parts.add(row);
                    if (slot + 1 < m) {
                        parts.add(w.slice(0, slot + 1, m, 1));
                    }
                    return Tensor.concat(0, parts.toArray(Tensor[]::new));
                });
                // q_j = g_jᵀ g for every slot j, summed over the leaves: one matrix–vector product per leaf
                List<Tensor> windows = window.leaves();
                List<Tensor> gs = grads.leaves();
                double[] q = new double[m];
                for (int i = 0; i < windows.size(); i++) {
                    Tensor w = windows.get(i);
                    Tensor flatW = w.reshape(m, w.size() / m).cast(DType.F64);
                    double[] dots = flatW.matmul(gs.get(i).cast(DType.F64).reshape(w.size() / m)).toDoubleArray();
                    for (int j = 0; j < m; j++) {
                        q[j] += dots[j];
                    }
                }
                double[] g0 = ((TensorTree.Leaf) s.entries().get("gram")).tensor().toDoubleArray();
                double[][] gram = new double[m][m];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(g0, i * m, gram[i], 0, m);
                }
                for (int j = 0; j < m; j++) {
                    gram[slot][j] = q[j];
                    gram[j][slot] = q[j];
                }
                double[] flatGram = new double[m * m];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(gram[i], 0, flatGram, i * m, m);
                }
                double[] w = MfacAlgebra.of(gram, k, m, damping).weights(java.util.Arrays.copyOf(q, k));
                double[] wAll = java.util.Arrays.copyOf(w, m);
                Tensor weights = Tensor.of(wAll);
                List<Tensor> out = new ArrayList<>(gs.size());
                for (int i = 0; i < windows.size(); i++) {
                    Tensor win = windows.get(i);
                    Tensor g = gs.get(i);
                    Tensor flatW = win.reshape(m, win.size() / m);
                    Tensor combo = weights.to(win.device()).cast(win.dtype()).matmul(flatW).reshape(g.shape());
                    out.add(g.div(damping).sub(combo));
                }
                return new Update(grads.withLeaves(out), SecondOrderStates.of("count", SecondOrderStates.count(t + 1),
                        "window", window, "gram", Tensor.of(flatGram).reshape(m, m)));
            }

            @Override
            public String toString() {
                return "scaleByInverseFisher(m=" + m + ", damping=" + damping + ")";
            }
        };
    }

    private static long[] prepend(long first, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = first;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static int checkSize(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("historySize must be ≥ 1, got " + m);
        }
        return m;
    }

    /** The builder of an M-FAC optimizer, with torch-style names. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private int historySize = 32;
        private double damping = 1e-4;
        private double momentum;

        private Builder() {
            super(1e-3);
        }

        /**
         * The window size m (gradients kept).
         *
         * @param m m ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code m < 1}
         */
        public Builder historySize(int m) {
            this.historySize = checkSize(m);
            return this;
        }

        /**
         * The damping λ of F = λI + (1/m)·Σ ggᵀ.
         *
         * @param damping λ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code damping} is not positive and finite
         */
        public Builder damping(double damping) {
            this.damping = Transforms.positive("damping", damping);
            return this;
        }

        /**
         * Heavy-ball momentum on the preconditioned gradient (torch's SGD momentum, no dampening).
         *
         * @param momentum μ in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code momentum} is outside [0, 1)
         */
        public Builder momentum(double momentum) {
            this.momentum = Transforms.unitInterval("momentum", momentum);
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            return chain(weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    scaleByInverseFisher(historySize, damping),
                    momentum > 0 ? Transforms.momentum(momentum, 0, false) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
