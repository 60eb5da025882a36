package dev.proxima.optim.prox;

import dev.proxima.optim.internal.ProxOperators;
import dev.proxima.tensor.Tensor;

/**
 * The proximal operator of a closed function f: {@code prox(v, t) = argmin_x f(x) + ‖x − v‖²/(2t)}, and f
 * itself. The operators are written with tensor ops, so they run on any device; the parameters of f are
 * fixed at construction, the step {@code t} is given per call.
 *
 * <p>Norms and penalties ({@link #l1}, {@link #l2}, {@link #groupL2}, {@link #nuclear}, {@link #scad},
 * {@link #mcp}, {@link #groupSparseEnvelope}), indicator functions of convex sets, whose prox is the Euclidean
 * projection whatever the step ({@link #box}, {@link #l2Ball}, {@link #simplex}, {@link #l1Ball}), and a smooth
 * least-squares term with an exact prox ({@link #leastSquares}) for ADMM.
 *
 * {@snippet :
 * Prox l1 = Prox.l1(0.5);
 * Tensor x = l1.prox(Tensor.of(2.0, -0.2, -1.0), 1.0);   // soft threshold: [1.5, 0, -0.5]
 * double f = l1.value(x);                                 // 0.5·‖x‖₁ = 1.0
 * }
 *
 * <p>References: N. Parikh and S. Boyd, <i>Proximal Algorithms</i> (2014), §6; A. Beck, <i>First-Order Methods
 * in Optimization</i> (2017), ch. 6.
 */
public interface Prox {

    /**
     * The proximal point {@code argmin_x f(x) + ‖x − v‖²/(2·step)}.
     *
     * @param v    the point (floating point; not modified)
     * @param step the step t &gt; 0
     * @return a new tensor of {@code v}'s shape, dtype and device, owned by the caller's scope
     * @throws IllegalArgumentException if {@code step} is not a finite number &gt; 0, or {@code v} does not fit
     *                                  the function (shape, rank, group positions)
     */
    Tensor prox(Tensor v, double step);

    /**
     * f(x). An indicator function is 0 inside its set (up to a rounding tolerance of the dtype) and +∞ outside.
     *
     * @param x the point (floating point)
     * @return the value
     * @throws IllegalArgumentException if {@code x} does not fit the function
     */
    double value(Tensor x);

    /**
     * f = 0: the prox is the identity (a copy), for plain gradient descent in the proximal solvers.
     *
     * @return the zero function
     */
    static Prox zero() {
        return new ProxOperators.Zero();
    }

    /**
     * f(x) = λ‖x‖₁; the prox is the soft threshold sign(v)·max(|v| − tλ, 0).
     *
     * @param lambda λ ≥ 0
     * @return the operator
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite
     */
    static Prox l1(double lambda) {
        return new ProxOperators.L1(lambda);
    }

    /**
     * f(x) = λ‖x‖₂ over all elements; the prox is the block soft threshold v·max(1 − tλ/‖v‖₂, 0).
     *
     * @param lambda λ ≥ 0
     * @return the operator
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite
     */
    static Prox l2(double lambda) {
        return new ProxOperators.L2(lambda);
    }

    /**
     * The group lasso penalty f(x) = λ Σ_g ‖x_g‖₂ (the ℓ2,1 norm for the rows of a matrix); the prox applies
     * the block soft threshold to each group and leaves elements in no group unchanged.
     *
     * @param lambda λ ≥ 0
     * @param groups the groups
     * @return the operator
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite, or {@code groups} is null
     */
    static Prox groupL2(double lambda, Groups groups) {
        return new ProxOperators.GroupL2(lambda, groups);
    }

    /**
     * The nuclear norm f(X) = λ Σ σᵢ(X) of a matrix (or of each matrix of a stack, summed); the prox is
     * singular value thresholding U·diag(max(σ − tλ, 0))·Vᵀ from the core's SVD.
     *
     * @param lambda λ ≥ 0
     * @return the operator
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite
     */
    static Prox nuclear(double lambda) {
        return new ProxOperators.Nuclear(lambda);
    }

    /**
     * The indicator of the box {@code [lower, upper]} (every element); the prox clamps.
     *
     * @param lower the lower bound (may be −∞)
     * @param upper the upper bound (may be +∞), ≥ {@code lower}
     * @return the operator
     * @throws IllegalArgumentException if a bound is NaN or {@code lower > upper}
     */
    static Prox box(double lower, double upper) {
        return new ProxOperators.Box(lower, upper);
    }

    /**
     * The indicator of the Euclidean ball ‖x‖₂ ≤ r; the prox scales v down to the sphere when it is outside.
     *
     * @param radius r &gt; 0
     * @return the operator
     * @throws IllegalArgumentException if {@code radius} is not a finite number &gt; 0
     */
    static Prox l2Ball(double radius) {
        return new ProxOperators.L2Ball(radius);
    }

    /**
     * The indicator of the simplex {x ≥ 0, Σx = r} (all elements); the prox is the Euclidean projection
     * max(v − θ, 0) with θ = maxⱼ (Σ_{i≤j} u_i − r)/j over the values u sorted in decreasing order
     * (Held, Wolfe and Crowder 1974; Duchi et al. 2008).
     *
     * @param radius r &gt; 0 (1 for probability vectors)
     * @return the operator
     * @throws IllegalArgumentException if {@code radius} is not a finite number &gt; 0
     */
    static Prox simplex(double radius) {
        return new ProxOperators.Simplex(radius);
    }

    /**
     * The indicator of the ℓ1 ball ‖x‖₁ ≤ r; the prox is sign(v)·max(|v| − θ, 0) with θ ≥ 0 from the simplex
     * projection of |v| (θ = 0 inside the ball).
     *
     * @param radius r &gt; 0
     * @return the operator
     * @throws IllegalArgumentException if {@code radius} is not a finite number &gt; 0
     */
    static Prox l1Ball(double radius) {
        return new ProxOperators.L1Ball(radius);
    }

    /**
     * The SCAD penalty of Fan and Li (2001), elementwise: λ|x| for |x| ≤ λ, (2aλ|x| − x² − λ²)/(2(a − 1)) for
     * λ &lt; |x| ≤ aλ, λ²(a + 1)/2 beyond. The prox with step t &lt; a − 1 (where the prox objective is convex)
     * is soft(v, tλ) for |v| ≤ (1 + t)λ, ((a − 1)v − sign(v)·taλ)/(a − 1 − t) for |v| ≤ aλ, v beyond.
     *
     * @param lambda λ ≥ 0
     * @param a      the concavity parameter a &gt; 2 (3.7 in the paper)
     * @return the operator; its prox refuses steps ≥ a − 1
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite, or {@code a} is not a
     *                                  finite number &gt; 2
     */
    static Prox scad(double lambda, double a) {
        return new ProxOperators.Scad(lambda, a);
    }

    /**
     * The minimax concave penalty of Zhang (2010), elementwise: λ|x| − x²/(2γ) for |x| ≤ γλ, γλ²/2 beyond. The
     * prox with step t &lt; γ is the firm threshold: 0 for |v| ≤ tλ, sign(v)(|v| − tλ)/(1 − t/γ) for |v| ≤ γλ,
     * v beyond.
     *
     * @param lambda λ ≥ 0
     * @param gamma  γ &gt; 0
     * @return the operator; its prox refuses steps ≥ γ
     * @throws IllegalArgumentException if {@code lambda} is negative, NaN or infinite, or {@code gamma} is not
     *                                  a finite number &gt; 0
     */
    static Prox mcp(double lambda, double gamma) {
        return new ProxOperators.Mcp(lambda, gamma);
    }

    /**
     * The weighted group sparse envelope function (WGSEF) of Refael, Arbel and Huleihel, "Learning k-Level
     * Structured Sparse Neural Networks Using Group Envelope Regularization": the convex envelope of
     * ½ Σ_g d_g‖x_g‖² restricted to vectors with at most k non-zero groups. With c_g = √d_g·‖x_g‖ sorted
     * decreasingly it is ½‖c‖²_(k) (the half-squared k-support norm of c): ½(Σ_{i≤ℓ} c_i² + (Σ_{i&gt;ℓ} c_i)²/(k − ℓ))
     * with ℓ the index where c_ℓ &gt; Σ_{i&gt;ℓ} c_i/(k − ℓ) ≥ c_{ℓ+1}. Its conjugate is ½ × the sum of the k
     * largest ‖y_g‖²/d_g, and the prox follows from Moreau's identity in closed form up to one scalar μ:
     * x_g = v_g·w_g/(w_g + t·d_g) with w_g = clip(μ·√d_g‖v_g‖ − t·d_g, 0, 1) and Σ w_g = k, μ found exactly from
     * the sorted breakpoints (O(G log G) for G groups). Groups with w_g = 0 are set to zero; at most k groups
     * are kept whole.
     *
     * @param k       the sparsity level: the number of groups kept, 1 ≤ k ≤ the number of groups
     * @param groups  the groups
     * @param weights the weight d_g &gt; 0 of each group, or null for all 1
     * @return the operator
     * @throws IllegalArgumentException if {@code k} &lt; 1, {@code groups} is null, or a weight is not a finite
     *                                  number &gt; 0; its prox and value refuse a tensor with fewer than k groups
     *                                  or another number of groups than of weights
     */
    static Prox groupSparseEnvelope(int k, Groups groups, double[] weights) {
        return new ProxOperators.GroupSparseEnvelope(k, groups, weights);
    }

    /**
     * f(x) = ½‖Ax − b‖² for a matrix A and a vector b, whose prox solves (AᵀA + I/t)x = Aᵀb + v/t: the x-update of
     * ADMM for the lasso. The tensors are used, not copied: the caller keeps them open while the operator is
     * used.
     *
     * @param a the m × n matrix A (floating point)
     * @param b the vector b of length m
     * @return the operator
     * @throws IllegalArgumentException if A is not 2-D or b's length is not A's row count
     */
    static Prox leastSquares(Tensor a, Tensor b) {
        return new ProxOperators.LeastSquares(a, b);
    }

    /**
     * The prox of a smooth convex function, computed by Newton's method on f(x) + ‖x − v‖²/(2t) from x = v: each
     * Newton direction solves (∇²f(x) + I/t)d = −(∇f(x) + (x − v)/t) by {@link ConjugateGradient} with
     * {@link Smooth#hessianVectorProduct Hessian-vector products}, followed by an Armijo backtracking step; it
     * stops when the gradient of the prox objective is below 1e-11·max(1, ‖v‖/t), when the line search finds no
     * decrease, or after 20 Newton steps. A
     * quadratic f takes one Newton step. This makes ADMM's x-update for any smooth f
     * ({@link Admm#solve(Smooth, Prox, Tensor)}).
     *
     * @param f the smooth convex function
     * @return the operator; its value is f(x)
     * @throws IllegalArgumentException if {@code f} is null
     */
    static Prox smooth(Smooth f) {
        return new ProxOperators.SmoothProx(f);
    }
}
