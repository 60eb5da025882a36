package dev.proxima.samples.transport;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * A small RGB raster for the point-cloud picture: anti-aliased line segments and filled discs blended over a
 * background, in plain float arrays, handed to the PNG writer as an {@code (H, W, 3)} tensor. Coordinates are
 * in pixels, {@code x} to the right and {@code y} down, pixel centres at integer coordinates; anything outside
 * the canvas is clipped.
 */
final class Canvas {

    private final int width;
    private final int height;
    private final float[] rgb;

    /**
     * A canvas filled with one colour.
     *
     * @param width      pixels across, ≥ 1
     * @param height     pixels down, ≥ 1
     * @param background the colour {r, g, b} in [0, 1]
     * @throws IllegalArgumentException if a side is not positive or the colour does not have three components
     */
    Canvas(int width, int height, double[] background) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("canvas sides must be positive, got " + width + " x " + height);
        }
        checkColour(background);
        this.width = width;
        this.height = height;
        this.rgb = new float[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        for (int p = 0; p < width * height; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = (float) background[c];
            }
        }
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /**
     * Blends {@code colour} into one pixel with opacity {@code alpha}; pixels outside the canvas are ignored.
     *
     * @param x      column
     * @param y      row
     * @param colour {r, g, b}
     * @param alpha  opacity in [0, 1] (values outside are clamped)
     */
    void blend(int x, int y, double[] colour, double alpha) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return;
        }
        float a = (float) Math.max(0, Math.min(1, alpha));
        int at = 3 * (y * width + x);
        for (int c = 0; c < 3; c++) {
            rgb[at + c] += a * ((float) colour[c] - rgb[at + c]);
        }
    }

    /**
     * The colour of one pixel.
     *
     * @param x column, in 0..width−1
     * @param y row, in 0..height−1
     * @return {r, g, b}
     */
    double[] pixel(int x, int y) {
        int at = 3 * (y * width + x);
        return new double[] {rgb[at], rgb[at + 1], rgb[at + 2]};
    }

    /**
     * An anti-aliased segment one pixel wide: one step per pixel along the major axis, the coverage shared
     * between the two pixels that straddle the exact position along the minor axis (Wu's method).
     *
     * @param x0     start column
     * @param y0     start row
     * @param x1     end column
     * @param y1     end row
     * @param colour {r, g, b}
     * @param alpha  opacity of the segment in [0, 1]
     */
    void line(double x0, double y0, double x1, double y1, double[] colour, double alpha) {
        checkColour(colour);
        boolean steep = Math.abs(y1 - y0) > Math.abs(x1 - x0);
        double a0 = steep ? y0 : x0;
        double b0 = steep ? x0 : y0;
        double a1 = steep ? y1 : x1;
        double b1 = steep ? x1 : y1;
        if (a1 < a0) {
            double t = a0;
            a0 = a1;
            a1 = t;
            t = b0;
            b0 = b1;
            b1 = t;
        }
        double slope = a1 == a0 ? 0 : (b1 - b0) / (a1 - a0);
        int from = (int) Math.round(a0);
        int to = (int) Math.round(a1);
        for (int a = from; a <= to; a++) {
            double b = b0 + slope * (a - a0);
            int lower = (int) Math.floor(b);
            double frac = b - lower;
            plot(steep, a, lower, colour, alpha * (1 - frac));
            plot(steep, a, lower + 1, colour, alpha * frac);
        }
    }

    /**
     * A filled disc with a soft, anti-aliased edge (coverage falls from 1 to 0 over the pixel at the rim).
     *
     * @param cx     centre column
     * @param cy     centre row
     * @param radius radius in pixels, &gt; 0
     * @param colour {r, g, b}
     * @param alpha  opacity in [0, 1]
     */
    void disc(double cx, double cy, double radius, double[] colour, double alpha) {
        checkColour(colour);
        if (!(radius > 0)) {
            throw new IllegalArgumentException("disc radius must be positive, got " + radius);
        }
        int x0 = (int) Math.floor(cx - radius - 1);
        int x1 = (int) Math.ceil(cx + radius + 1);
        int y0 = (int) Math.floor(cy - radius - 1);
        int y1 = (int) Math.ceil(cy + radius + 1);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double coverage = radius + 0.5 - Math.hypot(x - cx, y - cy);
                if (coverage > 0) {
                    blend(x, y, colour, alpha * Math.min(1, coverage));
                }
            }
        }
    }

    /**
     * The picture as an image tensor.
     *
     * @return a new F32 tensor {@code (height, width, 3)} with values in [0, 1]
     */
    Tensor toImage() {
        try (Scope scope = Scope.open()) {
            return scope.keep(Tensor.of(rgb).reshape(height, width, 3));
        }
    }

    private void plot(boolean steep, int a, int b, double[] colour, double alpha) {
        if (steep) {
            blend(b, a, colour, alpha);
        } else {
            blend(a, b, colour, alpha);
        }
    }

    private static void checkColour(double[] colour) {
        if (colour == null || colour.length != 3) {
            throw new IllegalArgumentException("a colour is {r, g, b}, got "
                    + (colour == null ? "null" : colour.length + " components"));
        }
    }
}
