/**
 * Proximal operators and solvers for structured optimisation problems.
 *
 * <p>{@link dev.proxima.optim.prox.Prox} is the one interface of the non-smooth parts (norms, penalties, indicator
 * functions and their projections); {@link dev.proxima.optim.prox.Smooth} the smooth parts, differentiated by
 * the core's autodiff or by hand. The solvers take them and return a
 * {@link dev.proxima.optim.prox.SolverResult} (solution, iterations, objective and residual histories,
 * converged):
 * <ul>
 * <li>{@link dev.proxima.optim.prox.ProximalGradient}: PGD/ISTA and FISTA, fixed step or backtracking, adaptive
 * restart;</li>
 * <li>{@link dev.proxima.optim.prox.Admm} (consensus and linear-constraint forms, over-relaxation) and
 * {@link dev.proxima.optim.prox.LinearizedAdmm};</li>
 * <li>{@link dev.proxima.optim.prox.BlockCoordinateDescent} with the Gauss–Southwell and
 * Gauss–Southwell–Lipschitz rules;</li>
 * <li>{@link dev.proxima.optim.prox.ConjugateGradient}, optionally preconditioned;</li>
 * <li>{@link dev.proxima.optim.prox.SketchedAugmentedLagrangian} for equality constraints;</li>
 * <li>{@link dev.proxima.optim.prox.OptimisticMirrorDescent} for online learning and matrix games.</li>
 * </ul>
 * Everything is written with tensor ops and runs on any device; iterates are freed as the solvers go, and the
 * results belong to the caller's scope.
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Smooth fit = Smooth.of(x -> a.matmul(x).sub(b).square().sum().mul(0.5));
 *     SolverResult lasso = ProximalGradient.builder().step(1 / lipschitz).accelerated(true).adaptiveRestart(true)
 *             .build().solve(fit, Prox.l1(0.1), Tensor.zeros(DType.F64, n));
 *     double[] x = lasso.solution().toDoubleArray();
 * }
 * }
 */
package dev.proxima.optim.prox;
