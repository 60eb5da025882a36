package dev.proxima.optim;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Function;

/**
 * A test problem with a known Hessian: L(θ) = ½ θᵀHθ − cᵀθ over a parameter tree {a: [3], b: [2]}
 * (θ = [a; b]), with H = Q·diag(λ)·Qᵀ for the Householder reflection Q = I − 2uuᵀ/uᵀu, so that H's
 * eigenvalues are exactly λ.
 */
public final class Quadratics {

    /** The eigenvalues of the test Hessian. */
    public static final double[] EIGENVALUES = {5.0, 3.0, 2.0, -1.0, 0.5};
    static final double[] U = {1.0, -2.0, 0.5, 1.5, -1.0};

    private Quadratics() {
    }

    /** {@return the dense 5×5 Hessian, row-major} */
    public static double[][] hessian(double[] eigenvalues) {
        int n = eigenvalues.length;
        double uu = 0;
        for (double x : U) {
            uu += x * x;
        }
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = (i == j ? 1 : 0) - 2 * U[i] * U[j] / uu;
            }
        }
        double[][] h = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i][k] * eigenvalues[k] * q[j][k];
                }
                h[i][j] = s;
            }
        }
        return h;
    }

    /** {@return H as a [5, 5] F64 tensor} */
    public static Tensor hessianTensor(double[] eigenvalues) {
        double[][] h = hessian(eigenvalues);
        double[] flat = new double[25];
        for (int i = 0; i < 5; i++) {
            System.arraycopy(h[i], 0, flat, 5 * i, 5);
        }
        return Tensor.of(flat).reshape(5, 5);
    }

    /** {@return the loss ½θᵀHθ − cᵀθ as a function of the tree {a, b}} */
    public static Function<TensorTree, Tensor> loss(Tensor h, Tensor c) {
        return p -> {
            Tensor theta = Tensor.concat(0, p.get("a"), p.get("b"));
            return theta.matmul(h.matmul(theta)).mul(0.5).sub(theta.mul(c).sum());
        };
    }

    /** {@return a parameter tree {a: [3], b: [2]} with the given values} */
    public static TensorTree params(double... theta) {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(theta[0], theta[1], theta[2]));
        m.put("b", Tensor.of(theta[3], theta[4]));
        return TensorTree.ofTensors(m);
    }

    /** {@return the tree's leaves concatenated in order, as doubles} */
    public static double[] flat(TensorTree t) {
        double[] a = t.get("a").toDoubleArray();
        double[] b = t.get("b").toDoubleArray();
        return new double[]{a[0], a[1], a[2], b[0], b[1]};
    }

    static DType dtype() {
        return DType.F64;
    }
}
