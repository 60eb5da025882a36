package dev.proxima.samples.optim;

import dev.proxima.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/**
 * A small line-plot rasteriser: loss curves (one per optimizer, logarithmic loss axis) drawn into an RGB image
 * tensor {@code (height, width, 3)} with values in [0, 1], with axes, grid lines, tick labels and a legend in a
 * built-in 3 × 5 pixel font, ready for {@code Png.write}.
 */
final class LossPlot {

    /** A named curve: values at evenly spaced steps from 0 (non-positive or non-finite values are not drawn). */
    record Series(String name, double[] values) {
    }

    private static final float[][] PALETTE = {
            {0.12f, 0.47f, 0.71f}, {1.00f, 0.50f, 0.05f}, {0.17f, 0.63f, 0.17f},
            {0.84f, 0.15f, 0.16f}, {0.58f, 0.40f, 0.74f}, {0.55f, 0.34f, 0.29f},
            {0.89f, 0.47f, 0.76f}, {0.50f, 0.50f, 0.50f}};

    /** 3 × 5 glyphs, one 15-bit row-major mask each (bit 14 = top left). */
    private static final String GLYPHS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-+ ";
    private static final int[] MASKS = {
            0b111101101101111, 0b010110010010111, 0b111001111100111, 0b111001111001111, 0b101101111001001,
            0b111100111001111, 0b111100111101111, 0b111001001001001, 0b111101111101111, 0b111101111001111,
            0b010101111101101, 0b110101110101110, 0b011100100100011, 0b110101101101110, 0b111100110100111,
            0b111100110100100, 0b011100101101011, 0b101101111101101, 0b111010010010111, 0b001001001101010,
            0b101101110101101, 0b100100100100111, 0b101111111101101, 0b110101101101101, 0b010101101101010,
            0b110101110100100, 0b010101101110011, 0b110101110101101, 0b011100010001110, 0b111010010010010,
            0b101101101101111, 0b101101101101010, 0b101101111111101, 0b101101010101101, 0b101101010010010,
            0b111001010100111, 0b000000000000010, 0b000000111000000, 0b000010111010000, 0b000000000000000};

    private final int width;
    private final int height;
    private final float[] pixels;

    private LossPlot(int width, int height) {
        this.width = width;
        this.height = height;
        this.pixels = new float[width * height * 3];
        java.util.Arrays.fill(pixels, 1f);
    }

    /**
     * Draws the curves.
     *
     * @param series        the curves, at least one with a positive finite value
     * @param stepsPerPoint the steps between two values of a curve, for the step axis's labels
     * @param width  the image width in pixels, ≥ 200
     * @param height the image height in pixels, ≥ 120
     * @return a new F32 tensor {@code (height, width, 3)} in the current scope
     */
    static Tensor render(List<Series> series, int stepsPerPoint, int width, int height) {
        if (series.isEmpty() || width < 200 || height < 120) {
            throw new IllegalArgumentException("a plot needs curves and at least 200 × 120 pixels, got " + series.size()
                    + " curves, " + width + " × " + height);
        }
        LossPlot plot = new LossPlot(width, height);
        plot.draw(series, stepsPerPoint);
        return Tensor.of(plot.pixels).reshape(height, width, 3);
    }

    private void draw(List<Series> series, int stepsPerPoint) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int steps = 1;
        for (Series s : series) {
            steps = Math.max(steps, s.values().length);
            for (double v : s.values()) {
                if (v > 0 && Double.isFinite(v)) {
                    lo = Math.min(lo, Math.log10(v));
                    hi = Math.max(hi, Math.log10(v));
                }
            }
        }
        if (lo > hi) {
            throw new IllegalArgumentException("no positive finite value to plot");
        }
        double yMin = Math.floor(lo);
        double yMax = Math.max(Math.ceil(hi), yMin + 1);
        int left = 34;
        int right = width - 10;
        int top = 10;
        int bottom = height - 22;
        // grid and tick labels: a line per decade, five along the steps
        for (double d = yMin; d <= yMax + 1e-9; d += 1) {
            int y = (int) Math.round(bottom - (d - yMin) / (yMax - yMin) * (bottom - top));
            line(left, y, right, y, 0.88f, 0.88f, 0.88f);
            text("1E" + (int) d, 2, y - 2, 0.2f);
        }
        for (int i = 0; i <= 5; i++) {
            int x = left + (int) Math.round(i / 5.0 * (right - left));
            line(x, top, x, bottom, 0.88f, 0.88f, 0.88f);
            String label = Long.toString(Math.round(i / 5.0 * (steps - 1)) * stepsPerPoint);
            text(label, x - 2 * label.length(), bottom + 4, 0.2f);
        }
        text("STEP", (left + right) / 2 - 8, bottom + 12, 0.2f);
        line(left, top, left, bottom, 0, 0, 0);
        line(left, bottom, right, bottom, 0, 0, 0);
        // the curves
        for (int c = 0; c < series.size(); c++) {
            float[] rgb = PALETTE[c % PALETTE.length];
            double[] v = series.get(c).values();
            int px = -1;
            int py = -1;
            for (int i = 0; i < v.length; i++) {
                if (!(v[i] > 0) || !Double.isFinite(v[i])) {
                    px = -1;
                    continue;
                }
                int x = left + (int) Math.round((double) i / Math.max(1, steps - 1) * (right - left));
                int y = (int) Math.round(bottom - (Math.log10(v[i]) - yMin) / (yMax - yMin) * (bottom - top));
                if (px >= 0) {
                    line(px, py, x, y, rgb[0], rgb[1], rgb[2]);
                }
                px = x;
                py = y;
            }
            // legend: a swatch and the name, top right
            int ly = top + 4 + 8 * c;
            int lx = right - 70;
            for (int dx = 0; dx < 8; dx++) {
                for (int dy = 1; dy < 4; dy++) {
                    set(lx + dx, ly + dy, rgb[0], rgb[1], rgb[2]);
                }
            }
            text(series.get(c).name().toUpperCase(Locale.ROOT), lx + 11, ly, 0.1f);
        }
    }

    private void text(String s, int x, int y, float gray) {
        for (int k = 0; k < s.length(); k++) {
            int g = GLYPHS.indexOf(s.charAt(k));
            int mask = MASKS[g < 0 ? GLYPHS.length() - 1 : g];
            for (int row = 0; row < 5; row++) {
                for (int col = 0; col < 3; col++) {
                    if ((mask >> (14 - (row * 3 + col)) & 1) != 0) {
                        set(x + 4 * k + col, y + row, gray, gray, gray);
                    }
                }
            }
        }
    }

    /** Bresenham's line. */
    private void line(int x0, int y0, int x1, int y1, float r, float g, float b) {
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1;
        int sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        while (true) {
            set(x0, y0, r, g, b);
            if (x0 == x1 && y0 == y1) {
                return;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y0 += sy;
            }
        }
    }

    private void set(int x, int y, float r, float g, float b) {
        if (x < 0 || y < 0 || x >= width || y >= height) {
            return;
        }
        int i = (y * width + x) * 3;
        pixels[i] = r;
        pixels[i + 1] = g;
        pixels[i + 2] = b;
    }
}
