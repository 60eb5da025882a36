package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.PlanSums;

import java.util.Arrays;

/**
 * What {@link Sinkhorn#solve} found: the dual potentials, the regularised objective, the iteration count and the
 * marginal-error history. Not converging within the iteration budget is reported here ({@link #converged()} false),
 * never thrown. The plan and the transport cost are computed on request from the potentials (for an online
 * geometry the cost is streamed in blocks of rows; the plan is formed).
 *
 * <p>The plan is {@code P_ij = a_i·b_j·exp((f_i + g_j − C_ij)/ε)}. For a balanced problem the regularised objective is
 * {@code OT_ε = min_P ⟨P, C⟩ + ε·KL(P ‖ a⊗b)} evaluated at the returned potentials by its dual formula
 * {@code ⟨a, f⟩ + ⟨b, g⟩ − ε·(Σ P − Σa·Σb)} (equal to the primal value at convergence); for an unbalanced problem
 * it is POT's objective {@code ⟨P, C⟩ + ε·Σ P(log P − 1) + τ_a·KL(P·1 ‖ a) + τ_b·KL(Pᵀ·1 ‖ b)}.
 *
 * <p>Tensors are owned by the scope that was current when {@code solve} ran. In the {@link Sinkhorn.Gradients#ENVELOPE}
 * mode {@link #regularizedCost()} of a balanced problem is differentiable in the cost (or points) and weights, and
 * the other values are constants; in the {@link Sinkhorn.Gradients#UNROLLED} mode every value is differentiable
 * through the iterations.
 *
 * {@snippet :
 * SinkhornOutput out = Sinkhorn.builder(0.05).build().solve(LinearProblem.of(PointCloud.of(x, y)));
 * if (out.converged()) {
 *     Tensor plan = out.plan();
 *     double cost = out.cost().item();
 * }
 * }
 *
 * @param f               the source potential, {@code [n]} or {@code [B, n]}
 * @param g               the target potential, {@code [m]} or {@code [B, m]}
 * @param regularizedCost the regularised objective (see above), 0-d or {@code [B]}
 * @param iterations      the iterations run (each updates g then f)
 * @param errors          the marginal error after each iteration (for unbalanced problems the same formula, a
 *                        fixed-point residual); the maximum over a batch; NaN for iterations of a larger annealed ε
 * @param converged       whether the error fell below the tolerance within the budget
 * @param problem         the problem solved
 * @param epsilon         the regularisation ε
 * @param gradients       how the values are differentiable
 */
public record SinkhornOutput(Tensor f, Tensor g, Tensor regularizedCost, int iterations, double[] errors, boolean converged,
                             LinearProblem problem, double epsilon, Sinkhorn.Gradients gradients) {

    /**
     * The record's canonical constructor; {@code errors} is copied.
     *
     * @throws NullPointerException if a reference is null
     */
    public SinkhornOutput {
        errors = errors.clone();
    }

    /**
     * The marginal errors, one per iteration.
     *
     * @return a copy of the history
     */
    @Override
    public double[] errors() {
        return errors.clone();
    }

    /**
     * The last marginal error.
     *
     * @return the error of the returned potentials, NaN if no iteration ran at the target ε
     */
    public double error() {
        return errors.length == 0 ? Double.NaN : errors[errors.length - 1];
    }

    /**
     * The transport plan {@code P_ij = a_i·b_j·exp((f_i + g_j − C_ij)/ε)}, formed densely (also for an online
     * geometry).
     *
     * @return P, {@code [n, m]} or {@code [B, n, m]}, owned by the current scope
     */
    public Tensor plan() {
        try (Autodiff.GradMode mode = gradients == Sinkhorn.Gradients.UNROLLED ? null : Autodiff.noGrad()) {
            return PlanSums.plan(problem.geometry(), f, g, problem.a(), problem.b(), epsilon);
        }
    }

    /**
     * The transport cost {@code ⟨P, C⟩} without the entropy term (POT's {@code sinkhorn2}), streamed over blocks of
     * rows for an online geometry.
     *
     * @return the cost, 0-d or {@code [B]}, owned by the current scope
     */
    public Tensor cost() {
        try (Autodiff.GradMode mode = gradients == Sinkhorn.Gradients.UNROLLED ? null : Autodiff.noGrad()) {
            return PlanSums.of(problem.geometry(), f, g, problem.a(), problem.b(), epsilon, false).transportCost();
        }
    }

    @Override
    public String toString() {
        return "SinkhornOutput[iterations=" + iterations + ", converged=" + converged + ", error=" + error()
                + ", epsilon=" + epsilon + ", f " + Arrays.toString(f.shape()) + ", g " + Arrays.toString(g.shape()) + "]";
    }
}
