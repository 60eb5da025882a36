package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * Weight initializers following {@code torch.nn.init}, drawing from a caller-given {@link Rng} so results
 * are reproducible. Every method returns a new tensor in the caller's current scope (its temporaries are
 * freed). Fans of a shape [out, in, k…] are fanIn = in·∏k and fanOut = out·∏k; a 1-D shape has
 * fanIn = fanOut = its length.
 */
public final class Init {

    private Init() {
    }

    /** Which fan {@link #kaimingUniform}/{@link #kaimingNormal} preserve: the forward pass's or the backward's. */
    public enum FanMode {
        /** Preserve the variance of activations in the forward pass. */
        FAN_IN,
        /** Preserve the variance of gradients in the backward pass. */
        FAN_OUT
    }

    /** Nonlinearities of {@link #gain}. */
    public enum Nonlinearity {
        /** gain 1. */
        LINEAR,
        /** gain 1. */
        SIGMOID,
        /** gain 5/3. */
        TANH,
        /** gain √2. */
        RELU,
        /** gain √(2/(1 + slope²)). */
        LEAKY_RELU
    }

    /**
     * PyTorch's {@code calculate_gain}; {@code param} is the negative slope of LEAKY_RELU (ignored otherwise).
     *
     * @param f     the nonlinearity that follows the layer
     * @param param the negative slope of LEAKY_RELU
     * @return the recommended gain: 1, 5/3, √2 or √(2/(1 + param²))
     */
    public static double gain(Nonlinearity f, double param) {
        return switch (f) {
            case LINEAR, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3.0;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> Math.sqrt(2.0 / (1 + param * param));
        };
    }

    /**
     * fanIn of a shape.
     *
     * @param shape a weight shape, at least 1-D: [out, in, kernel…]
     * @return in × (product of the kernel dimensions); shape[0] for a 1-D shape
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static long fanIn(long... shape) {
        return fans(shape)[0];
    }

    /**
     * fanOut of a shape.
     *
     * @param shape a weight shape, at least 1-D: [out, in, kernel…]
     * @return out × (product of the kernel dimensions); shape[0] for a 1-D shape
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static long fanOut(long... shape) {
        return fans(shape)[1];
    }

    private static long[] fans(long[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("fans need at least a 1-D shape");
        }
        if (shape.length == 1) {
            return new long[]{shape[0], shape[0]};
        }
        long rf = 1;
        for (int i = 2; i < shape.length; i++) {
            rf *= shape[i];
        }
        return new long[]{shape[1] * rf, shape[0] * rf};
    }

    /**
     * U(−b, b) with b = gain·√(6/(fanIn + fanOut)) (Glorot and Bengio, 2010).
     *
     * @param rng   the random source
     * @param dtype the element type
     * @param gain  the scale, e.g. {@link #gain}
     * @param shape the weight shape, at least 1-D
     * @return a new tensor of {@code shape}
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static Tensor xavierUniform(Rng rng, DType dtype, double gain, long... shape) {
        long[] f = fans(shape);
        double b = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return rng.uniform(dtype, -b, b, shape);
    }

    /**
     * N(0, σ²) with σ = gain·√(2/(fanIn + fanOut)).
     *
     * @param rng   the random source
     * @param dtype the element type
     * @param gain  the scale, e.g. {@link #gain}
     * @param shape the weight shape, at least 1-D
     * @return a new tensor of {@code shape}
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static Tensor xavierNormal(Rng rng, DType dtype, double gain, long... shape) {
        long[] f = fans(shape);
        return rng.normal(dtype, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), shape);
    }

    /**
     * U(−b, b) with b = √3·gain(f, a)/√fan (He et al., 2015); {@code a} is the leaky-ReLU slope.
     *
     * @param rng   the random source
     * @param dtype the element type
     * @param a     the negative slope of LEAKY_RELU (ignored for other nonlinearities)
     * @param mode  whether fan is fanIn (preserves the forward variance) or fanOut (the backward one)
     * @param f     the nonlinearity that follows the layer
     * @param shape the weight shape, at least 1-D
     * @return a new tensor of {@code shape}
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static Tensor kaimingUniform(Rng rng, DType dtype, double a, FanMode mode, Nonlinearity f, long... shape) {
        double std = gain(f, a) / Math.sqrt(fan(mode, shape));
        double b = Math.sqrt(3.0) * std;
        return rng.uniform(dtype, -b, b, shape);
    }

    /**
     * N(0, σ²) with σ = gain(f, a)/√fan.
     *
     * @param rng   the random source
     * @param dtype the element type
     * @param a     the negative slope of LEAKY_RELU (ignored for other nonlinearities)
     * @param mode  whether fan is fanIn (preserves the forward variance) or fanOut (the backward one)
     * @param f     the nonlinearity that follows the layer
     * @param shape the weight shape, at least 1-D
     * @return a new tensor of {@code shape}
     * @throws IllegalArgumentException if {@code shape} is empty
     */
    public static Tensor kaimingNormal(Rng rng, DType dtype, double a, FanMode mode, Nonlinearity f, long... shape) {
        return rng.normal(dtype, 0, gain(f, a) / Math.sqrt(fan(mode, shape)), shape);
    }

    private static long fan(FanMode mode, long[] shape) {
        long[] f = fans(shape);
        return mode == FanMode.FAN_IN ? f[0] : f[1];
    }

    /**
     * A (semi-)orthogonal matrix times {@code gain} (Saxe et al., 2014), PyTorch's algorithm: the rows × cols
     * flattening (rows = shape[0]) of a standard normal matrix, transposed if it has fewer rows than
     * columns, is QR-factorized and Q's columns are multiplied by sign(diag R) so that the result is
     * uniformly (Haar) distributed. With rows ≤ cols the rows are orthonormal, else the columns.
     *
     * @param rng   the random source
     * @param dtype the element type
     * @param gain  the factor applied to the orthogonal matrix
     * @param shape the weight shape, at least 2-D
     * @return a new tensor of {@code shape}
     * @throws IllegalArgumentException if {@code shape} has fewer than 2 dimensions
     */
    public static Tensor orthogonal(Rng rng, DType dtype, double gain, long... shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("orthogonal needs at least 2 dimensions, got " + shape.length);
        }
        long rows = shape[0];
        long cols = 1;
        for (int i = 1; i < shape.length; i++) {
            cols *= shape[i];
        }
        try (Scope scope = Scope.open()) {
            Tensor a = rng.normal(DType.F64, 0, 1, rows, cols);
            boolean t = rows < cols;
            if (t) {
                a = a.transpose();
            }
            Linalg.QR qr = Linalg.qr(a, false);
            Tensor d = qr.r().diagonal(0, 0, 1).sign();
            Tensor q = qr.q().mul(d);
            if (t) {
                q = q.transpose();
            }
            return scope.keep(q.mul(gain).cast(dtype).reshape(shape).contiguous());
        }
    }

    /**
     * A tensor filled with zeros.
     *
     * @param dtype the element type
     * @param shape the extent of each dimension
     * @return a new tensor on the CPU
     */
    public static Tensor zeros(DType dtype, long... shape) {
        return Tensor.zeros(dtype, shape);
    }

    /**
     * A tensor filled with ones.
     *
     * @param dtype the element type
     * @param shape the extent of each dimension
     * @return a new tensor on the CPU
     */
    public static Tensor ones(DType dtype, long... shape) {
        return Tensor.ones(dtype, shape);
    }

    /**
     * A tensor filled with {@code value}.
     *
     * @param value the fill value
     * @param dtype the element type
     * @param shape the extent of each dimension
     * @return a new tensor on the CPU
     */
    public static Tensor constant(double value, DType dtype, long... shape) {
        return Tensor.full(value, dtype, shape);
    }
}
