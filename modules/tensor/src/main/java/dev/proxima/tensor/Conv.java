package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;

import java.util.Arrays;

/**
 * Convolution, pooling, resizing and same-size correlation over tensors in PyTorch's channels-first
 * layout: {@code [N, C, L]} for 1-D and {@code [N, C, H, W]} for 2-D operations.
 *
 * <h2>Semantics</h2>
 * Each method matches the PyTorch function named in its documentation ({@code torch.nn.functional.*}),
 * including its output-size formula; "convolution" is cross-correlation, as in PyTorch (the kernel is not
 * flipped). Padding is zero padding for convolutions and is skipped (−∞) for max pooling.
 *
 * <h2>Types</h2>
 * The GEMM-based operations ({@link #conv1d}, {@link #conv2d}, {@link #convTranspose2d}) accept F32 and
 * F64; operands of both types are computed in F64, and any other dtype throws
 * {@link DTypeMismatchException} (cast first), like {@link Tensor#matmul}. Pooling, {@link #resize} and
 * {@link #correlate2d} keep F32 and F64 and compute integer or boolean input in F64, like
 * {@link Tensor#mean}; F16 and BF16 input throws {@link DTypeMismatchException} (cast to F32 first).
 *
 * <h2>Validation, views, lifetimes</h2>
 * Ranks, channel counts, parameters and output sizes are checked before any work; a violation throws
 * {@link ShapeMismatchException} (shapes) or {@link IllegalArgumentException} (parameters) naming the
 * shapes and the parameter. Any strided view is accepted (it is copied to a dense temporary first).
 * Results are new contiguous tensors owned by the current {@link Scope}, like every other operation, on
 * the operands' device; operands on different devices are an error. Each operation runs one kernel through
 * the dispatcher (keys {@code CONV2D}, {@code CONV_TRANSPOSE2D}, {@code MAX_POOL2D}, {@code AVG_POOL2D},
 * {@code RESIZE}, {@code CORRELATE2D} of {@link Kernels}): a device whose backend has no such kernel has the
 * call staged through the host (see {@link Proxima#hostStagings()}).
 *
 * <h2>Algorithms</h2>
 * Convolutions unfold images into a patch matrix (im2col) in a per-worker scratch buffer and multiply it
 * by each group's weights with one OpenBLAS gemm, one image at a time, or several side by side when an
 * image has few output positions (a 1×1 kernel at stride 1 without padding skips the unfolding). With at
 * least as many images as worker threads the batch is split over the workers and OpenBLAS runs
 * single-threaded meanwhile (process-wide; see {@code proxima.threads}); a smaller batch runs image by
 * image with OpenBLAS's own threads. The transposed convolution multiplies first and folds the columns
 * back (col2im). Pooling, resizing and correlation are direct loops split over the workers.
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Tensor images = Tensor.ones(DType.F32, 8, 3, 32, 32);          // N, C, H, W
 *     Tensor weight = Tensor.ones(DType.F32, 16, 3, 3, 3);           // O, C, kH, kW
 *     Tensor features = Conv.conv2d(images, weight, null, 1, 1, 1);  // [8, 16, 32, 32]
 *     Tensor pooled = Conv.maxPool2d(features, 2, 2, 0);             // [8, 16, 16, 16]
 * }
 * }
 */
public final class Conv {

    private Conv() {
    }

    /** Interpolation rule of {@link #resize}. */
    public enum Mode {
        /** The source pixel {@code floor(dst · in/out)}, like PyTorch's {@code mode='nearest'}. */
        NEAREST,
        /** Linear interpolation along both axes, like PyTorch's {@code mode='bilinear'}. */
        BILINEAR
    }

    /** How {@link #correlate2d} reads positions outside the image (a row {@code a b c d}). */
    public enum Boundary {
        /** Zeros: {@code 0 0 0 | a b c d | 0 0 0} (scipy {@code mode='constant', cval=0}). */
        ZERO,
        /**
         * Mirrored about the edge elements, which are not repeated: {@code d c b | a b c d | c b a}
         * (scipy {@code mode='mirror'}, NumPy {@code pad(mode='reflect')}, PyTorch {@code padding_mode='reflect'}).
         * Far positions reflect again, with period 2·(n − 1).
         */
        REFLECT,
        /** The edge element repeated: {@code a a a | a b c d | d d d} (scipy {@code 'nearest'}, PyTorch {@code 'replicate'}). */
        REPLICATE,
        /** Periodic: {@code b c d | a b c d | a b c} (scipy {@code 'wrap'}, PyTorch {@code 'circular'}). */
        CIRCULAR
    }

    // =================================================================== convolution

    /**
     * 1-D convolution (cross-correlation) of a batch of signals.
     *
     * <p>Output {@code [N, O, Lout]} with {@code Lout = floor((L + 2·padding − dilation·(K − 1) − 1) / stride) + 1}:
     * {@code out[n, o, l] = bias[o] + Σ_{c, k} weight[o, c, k] · x[n, g·C/groups + c, l·stride − padding + k·dilation]}
     * for channel {@code o} in group {@code g = o / (O/groups)}, with zeros outside the signal.
     *
     * {@snippet :
     * Tensor x = Tensor.ones(DType.F32, 4, 2, 100);       // N, C, L
     * Tensor w = Tensor.ones(DType.F32, 6, 1, 5);         // O, C/groups, K
     * Tensor y = Conv.conv1d(x, w, null, 2, 2, 1, 2);     // [4, 6, 50]
     * }
     * PyTorch: {@code torch.nn.functional.conv1d(input, weight, bias, stride, padding, dilation, groups)}.
     *
     * @param input    {@code [N, C, L]}
     * @param weight   {@code [O, C/groups, K]}
     * @param bias     {@code [O]}, or null for none
     * @param stride   step between output positions, at least 1
     * @param padding  zeros added at both ends, at least 0
     * @param dilation spacing between kernel taps, at least 1
     * @param groups   number of channel groups, at least 1, dividing C and O
     * @return {@code [N, O, Lout]}, F32 if all operands are F32, else F64
     * @throws ShapeMismatchException if ranks, channel counts or the bias length disagree, or {@code Lout < 1}
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException if an operand is not F32 or F64
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return convolution("conv1d", input, weight, bias, new int[]{stride}, new int[]{padding}, new int[]{dilation}, groups, 1);
    }

    /**
     * 2-D convolution (cross-correlation) of a batch of images.
     *
     * <p>Output {@code [N, O, Hout, Wout]} with
     * {@code Hout = floor((H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]) + 1} and likewise
     * {@code Wout} with index 1:
     * {@code out[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · x[n, g·C/groups + c, i·s₀ − p₀ + a·d₀, j·s₁ − p₁ + b·d₁]}
     * for channel {@code o} in group {@code g = o / (O/groups)}, with zeros outside the image.
     * {@code groups = C} with {@code O = k·C} is a depthwise convolution.
     *
     * {@snippet :
     * Tensor x = Tensor.ones(DType.F32, 32, 64, 32, 32);
     * Tensor w = Tensor.ones(DType.F32, 64, 32, 3, 3);
     * Tensor y = Conv.conv2d(x, w, null, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1}, 2); // [32, 64, 16, 16]
     * }
     * PyTorch: {@code torch.nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups)}.
     *
     * @param input    {@code [N, C, H, W]}
     * @param weight   {@code [O, C/groups, kH, kW]}
     * @param bias     {@code [O]}, or null for none
     * @param stride   {@code {sH, sW}}, each at least 1
     * @param padding  {@code {pH, pW}} zeros added on both sides, each at least 0
     * @param dilation {@code {dH, dW}} spacing between kernel taps, each at least 1
     * @param groups   number of channel groups, at least 1, dividing C and O
     * @return {@code [N, O, Hout, Wout]}, F32 if all operands are F32, else F64
     * @throws ShapeMismatchException if ranks, channel counts or the bias length disagree, or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range or an array does not have 2 entries
     * @throws DTypeMismatchException if an operand is not F32 or F64
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return convolution("conv2d", input, weight, bias, pair("conv2d", "stride", stride), pair("conv2d", "padding", padding),
                pair("conv2d", "dilation", dilation), groups, 2);
    }

    /**
     * 2-D convolution with the same stride, padding and dilation along both axes and one group; see
     * {@link #conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} for the formula
     * ({@code Hout = floor((H + 2·padding − dilation·(kH − 1) − 1) / stride) + 1}).
     *
     * {@snippet :
     * Tensor y = Conv.conv2d(x, w, bias, 1, 1, 1); // 3×3 kernel, "same" output size
     * }
     * PyTorch: {@code torch.nn.functional.conv2d(input, weight, bias, stride, padding, dilation)}.
     *
     * @param input    {@code [N, C, H, W]}
     * @param weight   {@code [O, C, kH, kW]}
     * @param bias     {@code [O]}, or null
     * @param stride   at least 1
     * @param padding  at least 0
     * @param dilation at least 1
     * @return {@code [N, O, Hout, Wout]}
     * @throws ShapeMismatchException   if shapes disagree or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException   if an operand is not F32 or F64
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return convolution("conv2d", input, weight, bias, new int[]{stride, stride}, new int[]{padding, padding},
                new int[]{dilation, dilation}, 1, 2);
    }

    /**
     * 2-D transposed convolution (the gradient of {@link #conv2d} with respect to its input, sometimes
     * called deconvolution).
     *
     * <p>Output {@code [N, Cout, Hout, Wout]} with {@code Cout = weight.dim(1)·groups} and
     * {@code Hout = (H − 1)·stride[0] − 2·padding[0] + dilation[0]·(kH − 1) + outputPadding[0] + 1} (likewise
     * {@code Wout}): each input element {@code x[n, ci, i, j]} adds {@code x · weight[ci, co, a, b]} to
     * {@code out[n, g·Cout/groups + co, i·s₀ − p₀ + a·d₀, j·s₁ − p₁ + b·d₁]} (positions outside are dropped),
     * then {@code bias[co]} is added. {@code outputPadding} only lengthens the output, to pick one of the
     * input sizes a strided {@code conv2d} maps to the same size.
     *
     * {@snippet :
     * Tensor x = Tensor.ones(DType.F32, 1, 8, 16, 16);
     * Tensor w = Tensor.ones(DType.F32, 8, 4, 3, 3);       // C_in, C_out/groups, kH, kW
     * Tensor up = Conv.convTranspose2d(x, w, null, new int[]{2, 2}, new int[]{1, 1},
     *         new int[]{1, 1}, new int[]{1, 1}, 1);       // [1, 4, 32, 32]
     * }
     * PyTorch: {@code torch.nn.functional.conv_transpose2d(input, weight, bias, stride, padding,
     * output_padding, groups, dilation)} (note PyTorch's argument order).
     *
     * @param input         {@code [N, Cin, H, W]}
     * @param weight        {@code [Cin, Cout/groups, kH, kW]}
     * @param bias          {@code [Cout]}, or null
     * @param stride        {@code {sH, sW}}, each at least 1
     * @param padding       {@code {pH, pW}} removed from both sides of the output, each at least 0
     * @param outputPadding {@code {opH, opW}} added to one side, each at least 0 and smaller than the stride
     *                      or the dilation of its axis
     * @param dilation      {@code {dH, dW}}, each at least 1
     * @param groups        at least 1, dividing Cin
     * @return {@code [N, Cout, Hout, Wout]}, F32 if all operands are F32, else F64
     * @throws ShapeMismatchException   if ranks, channel counts or the bias length disagree, or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range or an array does not have 2 entries
     * @throws DTypeMismatchException   if an operand is not F32 or F64
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation, int groups) {
        String fn = "convTranspose2d";
        int[] s = pair(fn, "stride", stride), p = pair(fn, "padding", padding);
        int[] op = pair(fn, "outputPadding", outputPadding), d = pair(fn, "dilation", dilation);
        requireRank(fn, "input", input, 4, "[N, Cin, H, W]");
        requireRank(fn, "weight", weight, 4, "[Cin, Cout/groups, kH, kW]");
        Device device = Ops.commonDevice(fn, input, weight, bias);
        DType t = floatType(fn, input, weight, bias);
        checkConvParams(fn, s, p, d, groups);
        long[] xs = input.shape(), ws = weight.shape();
        String shapes = " (input " + Shapes.str(xs) + ", weight " + Shapes.str(ws) + ")";
        long n = xs[0], cin = xs[1];
        for (int i = 0; i < 2; i++) {
            if (op[i] < 0 || (op[i] >= s[i] && op[i] >= d[i])) {
                throw new IllegalArgumentException(fn + ": outputPadding " + Arrays.toString(op)
                        + " must be >= 0 and smaller than the stride " + Arrays.toString(s) + " or the dilation "
                        + Arrays.toString(d) + " of its axis");
            }
        }
        if (ws[0] != cin) {
            throw new ShapeMismatchException(fn + ": weight has " + ws[0] + " input channels (dimension 0) but the input has Cin = "
                    + cin + shapes);
        }
        if (cin < 1 || cin % groups != 0) {
            throw new ShapeMismatchException(fn + ": input channels Cin = " + cin + " must be positive and divisible by groups = "
                    + groups + shapes);
        }
        requirePositive(fn, "weight", ws, 1, shapes);
        requirePositive(fn, "input", xs, 2, shapes);
        long cout = ws[1] * groups;
        checkBias(fn, bias, cout, shapes);
        long[] outSize = new long[2];
        for (int i = 0; i < 2; i++) {
            long in = xs[2 + i], k = ws[2 + i];
            outSize[i] = (in - 1) * s[i] - 2L * p[i] + (long) d[i] * (k - 1) + op[i] + 1;
            if (outSize[i] < 1) {
                throw new ShapeMismatchException(fn + ": output " + (i == 0 ? "height" : "width") + " would be " + outSize[i]
                        + " = (" + in + " - 1)·stride " + s[i] + " - 2·padding " + p[i] + " + dilation " + d[i] + "·(" + k
                        + " - 1) + outputPadding " + op[i] + " + 1, below 1" + shapes);
            }
        }
        // The forward convolution this is the adjoint of maps the output images to the input ones.
        checkGeometry(fn, n, cout, outSize[0], outSize[1], cin, ws[2], ws[3], groups, xs[2], xs[3]);
        long[] outShape = {n, cout, outSize[0], outSize[1]};
        try (Tensor x = dense(input, t); Tensor w = dense(weight, t); Tensor b = bias == null ? null : dense(bias, t)) {
            Tensor out = Tensor.allocate(t, outShape, device, true);
            Ops.run(out, Kernels.CONV_TRANSPOSE2D, parameters(s, p, d, groups), x.kernelView(), w.kernelView(), b == null ? null : b.kernelView(),
                    out.kernelView());
            return GradNode.record(out, fn, new Tensor[]{input, weight, bias}, input, weight,
                    (gr, xSaved, wSaved, needs) -> ConvGradients.convTranspose2d(gr, xSaved, wSaved, needs, s, p, d, groups));
        }
    }

    private static Tensor convolution(String fn, Tensor input, Tensor weight, Tensor bias, int[] s, int[] p, int[] d,
                                      int groups, int spatial) {
        requireRank(fn, "input", input, spatial + 2, spatial == 1 ? "[N, C, L]" : "[N, C, H, W]");
        requireRank(fn, "weight", weight, spatial + 2, spatial == 1 ? "[O, C/groups, K]" : "[O, C/groups, kH, kW]");
        Device device = Ops.commonDevice(fn, input, weight, bias);
        DType t = floatType(fn, input, weight, bias);
        checkConvParams(fn, s, p, d, groups);
        long[] xs = input.shape(), ws = weight.shape();
        String shapes = " (input " + Shapes.str(xs) + ", weight " + Shapes.str(ws) + ")";
        long n = xs[0], c = xs[1], o = ws[0];
        if (c < 1 || c % groups != 0) {
            throw new ShapeMismatchException(fn + ": input channels C = " + c + " must be positive and divisible by groups = "
                    + groups + shapes);
        }
        if (o < 1 || o % groups != 0) {
            throw new ShapeMismatchException(fn + ": output channels O = " + o + " (weight dimension 0) must be positive and divisible by groups = "
                    + groups + shapes);
        }
        if (ws[1] * groups != c) {
            throw new ShapeMismatchException(fn + ": weight expects C/groups = " + ws[1] + " input channels per group (" + ws[1]
                    + "·groups " + groups + " = " + ws[1] * groups + "), but the input has C = " + c + shapes);
        }
        requirePositive(fn, "weight", ws, 2, shapes);
        requirePositive(fn, "input", xs, 2, shapes);
        checkBias(fn, bias, o, shapes);
        long[] outSize = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long in = xs[2 + i], k = ws[2 + i];
            long span = (long) d[i] * (k - 1) + 1;
            outSize[i] = Math.floorDiv(in + 2L * p[i] - span, s[i]) + 1;
            if (outSize[i] < 1) {
                String axis = spatial == 1 ? "length" : i == 0 ? "height" : "width";
                throw new ShapeMismatchException(fn + ": output " + axis + " would be " + outSize[i] + " < 1: the dilated kernel spans "
                        + span + " (kernel " + k + ", dilation " + d[i] + ") but the padded input " + axis + " is only "
                        + (in + 2L * p[i]) + " (" + in + " + 2·padding " + p[i] + ")" + shapes);
            }
        }
        // a 1-D convolution runs as a 2-D one over images of height 1
        long[] xs4 = spatial == 1 ? new long[]{n, c, 1, xs[2]} : xs;
        long[] ws4 = spatial == 1 ? new long[]{o, ws[1], 1, ws[2]} : ws;
        long[] outShape = spatial == 1 ? new long[]{n, o, outSize[0]} : new long[]{n, o, outSize[0], outSize[1]};
        long[] outShape4 = spatial == 1 ? new long[]{n, o, 1, outSize[0]} : outShape;
        checkGeometry(fn, n, c, xs4[2], xs4[3], o, ws4[2], ws4[3], groups, outShape4[2], outShape4[3]);
        Kernels.Convolution parameters = spatial == 1
                ? parameters(new int[]{1, s[0]}, new int[]{0, p[0]}, new int[]{1, d[0]}, groups)
                : parameters(s, p, d, groups);
        try (Tensor x = dense(input, t); Tensor w = dense(weight, t); Tensor b = bias == null ? null : dense(bias, t)) {
            Tensor out = Tensor.allocate(t, outShape, device, true);
            Ops.run(out, Kernels.CONV2D, parameters, denseView(x, xs4), denseView(w, ws4), b == null ? null : b.kernelView(),
                    denseView(out, outShape4));
            GradNode.Rule2 rule = spatial == 1
                    ? (gr, xSaved, wSaved, needs) -> ConvGradients.conv1d(gr, xSaved, wSaved, needs, s[0], p[0], d[0], groups)
                    : (gr, xSaved, wSaved, needs) -> ConvGradients.conv2d(gr, xSaved, wSaved, needs, s, p, d, groups);
            return GradNode.record(out, fn, new Tensor[]{input, weight, bias}, input, weight, rule);
        }
    }

    /**
     * Checks that every size the kernels index with {@code int} fits, for the convolution of {@code n×c×h×w}
     * images with {@code o×(c/groups)×kh×kw} weights into {@code n×o×ho×wo}.
     */
    private static void checkGeometry(String fn, long n, long c, long h, long w, long o, long kh, long kw, int groups,
                                      long ho, long wo) {
        long k = (c / groups) * kh * kw;
        for (long v : new long[]{n, c, h, w, o, kh, kw, ho, wo, k, h * w, ho * wo, (o / groups) * k}) {
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(fn + ": a size (" + v + ") exceeds the 32-bit range of BLAS");
            }
        }
    }

    /** The kernel parameters of a 2-D convolution with strides s, padding p, dilation d (each {height, width}). */
    private static Kernels.Convolution parameters(int[] s, int[] p, int[] d, int groups) {
        return new Kernels.Convolution(s[0], s[1], p[0], p[1], d[0], d[1], groups);
    }

    /** The contiguous tensor {@code t} seen with {@code shape} (the same elements, size-1 axes added). */
    private static StridedView denseView(Tensor t, long[] shape) {
        return new StridedView(t.storage, t.dtype, shape, Shapes.contiguousStrides(shape), t.offset);
    }

    // =================================================================== pooling

    /**
     * 2-D max pooling: the largest element of each window; padded positions never win (they count as −∞)
     * and a NaN in a window gives NaN.
     *
     * <p>Output {@code [N, C, Hout, Wout]} with {@code Hout = floor((H + 2·padding[0] − kernel[0]) / stride[0]) + 1}
     * (likewise {@code Wout}); window {@code (i, j)} covers rows {@code i·s₀ − p₀ … i·s₀ − p₀ + k₀ − 1}.
     *
     * {@snippet :
     * Tensor pooled = Conv.maxPool2d(x, new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}); // [N, C, 56, 56] from 112×112
     * }
     * PyTorch: {@code torch.nn.functional.max_pool2d(input, kernel_size, stride, padding)} (ceil_mode false, dilation 1).
     *
     * @param input   {@code [N, C, H, W]}
     * @param kernel  {@code {kH, kW}}, each at least 1
     * @param stride  {@code {sH, sW}}, each at least 1 (PyTorch's default is the kernel size)
     * @param padding {@code {pH, pW}}, each between 0 and half the kernel size (as PyTorch requires)
     * @return {@code [N, C, Hout, Wout]} of the input's type (F64 for integer input)
     * @throws ShapeMismatchException   if the input is not 4-D or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException   if the input is F16 or BF16
     */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding) {
        return pool("maxPool2d", input, kernel, stride, padding, true, false);
    }

    /**
     * 2-D max pooling with the same kernel, stride and padding along both axes; see
     * {@link #maxPool2d(Tensor, int[], int[], int[])} ({@code Hout = floor((H + 2·padding − kernel) / stride) + 1}).
     *
     * {@snippet :
     * Tensor halved = Conv.maxPool2d(x, 2, 2, 0);
     * }
     * PyTorch: {@code torch.nn.functional.max_pool2d(input, kernel, stride, padding)}.
     *
     * @param input   {@code [N, C, H, W]}
     * @param kernel  at least 1
     * @param stride  at least 1
     * @param padding between 0 and kernel/2
     * @return {@code [N, C, Hout, Wout]}
     * @throws ShapeMismatchException   if the input is not 4-D or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException   if the input is F16 or BF16
     */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        return maxPool2d(input, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding});
    }

    /**
     * 2-D average pooling: the mean of each window, where padded positions are zeros that count in the
     * divisor ({@code countIncludePad}, divisor kH·kW) or are left out (divisor = positions inside the input).
     *
     * <p>Output {@code [N, C, Hout, Wout]} with {@code Hout = floor((H + 2·padding[0] − kernel[0]) / stride[0]) + 1}
     * (likewise {@code Wout}).
     *
     * {@snippet :
     * Tensor smooth = Conv.avgPool2d(x, new int[]{3, 3}, new int[]{1, 1}, new int[]{1, 1}, false); // same size
     * }
     * PyTorch: {@code torch.nn.functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode=False,
     * count_include_pad)}.
     *
     * @param input            {@code [N, C, H, W]}
     * @param kernel           {@code {kH, kW}}, each at least 1
     * @param stride           {@code {sH, sW}}, each at least 1
     * @param padding          {@code {pH, pW}}, each between 0 and half the kernel size
     * @param countIncludePad  whether padded zeros count in the divisor
     * @return {@code [N, C, Hout, Wout]} of the input's type (F64 for integer input)
     * @throws ShapeMismatchException   if the input is not 4-D or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException   if the input is F16 or BF16
     */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return pool("avgPool2d", input, kernel, stride, padding, false, countIncludePad);
    }

    /**
     * 2-D average pooling with the same kernel, stride and padding along both axes; see
     * {@link #avgPool2d(Tensor, int[], int[], int[], boolean)} ({@code Hout = floor((H + 2·padding − kernel) / stride) + 1}).
     *
     * {@snippet :
     * Tensor halved = Conv.avgPool2d(x, 2, 2, 0, true);
     * }
     * PyTorch: {@code torch.nn.functional.avg_pool2d(input, kernel, stride, padding, count_include_pad=...)}.
     *
     * @param input            {@code [N, C, H, W]}
     * @param kernel           at least 1
     * @param stride           at least 1
     * @param padding          between 0 and kernel/2
     * @param countIncludePad  whether padded zeros count in the divisor
     * @return {@code [N, C, Hout, Wout]}
     * @throws ShapeMismatchException   if the input is not 4-D or an output size is below 1
     * @throws IllegalArgumentException if a parameter is out of range
     * @throws DTypeMismatchException   if the input is F16 or BF16
     */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding, boolean countIncludePad) {
        return avgPool2d(input, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding}, countIncludePad);
    }

    private static Tensor pool(String fn, Tensor input, int[] kernel, int[] stride, int[] padding, boolean max,
                               boolean countIncludePad) {
        int[] k = pair(fn, "kernel", kernel), s = pair(fn, "stride", stride), p = pair(fn, "padding", padding);
        requireRank(fn, "input", input, 4, "[N, C, H, W]");
        Device device = Ops.commonDevice(fn, input);
        for (int i = 0; i < 2; i++) {
            if (k[i] < 1) {
                throw new IllegalArgumentException(fn + ": kernel must be >= 1 along each axis, got " + Arrays.toString(k));
            }
            if (s[i] < 1) {
                throw new IllegalArgumentException(fn + ": stride must be >= 1 along each axis, got " + Arrays.toString(s));
            }
            if (p[i] < 0 || p[i] > k[i] / 2) {
                throw new IllegalArgumentException(fn + ": padding " + Arrays.toString(p)
                        + " must be between 0 and half the kernel " + Arrays.toString(k) + " along each axis");
            }
        }
        long[] xs = input.shape();
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            long in = xs[2 + i];
            out[i] = in < 1 ? 0 : Math.floorDiv(in + 2L * p[i] - k[i], s[i]) + 1;
            if (out[i] < 1) {
                throw new ShapeMismatchException(fn + ": output " + (i == 0 ? "height" : "width") + " would be " + out[i]
                        + " < 1: kernel " + k[i] + " is larger than the padded input " + (in + 2L * p[i]) + " (input "
                        + Shapes.str(xs) + ", padding " + Arrays.toString(p) + ")");
            }
        }
        checkIntSizes(fn, xs[2], xs[3], out[0], out[1], xs[2] * xs[3]);
        DType t = imageType(fn, input.dtype());
        Kernels.Pooling window = new Kernels.Pooling(k[0], k[1], s[0], s[1], p[0], p[1]);
        try (Tensor x = dense(input, t)) {
            Tensor o = Tensor.allocate(t, new long[]{xs[0], xs[1], out[0], out[1]}, device, true);
            if (max) {
                Ops.run(o, Kernels.MAX_POOL2D, window, x.kernelView(), o.kernelView());
            } else {
                Ops.run(o, Kernels.AVG_POOL2D, new Kernels.AvgPooling(window, countIncludePad), x.kernelView(), o.kernelView());
            }
            return GradNode.record(o, fn, new Tensor[]{input}, input, max
                    ? (gr, xSaved, needs) -> new Tensor[]{ConvGradients.maxPool2d(gr, xSaved, window)}
                    : (gr, xSaved, needs) -> new Tensor[]{ConvGradients.avgPool2d(gr, xSaved.shape(), k, s, p, countIncludePad)});
        }
    }

    // =================================================================== resizing

    /**
     * Resizes each image to {@code outH × outW}.
     *
     * <p>With {@code scale = in/out} per axis: {@link Mode#NEAREST} reads source pixel
     * {@code min(floor(dst·scale), in − 1)} (scale and product in single precision, as PyTorch computes
     * them); {@link Mode#BILINEAR} interpolates linearly between the two source pixels around
     * {@code src = max((dst + 0.5)·scale − 0.5, 0)}, or, with {@code alignCorners}, around
     * {@code src = dst·(in − 1)/(out − 1)} (0 if {@code out = 1}), so that the corner pixels of input and
     * output coincide. An axis whose size does not change is copied exactly.
     *
     * {@snippet :
     * Tensor bigger = Conv.resize(images, 64, 64, Conv.Mode.BILINEAR, false); // [N, C, 64, 64]
     * }
     * PyTorch: {@code torch.nn.functional.interpolate(input, size=(outH, outW), mode='nearest')} or
     * {@code mode='bilinear', align_corners=alignCorners}.
     *
     * @param input        {@code [N, C, H, W]}, H and W at least 1
     * @param outH         output height, at least 1
     * @param outW         output width, at least 1
     * @param mode         the interpolation rule
     * @param alignCorners BILINEAR only (must be false for NEAREST, as in PyTorch): align corner pixel centres
     * @return {@code [N, C, outH, outW]} of the input's type (F64 for integer input)
     * @throws ShapeMismatchException   if the input is not 4-D or has an empty spatial axis
     * @throws IllegalArgumentException if a size is below 1, or {@code alignCorners} is set with NEAREST
     * @throws DTypeMismatchException   if the input is F16 or BF16
     */
    public static Tensor resize(Tensor input, long outH, long outW, Mode mode, boolean alignCorners) {
        String fn = "resize";
        requireRank(fn, "input", input, 4, "[N, C, H, W]");
        Device device = Ops.commonDevice(fn, input);
        if (mode == null) {
            throw new IllegalArgumentException(fn + ": mode must not be null");
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(fn + ": output size must be at least 1×1, got " + outH + "×" + outW);
        }
        if (mode == Mode.NEAREST && alignCorners) {
            throw new IllegalArgumentException(fn + ": alignCorners only applies to BILINEAR, as in PyTorch; pass false for NEAREST");
        }
        long[] xs = input.shape();
        if (xs[2] < 1 || xs[3] < 1) {
            throw new ShapeMismatchException(fn + ": input " + Shapes.str(xs) + " has an empty spatial axis");
        }
        checkIntSizes(fn, xs[2], xs[3], outH, outW);
        DType t = imageType(fn, input.dtype());
        try (Tensor x = dense(input, t)) {
            Tensor o = Tensor.allocate(t, new long[]{xs[0], xs[1], outH, outW}, device, true);
            return Ops.run(o, Kernels.RESIZE, new Kernels.Resize(mode, alignCorners), x.kernelView(), o.kernelView());
        }
    }

    // =================================================================== correlation

    /**
     * Same-size 2-D correlation of every image in the last two axes with an arbitrary kernel, for blur and
     * edge operators: {@code out[..., i, j] = Σ_{a, b} kernel[a, b] · image[..., i + a − kH/2, j + b − kW/2]}.
     *
     * <p>The kernel's centre is element {@code (kH/2, kW/2)} (integer division; for an even size the
     * later of the two middle elements), the convention of {@code scipy.ndimage.correlate} with
     * {@code origin=0}. Positions outside the image are read through {@code boundary}. The output has the
     * image's shape; sums are accumulated in double precision. For a true convolution, flip the kernel.
     *
     * {@snippet :
     * Tensor blur = Tensor.full(1.0 / 9, DType.F32, 3, 3);
     * Tensor smooth = Conv.correlate2d(gray, blur, Conv.Boundary.REFLECT); // gray: [H, W] or [..., H, W]
     * }
     * SciPy: {@code scipy.ndimage.correlate(image, kernel, mode=...)} per image, with mode {@code 'constant'}
     * (cval 0), {@code 'mirror'}, {@code 'nearest'} or {@code 'wrap'} for ZERO, REFLECT, REPLICATE, CIRCULAR.
     * PyTorch: {@code F.conv2d(F.pad(x, pads, mode), kernel[None, None])} for odd kernel sizes.
     *
     * @param image    {@code [..., H, W]} (at least 2-D; leading axes are a batch), H and W at least 1
     * @param kernel   {@code [kH, kW]}, each at least 1
     * @param boundary how to read positions outside the image
     * @return the correlated images, with the image's shape and type (F64 for an integer image); the
     *         kernel may have any dtype and is read in double precision
     * @throws ShapeMismatchException   if the image is not at least 2-D, has an empty spatial axis, or the
     *                                  kernel is not a non-empty matrix
     * @throws IllegalArgumentException if {@code boundary} is null
     * @throws DTypeMismatchException   if the image is F16 or BF16
     */
    public static Tensor correlate2d(Tensor image, Tensor kernel, Boundary boundary) {
        String fn = "correlate2d";
        if (image.rank() < 2) {
            throw new ShapeMismatchException(fn + ": image must be [..., H, W] with at least 2 dimensions, got shape "
                    + Shapes.str(image.shape()));
        }
        if (kernel.rank() != 2 || kernel.dim(0) < 1 || kernel.dim(1) < 1) {
            throw new ShapeMismatchException(fn + ": kernel must be a non-empty matrix [kH, kW], got shape "
                    + Shapes.str(kernel.shape()) + " (image " + Shapes.str(image.shape()) + ")");
        }
        if (boundary == null) {
            throw new IllegalArgumentException(fn + ": boundary must not be null");
        }
        Device device = Ops.commonDevice(fn, image, kernel);
        long[] xs = image.shape();
        int r = xs.length;
        long h = xs[r - 2], w = xs[r - 1];
        if (h < 1 || w < 1) {
            throw new ShapeMismatchException(fn + ": image " + Shapes.str(xs) + " has an empty spatial axis");
        }
        long kh = kernel.dim(0), kw = kernel.dim(1);
        checkIntSizes(fn, h, w, kh, kw, kh * kw, w + kw);
        DType t = imageType(fn, image.dtype());
        try (Tensor x = dense(image, t); Tensor k = dense(kernel, DType.F64)) {
            Tensor o = Tensor.allocate(t, xs, device, true);
            return Ops.run(o, Kernels.CORRELATE2D, boundary, x.kernelView(), k.kernelView(), o.kernelView());
        }
    }

    // =================================================================== helpers

    /** A dense handle of {@code t} converted to {@code type}, to be closed by the caller. */
    private static Tensor dense(Tensor t, DType type) {
        return t.dtype() == type ? t.contiguous() : t.cast(type);
    }

    private static int[] pair(String fn, String name, int[] v) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(fn + ": " + name + " must have 2 entries (height, width), got "
                    + Arrays.toString(v));
        }
        return v.clone();
    }

    private static void requireRank(String fn, String what, Tensor t, int rank, String layout) {
        if (t == null) {
            throw new IllegalArgumentException(fn + ": " + what + " must not be null");
        }
        if (t.rank() != rank) {
            throw new ShapeMismatchException(fn + ": " + what + " must be " + rank + "-D " + layout + ", got shape "
                    + Shapes.str(t.shape()));
        }
    }

    /** The computation type of the operands (nulls skipped): F32 if all are F32, F64 if any is F64. */
    private static DType floatType(String fn, Tensor... ts) {
        DType t = null;
        StringBuilder types = new StringBuilder();
        boolean ok = true;
        for (Tensor x : ts) {
            if (x == null) {
                continue;
            }
            types.append(types.isEmpty() ? "" : ", ").append(x.dtype());
            ok &= x.dtype() == DType.F32 || x.dtype() == DType.F64;
            t = t == null ? x.dtype() : DType.promote(t, x.dtype());
        }
        if (!ok) {
            throw new DTypeMismatchException(fn + " supports F32 and F64 operands, got " + types + "; cast first");
        }
        return t;
    }

    /** The type pooling, resizing and correlation compute {@code type} in: itself for F32 and F64, F64 for integers and BOOL. */
    private static DType imageType(String fn, DType type) {
        if (type == DType.F16 || type == DType.BF16) {
            throw new DTypeMismatchException(fn + " computes in F32 or F64 (integer and BOOL input in F64), got " + type
                    + "; cast to F32 first");
        }
        return DType.floating(type);
    }

    private static void checkConvParams(String fn, int[] s, int[] p, int[] d, int groups) {
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 1) {
                throw new IllegalArgumentException(fn + ": stride must be >= 1, got " + Arrays.toString(s));
            }
            if (p[i] < 0) {
                throw new IllegalArgumentException(fn + ": padding must be >= 0, got " + Arrays.toString(p));
            }
            if (d[i] < 1) {
                throw new IllegalArgumentException(fn + ": dilation must be >= 1, got " + Arrays.toString(d));
            }
        }
        if (groups < 1) {
            throw new IllegalArgumentException(fn + ": groups must be >= 1, got " + groups);
        }
    }

    /** Every dimension of {@code shape} from {@code from} on must be at least 1. */
    private static void requirePositive(String fn, String what, long[] shape, int from, String shapes) {
        for (int i = from; i < shape.length; i++) {
            if (shape[i] < 1) {
                throw new ShapeMismatchException(fn + ": " + what + " dimension " + i + " must be at least 1" + shapes);
            }
        }
    }

    private static void checkBias(String fn, Tensor bias, long channels, String shapes) {
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != channels)) {
            throw new ShapeMismatchException(fn + ": bias must be [" + channels + "] (one per output channel), got shape "
                    + Shapes.str(bias.shape()) + shapes);
        }
    }

    private static void checkIntSizes(String fn, long... sizes) {
        for (long v : sizes) {
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(fn + ": a size (" + v + ") exceeds the 32-bit range the kernels index with");
            }
        }
    }
}
