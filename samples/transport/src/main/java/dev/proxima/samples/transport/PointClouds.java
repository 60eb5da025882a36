package dev.proxima.samples.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * The point-cloud half of the demo: two 2-D clouds to match (a noisy ring and a Gaussian blob) and the picture
 * of a matching: two panels side by side, each with both clouds and the links of a transport plan.
 */
final class PointClouds {

    /** The window of the plane drawn in a panel: [−EXTENT, EXTENT]² (y up). */
    static final double EXTENT = 1.25;
    static final double[] BACKGROUND = {1, 1, 1};
    static final double[] SOURCE_COLOUR = {0.12, 0.38, 0.75};
    static final double[] TARGET_COLOUR = {0.90, 0.45, 0.10};
    static final double[] LINK_COLOUR = {0.25, 0.25, 0.25};
    /** A Sinkhorn link is drawn when it carries at least this share of its source point's mass. */
    static final double LINK_SHARE = 0.1;

    private PointClouds() {
    }

    /**
     * Points on a ring: radius 1 around the origin, angles uniform, the radius perturbed by Gaussian noise.
     *
     * @param n     the number of points
     * @param noise the standard deviation of the radius
     * @param rng   the random stream
     * @return a new F64 tensor {@code (n, 2)}
     */
    static Tensor ring(int n, double noise, Rng rng) {
        try (Scope scope = Scope.open()) {
            Tensor angle = rng.uniform(DType.F64, 0, 2 * Math.PI, n, 1);
            Tensor radius = rng.normal(DType.F64, 1, noise, n, 1);
            return scope.keep(Tensor.concat(1, radius.mul(angle.cos()), radius.mul(angle.sin())));
        }
    }

    /**
     * Points of an isotropic Gaussian blob.
     *
     * @param n      the number of points
     * @param centre the mean {x, y}
     * @param std    the standard deviation along each axis
     * @param rng    the random stream
     * @return a new F64 tensor {@code (n, 2)}
     */
    static Tensor blob(int n, double[] centre, double std, Rng rng) {
        try (Scope scope = Scope.open()) {
            return scope.keep(rng.normal(DType.F64, 0, std, n, 2).add(Tensor.of(centre)));
        }
    }

    /**
     * The links of a plan worth drawing, as opacities: entry {@code (i, j)} gets {@code P_ij / Σ_k P_ik} (the
     * share of source point i's mass it carries) when that share is at least {@code minShare}, else 0.
     *
     * @param plan     the plan {@code (n, m)}
     * @param minShare the smallest share drawn, in (0, 1]
     * @return {@code n·m} opacities, row-major
     */
    static double[] linkOpacities(Tensor plan, double minShare) {
        int n = (int) plan.dim(0);
        int m = (int) plan.dim(1);
        double[] p = plan.toDoubleArray();
        double[] share = new double[p.length];
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < m; j++) {
                row += p[i * m + j];
            }
            for (int j = 0; j < m && row > 0; j++) {
                double s = p[i * m + j] / row;
                share[i * m + j] = s >= minShare ? s : 0;
            }
        }
        return share;
    }

    /**
     * Draws one panel: the links (grey, with the given opacities), then the source points (blue) and the
     * target points (orange) on top.
     *
     * @param canvas    where to draw
     * @param left      the panel's first column
     * @param side      the panel's width and height in pixels
     * @param x         source points {@code (n, 2)}
     * @param y         target points {@code (m, 2)}
     * @param opacities {@code n·m} link opacities, row-major (0: not drawn)
     * @throws IllegalArgumentException if the opacities do not match the clouds
     */
    static void panel(Canvas canvas, int left, int side, Tensor x, Tensor y, double[] opacities) {
        double[] xs = x.toDoubleArray();
        double[] ys = y.toDoubleArray();
        int n = xs.length / 2;
        int m = ys.length / 2;
        if (opacities.length != n * m) {
            throw new IllegalArgumentException("expected " + n + " x " + m + " link opacities, got " + opacities.length);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double alpha = opacities[i * m + j];
                if (alpha > 0) {
                    canvas.line(column(left, side, xs[2 * i]), row(side, xs[2 * i + 1]),
                            column(left, side, ys[2 * j]), row(side, ys[2 * j + 1]), LINK_COLOUR, 0.8 * alpha);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            canvas.disc(column(left, side, xs[2 * i]), row(side, xs[2 * i + 1]), 2.5, SOURCE_COLOUR, 1);
        }
        for (int j = 0; j < m; j++) {
            canvas.disc(column(left, side, ys[2 * j]), row(side, ys[2 * j + 1]), 2.5, TARGET_COLOUR, 1);
        }
    }

    /**
     * The column of a plane coordinate in a panel.
     *
     * @param left the panel's first column
     * @param side the panel's side in pixels
     * @param x    the plane coordinate
     * @return the column (fractional)
     */
    static double column(int left, int side, double x) {
        return left + (x + EXTENT) / (2 * EXTENT) * (side - 1);
    }

    /**
     * The row of a plane coordinate (y up) in a panel.
     *
     * @param side the panel's side in pixels
     * @param y    the plane coordinate
     * @return the row (fractional)
     */
    static double row(int side, double y) {
        return (EXTENT - y) / (2 * EXTENT) * (side - 1);
    }
}
