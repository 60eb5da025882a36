package dev.proxima.transport;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Monge gap of a map (Uscidda and Cuturi, "The Monge Gap: A Regularizer to Learn All Transport Maps",
 * ICML 2023), estimated on samples x₁…xₙ of a source measure μ:
 * <pre>
 *   M(T) = (1/n) Σᵢ c(xᵢ, T(xᵢ)) − W_{c,ε}(μₙ, T♯μₙ)
 * </pre>
 * the cost of moving each sample to its image minus the entropic optimal transport cost between the samples and
 * their images (uniform weights; {@link Sinkhorn}'s regularised cost {@code ⟨P, C⟩ + ε·KL(P ‖ a bᵀ)}). Without
 * the entropy, M(T) ≥ 0 with equality exactly when T is a c-optimal (Monge) map from μₙ to its image, so
 * λ·M(T) added to a fitting loss steers a learnt map towards the optimal one.
 *
 * <p><b>Entropic bias.</b> The identity coupling diag(1/n) costs the first term plus ε·log n in the entropic
 * objective, so M(T) ≥ −ε·log n; for the identity map (and any optimal map whose images are well separated on the
 * scale √ε) the gap is in [−ε·log n, 0] rather than exactly 0.
 *
 * <p>The gap is differentiable with respect to whatever the images T(xᵢ) depend on (an {@code nn} module's
 * parameters, a matrix): through the cost of the first term and through Sinkhorn's envelope gradient of the second.
 *
 * {@snippet :
 * MongeGap gap = MongeGap.builder(0.01).build();
 * Tensor loss = fit.add(gap.of(x -> x.matmul(A).add(b), x).mul(lambda));   // A, b require gradients
 * loss.backward();
 * }
 */
public final class MongeGap {

    private final CostFunction cost;
    private final Sinkhorn sinkhorn;

    private MongeGap(Builder b) {
        this.cost = b.cost;
        this.sinkhorn = Sinkhorn.builder(b.epsilon).maxIterations(b.maxIterations).tolerance(b.tolerance).build();
    }

    /**
     * A builder for the squared Euclidean cost, with Sinkhorn's 1000 iterations and tolerance 1e-9.
     *
     * @param epsilon the entropic regularisation ε &gt; 0 of the OT term
     * @return a new builder
     * @throws IllegalArgumentException if ε is not positive and finite
     */
    public static Builder builder(double epsilon) {
        return new Builder(epsilon);
    }

    /**
     * The Monge gap of {@code map} on the samples {@code x}.
     *
     * @param map the map T, applied once to all samples: [n, d] to [n, d'] (e.g. an nn module's forward)
     * @param x   the samples [n, d], floating point
     * @return a 0-d tensor of x's dtype, differentiable with respect to what T's output depends on
     * @throws NullPointerException     if an argument is null, or the map returns null
     * @throws IllegalArgumentException if x is not a non-empty [n, d] floating-point tensor, or T(x) is not
     *                                  [n, d'] with the same n
     */
    public Tensor of(Function<Tensor, Tensor> map, Tensor x) {
        Objects.requireNonNull(map, "map must be a function of the samples, got null");
        checkSamples("x", x);
        Tensor images = Objects.requireNonNull(map.apply(x), "the map returned null");
        return between(x, images);
    }

    /**
     * The Monge gap of the map that sends each {@code x[i]} to {@code images[i]}.
     *
     * @param x      the samples [n, d]
     * @param images their images T(x) [n, d'], of x's dtype
     * @return a 0-d tensor, differentiable with respect to {@code x} and {@code images}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a tensor is not a non-empty [n, ·] floating-point matrix
     * @throws ShapeMismatchException   if the numbers of rows differ
     */
    public Tensor between(Tensor x, Tensor images) {
        checkSamples("x", x);
        checkSamples("images", images);
        if (images.dim(0) != x.dim(0)) {
            throw new ShapeMismatchException("MongeGap: the map must send the " + x.dim(0) + " samples to as many images,"
                    + " got images of shape " + Arrays.toString(images.shape()) + " for x of shape " + Arrays.toString(x.shape()));
        }
        Checks.sameDtype("x and images", x, images);
        try (Scope scope = Scope.open()) {
            Tensor displacement = cost.apply(x, images).diagonal(0, 0, 1).mean();
            Tensor ot = sinkhorn.solve(LinearProblem.of(PointCloud.of(x, images, cost))).regularizedCost();
            return scope.keep(displacement.sub(ot));
        }
    }

    private static void checkSamples(String name, Tensor t) {
        Checks.floating(name, t);
        if (t.rank() != 2 || t.size() == 0) {
            throw new IllegalArgumentException("MongeGap: " + name + " must be non-empty samples [n, d], got shape "
                    + Arrays.toString(t.shape()));
        }
    }

    /** Builds a {@link MongeGap}. */
    public static final class Builder {
        private final double epsilon;
        private CostFunction cost = CostFunction.squaredEuclidean();
        private int maxIterations = 1000;
        private double tolerance = 1e-9;

        private Builder(double epsilon) {
            Checks.epsilon(epsilon);
            this.epsilon = epsilon;
        }

        /**
         * Sets the cost c (the same for both terms).
         *
         * @param cost a cost function; {@link CostFunction#squaredEuclidean()} by default
         * @return this builder
         * @throws NullPointerException if cost is null
         */
        public Builder cost(CostFunction cost) {
            this.cost = Objects.requireNonNull(cost, "cost must be a cost function, got null");
            return this;
        }

        /**
         * Sets the Sinkhorn iteration budget of the OT term.
         *
         * @param maxIterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIterations < 1}
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("MongeGap: maxIterations must be at least 1, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Sets Sinkhorn's tolerance on the marginal error of the OT term.
         *
         * @param tolerance &gt; 0, finite
         * @return this builder
         * @throws IllegalArgumentException if the tolerance is not positive and finite
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("MongeGap: tolerance must be positive and finite, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** {@return the Monge gap estimator with this builder's settings} */
        public MongeGap build() {
            return new MongeGap(this);
        }
    }
}
