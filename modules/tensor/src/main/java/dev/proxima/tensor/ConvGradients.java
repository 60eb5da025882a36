package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;

/**
 * Reverse-mode derivatives of {@link Conv}'s operations, written with public tensor operations (so they
 * differentiate again), except max pooling's, whose rule routes each gradient to its window's winner with
 * a kernel ({@link Kernels#MAX_POOL2D_BACKWARD}) and is first order only. Tensors a rule creates are made on
 * the gradient's device.
 *
 * <p>For y = conv2d(x, w) with stride s, padding p, dilation d: ∂x = convTranspose2d(ḡ, w) with the
 * output padding that restores x's size, and ∂w = conv2d(xᵀ, ḡᵀ) with stride d, dilation s (batch and
 * channel axes swapped, cropped to the kernel size), per group. convTranspose2d's rules are the same
 * identities read the other way.
 */
final class ConvGradients {

    private ConvGradients() {
    }

    static Tensor[] conv2d(Tensor g, Tensor x, Tensor w, boolean[] needs, int[] s, int[] p, int[] d, int groups) {
        Tensor gx = null;
        Tensor gw = null;
        Tensor gb = null;
        long[] xs = x.shape();
        long[] ws = w.shape();
        if (needs[0]) {
            int[] op = new int[2];
            for (int i = 0; i < 2; i++) {
                long restored = (g.dim(2 + i) - 1) * s[i] - 2L * p[i] + (long) d[i] * (ws[2 + i] - 1) + 1;
                op[i] = (int) (xs[2 + i] - restored);
            }
            gx = Conv.convTranspose2d(g, w, null, s, p, op, d, groups);
        }
        if (needs[1]) {
            gw = weightGradient(x, g, ws[2], ws[3], s, p, d, groups);
        }
        if (needs.length > 2 && needs[2]) {
            gb = g.sum(0, 2, 3);
        }
        return new Tensor[]{gx, gw, gb};
    }

    static Tensor[] conv1d(Tensor g, Tensor x, Tensor w, boolean[] needs, int s, int p, int d, int groups) {
        Tensor[] two = conv2d(g.unsqueeze(2), x.unsqueeze(2), w.unsqueeze(2), needs, new int[]{1, s}, new int[]{0, p},
                new int[]{1, d}, groups);
        return new Tensor[]{two[0] == null ? null : two[0].squeeze(2), two[1] == null ? null : two[1].squeeze(2), two[2]};
    }

    static Tensor[] convTranspose2d(Tensor g, Tensor x, Tensor w, boolean[] needs, int[] s, int[] p, int[] d, int groups) {
        Tensor gx = needs[0] ? Conv.conv2d(g, w, null, s, p, d, groups) : null;
        Tensor gw = needs[1] ? weightGradient(g, x, w.dim(2), w.dim(3), s, p, d, groups) : null;
        Tensor gb = needs.length > 2 && needs[2] ? g.sum(0, 2, 3) : null;
        return new Tensor[]{gx, gw, gb};
    }

    /**
     * Σ over the batch of the correlation of {@code a} (the padded side) with {@code b}, per group, cropped
     * to kh×kw and laid out [b-channels, a-channels per group, kh, kw]: for a convolution a = x, b = ḡ
     * (giving [O, C/g, kh, kw]); for a transposed convolution a = ḡ, b = x (giving [Cin, Cout/g, kh, kw]).
     */
    private static Tensor weightGradient(Tensor a, Tensor b, long kh, long kw, int[] s, int[] p, int[] d, int groups) {
        long ag = a.dim(1) / groups;
        long bg = b.dim(1) / groups;
        Tensor[] parts = new Tensor[groups];
        for (int i = 0; i < groups; i++) {
            Tensor ai = a.slice(1, i * ag, (i + 1) * ag, 1).transpose(0, 1);    // [ag, N, H, W]
            Tensor bi = b.slice(1, i * bg, (i + 1) * bg, 1).transpose(0, 1);    // [bg, N, h, w] as a "kernel"
            Tensor corr = Conv.conv2d(ai, bi, null, d, p, s, 1);                 // [ag, bg, kh', kw']
            Tensor cropped = corr.slice(2, 0, kh, 1).slice(3, 0, kw, 1);
            parts[i] = cropped.transpose(0, 1);                                   // [bg, ag, kh, kw]
        }
        return groups == 1 ? parts[0].contiguous() : Tensor.concat(0, parts);
    }

    static Tensor avgPool2d(Tensor g, long[] inShape, int[] k, int[] s, int[] p, boolean countIncludePad) {
        long c = inShape[1];
        DType t = g.dtype();
        Device device = g.device();
        long window = (long) k[0] * k[1];
        Tensor scaled;
        if (countIncludePad) {
            scaled = g.div(window);
        } else {
            // the divisor of each output position is the number of its window cells inside the input
            Tensor ones = Tensor.ones(t, device, 1, 1, inShape[2], inShape[3]);
            Tensor counts = Conv.avgPool2d(ones, k, s, p, true).mul(window);
            scaled = g.div(counts);
        }
        int[] op = new int[2];
        for (int i = 0; i < 2; i++) {
            long restored = (g.dim(2 + i) - 1) * s[i] - 2L * p[i] + k[i];
            op[i] = (int) (inShape[2 + i] - restored);
        }
        Tensor ones = Tensor.ones(t, device, c, 1, k[0], k[1]);
        return Conv.convTranspose2d(scaled, ones, null, s, p, op, new int[]{1, 1}, (int) c);
    }

    static Tensor maxPool2d(Tensor g, Tensor x, Kernels.Pooling window) {
        if (Autodiff.isGradEnabled()) {
            throw new UnsupportedOperationException("second derivatives through Conv.maxPool2d are not supported;"
                    + " differentiate it once (createGraph = false)");
        }
        DType t = g.dtype();
        try (Tensor xd = x.dtype() == t ? x.contiguous() : x.cast(t); Tensor gd = g.contiguous()) {
            Tensor gx = Tensor.allocate(t, x.shape(), g.device(), true);
            return Ops.run(gx, Kernels.MAX_POOL2D_BACKWARD, window, xd.kernelView(), gd.kernelView(), gx.kernelView());
        }
    }
}
