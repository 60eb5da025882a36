package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.HashSet;
import java.util.Set;

/**
 * Block coordinate descent for min f(x) + g(x), f smooth with block Lipschitz constants L_b (of ∇_b f along block
 * b) and g block separable (a prox applied to each block on its own, e.g. {@link Prox#l1}, {@link Prox#box},
 * {@link Prox#zero}). Each iteration updates one block by a proximal gradient step with step 1/L_b,
 * <pre>
 *   x_b = prox_{g/L_b}(x_b − ∇_b f(x)/L_b)
 * </pre>
 * on the block the rule picks from d_b = x_b − prox_{g/L_b}(x_b − ∇_b f(x)/L_b):
 * <ul>
 * <li>{@link Rule#GAUSS_SOUTHWELL}: the largest L_b‖d_b‖ (the largest block gradient ‖∇_b f‖ when g = 0);</li>
 * <li>{@link Rule#GAUSS_SOUTHWELL_LIPSCHITZ}: the largest √L_b‖d_b‖ (‖∇_b f‖/√L_b when g = 0), which
 * guarantees at least as much progress per iteration on functions with different block constants;</li>
 * <li>{@link Rule#CYCLIC}: the blocks in turn.</li>
 * </ul>
 * The solver stops when max_b L_b‖d_b‖ (the norm of the block gradient mapping) ≤ tolerance: that is the
 * residual history; the objective history is f(x) + g(x).
 *
 * {@snippet :
 * SolverResult r = BlockCoordinateDescent.builder()
 *         .blocks(new long[][] {{0, 1}, {2, 3}}).lipschitz(new double[] {100, 1})
 *         .rule(BlockCoordinateDescent.Rule.GAUSS_SOUTHWELL_LIPSCHITZ).build()
 *         .solve(Smooth.of(x -> x.matmul(q.matmul(x)).mul(0.5).sub(b.matmul(x))), Prox.zero(), x0);
 * }
 *
 * <p>Reference: J. Nutini, I. Laradji and M. Schmidt, "Let's Make Block Coordinate Descent Converge Faster:
 * Faster Greedy Rules, Message-Passing, Active-Set Complexity, and Superlinear Convergence", JMLR 23, 2022
 * (arXiv:1712.08859); J. Nutini et al., "Coordinate Descent Converges Faster with the Gauss-Southwell Rule Than
 * Random Selection", ICML 2015.
 */
public final class BlockCoordinateDescent {

    /** How the block to update is chosen. */
    public enum Rule {
        /** The block with the largest (scaled) gradient mapping L_b‖d_b‖. */
        GAUSS_SOUTHWELL,
        /** The block with the largest √L_b‖d_b‖. */
        GAUSS_SOUTHWELL_LIPSCHITZ,
        /** The blocks in order, one per iteration. */
        CYCLIC
    }

    private final long[][] blocks;
    private final double[] lipschitz;
    private final Rule rule;
    private final int maxIterations;
    private final double tolerance;

    private BlockCoordinateDescent(Builder b) {
        if (b.blocks == null || b.lipschitz == null) {
            throw new IllegalArgumentException("block coordinate descent needs the blocks and their Lipschitz constants");
        }
        if (b.blocks.length != b.lipschitz.length) {
            throw new IllegalArgumentException("got " + b.lipschitz.length + " Lipschitz constants for " + b.blocks.length
                    + " blocks");
        }
        this.blocks = b.blocks;
        this.lipschitz = b.lipschitz;
        this.rule = b.rule;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults: Gauss–Southwell–Lipschitz, 10 000 iterations, tolerance 1e-8; the blocks and
     * their Lipschitz constants must be set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link BlockCoordinateDescent}. */
    public static final class Builder {
        private long[][] blocks;
        private double[] lipschitz;
        private Rule rule = Rule.GAUSS_SOUTHWELL_LIPSCHITZ;
        private int maxIterations = 10_000;
        private double tolerance = 1e-8;

        private Builder() {
        }

        /**
         * The blocks: disjoint lists of positions in the row-major flattened x (positions in no block are never
         * updated).
         *
         * @param blocks one non-empty array of positions per block
         * @return this builder
         * @throws IllegalArgumentException if there is no block, a block is empty, a position is negative or in
         *                                  two blocks
         */
        public Builder blocks(long[][] blocks) {
            if (blocks == null || blocks.length == 0) {
                throw new IllegalArgumentException("at least one block is needed");
            }
            Set<Long> seen = new HashSet<>();
            long[][] copy = new long[blocks.length][];
            for (int b = 0; b < blocks.length; b++) {
                if (blocks[b] == null || blocks[b].length == 0) {
                    throw new IllegalArgumentException("block " + b + " is empty");
                }
                copy[b] = blocks[b].clone();
                for (long i : copy[b]) {
                    if (i < 0 || !seen.add(i)) {
                        throw new IllegalArgumentException("block " + b + ": position " + i
                                + (i < 0 ? " is negative" : " is in another block too; blocks must be disjoint"));
                    }
                }
            }
            this.blocks = copy;
            return this;
        }

        /**
         * The Lipschitz constant of ∇_b f along each block (for f = ½xᵀQx − bᵀx, the largest eigenvalue of Q_bb).
         *
         * @param lipschitz one value &gt; 0 per block
         * @return this builder
         * @throws IllegalArgumentException if a value is not a finite number &gt; 0
         */
        public Builder lipschitz(double[] lipschitz) {
            if (lipschitz == null) {
                throw new IllegalArgumentException("the Lipschitz constants must not be null");
            }
            for (int b = 0; b < lipschitz.length; b++) {
                Checks.positive("the Lipschitz constant of block " + b, lipschitz[b]);
            }
            this.lipschitz = lipschitz.clone();
            return this;
        }

        /**
         * The block selection rule.
         *
         * @param rule the rule
         * @return this builder
         * @throws IllegalArgumentException if {@code rule} is null
         */
        public Builder rule(Rule rule) {
            if (rule == null) {
                throw new IllegalArgumentException("the rule must not be null");
            }
            this.rule = rule;
            return this;
        }

        /**
         * The iteration limit (one block update per iteration).
         *
         * @param maxIterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIterations} &lt; 1
         */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = Checks.atLeastOne("maxIterations", maxIterations);
            return this;
        }

        /**
         * The gradient-mapping norm at which the solver stops.
         *
         * @param tolerance ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code tolerance} is negative, NaN or infinite
         */
        public Builder tolerance(double tolerance) {
            this.tolerance = Checks.nonNegative("the tolerance", tolerance);
            return this;
        }

        /**
         * The solver.
         *
         * @return a new solver with this configuration
         * @throws IllegalArgumentException if the blocks or the Lipschitz constants are missing or their counts
         *                                  differ
         */
        public BlockCoordinateDescent build() {
            return new BlockCoordinateDescent(this);
        }
    }

    /**
     * Minimises f(x) + g(x) from {@code x0}.
     *
     * @param f  the smooth part
     * @param g  the block-separable part, by its prox (applied to one block's values at a time)
     * @param x0 the starting point (floating point; not modified)
     * @return the result; its solution is the last x
     * @throws IllegalArgumentException if an argument is null, {@code x0} is not floating point or a block position
     *                                  is past its end
     */
    public SolverResult solve(Smooth f, Prox g, Tensor x0) {
        if (f == null || g == null) {
            throw new IllegalArgumentException("the smooth part f and the prox g must not be null");
        }
        Checks.floating("the starting point x0", x0);
        for (int b = 0; b < blocks.length; b++) {
            for (long i : blocks[b]) {
                if (i >= x0.size()) {
                    throw new IllegalArgumentException("block " + b + " has position " + i + ", past the end of x0 ("
                            + x0.size() + " elements)");
                }
            }
        }
        History objective = new History();
        History residual = new History();
        Tensor[] index = new Tensor[blocks.length];
        Tensor x = null;
        int iterations = 0;
        boolean converged = false;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            for (int b = 0; b < blocks.length; b++) {
                Tensor host = Tensor.of(blocks[b]);
                index[b] = host.device().equals(x0.device()) ? host : host.to(x0.device());
                if (index[b] != host) {
                    host.close();
                }
            }
            x = x0.copy();
            while (iterations < maxIterations) {
                Tensor next;
                double mapping = 0;
                try (Scope s = Scope.open()) {
                    Tensor flat = x.reshape(-1);
                    Tensor gradient = f.gradient(x).reshape(-1);
                    int chosen = rule == Rule.CYCLIC ? iterations % blocks.length : -1;
                    double best = -1;
                    Tensor update = null;
                    Tensor[] candidates = new Tensor[blocks.length];
                    for (int b = 0; b < blocks.length; b++) {
                        Tensor xb = flat.indexSelect(0, index[b]);
                        Tensor gb = gradient.indexSelect(0, index[b]);
                        candidates[b] = g.prox(xb.sub(gb.div(lipschitz[b])), 1 / lipschitz[b]);
                        double d = xb.sub(candidates[b]).norm().item();
                        mapping = Math.max(mapping, lipschitz[b] * d);
                        double score = rule == Rule.GAUSS_SOUTHWELL ? lipschitz[b] * d : Math.sqrt(lipschitz[b]) * d;
                        if (rule != Rule.CYCLIC && score > best) {
                            best = score;
                            chosen = b;
                        }
                    }
                    update = candidates[chosen];
                    next = s.keep(flat.scatter(0, index[chosen], update).reshape(x.shape()));
                    objective.add(f.value(next) + g.value(next));
                }
                x.close();
                x = next;
                iterations++;
                residual.add(mapping);
                if (mapping <= tolerance) {
                    converged = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            if (x != null) {
                x.close();
            }
            throw e;
        } finally {
            for (Tensor t : index) {
                if (t != null) {
                    t.close();
                }
            }
        }
        return new SolverResult(x, iterations, objective.toArray(), residual.toArray(), converged);
    }
}
