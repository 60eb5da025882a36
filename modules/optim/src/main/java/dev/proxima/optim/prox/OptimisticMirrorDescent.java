package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Optimistic online mirror descent: a learner that plays x_t, then sees the gradient g_t of the round's loss,
 * using the previous gradient as its guess M_t = g_{t−1} of the next one (Rakhlin and Sridharan 2013; Chen, Zhang
 * and Zhao, "Optimistic Online Mirror Descent for Bridging Stochastic and Adversarial Online Convex
 * Optimization", ICML 2023):
 * <pre>
 *   y_t = argmin_y η⟨g_t, y⟩ + D(y, y_{t−1})          (the lazy iterate, after seeing g_t)
 *   x_{t+1} = argmin_x η⟨M_{t+1}, x⟩ + D(x, y_t)       (the point played, with the guess M_{t+1} = g_t)
 * </pre>
 * with the Bregman divergence D of the geometry: {@link #entropic(double)} (negative entropy on the probability
 * simplex: multiplicative weights y ∝ y·exp(−ηg)) or {@link #euclidean(double, Prox)} (½‖·‖² on a convex set,
 * given by its projection: y = Π(y − ηg)). When consecutive gradients are close the regret is much smaller than
 * plain mirror descent's, and in two-player zero-sum games self-play converges to an equilibrium
 * ({@link #solveMatrixGame}).
 *
 * {@snippet :
 * try (OptimisticMirrorDescent.Learner learner = OptimisticMirrorDescent.entropic(0.1).start(Tensor.full(1.0 / 3, DType.F64, 3))) {
 *     for (int t = 0; t < rounds; t++) {
 *         Tensor x = learner.play();          // the decision of round t
 *         learner.observe(lossGradient(x));   // the gradient of the round's loss
 *     }
 * }
 * }
 */
public final class OptimisticMirrorDescent {

    private final double eta;
    private final Prox projection;

    private OptimisticMirrorDescent(double eta, Prox projection) {
        this.eta = Checks.positive("the learning rate eta", eta);
        this.projection = projection;
    }

    /**
     * Optimistic multiplicative weights on the probability simplex (negative-entropy mirror map).
     *
     * @param eta the learning rate η &gt; 0
     * @return the method
     * @throws IllegalArgumentException if {@code eta} is not a finite number &gt; 0
     */
    public static OptimisticMirrorDescent entropic(double eta) {
        return new OptimisticMirrorDescent(eta, null);
    }

    /**
     * Optimistic projected gradient steps on a convex set given by its projection (the prox of its indicator,
     * e.g. {@link Prox#simplex}, {@link Prox#box}, {@link Prox#l2Ball}).
     *
     * @param eta        the learning rate η &gt; 0
     * @param projection the projection onto the feasible set
     * @return the method
     * @throws IllegalArgumentException if {@code eta} is not a finite number &gt; 0 or {@code projection} is null
     */
    public static OptimisticMirrorDescent euclidean(double eta, Prox projection) {
        if (projection == null) {
            throw new IllegalArgumentException("the Euclidean geometry needs the projection onto the feasible set");
        }
        return new OptimisticMirrorDescent(eta, projection);
    }

    /**
     * A learner starting from {@code x0} (a probability vector for the entropic geometry, a feasible point for the
     * Euclidean one).
     *
     * @param x0 the first decision, floating point (copied)
     * @return the learner; close it to free its state
     * @throws IllegalArgumentException if {@code x0} is not floating point, or (entropic) has an entry ≤ 0 or does
     *                                  not sum to 1
     */
    public Learner start(Tensor x0) {
        Checks.floating("the first decision x0", x0);
        if (projection == null) {
            try (Scope s = Scope.open()) {
                double min = x0.min().item();
                double sum = x0.sum().item();
                if (!(min > 0) || Math.abs(sum - 1) > 1e-6) {
                    throw new IllegalArgumentException("the entropic geometry needs a first decision with entries > 0 that sum "
                            + "to 1, got min " + min + " and sum " + sum);
                }
            }
        }
        return new Learner(x0);
    }

    /** One online learner: {@link #play()} then {@link #observe(Tensor)}, round after round. */
    public final class Learner implements AutoCloseable {
        private Tensor lazy;
        private Tensor played;
        private int rounds;

        private Learner(Tensor x0) {
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                Tensor a = Scope.release(x0.copy());
                Tensor b = Scope.release(x0.copy());
                lazy = a;
                played = b;
            }
        }

        /**
         * The decision x_t of this round.
         *
         * @return a new copy, owned by the caller's scope
         * @throws IllegalStateException if the learner is closed
         */
        public Tensor play() {
            if (played == null) {
                throw new IllegalStateException("the learner is closed");
            }
            return played.copy();
        }

        /**
         * Sees the gradient of this round's loss at the decision played, and moves to the next round.
         *
         * @param gradient g_t, of the decision's shape
         * @throws IllegalArgumentException if the gradient is not floating point or has another shape
         * @throws IllegalStateException    if the learner is closed
         */
        public void observe(Tensor gradient) {
            if (played == null) {
                throw new IllegalStateException("the learner is closed");
            }
            Checks.floating("the gradient", gradient);
            if (!Arrays.equals(gradient.shape(), played.shape())) {
                throw new ShapeMismatchException("the gradient has shape " + Arrays.toString(gradient.shape())
                        + ", the decision " + Arrays.toString(played.shape()));
            }
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                Tensor nextLazy = Scope.release(mirrorStep(lazy, gradient));
                Tensor nextPlayed = Scope.release(mirrorStep(nextLazy, gradient));
                lazy.close();
                played.close();
                lazy = nextLazy;
                played = nextPlayed;
            }
            rounds++;
        }

        /**
         * The number of gradients observed.
         *
         * @return the round count
         */
        public int rounds() {
            return rounds;
        }

        /** Frees the learner's state. */
        @Override
        public void close() {
            if (played != null) {
                played.close();
                lazy.close();
                played = null;
                lazy = null;
            }
        }
    }

    /** argmin_y η⟨g, y⟩ + D(y, from). */
    private Tensor mirrorStep(Tensor from, Tensor g) {
        try (Scope s = Scope.open()) {
            Tensor out;
            if (projection == null) {
                Tensor logits = from.log().sub(g.mul(eta));
                out = logits.sub(logits.max()).exp();
                out = out.div(out.sum());
            } else {
                out = projection.prox(from.sub(g.mul(eta)), eta);
            }
            return s.keep(out);
        }
    }

    /**
     * The outcome of self-play on a matrix game.
     *
     * @param rowStrategy    the row player's average strategy x̄ (minimiser), owned by the caller's scope
     * @param columnStrategy the column player's average strategy ȳ (maximiser), likewise
     * @param iterations     the number of rounds played
     * @param gapHistory     the duality gap max_j (Aᵀx̄)_j − min_i (Aȳ)_i of the averages after each round
     */
    public record GameResult(Tensor rowStrategy, Tensor columnStrategy, int iterations, double[] gapHistory)
            implements AutoCloseable {

        /** Copies the history. */
        public GameResult {
            gapHistory = gapHistory.clone();
        }

        /**
         * The duality gap after each round.
         *
         * @return a copy of the history
         */
        @Override
        public double[] gapHistory() {
            return gapHistory.clone();
        }

        /**
         * The final duality gap (0 at an equilibrium), NaN if no round was played.
         *
         * @return the gap
         */
        public double gap() {
            return iterations == 0 ? Double.NaN : gapHistory[iterations - 1];
        }

        /** Closes both strategies. */
        @Override
        public void close() {
            rowStrategy.close();
            columnStrategy.close();
        }
    }

    /**
     * Self-play on the zero-sum matrix game min_x max_y xᵀAy over two probability simplices: both players run
     * this method from the uniform strategies (the row player on the gradient Ay, the column player on −Aᵀx).
     *
     * @param payoff the m × n payoff matrix A (floating point)
     * @param rounds the number of rounds ≥ 1
     * @return the average strategies and the duality-gap history
     * @throws IllegalArgumentException if A is not a 2-D floating-point tensor or {@code rounds} &lt; 1
     */
    public GameResult solveMatrixGame(Tensor payoff, int rounds) {
        Checks.floating("the payoff matrix", payoff);
        if (payoff.rank() != 2) {
            throw new ShapeMismatchException("the payoff matrix must be 2-D, got shape " + Arrays.toString(payoff.shape()));
        }
        Checks.atLeastOne("the number of rounds", rounds);
        long m = payoff.dim(0);
        long n = payoff.dim(1);
        History gaps = new History();
        Tensor sumX = null;
        Tensor sumY = null;
        try (Scope outer = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad();
             Learner row = start(Tensor.full(1.0 / m, payoff.dtype(), payoff.device(), m));
             Learner column = start(Tensor.full(1.0 / n, payoff.dtype(), payoff.device(), n))) {
            sumX = Scope.release(Tensor.zeros(payoff.dtype(), payoff.device(), m));
            sumY = Scope.release(Tensor.zeros(payoff.dtype(), payoff.device(), n));
            for (int t = 1; t <= rounds; t++) {
                try (Scope s = Scope.open()) {
                    Tensor x = row.play();
                    Tensor y = column.play();
                    Tensor nextX = Scope.release(sumX.add(x));
                    Tensor nextY = Scope.release(sumY.add(y));
                    sumX.close();
                    sumY.close();
                    sumX = nextX;
                    sumY = nextY;
                    row.observe(payoff.matmul(y));
                    column.observe(payoff.transpose().matmul(x).neg());
                    Tensor avgX = sumX.div(t);
                    Tensor avgY = sumY.div(t);
                    gaps.add(payoff.transpose().matmul(avgX).max().item() - payoff.matmul(avgY).min().item());
                }
            }
            Tensor avgX = sumX.div(rounds);
            Tensor avgY = sumY.div(rounds);
            outer.keep(avgX);
            outer.keep(avgY);
            return new GameResult(avgX, avgY, rounds, gaps.toArray());
        } finally {
            if (sumX != null) {
                sumX.close();
            }
            if (sumY != null) {
                sumY.close();
            }
        }
    }
}
