package dev.proxima.samples.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The steps of colour transfer by optimal transport that do not depend on the solver: an image's pixels as
 * points of the RGB cube, random samples of them, the barycentric projection of a transport plan, and the
 * out-of-sample map that moves every pixel by the displacement of its nearest sampled colour (POT's
 * {@code BaseTransport.transform} rule).
 */
final class ColourTransfer {

    private ColourTransfer() {
    }

    /**
     * The pixels of an RGB image as points of the colour cube.
     *
     * @param image an image {@code (H, W, 3)} with values in [0, 1], as {@code Png.read} gives it
     * @return a new F64 tensor {@code (H·W, 3)}, row-major pixel order
     * @throws IllegalArgumentException if the image is not {@code (H, W, 3)}
     */
    static Tensor pixels(Tensor image) {
        long[] s = image.shape();
        if (s.length != 3 || s[2] != 3) {
            throw new IllegalArgumentException("an RGB image (H, W, 3) was expected, got shape " + Arrays.toString(s));
        }
        try (Scope scope = Scope.open()) {
            return scope.keep(image.cast(DType.F64).reshape(s[0] * s[1], 3));
        }
    }

    /**
     * {@code count} distinct pixels drawn uniformly at random (without replacement).
     *
     * @param pixels the points {@code (N, 3)}
     * @param count  how many to draw, 1 to N
     * @param rng    the random stream
     * @return a new tensor {@code (count, 3)}
     * @throws IllegalArgumentException if {@code count} is outside 1..N
     */
    static Tensor sample(Tensor pixels, int count, Rng rng) {
        long n = pixels.dim(0);
        if (count < 1 || count > n) {
            throw new IllegalArgumentException("sample count must be in 1.." + n + " (the number of pixels), got " + count);
        }
        try (Scope scope = Scope.open()) {
            return scope.keep(pixels.indexSelect(0, rng.choice(n, count, false, null)));
        }
    }

    /**
     * The barycentric projection of a transport plan: source sample {@code i} goes to
     * {@code Σ_j P_ij y_j / Σ_j P_ij}, the plan-weighted mean of the target samples it sends mass to. For an
     * EMD plan between equal-size uniform samples (a permutation) it is the matched target sample itself.
     *
     * @param plan          the plan {@code (n, m)}, non-negative, every row with positive mass
     * @param targetSamples the target samples {@code (m, d)}
     * @return a new tensor {@code (n, d)}
     * @throws IllegalArgumentException if the shapes do not fit or a row of the plan carries no mass
     */
    static Tensor barycentricProjection(Tensor plan, Tensor targetSamples) {
        if (plan.rank() != 2 || targetSamples.rank() != 2 || plan.dim(1) != targetSamples.dim(0)) {
            throw new IllegalArgumentException("plan (n, m) and target samples (m, d) expected, got "
                    + Arrays.toString(plan.shape()) + " and " + Arrays.toString(targetSamples.shape()));
        }
        try (Scope scope = Scope.open()) {
            Tensor mass = plan.sum(new int[] {1}, true);
            double least = mass.min().item();
            if (!(least > 0)) {
                throw new IllegalArgumentException("every row of the plan must carry mass, the smallest row sum is " + least);
            }
            return scope.keep(plan.div(mass).matmul(targetSamples));
        }
    }

    /**
     * For every point, the index of its nearest sample (squared Euclidean distance, the first on ties). A plain
     * loop, parallel over points: with 3-D colours the search is a few flops per pair, so forming the
     * {@code N × n} distance matrix with tensor ops (a gemm with an inner dimension of 3, then an argmin) would
     * spend its time moving that matrix through memory.
     *
     * @param points  the points {@code (N, d)}
     * @param samples the samples {@code (n, d)}, n ≥ 1
     * @return a new I64 tensor {@code (N)}
     * @throws IllegalArgumentException if the tensors are not matrices of the same dimension d, or there are no
     *                                  samples
     */
    static Tensor nearest(Tensor points, Tensor samples) {
        if (points.rank() != 2 || samples.rank() != 2 || points.dim(1) != samples.dim(1) || samples.dim(0) == 0) {
            throw new IllegalArgumentException("points (N, d) and at least one sample (n, d) expected, got "
                    + Arrays.toString(points.shape()) + " and " + Arrays.toString(samples.shape()));
        }
        int d = (int) points.dim(1);
        int n = (int) samples.dim(0);
        double[] p = points.toDoubleArray();
        double[] s = samples.toDoubleArray();
        long[] nearest = new long[(int) points.dim(0)];
        IntStream.range(0, nearest.length).parallel().forEach(i -> {
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                double distance = 0;
                for (int c = 0; c < d; c++) {
                    double diff = p[i * d + c] - s[k * d + c];
                    distance += diff * diff;
                }
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = k;
                }
            }
            nearest[i] = best;
        });
        return Tensor.of(nearest);
    }

    /**
     * Moves every pixel by the displacement its nearest source sample undergoes,
     * {@code x + (mapped[k] − samples[k])} with {@code k} the nearest sample of {@code x}, then clamps to the
     * colour cube. Pixels that are samples land exactly on their mapped colour.
     *
     * @param pixels        the pixels {@code (N, 3)}
     * @param nearest       the index of each pixel's nearest source sample {@code (N)}, as {@link #nearest} gives
     *                      it (the same for every plan between the same samples)
     * @param sourceSamples the sampled source colours {@code (n, 3)}
     * @param mappedSamples where the transport sends them {@code (n, 3)}, e.g. the barycentric projection
     * @return a new tensor {@code (N, 3)} with values in [0, 1]
     * @throws IllegalArgumentException if the sample tensors differ in shape or the indices do not fit the pixels
     */
    static Tensor recolour(Tensor pixels, Tensor nearest, Tensor sourceSamples, Tensor mappedSamples) {
        if (!Arrays.equals(sourceSamples.shape(), mappedSamples.shape())) {
            throw new IllegalArgumentException("source and mapped samples must have the same shape, got "
                    + Arrays.toString(sourceSamples.shape()) + " and " + Arrays.toString(mappedSamples.shape()));
        }
        if (nearest.rank() != 1 || nearest.dim(0) != pixels.dim(0)) {
            throw new IllegalArgumentException("one nearest-sample index per pixel expected: " + pixels.dim(0)
                    + " pixels, got indices of shape " + Arrays.toString(nearest.shape()));
        }
        try (Scope scope = Scope.open()) {
            Tensor shift = mappedSamples.sub(sourceSamples).indexSelect(0, nearest);
            return scope.keep(pixels.add(shift).clamp(0.0, 1.0));
        }
    }

    /**
     * Pixels back as an image.
     *
     * @param pixels the pixels {@code (H·W, 3)}
     * @param height the image height H
     * @param width  the image width W
     * @return a new F32 tensor {@code (H, W, 3)}
     */
    static Tensor image(Tensor pixels, long height, long width) {
        try (Scope scope = Scope.open()) {
            return scope.keep(pixels.reshape(height, width, 3).cast(DType.F32));
        }
    }
}
