package dev.proxima.optim.internal;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * The quintic Newton–Schulz iteration that maps a matrix {@code G = U Σ Vᵀ} to approximately its polar factor
 * {@code U Vᵀ} with matrix products only (Muon's "zeroth power"; Jordan et al. 2024; Bernstein &amp; Newhouse 2024).
 *
 * <pre>
 *   X₀ = G / (‖G‖_F + ε)                  (transposed first when G has more rows than columns)
 *   A  = X Xᵀ,   X ← a X + (b A + c A²) X  (steps times)
 * </pre>
 * Each step applies {@code p(σ) = aσ + bσ³ + cσ⁵} to every singular value and keeps the singular vectors. With
 * Muon's coefficients {@code (3.4445, −4.7750, 2.0315)} five steps send every singular value in {@code (0, 1]} that
 * is not tiny into about {@code [0.7, 1.2]}: the iteration trades exactness for a steep slope at 0.
 */
public final class NewtonSchulz {

    /** Muon's quintic coefficients (Keller Jordan's fit for five steps). */
    public static final double[] MUON_COEFFICIENTS = {3.4445, -4.7750, 2.0315};

    /** The number of steps Muon uses. */
    public static final int MUON_STEPS = 5;

    /** Added to the Frobenius norm before dividing, so that a zero matrix stays zero (Muon's 1e−7). */
    public static final double EPS = 1e-7;

    private NewtonSchulz() {
    }

    /**
     * {@code steps} quintic Newton–Schulz steps on a matrix, all with the same coefficients.
     *
     * @param g            the matrix, F32 or F64, rank 2; not modified
     * @param coefficients {@code {a, b, c}}
     * @param steps        the number of steps, ≥ 0
     * @return a new matrix of {@code g}'s shape and dtype, in the current scope
     * @throws IllegalArgumentException if {@code g} is not a matrix or not floating point, or the coefficients
     *                                  are not three finite numbers, or {@code steps} is negative
     */
    public static Tensor orthogonalize(Tensor g, double[] coefficients, int steps) {
        check(g);
        if (coefficients == null || coefficients.length != 3) {
            throw new IllegalArgumentException("Newton–Schulz needs three coefficients {a, b, c} of a·x + b·x³ + c·x⁵");
        }
        for (double v : coefficients) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("Newton–Schulz coefficients must be finite, got " + java.util.Arrays.toString(coefficients));
            }
        }
        if (steps < 0) {
            throw new IllegalArgumentException("the number of Newton–Schulz steps must be ≥ 0, got " + steps);
        }
        boolean tall = g.dim(0) > g.dim(1);
        double a = coefficients[0];
        double b = coefficients[1];
        double c = coefficients[2];
        try (Scope scope = Scope.open()) {
            Tensor x = tall ? g.transpose() : g;
            x = x.div(x.norm().add(EPS));
            for (int i = 0; i < steps; i++) {
                Tensor gram = x.matmul(x.transpose());
                Tensor poly = gram.mul(b).add(gram.matmul(gram).mul(c));
                x = x.mul(a).add(poly.matmul(x));
            }
            return scope.keep((tall ? x.transpose() : x).contiguous());
        }
    }

    /**
     * Muon's scale for an orthogonalized {@code rows × cols} update, {@code √max(1, rows / cols)}, which keeps the
     * update's RMS size comparable across shapes.
     *
     * @param rows the number of rows, ≥ 1
     * @param cols the number of columns, ≥ 1
     * @return the factor
     */
    public static double muonScale(long rows, long cols) {
        return Math.sqrt(Math.max(1.0, (double) rows / cols));
    }

    private static void check(Tensor g) {
        if (g == null) {
            throw new IllegalArgumentException("Newton–Schulz needs a matrix, got null");
        }
        if (g.rank() != 2) {
            throw new IllegalArgumentException("Newton–Schulz orthogonalizes matrices (rank 2), got shape "
                    + java.util.Arrays.toString(g.shape()));
        }
        if (!g.dtype().isFloating()) {
            throw new IllegalArgumentException("Newton–Schulz needs an F32 or F64 matrix, got " + g.dtype());
        }
    }
}
