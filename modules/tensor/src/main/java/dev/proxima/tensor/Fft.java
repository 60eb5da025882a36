package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Discrete Fourier transforms of tensors, with NumPy's ({@code numpy.fft}) definitions and
 * normalisation modes.
 *
 * <h2>Complex tensors</h2>
 * Proxima has no complex dtype. A complex tensor is a real tensor with a <b>trailing dimension of size
 * 2</b> holding {@code (real, imaginary)}, like PyTorch's {@code view_as_real}: an F64 tensor of shape
 * {@code [..., 2]} is complex128 data of shape {@code [...]}, an F32 one is complex64. Axes of complex
 * operands count over the dimensions <em>before</em> the trailing 2: for complex input of shape
 * {@code [8, 16, 2]}, axis {@code 1} (or {@code -1}) is the one of extent 16. Complex results have
 * the same form and are contiguous, so element {@code (i, j)} has its real part at {@code [i, j, 0]}
 * and its imaginary part at {@code [i, j, 1]}.
 *
 * <h2>Definitions</h2>
 * For a line {@code x_0 … x_{n−1}} along the chosen axis:
 * <pre>
 *   forward  X_k = s_f · Σ_{j=0}^{n−1} x_j · e^{−2πi·jk/n}      (fft, rfft)
 *   inverse  x_j = s_i · Σ_{k=0}^{n−1} X_k · e^{+2πi·jk/n}      (ifft, irfft)
 * </pre>
 * The forward transform uses the negative exponent, as NumPy. The scale factors follow {@link Norm}:
 * {@link Norm#BACKWARD} (the default) has {@code s_f = 1}, {@code s_i = 1/n}; {@link Norm#ORTHO} has
 * {@code 1/√n} both ways (the transform is then unitary); {@link Norm#FORWARD} has {@code s_f = 1/n},
 * {@code s_i = 1}. Each pair {@code fft}/{@code ifft} with the same norm are inverses.
 *
 * <p>{@code rfft} of real data returns only the bins {@code k = 0 … ⌊n/2⌋} (the others are their
 * complex conjugates); {@code irfft} takes those bins and returns the real signal. The 2-D variants
 * transform the last two axes (of the complex dimensions, for complex operands), NumPy's default
 * {@code axes=(-2, -1)}; their scale is the product of the per-axis scales, e.g. {@code 1/(n₀·n₁)} for a
 * backward inverse. Like NumPy's {@code s}, their {@code long[] s} overloads first crop or zero-pad each of
 * the two axes at its end to {@code s[0]} and {@code s[1]} points (for {@code irfft2}, {@code s} is the
 * output shape), and the scale uses those sizes. {@code fft2OfReal} is NumPy's {@code fft2} of a real
 * array: the full spectrum, Hermitian-symmetric; it needs its own name because a real tensor whose last
 * extent is 2 would otherwise read as complex. Every transform is differentiable (reverse mode, to any order).
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Tensor t = Tensor.arange(0, 8, 1, DType.F64);
 *     Tensor x = t.mul(2 * Math.PI / 8).cos();      // one period of a cosine
 *     Tensor spectrum = Fft.rfft(x);                // shape [5, 2]: bin 1 is (4, 0), the rest ≈ 0
 *     Tensor back = Fft.irfft(spectrum);            // shape [8], equal to x up to rounding
 *     Tensor c = Fft.fft(spectrum, 0, Fft.Norm.ORTHO); // complex in, complex out
 * }
 * }
 *
 * <h2>Algorithms and precision</h2>
 * Any length works. Lengths whose prime factors are small run a mixed-radix Stockham Cooley–Tukey FFT
 * (radix 4, 2, 3, 5 and a direct pass for other small primes); long lengths split as {@code n₁·n₂}
 * into cache-sized sub-FFTs (the "four-step" algorithm); lengths with a large prime factor use
 * Bluestein's chirp-z algorithm through a power-of-two FFT. {@code rfft} and {@code irfft} of even
 * length run a complex FFT of half the length. Twiddle factors are precomputed per length and cached.
 * The error grows like {@code ε·log n} (ε of double precision, 1.1e−16): measured about 1e−15 relative
 * to the root-mean-square bin at 2²⁰ points, and likewise for prime lengths. All arithmetic is in
 * double precision: F32 operands are widened, and the result is rounded to F32 once at the end, so
 * F32 results carry only that final rounding.
 *
 * <p>Input may be any strided view (transposed, sliced); lines along the axis are copied into scratch
 * memory, transformed and written to a new contiguous result, so nothing is modified in place. All
 * other axes are batch axes; many lines are transformed in parallel (see {@code proxima.threads}), and
 * a single long line splits its four-step passes over the workers. Scratch space is Java heap, kept
 * per thread between calls (softly referenced): four arrays of doubles per line being transformed, of
 * length n, or of the padded power of two ≥ 2n − 1 for Bluestein lengths. Transforms along one axis are
 * limited to 2²⁷ points. Results belong to the current {@link Scope} like those of every other
 * operation, on the operand's device; internal temporaries are freed before returning. Each 1-D pass runs
 * one kernel through the dispatcher (keys {@code FFT}, {@code RFFT}, {@code IRFFT}, {@code HERMITIAN_FILL} of
 * {@link Kernels}): on a device whose backend has no such kernel the pass is staged through the host (see
 * {@link Proxima#hostStagings()}). The methods may be called from several threads at once (cached plans are
 * immutable and shared).
 *
 * <h2>Differences from NumPy</h2>
 * The 1-D transforms have no {@code n} argument to pad or crop the input of {@code fft}/{@code rfft};
 * slice the input instead. {@code irfft}'s {@code n} (and the last-axis length {@code n} of
 * {@link #irfft2(Tensor, long, Norm)}) must match the number of bins {@code m}: {@code n = 2(m−1)} or
 * {@code 2m−1} (NumPy would crop or zero-pad; {@link #irfft2(Tensor, long[], Norm)} does, as NumPy). Like
 * NumPy, {@code irfft} ignores the imaginary parts of bin 0 and, for even {@code n}, of bin {@code n/2}.
 * The 2-D variants always use the last two axes (no {@code axes} argument; {@link Tensor#permute} first),
 * and the entries of {@code s} must be sizes (NumPy 2's {@code -1}, "the input's extent", is not accepted).
 * Real input to {@code fft2} goes through {@link #fft2OfReal(Tensor, long[], Norm)}. Integer input is
 * rejected (cast to F64 first) rather than converted.
 */
public final class Fft {

    /** The longest transform supported along one axis. */
    private static final long MAX_LENGTH = 1L << 27;

    /**
     * Which direction carries the {@code 1/n} factor, with NumPy's names (the {@code norm} argument of
     * {@code numpy.fft}).
     */
    public enum Norm {
        /** No scaling forward, {@code 1/n} on the inverse: NumPy's default. */
        BACKWARD,
        /** {@code 1/√n} both ways, which makes the transform unitary. */
        ORTHO,
        /** {@code 1/n} forward, no scaling on the inverse. */
        FORWARD;

        double scale(long n, boolean inverse) {
            return switch (this) {
                case BACKWARD -> inverse ? 1.0 / n : 1.0;
                case ORTHO -> 1.0 / Math.sqrt(n);
                case FORWARD -> inverse ? 1.0 : 1.0 / n;
            };
        }
    }

    private Fft() {
    }

    // =================================================================== complex ↔ complex

    /**
     * The complex FFT over the last complex axis with {@link Norm#BACKWARD}; see
     * {@link #fft(Tensor, int, Norm)}.
     *
     * @param x complex input: F32 or F64 with a trailing dimension of size 2
     * @return a new contiguous complex tensor of the same shape and dtype
     */
    public static Tensor fft(Tensor x) {
        return fft(x, -1, Norm.BACKWARD);
    }

    /**
     * The complex forward FFT along one axis: {@code X_k = s · Σ_j x_j e^{−2πi jk/n}} with {@code s} = 1,
     * {@code 1/√n} or {@code 1/n} for {@code norm} BACKWARD, ORTHO or FORWARD. Like
     * {@code numpy.fft.fft(x, axis=axis, norm=...)}.
     *
     * {@snippet :
     * Tensor delta = Tensor.fromArray(new double[][]{{1, 0}, {0, 0}, {0, 0}, {0, 0}}); // complex [1, 0, 0, 0]
     * Tensor ones = Fft.fft(delta, 0, Fft.Norm.BACKWARD);                           // [[1, 0], [1, 0], [1, 0], [1, 0]]
     * }
     *
     * @param x    complex input: F32 or F64 with a trailing dimension of size 2 (see the class comment)
     * @param axis the axis to transform, counted over the dimensions before the trailing 2 (negative
     *             counts from the end)
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of the same shape and dtype
     * @throws IllegalArgumentException if {@code x} is not complex-shaped, not F32/F64,
     *                                  the axis is out of range or its extent is 0
     */
    public static Tensor fft(Tensor x, int axis, Norm norm) {
        Tensor out = complex("fft", x, axis, norm, false, null);
        return GradNode.record(out, "fft", new Tensor[]{x}, (g, needs) -> new Tensor[]{ifft(g, axis, adjoint(norm))});
    }

    /**
     * The complex inverse FFT over the last complex axis with {@link Norm#BACKWARD}; see
     * {@link #ifft(Tensor, int, Norm)}.
     *
     * @param x complex input: F32 or F64 with a trailing dimension of size 2
     * @return a new contiguous complex tensor of the same shape and dtype
     */
    public static Tensor ifft(Tensor x) {
        return ifft(x, -1, Norm.BACKWARD);
    }

    /**
     * The complex inverse FFT along one axis: {@code x_j = s · Σ_k X_k e^{+2πi jk/n}} with {@code s} =
     * {@code 1/n}, {@code 1/√n} or 1 for {@code norm} BACKWARD, ORTHO or FORWARD, so that
     * {@code ifft(fft(x, a, m), a, m)} equals {@code x} for every mode. Like {@code numpy.fft.ifft}.
     *
     * {@snippet :
     * Tensor x = Tensor.fromArray(new double[][]{{1, 2}, {3, 4}, {5, 6}});   // complex [1+2i, 3+4i, 5+6i]
     * Tensor back = Fft.ifft(Fft.fft(x, 0, Fft.Norm.BACKWARD), 0, Fft.Norm.BACKWARD); // ≈ x
     * }
     *
     * @param x    complex input (trailing dimension 2), F32 or F64
     * @param axis the axis to transform, over the dimensions before the trailing 2
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of the same shape and dtype
     * @throws IllegalArgumentException as for {@link #fft(Tensor, int, Norm)}
     */
    public static Tensor ifft(Tensor x, int axis, Norm norm) {
        Tensor out = complex("ifft", x, axis, norm, true, null);
        return GradNode.record(out, "ifft", new Tensor[]{x}, (g, needs) -> new Tensor[]{fft(g, axis, adjoint(norm))});
    }

    // =================================================================== real ↔ complex

    /**
     * The real FFT over the last axis with {@link Norm#BACKWARD}; see {@link #rfft(Tensor, int, Norm)}.
     *
     * @param x real input, F32 or F64, of rank ≥ 1
     * @return a new complex tensor with {@code n/2 + 1} bins along the last real axis
     */
    public static Tensor rfft(Tensor x) {
        return rfft(x, -1, Norm.BACKWARD);
    }

    /**
     * The FFT of real data along one axis, keeping the non-redundant bins {@code k = 0 … ⌊n/2⌋}:
     * {@code X_k = s · Σ_j x_j e^{−2πi jk/n}} with {@code s} as for {@link #fft(Tensor, int, Norm)}.
     * Like {@code numpy.fft.rfft}. The imaginary parts of bin 0 (and of bin {@code n/2} for even
     * {@code n}) are exactly 0.
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, 2.0, 3.0, 4.0);
     * Tensor X = Fft.rfft(x, 0, Fft.Norm.BACKWARD);   // shape [3, 2]: (10, 0), (−2, 2), (−2, 0)
     * }
     *
     * @param x    real input, F32 or F64, of rank ≥ 1
     * @param axis the axis to transform (negative counts from the end)
     * @param norm the normalisation mode
     * @return a new complex tensor: {@code x}'s shape with the axis extent {@code n/2 + 1} and a
     *         trailing dimension 2; same dtype
     * @throws IllegalArgumentException if {@code x} is not F32/F64, the axis is out of
     *                                  range or its extent is 0
     */
    public static Tensor rfft(Tensor x, int axis, Norm norm) {
        Tensor out = real("rfft", x, axis, norm);
        long n = x.rank() == 0 ? 1 : x.dim(axis);
        return GradNode.record(out, "rfft", new Tensor[]{x}, (g, needs) -> new Tensor[]{rfftAdjoint(g, n, axis, norm)});
    }

    /**
     * The inverse real FFT over the last complex axis with output length {@code 2(m − 1)} for {@code m}
     * input bins and {@link Norm#BACKWARD}; see {@link #irfft(Tensor, long, int, Norm)}. To invert an
     * odd-length {@code rfft}, pass the length explicitly.
     *
     * @param x complex input (trailing dimension 2), F32 or F64
     * @return a new real tensor with {@code 2(m − 1)} elements along the transformed axis
     * @throws IllegalArgumentException also if the axis has a single bin (the length would be 0: pass
     *                                  {@code n = 1} explicitly)
     */
    public static Tensor irfft(Tensor x) {
        return irfft(x, defaultLength("irfft", x, -1), -1, Norm.BACKWARD);
    }

    /**
     * The inverse of {@link #rfft(Tensor, int, Norm)}: a real signal of length {@code n} from its bins
     * {@code X_0 … X_{m−1}}, {@code m = ⌊n/2⌋ + 1}, using {@code X_{n−k} = conj(X_k)} for the others:
     * {@code x_j = s · Σ_{k=0}^{n−1} X_k e^{+2πi jk/n}} with {@code s} as for
     * {@link #ifft(Tensor, int, Norm)}. Like {@code numpy.fft.irfft}; the imaginary parts of bin 0 and,
     * for even {@code n}, bin {@code n/2} do not affect the result. Since {@code m} bins fit both
     * {@code n = 2m − 2} and {@code n = 2m − 1}, pass the original length to invert an odd-length rfft.
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, 2.0, 3.0, 4.0, 5.0);
     * Tensor X = Fft.rfft(x, 0, Fft.Norm.BACKWARD);              // 3 bins
     * Tensor back = Fft.irfft(X, 5, 0, Fft.Norm.BACKWARD);       // ≈ x (n = 4 would be a different signal)
     * }
     *
     * @param x    complex input (trailing dimension 2), F32 or F64
     * @param n    the output length along the axis: {@code 2m − 2} or {@code 2m − 1} for {@code m} bins
     * @param axis the axis holding the bins, over the dimensions before the trailing 2
     * @param norm the normalisation mode
     * @return a new real tensor: {@code x}'s shape without the trailing 2 and with the axis extent {@code n}
     * @throws IllegalArgumentException if {@code x} is not complex-shaped, not F32/F64,
     *                                  the axis is out of range, {@code n < 1}, or {@code ⌊n/2⌋ + 1}
     *                                  differs from the number of bins
     */
    public static Tensor irfft(Tensor x, long n, int axis, Norm norm) {
        Tensor out = inverseReal("irfft", x, n, axis, norm);
        return GradNode.record(out, "irfft", new Tensor[]{x}, (g, needs) -> new Tensor[]{irfftAdjoint(g, n, axis, norm)});
    }

    // =================================================================== 2-D

    /**
     * The 2-D complex FFT over the last two complex axes with {@link Norm#BACKWARD}; see
     * {@link #fft2(Tensor, Norm)}.
     *
     * @param x complex input with at least two dimensions before the trailing 2
     * @return a new contiguous complex tensor of the same shape and dtype
     */
    public static Tensor fft2(Tensor x) {
        return fft2(x, Norm.BACKWARD);
    }

    /**
     * The 2-D complex FFT over the last two axes before the trailing 2 (the other axes are batch axes):
     * {@code X_{k₀k₁} = s · Σ x_{j₀j₁} e^{−2πi (j₀k₀/n₀ + j₁k₁/n₁)}} with {@code s} = 1,
     * {@code 1/√(n₀n₁)} or {@code 1/(n₀n₁)} by {@code norm}. Like {@code numpy.fft.fft2}.
     *
     * {@snippet :
     * Tensor img = Tensor.zeros(DType.F64, 4, 6, 2);   // a 4×6 complex image
     * Tensor spectrum = Fft.fft2(img, Fft.Norm.ORTHO);
     * }
     *
     * @param x    complex input with at least two dimensions before the trailing 2
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of the same shape and dtype
     * @throws IllegalArgumentException if {@code x} is not complex-shaped with rank ≥ 3, not F32/F64,
     *                                  or a transformed extent is 0
     */
    public static Tensor fft2(Tensor x, Norm norm) {
        Tensor out = complex2("fft2", x, norm, false);
        return GradNode.record(out, "fft2", new Tensor[]{x}, (g, needs) -> new Tensor[]{ifft2(g, adjoint(norm))});
    }

    /**
     * The 2-D complex inverse FFT over the last two complex axes with {@link Norm#BACKWARD}; see
     * {@link #ifft2(Tensor, Norm)}.
     *
     * @param x complex input with at least two dimensions before the trailing 2
     * @return a new contiguous complex tensor of the same shape and dtype
     */
    public static Tensor ifft2(Tensor x) {
        return ifft2(x, Norm.BACKWARD);
    }

    /**
     * The 2-D complex inverse FFT over the last two axes before the trailing 2, the inverse of
     * {@link #fft2(Tensor, Norm)} with the same {@code norm}. Like {@code numpy.fft.ifft2}.
     *
     * {@snippet :
     * Tensor back = Fft.ifft2(Fft.fft2(img, Fft.Norm.BACKWARD), Fft.Norm.BACKWARD); // ≈ img
     * }
     *
     * @param x    complex input with at least two dimensions before the trailing 2
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of the same shape and dtype
     * @throws IllegalArgumentException as for {@link #fft2(Tensor, Norm)}
     */
    public static Tensor ifft2(Tensor x, Norm norm) {
        Tensor out = complex2("ifft2", x, norm, true);
        return GradNode.record(out, "ifft2", new Tensor[]{x}, (g, needs) -> new Tensor[]{fft2(g, adjoint(norm))});
    }

    /**
     * The 2-D real FFT over the last two axes with {@link Norm#BACKWARD}; see {@link #rfft2(Tensor, Norm)}.
     *
     * @param x real input of rank ≥ 2, F32 or F64
     * @return a new complex tensor of shape {@code [..., n₀, n₁/2 + 1, 2]}
     */
    public static Tensor rfft2(Tensor x) {
        return rfft2(x, Norm.BACKWARD);
    }

    /**
     * The 2-D FFT of real data over the last two axes: an {@link #rfft(Tensor, int, Norm) rfft} along the
     * last axis (keeping {@code n₁/2 + 1} bins) followed by a complex FFT along the one before. Like
     * {@code numpy.fft.rfft2}.
     *
     * {@snippet :
     * Tensor img = Tensor.ones(DType.F32, 8, 8);
     * Tensor spectrum = Fft.rfft2(img, Fft.Norm.BACKWARD);   // shape [8, 5, 2], 64 at [0, 0, 0], else 0
     * }
     *
     * @param x    real input of rank ≥ 2, F32 or F64
     * @param norm the normalisation mode
     * @return a new complex tensor of shape {@code [..., n₀, n₁/2 + 1, 2]}, same dtype
     * @throws IllegalArgumentException if {@code x} has rank &lt; 2, is not F32/F64, or
     *                                  a transformed extent is 0
     */
    public static Tensor rfft2(Tensor x, Norm norm) {
        checkReal2("rfft2", x);
        Tensor out = real("rfft2", x, -1, norm);
        try {
            complex("rfft2", out, -2, norm, false, out);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        long n1 = x.dim(-1);
        // rfft2 = fft along −2 of rfft along −1, so its adjoint applies the two adjoints in reverse order
        return GradNode.record(out, "rfft2", new Tensor[]{x}, 
                (g, needs) -> new Tensor[]{rfftAdjoint(ifft(g, -2, adjoint(norm)), n1, -1, norm)});
    }

    /**
     * The 2-D inverse real FFT over the last two complex axes with {@link Norm#BACKWARD} and last-axis
     * output length {@code 2(m − 1)}; see {@link #irfft2(Tensor, long, Norm)}.
     *
     * @param x complex input with at least two dimensions before the trailing 2
     * @return a new real tensor of shape {@code [..., n₀, 2(m − 1)]}
     * @throws IllegalArgumentException as for {@link #irfft2(Tensor, long, Norm)}, or if the last axis
     *                                  has a single bin
     */
    public static Tensor irfft2(Tensor x) {
        return irfft2(x, defaultLength("irfft2", x, -1), Norm.BACKWARD);
    }

    /**
     * The inverse of {@link #rfft2(Tensor, Norm)}: a complex inverse FFT along the second-to-last complex
     * axis followed by an {@link #irfft(Tensor, long, int, Norm) irfft} of length {@code n} along the
     * last. Like {@code numpy.fft.irfft2(x, s=(n₀, n))}.
     *
     * {@snippet :
     * Tensor img = Tensor.ones(DType.F64, 6, 7);
     * Tensor back = Fft.irfft2(Fft.rfft2(img, Fft.Norm.ORTHO), 7, Fft.Norm.ORTHO); // ≈ img (odd width: pass 7)
     * }
     *
     * @param x    complex input with at least two dimensions before the trailing 2
     * @param n    the output length of the last axis: {@code 2m − 2} or {@code 2m − 1} for {@code m} bins
     * @param norm the normalisation mode
     * @return a new real tensor of shape {@code [..., n₀, n]}
     * @throws IllegalArgumentException as for {@link #irfft(Tensor, long, int, Norm)}, or if {@code x}
     *                                  has fewer than two complex dimensions
     */
    public static Tensor irfft2(Tensor x, long n, Norm norm) {
        check("irfft2", x, true);
        if (x.rank() < 3) {
            throw new IllegalArgumentException("irfft2 needs complex input with at least two dimensions before the trailing 2, got shape "
                    + Shapes.str(x.shape()));
        }
        checkLength("irfft2", x.shape(), x.rank() - 3);
        checkIrfftLength("irfft2", x.dim(-2), n);
        Tensor out;
        try (Tensor columns = complex("irfft2", x, -2, norm, true, null)) {
            out = inverseReal("irfft2", columns, n, -1, norm);
        }
        return GradNode.record(out, "irfft2", new Tensor[]{x}, 
                (g, needs) -> new Tensor[]{fft(irfftAdjoint(g, n, -1, norm), -2, adjoint(norm))});
    }

    // =================================================================== 2-D with sizes, and real input

    /**
     * The 2-D complex FFT of {@code x} cropped or zero-padded to {@code s[0] × s[1]} points over the last two
     * complex axes, like {@code numpy.fft.fft2(x, s=s, norm=...)}: each axis keeps its first {@code s[i]}
     * points, or gets zeros appended up to {@code s[i]}, and is then transformed as by
     * {@link #fft2(Tensor, Norm)} (the scale uses {@code s}).
     *
     * {@snippet :
     * Tensor z = Tensor.zeros(DType.F64, 3, 5, 2);              // a 3×5 complex image
     * Tensor spectrum = Fft.fft2(z, new long[]{4, 8}, Fft.Norm.BACKWARD); // shape [4, 8, 2]: zero-padded
     * }
     *
     * @param x    complex input with at least two dimensions before the trailing 2, F32 or F64
     * @param s    the transform sizes of the two axes, each ≥ 1
     * @param norm the normalisation mode
     * @return a new complex tensor of shape {@code [..., s[0], s[1], 2]}, same dtype
     * @throws IllegalArgumentException if {@code x} is not complex-shaped with rank ≥ 3, not F32/F64, or
     *                                  {@code s} does not hold two sizes in {@code [1, 2²⁷]}
     */
    public static Tensor fft2(Tensor x, long[] s, Norm norm) {
        checkComplex2("fft2", x, s, norm);
        try (Scope scope = Scope.open()) {
            return scope.keep(fft2(resized2(x, x.rank() - 3, s[0], s[1]), norm));
        }
    }

    /**
     * The 2-D complex inverse FFT of {@code x} cropped or zero-padded to {@code s[0] × s[1]} points over the
     * last two complex axes, like {@code numpy.fft.ifft2(x, s=s, norm=...)}; see
     * {@link #fft2(Tensor, long[], Norm)} for the cropping and padding and {@link #ifft2(Tensor, Norm)} for the
     * transform.
     *
     * @param x    complex input with at least two dimensions before the trailing 2, F32 or F64
     * @param s    the transform sizes of the two axes, each ≥ 1
     * @param norm the normalisation mode
     * @return a new complex tensor of shape {@code [..., s[0], s[1], 2]}, same dtype
     * @throws IllegalArgumentException as for {@link #fft2(Tensor, long[], Norm)}
     */
    public static Tensor ifft2(Tensor x, long[] s, Norm norm) {
        checkComplex2("ifft2", x, s, norm);
        try (Scope scope = Scope.open()) {
            return scope.keep(ifft2(resized2(x, x.rank() - 3, s[0], s[1]), norm));
        }
    }

    /**
     * The 2-D FFT of real data cropped or zero-padded to {@code s[0] × s[1]} points over the last two axes,
     * keeping the {@code s[1]/2 + 1} non-redundant bins of the last axis, like
     * {@code numpy.fft.rfft2(x, s=s, norm=...)}; see {@link #rfft2(Tensor, Norm)}.
     *
     * {@snippet :
     * Tensor img = Tensor.ones(DType.F64, 6, 6);
     * Tensor spectrum = Fft.rfft2(img, new long[]{8, 8}, Fft.Norm.ORTHO); // shape [8, 5, 2]
     * }
     *
     * @param x    real input of rank ≥ 2, F32 or F64
     * @param s    the transform sizes of the two axes, each ≥ 1
     * @param norm the normalisation mode
     * @return a new complex tensor of shape {@code [..., s[0], s[1]/2 + 1, 2]}, same dtype
     * @throws IllegalArgumentException if {@code x} has rank &lt; 2 or is not F32/F64, or {@code s} does not
     *                                  hold two sizes in {@code [1, 2²⁷]}
     */
    public static Tensor rfft2(Tensor x, long[] s, Norm norm) {
        checkReal2("rfft2", x, s, norm);
        try (Scope scope = Scope.open()) {
            return scope.keep(rfft2(resized2(x, x.rank() - 2, s[0], s[1]), norm));
        }
    }

    /**
     * The inverse of {@link #rfft2(Tensor, long[], Norm)} with output shape {@code s[0] × s[1]}, like
     * {@code numpy.fft.irfft2(x, s=s, norm=...)}: the bins along the second-to-last complex axis are cropped
     * or zero-padded to {@code s[0]} and inverted by a complex inverse FFT, then the bins along the last axis
     * are cropped or zero-padded to {@code s[1]/2 + 1} and turned into {@code s[1]} real points by an
     * {@link #irfft(Tensor, long, int, Norm) irfft}. Unlike {@link #irfft2(Tensor, long, Norm)} any sizes
     * are accepted, as in NumPy.
     *
     * {@snippet :
     * Tensor img = Tensor.ones(DType.F64, 6, 7);
     * Tensor back = Fft.irfft2(Fft.rfft2(img), new long[]{6, 7}, Fft.Norm.BACKWARD); // ≈ img
     * }
     *
     * @param x    complex input with at least two dimensions before the trailing 2, F32 or F64
     * @param s    the output shape of the two axes, each ≥ 1
     * @param norm the normalisation mode
     * @return a new real tensor of shape {@code [..., s[0], s[1]]}, same dtype
     * @throws IllegalArgumentException as for {@link #fft2(Tensor, long[], Norm)}
     */
    public static Tensor irfft2(Tensor x, long[] s, Norm norm) {
        checkComplex2("irfft2", x, s, norm);
        try (Scope scope = Scope.open()) {
            return scope.keep(irfft2(resized2(x, x.rank() - 3, s[0], s[1] / 2 + 1), s[1], norm));
        }
    }

    /**
     * The 2-D FFT of real data over the last two axes with {@link Norm#BACKWARD}: the full spectrum; see
     * {@link #fft2OfReal(Tensor, Norm)}.
     *
     * @param x real input of rank ≥ 2, F32 or F64
     * @return a new complex tensor of shape {@code [..., n₀, n₁, 2]}
     */
    public static Tensor fft2OfReal(Tensor x) {
        return fft2OfReal(x, Norm.BACKWARD);
    }

    /**
     * The 2-D FFT of real data over the last two axes, every bin: what {@code numpy.fft.fft2} returns for a
     * real array, {@code X_{k₀k₁} = s · Σ x_{j₀j₁} e^{−2πi (j₀k₀/n₀ + j₁k₁/n₁)}} with {@code s} as for
     * {@link #fft2(Tensor, Norm)}. The spectrum is Hermitian, {@code X_{k₀k₁} = conj(X_{−k₀,−k₁})} (indices
     * mod n), so it is computed as an {@link #rfft2(Tensor, Norm) rfft2} whose missing bins are filled in by
     * that symmetry: about half the arithmetic of a complex {@code fft2} of the same data with zero imaginary parts.
     * Use {@code rfft2} when the {@code n₁/2 + 1} non-redundant bins suffice.
     *
     * {@snippet :
     * Tensor img = Tensor.ones(DType.F64, 4, 6);
     * Tensor spectrum = Fft.fft2OfReal(img, Fft.Norm.BACKWARD); // shape [4, 6, 2]: 24 at [0, 0, 0], else 0
     * }
     *
     * @param x    real input of rank ≥ 2, F32 or F64
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of shape {@code [..., n₀, n₁, 2]}, same dtype
     * @throws IllegalArgumentException if {@code x} has rank &lt; 2, is not F32/F64, or a transformed extent is 0
     */
    public static Tensor fft2OfReal(Tensor x, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        checkReal2("fft2OfReal", x);
        long[] shape = Arrays.copyOf(x.shape(), x.rank() + 1);
        shape[x.rank()] = 2;
        Tensor out;
        try (Tensor half = real("fft2OfReal", x, -1, norm)) {
            complex("fft2OfReal", half, -2, norm, false, half);
            out = Tensor.allocate(x.dtype(), shape, x.device(), true);
            Ops.run(out, Kernels.HERMITIAN_FILL, null, half.kernelView(), out.kernelView());
        }
        // the adjoint of y = F·x for real x is Re(Fᴴ·g): the real part of the inverse transform of g
        return GradNode.record(out, "fft2OfReal", new Tensor[]{x}, 
                (g, needs) -> new Tensor[]{ifft2(g, adjoint(norm)).select(-1, 0)});
    }

    /**
     * The full 2-D FFT of real data cropped or zero-padded to {@code s[0] × s[1]} points over the last two
     * axes, like {@code numpy.fft.fft2(x, s=s, norm=...)} for a real {@code x}; see
     * {@link #fft2OfReal(Tensor, Norm)} and, for the cropping and padding, {@link #fft2(Tensor, long[], Norm)}.
     *
     * @param x    real input of rank ≥ 2, F32 or F64
     * @param s    the transform sizes of the two axes, each ≥ 1
     * @param norm the normalisation mode
     * @return a new contiguous complex tensor of shape {@code [..., s[0], s[1], 2]}, same dtype
     * @throws IllegalArgumentException as for {@link #rfft2(Tensor, long[], Norm)}
     */
    public static Tensor fft2OfReal(Tensor x, long[] s, Norm norm) {
        checkReal2("fft2OfReal", x, s, norm);
        try (Scope scope = Scope.open()) {
            return scope.keep(fft2OfReal(resized2(x, x.rank() - 2, s[0], s[1]), norm));
        }
    }

    // =================================================================== discrete cosine transform

    /**
     * The DCT-II along the last axis with {@link Norm#BACKWARD}; see {@link #dct(Tensor, int, Norm)}.
     *
     * @param x real input, F32 or F64, of rank ≥ 1
     * @return a new real tensor of the same shape and dtype
     * @throws IllegalArgumentException as for {@link #dct(Tensor, int, Norm)}
     */
    public static Tensor dct(Tensor x) {
        return dct(x, -1, Norm.BACKWARD);
    }

    /**
     * The discrete cosine transform of type II along one axis, with SciPy's definition and norms
     * ({@code scipy.fft.dct(x, type=2, axis=axis, norm=…)}): for a line {@code x_0 … x_{n−1}},
     * <pre>
     *   y_k = s_k · 2 Σ_{j=0}^{n−1} x_j · cos(π k (2j + 1) / (2n)),    k = 0 … n − 1
     * </pre>
     * with {@code s_k = 1} for {@link Norm#BACKWARD} (SciPy's default), {@code s_k = 1/(2n)} for
     * {@link Norm#FORWARD}, and for {@link Norm#ORTHO} {@code s_0 = √(1/(4n))}, {@code s_k = √(1/(2n))}
     * otherwise, which makes the transform orthonormal: {@code dct(I, 0, ORTHO)} is the orthogonal DCT
     * matrix {@code C} with {@code C[k][j] = s_k · 2cos(π k (2j + 1)/(2n))}, whose rows are the DCT basis
     * vectors and whose inverse is its transpose (SciPy's DCT-III with the same norm).
     *
     * <p>It runs as one real FFT of the line mirrored to length {@code 2n} (bins {@code 0 … n−1} of
     * {@code x_0 … x_{n−1}, x_{n−1} … x_0}, rotated by {@code e^{−iπk/(2n)}}), so it costs
     * {@code O(n log n)} per line, has the FFT's precision, and is differentiable (reverse mode, to any
     * order) through the operations it is made of.
     *
     * {@snippet :
     * Tensor y = Fft.dct(Tensor.of(1.0, 2.0, 3.0, 4.0), 0, Fft.Norm.ORTHO); // [5, −2.2304, 0, −0.1585]
     * Tensor basis = Fft.dct(Tensor.eye(8, DType.F64), 0, Fft.Norm.ORTHO); // 8 × 8, orthogonal
     * }
     *
     * @param x    real input, F32 or F64, of rank ≥ 1
     * @param axis the axis to transform (negative counts from the end)
     * @param norm the normalisation mode
     * @return a new real tensor of {@code x}'s shape and dtype, on its device
     * @throws IllegalArgumentException if {@code x} is not F32/F64 or a scalar, the axis is out of range, its
     *                                  extent is 0, or twice its extent exceeds the longest FFT
     */
    public static Tensor dct(Tensor x, int axis, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        check("dct", x, false);
        long[] shape = x.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("dct needs a tensor of rank >= 1, got a scalar");
        }
        int ax = axisIn("dct", axis, shape.length, shape, "");
        int n = checkLength("dct", shape, ax);
        if (2L * n > MAX_LENGTH) {
            throw new IllegalArgumentException("dct: lines longer than " + MAX_LENGTH / 2 + " points are not supported (the"
                    + " transform runs an FFT of twice the length), got " + n);
        }
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int k = 0; k < n; k++) {
            double theta = Math.PI * k / (2.0 * n);
            double s = switch (norm) {
                case BACKWARD -> 1;
                case FORWARD -> 1.0 / (2.0 * n);
                case ORTHO -> k == 0 ? Math.sqrt(1.0 / (4.0 * n)) : Math.sqrt(1.0 / (2.0 * n));
            };
            cos[k] = s * Math.cos(theta);
            sin[k] = s * Math.sin(theta);
        }
        long[] weightShape = new long[shape.length - ax];
        Arrays.fill(weightShape, 1);
        weightShape[0] = n;
        try (Scope scope = Scope.open()) {
            Tensor mirrored = Tensor.concat(ax, x, x.flip(ax));
            Tensor bins = rfft(mirrored, ax, Norm.BACKWARD).slice(ax, 0, n, 1);
            Tensor cosWeights = Tensor.onDevice(Tensor.of(cos).cast(x.dtype()).reshape(weightShape), x.device());
            Tensor sinWeights = Tensor.onDevice(Tensor.of(sin).cast(x.dtype()).reshape(weightShape), x.device());
            Tensor y = bins.select(-1, 0).mul(cosWeights).add(bins.select(-1, 1).mul(sinWeights));
            return scope.keep(y);
        }
    }

    /** {@code x} cropped or zero-padded at the end of dimensions {@code d} and {@code d + 1} to {@code n0} and {@code n1}. */
    private static Tensor resized2(Tensor x, int d, long n0, long n1) {
        return resized(resized(x, d, n0), d + 1, n1);
    }

    /** {@code x} cropped (a view) or zero-padded (a copy) at the end of dimension {@code d} to extent {@code n}. */
    private static Tensor resized(Tensor x, int d, long n) {
        long have = x.dim(d);
        if (have >= n) {
            return have == n ? x : x.slice(d, 0, n, 1);
        }
        long[] widths = new long[2 * x.rank()];
        widths[2 * d + 1] = n - have;
        return x.pad(widths, PadMode.CONSTANT, 0);
    }

    /** The checks of a 2-D transform of real input, before any work. */
    private static void checkReal2(String op, Tensor x) {
        check(op, x, false);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + " needs a tensor of rank >= 2, got shape " + Shapes.str(x.shape()));
        }
        checkLength(op, x.shape(), x.rank() - 2);
        checkLength(op, x.shape(), x.rank() - 1);
    }

    /** The checks of a sized 2-D transform of real input (the input extents may be anything, even 0). */
    private static void checkReal2(String op, Tensor x, long[] s, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        check(op, x, false);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + " needs a tensor of rank >= 2, got shape " + Shapes.str(x.shape()));
        }
        checkSizes(op, s);
    }

    /** The checks of a sized 2-D transform of complex input (the input extents may be anything, even 0). */
    private static void checkComplex2(String op, Tensor x, long[] s, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        check(op, x, true);
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + " needs complex input with at least two dimensions before the trailing 2, got shape "
                    + Shapes.str(x.shape()));
        }
        checkSizes(op, s);
    }

    /** {@code s} holds two transform sizes in [1, MAX_LENGTH]. */
    private static void checkSizes(String op, long[] s) {
        Objects.requireNonNull(s, "s");
        if (s.length != 2) {
            throw new IllegalArgumentException(op + ": s must hold two sizes, for the last two axes, got " + Arrays.toString(s));
        }
        for (int i = 0; i < 2; i++) {
            if (s[i] < 1 || s[i] > MAX_LENGTH) {
                throw new IllegalArgumentException(op + ": s[" + i + "] = " + s[i] + " is not a transform size: expected 1 .. "
                        + MAX_LENGTH + " (NumPy's -1 for the input's extent is not accepted; pass the extent)");
            }
        }
    }

    // =================================================================== adjoints (reverse-mode derivatives)

    /** The norm whose inverse-direction scale equals this norm's forward scale: BACKWARD ↔ FORWARD, ORTHO ↔ ORTHO. */
    private static Norm adjoint(Norm norm) {
        return switch (norm) {
            case BACKWARD -> Norm.FORWARD;
            case FORWARD -> Norm.BACKWARD;
            case ORTHO -> Norm.ORTHO;
        };
    }

    /**
     * Per-bin weights for the m bins of a length-n real transform along complex {@code axis} of a tensor of
     * the given complex rank (dimensions before the trailing 2): (edgeRe, edgeIm) for bin 0 and, when n is
     * even, bin n/2; (inner, inner) for the others. Shaped to broadcast against the complex tensor, on its device.
     */
    private static Tensor binWeights(long m, long n, int axis, int complexRank, DType dtype, Device device, double edgeRe,
                                     double edgeIm, double inner) {
        double[] w = new double[(int) (2 * m)];
        for (int j = 0; j < m; j++) {
            boolean edge = j == 0 || (n % 2 == 0 && j == n / 2);
            w[2 * j] = edge ? edgeRe : inner;
            w[2 * j + 1] = edge ? edgeIm : inner;
        }
        int a = axis < 0 ? axis + complexRank : axis;
        long[] shape = new long[complexRank - a + 1];
        java.util.Arrays.fill(shape, 1);
        shape[0] = m;
        shape[shape.length - 1] = 2;
        return Tensor.onDevice(Tensor.of(w).cast(dtype).reshape(shape), device);
    }

    /** Adjoint of rfft: the interior bins counted once (halved against irfft's doubling), then irfft. */
    private static Tensor rfftAdjoint(Tensor g, long n, int axis, Norm norm) {
        long m = g.dim(axis < 0 ? axis - 1 : axis);
        Tensor half = g.mul(binWeights(m, n, axis, g.rank() - 1, g.dtype(), g.device(), 1, 1, 0.5));
        return irfft(half, n, axis, adjoint(norm));
    }

    /** Adjoint of irfft: rfft, with interior bins doubled and the ignored imaginary parts of the edge bins zero. */
    private static Tensor irfftAdjoint(Tensor g, long n, int axis, Norm norm) {
        Tensor bins = rfft(g, axis, adjoint(norm));
        long m = bins.dim(axis < 0 ? axis - 1 : axis);
        return bins.mul(binWeights(m, n, axis, bins.rank() - 1, bins.dtype(), bins.device(), 1, 0, 2));
    }

    // =================================================================== implementation

    private static Tensor complex2(String op, Tensor x, Norm norm, boolean inverse) {
        check(op, x, true);
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + " needs complex input with at least two dimensions before the trailing 2, got shape "
                    + Shapes.str(x.shape()));
        }
        checkLength(op, x.shape(), x.rank() - 3);
        checkLength(op, x.shape(), x.rank() - 2);
        Tensor out = complex(op, x, -1, norm, inverse, null);
        try {
            return complex(op, out, -2, norm, inverse, out);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * Complex to complex along {@code axis}, into a new tensor on x's device or (when {@code target} is x itself)
     * in place.
     */
    private static Tensor complex(String op, Tensor x, int axis, Norm norm, boolean inverse, Tensor target) {
        Objects.requireNonNull(norm, "norm");
        check(op, x, true);
        long[] shape = x.shape();
        int ax = complexAxis(op, shape, axis);
        int n = checkLength(op, shape, ax);
        Kernels.FftAxis parameters = new Kernels.FftAxis(ax, inverse, norm.scale(n, inverse));
        if (target != null) {
            return Ops.write(target, Kernels.FFT, parameters, x.kernelView(), target.kernelView());
        }
        Tensor out = Tensor.allocate(x.dtype(), shape, x.device(), true);
        return Ops.run(out, Kernels.FFT, parameters, x.kernelView(), out.kernelView());
    }

    /** Real to complex along {@code axis}. */
    private static Tensor real(String op, Tensor x, int axis, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        check(op, x, false);
        long[] shape = x.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException(op + " needs a tensor of rank >= 1, got a scalar");
        }
        int ax = axisIn(op, axis, shape.length, shape, "");
        int n = checkLength(op, shape, ax);
        long[] outShape = Arrays.copyOf(shape, shape.length + 1);
        outShape[ax] = n / 2 + 1;
        outShape[shape.length] = 2;
        Tensor out = Tensor.allocate(x.dtype(), outShape, x.device(), true);
        return Ops.run(out, Kernels.RFFT, new Kernels.RealFftAxis(ax, norm.scale(n, false)), x.kernelView(), out.kernelView());
    }

    /** Complex (bins) to real of length {@code n} along {@code axis}. */
    private static Tensor inverseReal(String op, Tensor x, long n, int axis, Norm norm) {
        Objects.requireNonNull(norm, "norm");
        check(op, x, true);
        long[] shape = x.shape();
        int ax = complexAxis(op, shape, axis);
        checkIrfftLength(op, shape[ax], n);
        int last = shape.length - 1;
        long[] outShape = Arrays.copyOf(shape, last);
        outShape[ax] = n;
        Tensor out = Tensor.allocate(x.dtype(), outShape, x.device(), true);
        return Ops.run(out, Kernels.IRFFT, new Kernels.RealFftAxis(ax, norm.scale(n, true)), x.kernelView(), out.kernelView());
    }

    private static void check(String op, Tensor x, boolean complex) {
        Objects.requireNonNull(x, "x");
        long[] shape = x.shape();
        if (x.isClosed()) {
            throw new IllegalStateException(op + ": tensor " + x.dtype() + Shapes.str(shape) + " is closed");
        }
        if (!x.dtype().isFloating()) {
            throw new DTypeMismatchException(op + " supports F32 and F64 tensors, got " + x.dtype() + "; cast first");
        }
        if (complex && (shape.length < 2 || shape[shape.length - 1] != 2)) {
            throw new IllegalArgumentException(op + " expects complex input: a tensor of rank >= 2 whose last dimension of size 2 "
                    + "holds (real, imaginary); got shape " + Shapes.str(shape));
        }
    }

    /** Normalises an axis of complex input, counted over the dimensions before the trailing 2. */
    private static int complexAxis(String op, long[] shape, int axis) {
        return axisIn(op, axis, shape.length - 1, shape, " (axes of complex input exclude the trailing dimension of size 2)");
    }

    private static int axisIn(String op, int axis, int rank, long[] shape, String note) {
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + Shapes.str(shape)
                    + ": expected " + (-rank) + " .. " + (rank - 1) + note);
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** The transform length along {@code ax}, checked to be in [1, MAX_LENGTH]. */
    private static int checkLength(String op, long[] shape, int ax) {
        long n = shape[ax];
        if (n < 1) {
            throw new IllegalArgumentException(op + ": the transformed axis " + ax + " of shape " + Shapes.str(shape)
                    + " has no elements; an FFT needs n >= 1");
        }
        if (n > MAX_LENGTH) {
            throw new IllegalArgumentException(op + ": transforms longer than " + MAX_LENGTH + " points are not supported, got " + n);
        }
        return (int) n;
    }

    private static void checkIrfftLength(String op, long bins, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(op + ": the output length n must be >= 1, got " + n);
        }
        if (n > MAX_LENGTH) {
            throw new IllegalArgumentException(op + ": transforms longer than " + MAX_LENGTH + " points are not supported, got " + n);
        }
        if (n / 2 + 1 != bins) {
            throw new IllegalArgumentException(op + ": " + bins + " bins are the rfft of a signal of length " + (2 * bins - 2)
                    + " or " + (2 * bins - 1) + ", not " + n + " (n/2 + 1 must equal the number of bins)");
        }
    }

    /** The default irfft length {@code 2(m − 1)} for the bins along the last complex axis. */
    private static long defaultLength(String op, Tensor x, int axis) {
        check(op, x, true);
        long[] shape = x.shape();
        long m = shape[complexAxis(op, shape, axis)];
        if (m < 2) {
            throw new IllegalArgumentException(op + ": cannot infer the output length from " + m
                    + " bin(s) (2(m - 1) = " + (2 * m - 2) + "); pass n explicitly (n = 1 for a single bin)");
        }
        return 2 * (m - 1);
    }
}
