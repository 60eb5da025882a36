package com.example.consumer;

import dev.proxima.io.Npy;
import dev.proxima.nn.Linear;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Uses Proxima from the outside: a matrix product, a linear solve, a gradient, a layer and an {@code .npy}
 * round trip. Prints each result and checks it against its closed form; any mismatch ends the program with
 * an exception (exit status 1).
 */
public final class Main {

    private Main() {
    }

    /**
     * Runs the computations.
     *
     * @param args an optional folder for the {@code .npy} file (default: a temporary folder)
     * @throws Exception if a result is wrong or the file cannot be written
     */
    public static void main(String[] args) throws Exception {
        System.out.println("Proxima " + Proxima.version() + " on Java " + Runtime.version());
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 12, 1, DType.F32).reshape(3, 4);
            Tensor gram = x.matmul(x.transpose());
            System.out.println("x·xᵀ = " + Arrays.toString(gram.toDoubleArray()));
            // row i of x is 4i..4i+3, so (x·xᵀ)[i][j] = Σ_k (4i+k)(4j+k)
            check("x·xᵀ", new double[]{14, 38, 62, 38, 126, 214, 62, 214, 366}, gram.toDoubleArray(), 0);

            Tensor a = Tensor.of(4.0, 1.0, 1.0, 3.0).reshape(2, 2);
            Tensor b = Tensor.of(1.0, 2.0);
            Tensor solution = Linalg.solve(a, b);
            System.out.println("solve([[4, 1], [1, 3]], [1, 2]) = " + Arrays.toString(solution.toDoubleArray()));
            check("solve", new double[]{1.0 / 11, 7.0 / 11}, solution.toDoubleArray(), 1e-12);

            Tensor w = Tensor.of(1.0, 2.0, 3.0);
            Tensor g = Autodiff.grad(t -> t.pow(3).sum(), w);
            System.out.println("d/dw Σw³ = " + Arrays.toString(g.toDoubleArray()));
            check("gradient", new double[]{3, 12, 27}, g.toDoubleArray(), 1e-12);

            Linear layer = new Linear(4, 2, Rng.seed(7));
            Tensor y = layer.forward(x);
            System.out.println("Linear(4 → 2) on x: shape " + Arrays.toString(y.shape()) + ", "
                    + layer.parameterCount() + " parameters");
            check("layer output shape", new double[]{3, 2}, Arrays.stream(y.shape()).asDoubleStream().toArray(), 0);
            check("parameter count", new double[]{4 * 2 + 2}, new double[]{layer.parameterCount()}, 0);
            layer.close();

            Path dir = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("proxima-consumer");
            Path file = dir.resolve("gram.npy");
            Npy.write(file, gram);
            Tensor back = Npy.read(file);
            System.out.println("wrote and read " + file + " (" + Files.size(file) + " bytes): "
                    + Arrays.toString(back.toDoubleArray()));
            check(".npy round trip", gram.toDoubleArray(), back.toDoubleArray(), 0);
        }
        if (Memory.allocatedBytes() != 0) {
            throw new IllegalStateException(Memory.allocatedBytes() + " bytes still allocated after the scope closed");
        }
        System.out.println("all results as expected");
    }

    private static void check(String what, double[] expected, double[] actual, double tolerance) {
        boolean ok = expected.length == actual.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = Math.abs(expected[i] - actual[i]) <= tolerance;
        }
        if (!ok) {
            throw new IllegalStateException(what + ": expected " + Arrays.toString(expected) + " but got " + Arrays.toString(actual));
        }
    }
}
