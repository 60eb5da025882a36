package dev.proxima.testkit;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.ScalarOutOfRangeException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.Reference.Array;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.proxima.testkit.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every tensor backend must meet, as an abstract JUnit 5 test class: a subclass names a
 * {@link Device} and inherits one test per op family, each run on that device against values computed
 * independently in plain Java doubles (never by comparing with the CPU backend, so the CPU's own subclass
 * tests the CPU). Only the public tensor API is used ({@link Tensor}, {@link Autodiff}, {@link Rng},
 * {@link Scope}), so the suite checks what users see: results live on the device, have the documented
 * dtype and shape, and equal the reference within {@link Tolerance#of(DType)}.
 *
 * <p>Covered: allocation (every dtype, empty shapes), copies host ↔ device and device → device of
 * contiguous and strided views, dtype conversions (truncation, saturation, wrapping, half rounding, NaN
 * and ±∞), fill and arange, every unary and binary op with broadcasting and scalar operands, comparisons
 * and logical ops, integer arithmetic, {@code mulAdd}, {@code where}, reductions (sum, mean, max, min,
 * prod, argmax, argmin over all elements and over axes, with and without kept dimensions), {@code matmul}
 * (transposed and strided operands, vectors, batches with broadcasting), softmax, log-softmax and
 * logsumexp (including inputs that overflow a naive F32 softmax), {@link Rng} streams on the device equal
 * to the CPU's for the same key (and plausible in distribution), ops without a device kernel (sort,
 * gather, cumsum: staged through the host), gradients computed on the device, and first and second
 * derivatives of several op families there checked by finite differences. Input values are
 * multiples of 1/8 (or 1/128 near 1), exact in every floating dtype, so sums and small matrix products
 * are exact even in F16 and the tolerances only absorb the final rounding and transcendental functions.
 *
 * <p>The floating-point tests run for {@link #floatingTypes()} (F64, F32, F16 and BF16 unless a subclass
 * narrows them), each type's failures reported together. Every test runs with {@link NoLeaks}; a subclass
 * adds its device's own memory check in an {@code @AfterEach} method if its backend counts device bytes.
 *
 * {@snippet :
 * class SimBackendContractTest extends BackendContract {
 *     @Override
 *     protected Device device() {
 *         return new Device("sim", 0);
 *     }
 * }
 * }
 */
@ExtendWith(NoLeaks.class)
public abstract class BackendContract {

    /** Every dtype, for allocation, copies and conversions. */
    private static final List<DType> ALL_TYPES = List.of(DType.F64, DType.F32, DType.F16, DType.BF16,
            DType.I64, DType.I32, DType.I8, DType.U8, DType.BOOL);

    /** Axis sets of a rank-3 tensor the reductions run over: none (all), single, negative, pairs, all three. */
    private static final int[][] AXES = {{}, {0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};

    /** For subclasses. */
    protected BackendContract() {
    }

    /**
     * The device under test. Called by each test, after the subclass's {@code @BeforeAll} and
     * {@code @BeforeEach} methods (which may skip the class with an assumption when the device is absent).
     *
     * @return the device every test allocates on
     */
    protected abstract Device device();

    /**
     * The floating-point dtypes the elementwise, reduction, matmul and softmax tests run in.
     *
     * @return F64, F32, F16 and BF16; a subclass may narrow this (F32 and F64 at least)
     */
    protected List<DType> floatingTypes() {
        return List.of(DType.F64, DType.F32, DType.F16, DType.BF16);
    }

    // ================================================================== data and checks

    /** {@code n} values k/8 in [−2, 2] (exact in every float dtype), a different sequence per seed; 0 and ties occur. */
    private static double[] grid(int n, int seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (Math.floorMod(i * 37 + seed * 11 + 5, 33) - 16) / 8.0;
        }
        return v;
    }

    /** {@code n} values k/8 in [1/8, 3], for log, sqrt, divisors and bases of powers. */
    private static double[] positive(int n, int seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (Math.floorMod(i * 29 + seed * 7 + 3, 24) + 1) / 8.0;
        }
        return v;
    }

    /** {@code n} values 1 + k/128 in [7/8, 9/8], for products. */
    private static double[] nearOne(int n, int seed) {
        double[] g = grid(n, seed);
        for (int i = 0; i < n; i++) {
            g[i] = 1 + g[i] / 16;
        }
        return g;
    }

    /** The values as a tensor of {@code dtype} on the device: an F64 host tensor moved there, then converted there. */
    private Tensor put(double[] values, DType dtype, long... shape) {
        Tensor onDevice = Tensor.of(values).reshape(shape).to(device());
        return dtype == DType.F64 ? onDevice : onDevice.cast(dtype);
    }

    /** Asserts that {@code actual} is on the device with {@code dtype} and {@code shape} and holds {@code expected}. */
    private void expect(String what, double[] expected, long[] shape, DType dtype, Tensor actual, Tolerance tolerance) {
        assertEquals(device(), actual.device(), what + ": result device");
        assertEquals(dtype, actual.dtype(), what + ": result dtype");
        assertArrayEquals(shape, actual.shape(), () -> what + ": result shape " + Arrays.toString(actual.shape())
                + ", expected " + Arrays.toString(shape));
        assertClose(expected, actual, tolerance, what);
    }

    private void expect(String what, Array expected, DType dtype, Tensor actual, Tolerance tolerance) {
        expect(what, expected.values(), expected.shape(), dtype, actual, tolerance);
    }

    /** A test body run for one dtype inside a scope. */
    @FunctionalInterface
    private interface PerType {
        void run(DType dtype) throws Throwable;
    }

    /** Runs {@code body} for each dtype in its own scope, reporting every dtype's failure (prefixed with the dtype). */
    private static void forEach(List<DType> types, PerType body) {
        List<Executable> runs = new ArrayList<>();
        for (DType t : types) {
            runs.add(() -> {
                try (Scope scope = Scope.open()) {
                    body.run(t);
                } catch (Throwable e) {
                    // an assertion's message says what failed; any other exception is named with its type
                    throw new AssertionFailedError("[" + t + "] " + (e instanceof AssertionError ? e.getMessage() : e), e);
                }
            });
        }
        assertAll(runs.stream());
    }

    /** {@code v} converted to {@code t} by the documented rules, computed in Java. */
    private static double convert(double v, DType t) {
        return switch (t) {
            case F64 -> v;
            case F32 -> (float) v;
            case F16 -> Reference.toF16(v);
            case BF16 -> Reference.toBf16(v);
            case I64 -> (double) (long) v;                                   // truncates, saturates, NaN → 0
            case I32 -> (int) v;
            case I8 -> Math.clamp((long) v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case U8 -> Math.clamp((long) v, 0, 255);
            case BOOL -> v != 0 ? 1 : 0;                                     // NaN is true
        };
    }

    // ================================================================== memory and copies

    /** zeros, ones, full and scalar allocate on the device for every dtype; empty shapes work too. */
    @Test
    public void allocationOnTheDevice() {
        forEach(ALL_TYPES, t -> {
            double filled = t == DType.BOOL ? 1 : t == DType.U8 ? 200 : t.isFloating() ? -2.5 : -7;
            expect("zeros", new double[6], new long[]{2, 3}, t, Tensor.zeros(t, device(), 2, 3), Tolerance.EXACT);
            expect("ones", new double[]{1, 1, 1, 1}, new long[]{4}, t, Tensor.ones(t, device(), 4), Tolerance.EXACT);
            double[] f = new double[24];
            Arrays.fill(f, filled);
            expect("full", f, new long[]{2, 3, 4}, t, Tensor.full(filled, t, device(), 2, 3, 4), Tolerance.EXACT);
            Tensor s = Tensor.scalar(filled, t, device());
            expect("scalar", new double[]{filled}, new long[0], t, s, Tolerance.EXACT);
            assertEquals(filled, s.item(), "scalar item()");
            expect("empty", new double[0], new long[]{0}, t, Tensor.zeros(t, device(), 0), Tolerance.EXACT);
            expect("empty 2-D", new double[0], new long[]{3, 0}, t, Tensor.full(filled, t, device(), 3, 0), Tolerance.EXACT);
        });
    }

    /** Host → device → host round trips, strided views in both directions, and device → device copies. */
    @Test
    public void copiesBothWays() {
        forEach(ALL_TYPES, t -> {
            double[] values = new double[12];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (t) {
                    case BOOL -> i % 3 == 0 ? 1 : 0;
                    case U8 -> 250 - 9 * i;
                    default -> (i * 5 % 12) - 6 + (t.isFloating() ? 0.25 : 0); // distinct, negative ones too
                };
            }
            Tensor host = Tensor.of(values).reshape(3, 4).cast(t);
            Tensor dev = host.to(device());
            expect("host to device", values, new long[]{3, 4}, t, dev, Tolerance.EXACT);
            Tensor back = dev.to(Device.CPU);
            assertEquals(Device.CPU, back.device(), "device to host: result device");
            assertArrayEquals(values, back.toDoubleArray(), "device to host: values");
            Array transposed = Reference.transposeLast(values, new long[]{3, 4});
            Tensor tBack = dev.transpose().to(Device.CPU);
            assertArrayEquals(transposed.values(), tBack.toDoubleArray(), "transposed device view to host");
            assertArrayEquals(transposed.shape(), tBack.shape(), "transposed device view to host: shape");
            expect("transposed host view to device", transposed, t, host.transpose().to(device()), Tolerance.EXACT);
            double[] strided = {values[1], values[3], values[9], values[11]};
            expect("strided device slice", strided, new long[]{2, 2}, t, dev.slice(0, 0, 3, 2).slice(1, 1, 4, 2).copy(), Tolerance.EXACT);
            Tensor contiguous = dev.transpose().contiguous();
            assertTrue(contiguous.isContiguous(), "contiguous() of a transposed view is contiguous");
            expect("contiguous copy on the device", transposed, t, contiguous, Tolerance.EXACT);
            Tensor copy = dev.copy();
            expect("copy on the device", values, new long[]{3, 4}, t, copy, Tolerance.EXACT);
            copy.close();
            expect("source after its copy was closed", values, new long[]{3, 4}, t, dev, Tolerance.EXACT);
            assertEquals(values[6], dev.getDouble(1, 2), "getDouble on the device");
            assertEquals(values[11], dev.select(0, 2).select(0, 3).item(), "item of a selected element");
        });
    }

    /** Conversions between dtypes on the device follow the documented rules (computed here in Java). */
    @Test
    public void conversions() {
        double[] values = {-3.75, -1.5, -0.5, 0, 0.5, 1.99, 2.5, 100.7, 300, -200, 1.00390625, 1.01171875, 70000,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        forEach(ALL_TYPES, t -> {
            Tensor src = Tensor.of(values).to(device());
            double[] expected = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                expected[i] = convert(values[i], t);
            }
            expect("F64 to " + t, expected, new long[]{values.length}, t, src.cast(t), Tolerance.EXACT);
            // and back to F64 and F32 (exact for every value of t)
            expect(t + " to F64", expected, new long[]{values.length}, DType.F64, src.cast(t).cast(DType.F64), Tolerance.EXACT);
            double[] asF32 = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                asF32[i] = (float) expected[i];
            }
            expect(t + " to F32", asF32, new long[]{values.length}, DType.F32, src.cast(t).cast(DType.F32), Tolerance.EXACT);
        });
        forEach(List.of(DType.I8, DType.U8, DType.I32, DType.BOOL, DType.F32), t -> {
            long[] ints = {300, -200, 127, 128, -129, 255, 256, (1L << 40) + 5, -1};
            Tensor src = Tensor.of(ints).to(device());
            double[] expected = new double[ints.length];
            for (int i = 0; i < ints.length; i++) {
                long v = ints[i];
                expected[i] = switch (t) {
                    case I8 -> (byte) v;                    // integers wrap (two's complement)
                    case U8 -> v & 0xFF;
                    case I32 -> (int) v;
                    case BOOL -> v != 0 ? 1 : 0;
                    default -> (float) v;
                };
            }
            expect("I64 to " + t, expected, new long[]{ints.length}, t, src.cast(t), Tolerance.EXACT);
        });
    }

    /** full on the device in every floating dtype; arange and linspace moved to the device. */
    @Test
    public void fillAndArange() {
        forEach(floatingTypes(), t -> {
            double[] expected = new double[6];
            Arrays.fill(expected, 0.375);
            expect("full", expected, new long[]{3, 2}, t, Tensor.full(0.375, t, device(), 3, 2), Tolerance.EXACT);
            double[] range = new double[12];
            for (int i = 0; i < range.length; i++) {
                range[i] = -3 + 0.5 * i;
            }
            Tensor a = Tensor.arange(-3, 3, 0.5, t).to(device());
            expect("arange", range, new long[]{12}, t, a, Tolerance.EXACT);
            expect("arange reshaped", range, new long[]{3, 4}, t, a.reshape(3, 4), Tolerance.EXACT);
            double[] lin = {1, 1.25, 1.5, 1.75, 2};
            expect("linspace", lin, new long[]{5}, t, Tensor.linspace(1, 2, 5, t).to(device()), Tolerance.EXACT);
        });
        forEach(List.of(DType.I64), t -> expect("arange(n)", new double[]{0, 1, 2, 3, 4}, new long[]{5}, t,
                Tensor.arange(5).to(device()), Tolerance.EXACT));
    }

    // ================================================================== elementwise

    /** Every unary op in every floating dtype against java.lang.Math (erf against its series). */
    @Test
    public void unaryOps() {
        forEach(floatingTypes(), t -> {
            long[] shape = {3, 5};
            double[] x = grid(15, 1);
            double[] p = positive(15, 2);
            Tensor dx = put(x, t, shape);
            Tensor dp = put(p, t, shape);
            Tolerance tol = Tolerance.of(t);
            unary("neg", dx, x, v -> -v, t, tol, Tensor::neg);
            unary("abs", dx, x, Math::abs, t, tol, Tensor::abs);
            unary("sign", dx, x, Math::signum, t, tol, Tensor::sign);
            unary("square", dx, x, v -> v * v, t, tol, Tensor::square);
            unary("exp", dx, x, Math::exp, t, tol, Tensor::exp);
            unary("tanh", dx, x, Math::tanh, t, tol, Tensor::tanh);
            unary("sin", dx, x, Math::sin, t, tol, Tensor::sin);
            unary("cos", dx, x, Math::cos, t, tol, Tensor::cos);
            unary("sigmoid", dx, x, v -> 1 / (1 + Math.exp(-v)), t, tol, Tensor::sigmoid);
            unary("erf", dx, x, Reference::erf, t, tol, Tensor::erf);
            unary("log", dp, p, Math::log, t, tol, Tensor::log);
            unary("sqrt", dp, p, Math::sqrt, t, tol, Tensor::sqrt);
            unary("reciprocal", dp, p, v -> 1 / v, t, tol, Tensor::reciprocal);
            unary("logicalNot", dx, x, v -> v == 0 ? 1 : 0, DType.BOOL, Tolerance.EXACT, Tensor::logicalNot);
            unary("on a transposed view: exp", dx.transpose(), Reference.transposeLast(x, shape).values(), Math::exp, t, tol,
                    Tensor::exp);
        });
    }

    private void unary(String what, Tensor in, double[] x, DoubleUnaryOperator f, DType resultType, Tolerance tol,
                       Function<Tensor, Tensor> op) {
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = f.applyAsDouble(x[i]);
        }
        expect(what, expected, in.shape(), resultType, op.apply(in), tol);
    }

    /** Every binary arithmetic op with broadcasting ([3, 1, 4] with [2, 4]) in every floating dtype. */
    @Test
    public void binaryOpsWithBroadcasting() {
        forEach(floatingTypes(), t -> {
            long[] as = {3, 1, 4};
            long[] bs = {2, 4};
            double[] a = grid(12, 3);
            double[] b = grid(8, 4);
            double[] pa = positive(12, 5);
            double[] pb = positive(8, 6);
            Tensor da = put(a, t, as);
            Tensor db = put(b, t, bs);
            Tensor dpa = put(pa, t, as);
            Tensor dpb = put(pb, t, bs);
            Tolerance tol = Tolerance.of(t);
            expect("add", Reference.map(a, as, b, bs, Double::sum), t, da.add(db), tol);
            expect("sub", Reference.map(a, as, b, bs, (x, y) -> x - y), t, da.sub(db), tol);
            expect("mul", Reference.map(a, as, b, bs, (x, y) -> x * y), t, da.mul(db), tol);
            expect("div", Reference.map(a, as, pb, bs, (x, y) -> x / y), t, da.div(dpb), tol);
            expect("pow", Reference.map(pa, as, b, bs, Math::pow), t, dpa.pow(db), tol);
            expect("minimum", Reference.map(a, as, b, bs, Math::min), t, da.minimum(db), tol);
            expect("maximum", Reference.map(a, as, b, bs, Math::max), t, da.maximum(db), tol);
            expect("add, operands swapped", Reference.map(b, bs, a, as, Double::sum), t, db.add(da), tol);
            // a transposed view [4, 2] minus a strided column [4, 1] (the first row of a, transposed)
            Array bT = Reference.transposeLast(b, bs);
            double[] column = Arrays.copyOf(a, 4);
            expect("transposed view minus a strided column", Reference.map(bT.values(), bT.shape(), column, new long[]{4, 1},
                    (x, y) -> x - y), t, db.transpose().sub(da.reshape(3, 4).transpose().slice(1, 0, 1, 1)), tol);
        });
    }

    /** Scalar operands: Java doubles and 0-d host tensors (which join operands on any device). */
    @Test
    public void scalarOperands() {
        forEach(floatingTypes(), t -> {
            long[] shape = {2, 5};
            double[] x = grid(10, 7);
            double[] p = positive(10, 8);
            Tensor dx = put(x, t, shape);
            Tensor dp = put(p, t, shape);
            Tolerance tol = Tolerance.of(t);
            unary("add 2.5", dx, x, v -> v + 2.5, t, tol, d -> d.add(2.5));
            unary("sub 1", dx, x, v -> v - 1, t, tol, d -> d.sub(1));
            unary("mul -3", dx, x, v -> v * -3, t, tol, d -> d.mul(-3));
            unary("div 4", dx, x, v -> v / 4, t, tol, d -> d.div(4));
            unary("pow 3", dx, x, v -> v * v * v, t, tol, d -> d.pow(3.0));
            unary("pow 0.5", dp, p, Math::sqrt, t, tol, d -> d.pow(0.5));
            unary("maximum 0.25", dx, x, v -> Math.max(v, 0.25), t, tol, d -> d.maximum(0.25));
            unary("minimum -0.5", dx, x, v -> Math.min(v, -0.5), t, tol, d -> d.minimum(-0.5));
            unary("gt 0.25", dx, x, v -> v > 0.25 ? 1 : 0, DType.BOOL, Tolerance.EXACT, d -> d.gt(0.25));
            unary("eq 0", dx, x, v -> v == 0 ? 1 : 0, DType.BOOL, Tolerance.EXACT, d -> d.eq(0));
            unary("mul by a 0-d host tensor", dx, x, v -> v * 3, t, tol, d -> d.mul(Tensor.scalar(3, t)));
            unary("0-d host tensor minus", dx, x, v -> 1 - v, t, tol, d -> Tensor.scalar(1, t).sub(d));
        });
    }

    /** Comparisons (with ties) give BOOL; logical ops on BOOL; logicalNot of numbers. */
    @Test
    public void comparisonsAndLogicalOps() {
        forEach(floatingTypes(), t -> {
            long[] as = {4, 3};
            long[] bs = {3};
            double[] a = grid(12, 9);
            double[] b = {a[0], a[4], -0.125}; // ties with row 0 and row 1
            Tensor da = put(a, t, as);
            Tensor db = put(b, t, bs);
            expect("eq", Reference.map(a, as, b, bs, (x, y) -> x == y ? 1 : 0), DType.BOOL, da.eq(db), Tolerance.EXACT);
            expect("ne", Reference.map(a, as, b, bs, (x, y) -> x != y ? 1 : 0), DType.BOOL, da.ne(db), Tolerance.EXACT);
            expect("lt", Reference.map(a, as, b, bs, (x, y) -> x < y ? 1 : 0), DType.BOOL, da.lt(db), Tolerance.EXACT);
            expect("le", Reference.map(a, as, b, bs, (x, y) -> x <= y ? 1 : 0), DType.BOOL, da.le(db), Tolerance.EXACT);
            expect("gt", Reference.map(a, as, b, bs, (x, y) -> x > y ? 1 : 0), DType.BOOL, da.gt(db), Tolerance.EXACT);
            expect("ge", Reference.map(a, as, b, bs, (x, y) -> x >= y ? 1 : 0), DType.BOOL, da.ge(db), Tolerance.EXACT);
            Tensor p = da.gt(0);
            Tensor q = db.lt(0);
            DoubleBinaryOperator and = (x, y) -> x > 0 && y < 0 ? 1 : 0;
            DoubleBinaryOperator or = (x, y) -> x > 0 || y < 0 ? 1 : 0;
            DoubleBinaryOperator xor = (x, y) -> (x > 0) != (y < 0) ? 1 : 0;
            expect("logicalAnd", Reference.map(a, as, b, bs, and), DType.BOOL, p.logicalAnd(q), Tolerance.EXACT);
            expect("logicalOr", Reference.map(a, as, b, bs, or), DType.BOOL, p.logicalOr(q), Tolerance.EXACT);
            expect("logicalXor", Reference.map(a, as, b, bs, xor), DType.BOOL, p.logicalXor(q), Tolerance.EXACT);
            expect("logicalAnd of numbers", Reference.map(a, as, b, bs, (x, y) -> x != 0 && y != 0 ? 1 : 0), DType.BOOL,
                    da.logicalAnd(db), Tolerance.EXACT);
        });
    }

    /** Integer arithmetic is exact, sums and products widen to I64, division gives F64. */
    @Test
    public void integerArithmetic() {
        forEach(List.of(DType.I32, DType.I64), t -> {
            long[] as = {3, 4};
            long[] bs = {4};
            double[] a = new double[12];
            double[] b = {3, -2, 5, -7};
            for (int i = 0; i < a.length; i++) {
                a[i] = Math.floorMod(i * 7 + 3, 41) - 20;
            }
            Tensor da = put(a, t, as);
            Tensor db = put(b, t, bs);
            Tolerance exact = Tolerance.EXACT;
            expect("add", Reference.map(a, as, b, bs, Double::sum), t, da.add(db), exact);
            expect("sub", Reference.map(a, as, b, bs, (x, y) -> x - y), t, da.sub(db), exact);
            expect("mul", Reference.map(a, as, b, bs, (x, y) -> x * y), t, da.mul(db), exact);
            expect("div gives F64", Reference.map(a, as, b, bs, (x, y) -> x / y), DType.F64, da.div(db), Tolerance.of(DType.F64));
            expect("maximum", Reference.map(a, as, b, bs, Math::max), t, da.maximum(db), exact);
            expect("minimum", Reference.map(a, as, b, bs, Math::min), t, da.minimum(db), exact);
            expect("lt", Reference.map(a, as, b, bs, (x, y) -> x < y ? 1 : 0), DType.BOOL, da.lt(db), exact);
            unary("neg", da, a, v -> -v, t, exact, Tensor::neg);
            unary("abs", da, a, Math::abs, t, exact, Tensor::abs);
            unary("square", da, a, v -> v * v, t, exact, Tensor::square);
            unary("sign", da, a, Math::signum, t, exact, Tensor::sign);
            unary("add 2", da, a, v -> v + 2, t, exact, d -> d.add(2));
            unary("add 0.5 gives F64", da, a, v -> v + 0.5, DType.F64, exact, d -> d.add(0.5));
            expect("sum", new double[]{Arrays.stream(a).sum()}, new long[0], DType.I64, da.sum(), exact);
            expect("sum over axis 1", Reference.reduce(a, as, new int[]{1}, false, 0, Double::sum), DType.I64, da.sum(1), exact);
            expect("prod over axis 0", Reference.reduce(a, as, new int[]{0}, false, 1, (x, y) -> x * y), DType.I64, da.prod(0), exact);
            expect("max over axis 1", Reference.reduce(a, as, new int[]{1}, false, Double.NEGATIVE_INFINITY, Math::max), t,
                    da.max(1), exact);
            expect("min over axis 0", Reference.reduce(a, as, new int[]{0}, false, Double.POSITIVE_INFINITY, Math::min), t,
                    da.min(0), exact);
            expect("argmax over axis 1", Reference.argReduce(a, as, 1, false, true), DType.I64, da.argmax(1, false), exact);
            expect("mean gives F64", new double[]{Arrays.stream(a).sum() / a.length}, new long[0], DType.F64, da.mean(),
                    Tolerance.of(DType.F64));
        });
        forEach(List.of(DType.BOOL), t -> {
            Tensor b = put(new double[]{1, 0, 1, 1, 0, 0}, t, 2, 3);
            expect("sum of BOOL counts", new double[]{3}, new long[0], DType.I64, b.sum(), Tolerance.EXACT);
            expect("logicalNot of BOOL", new double[]{0, 1, 0, 0, 1, 1}, new long[]{2, 3}, t, b.logicalNot(), Tolerance.EXACT);
        });
    }

    /**
     * Java scalars under NumPy 2's weak-scalar rule (NEP 50) on the device: a {@code long} keeps an integer dtype
     * (results wrap), one outside the dtype's range throws, comparisons are exact, an I64 scalar beyond 2^53 stays
     * exact, and a {@code double} is rounded once to a half type before it joins the computation.
     */
    @Test
    public void weakScalarOperands() {
        forEach(List.of(DType.U8, DType.I8, DType.I32), t -> {
            long lo = t == DType.U8 ? 0 : t == DType.I8 ? Byte.MIN_VALUE : Integer.MIN_VALUE;
            long hi = t == DType.U8 ? 255 : t == DType.I8 ? Byte.MAX_VALUE : Integer.MAX_VALUE;
            long[] shape = {3};
            Tensor dx = put(new double[]{lo, 0, hi}, t, shape);
            Tolerance exact = Tolerance.EXACT;
            expect("add 1 wraps at the top", new double[]{lo + 1, 1, lo}, shape, t, dx.add(1), exact);
            expect("maximum with the top", new double[]{hi, hi, hi}, shape, t, dx.maximum(hi), exact);
            assertThrows(ScalarOutOfRangeException.class, () -> dx.add(hi + 1), "add the top + 1");
            assertThrows(ScalarOutOfRangeException.class, () -> dx.maximum(lo - 1), "maximum with the bottom - 1");
            expect("eq the top + 1", new double[]{0, 0, 0}, shape, DType.BOOL, dx.eq(hi + 1), exact);
            expect("lt the top + 1", new double[]{1, 1, 1}, shape, DType.BOOL, dx.lt(hi + 1), exact);
            expect("ge the bottom - 0.5", new double[]{1, 1, 1}, shape, DType.BOOL, dx.ge(lo - 0.5), exact);
            expect("add 2.0 gives F64", new double[]{lo + 2, 2, hi + 2}, shape, DType.F64, dx.add(2.0), exact);
        });
        forEach(List.of(DType.I64), t -> {
            long big = (1L << 53) + 1; // not a double
            Tensor d = Tensor.full(big, t, device(), 2);
            assertEquals(device(), d.device());
            assertArrayEquals(new long[]{2 * big, 2 * big}, d.add(big).toLongArray(), "I64 + (2^53 + 1), exact");
            expect("eq 2^53 + 1", new double[]{1, 1}, new long[]{2}, DType.BOOL, d.eq(big), Tolerance.EXACT);
            expect("ne 2^53", new double[]{1, 1}, new long[]{2}, DType.BOOL, d.ne(1L << 53), Tolerance.EXACT);
            expect("lt 2^63 (a double)", new double[]{1, 1}, new long[]{2}, DType.BOOL, d.lt(0x1p63), Tolerance.EXACT);
        });
        forEach(List.of(DType.F16, DType.BF16), t -> {
            // just above half an ulp of 1: rounded to the half type first it is exactly half an ulp, and 1 + it ties
            // to even, 1 (NumPy 2); joining the F32 computation unrounded it would round up
            double halfUlp = t == DType.F16 ? 0x1p-11 : 0x1p-8;
            double s = halfUlp + halfUlp * 0x1p-12;
            expect("1 + a scalar rounded to " + t, new double[]{1}, new long[]{1}, t, put(new double[]{1}, t, 1).add(s),
                    Tolerance.EXACT);
            expect("full(0.1).eq(0.1)", new double[]{1}, new long[]{1}, DType.BOOL, Tensor.full(0.1, t, device(), 1).eq(0.1),
                    Tolerance.EXACT);
        });
    }

    /** mulAdd (fused a·b + c, broadcast) against Math.fma. */
    @Test
    public void mulAdd() {
        forEach(floatingTypes(), t -> {
            long[] as = {3, 4};
            long[] bs = {4};
            long[] cs = {3, 1};
            double[] a = grid(12, 10);
            double[] b = grid(4, 11);
            double[] c = grid(3, 12);
            Array ab = Reference.map(a, as, b, bs, (x, y) -> x);
            double[] bb = Reference.expand(b, bs, ab.shape());
            double[] cc = Reference.expand(c, cs, ab.shape());
            double[] expected = new double[ab.values().length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.fma(ab.values()[i], bb[i], cc[i]);
            }
            Tensor r = put(a, t, as).mulAdd(put(b, t, bs), put(c, t, cs));
            expect("mulAdd", expected, ab.shape(), t, r, Tolerance.of(t));
        });
    }

    /** where with a broadcast BOOL condition and with a numeric one (non-zero is true). */
    @Test
    public void where() {
        forEach(floatingTypes(), t -> {
            long[] cs = {3, 1};
            long[] as = {3, 4};
            long[] bs = {4};
            double[] cond = {1, 0, 1};
            double[] a = grid(12, 13);
            double[] b = grid(4, 14);
            double[] expected = new double[12];
            for (int i = 0; i < 12; i++) {
                expected[i] = cond[i / 4] != 0 ? a[i] : b[i % 4];
            }
            Tensor r = Tensor.where(put(cond, DType.BOOL, cs), put(a, t, as), put(b, t, bs));
            expect("where", expected, as, t, r, Tolerance.EXACT);
            double[] byValue = new double[12];
            for (int i = 0; i < 12; i++) {
                byValue[i] = a[i] != 0 ? a[i] : b[i % 4];
            }
            Tensor da = put(a, t, as);
            expect("where with a numeric condition", byValue, as, t, Tensor.where(da, da, put(b, t, bs)), Tolerance.EXACT);
        });
    }

    // ================================================================== reductions

    /** sum, mean, max, min and prod over every axis set of a [3, 4, 5] tensor, with and without kept dims. */
    @Test
    public void reductions() {
        forEach(floatingTypes(), t -> {
            long[] shape = {3, 4, 5};
            double[] x = grid(60, 15);
            double[] near = nearOne(60, 16);
            Tensor dx = put(x, t, shape);
            Tensor dn = put(near, t, shape);
            Tolerance tol = Tolerance.of(t);
            for (int[] axes : AXES) {
                for (boolean keep : new boolean[]{false, true}) {
                    String on = " over " + Arrays.toString(axes) + (keep ? " keepDims" : "");
                    Array sum = Reference.reduce(x, shape, axes, keep, 0, Double::sum);
                    expect("sum" + on, sum, t, dx.sum(axes, keep), tol);
                    double[] mean = sum.values().clone();
                    int n = Reference.count(shape, axes);
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] /= n;
                    }
                    expect("mean" + on, mean, sum.shape(), t, dx.mean(axes, keep), tol);
                    expect("max" + on, Reference.reduce(x, shape, axes, keep, Double.NEGATIVE_INFINITY, Math::max), t,
                            dx.max(axes, keep), Tolerance.EXACT);
                    expect("min" + on, Reference.reduce(x, shape, axes, keep, Double.POSITIVE_INFINITY, Math::min), t,
                            dx.min(axes, keep), Tolerance.EXACT);
                    // up to 60 factors: F32 products are rounded at each step
                    expect("prod" + on, Reference.reduce(near, shape, axes, keep, 1, (p, q) -> p * q), t, dn.prod(axes, keep),
                            tol.scaled(4));
                }
            }
            expect("sum of a transposed view over axis 0", Reference.reduce(Reference.transposeLast(x, shape).values(),
                    new long[]{3, 5, 4}, new int[]{0}, false, 0, Double::sum), t, dx.transpose(1, 2).sum(0), tol);
            expect("sum of the varargs form over axes 0, 2", Reference.reduce(x, shape, new int[]{0, 2}, false, 0, Double::sum), t,
                    dx.sum(0, 2), tol);
        });
    }

    /** argmax and argmin: the first extreme wins ties, over all elements and along each axis. */
    @Test
    public void argmaxAndArgmin() {
        forEach(floatingTypes(), t -> {
            long[] shape = {3, 4, 5};
            double[] x = grid(60, 17); // 33 distinct values in 60 elements: ties everywhere
            Tensor dx = put(x, t, shape);
            expect("argmax", new double[]{Reference.argReduceAll(x, true)}, new long[0], DType.I64, dx.argmax(), Tolerance.EXACT);
            expect("argmin", new double[]{Reference.argReduceAll(x, false)}, new long[0], DType.I64, dx.argmin(), Tolerance.EXACT);
            for (int axis = -1; axis < 3; axis++) {
                for (boolean keep : new boolean[]{false, true}) {
                    String on = " along " + axis + (keep ? " keepDims" : "");
                    expect("argmax" + on, Reference.argReduce(x, shape, axis, keep, true), DType.I64, dx.argmax(axis, keep),
                            Tolerance.EXACT);
                    expect("argmin" + on, Reference.argReduce(x, shape, axis, keep, false), DType.I64, dx.argmin(axis, keep),
                            Tolerance.EXACT);
                }
            }
            double[] row = {1, 3, 3, 2, 3};
            expect("argmax of a row with a tied maximum", new double[]{1}, new long[0], DType.I64, put(row, t, 5).argmax(),
                    Tolerance.EXACT);
        });
    }

    // ================================================================== matmul

    /** 2-D products with transposed and strided operands, and NumPy's 1-D operand rules. */
    @Test
    public void matmul() {
        forEach(floatingTypes(), t -> {
            Tolerance tol = Tolerance.of(t);
            long[] as = {3, 4};
            long[] bs = {4, 5};
            double[] a = grid(12, 18);
            double[] b = grid(20, 19);
            Array ab = Reference.matmul(a, as, b, bs);
            Tensor da = put(a, t, as);
            Tensor db = put(b, t, bs);
            expect("A·B", ab, t, da.matmul(db), tol);
            Array at = Reference.transposeLast(a, as);
            Array bt = Reference.transposeLast(b, bs);
            Tensor daT = put(at.values(), t, at.shape()).transpose(); // A as a transposed view
            Tensor dbT = put(bt.values(), t, bt.shape()).transpose();
            expect("Aᵀᵀ·B (transposed left view)", ab, t, daT.matmul(db), tol);
            expect("A·Bᵀᵀ (transposed right view)", ab, t, da.matmul(dbT), tol);
            expect("both transposed views", ab, t, daT.matmul(dbT), tol);
            expect("Bᵀ·Aᵀ", Reference.transposeLast(ab.values(), ab.shape()), t, db.transpose().matmul(da.transpose()), tol);
            double[] tall = grid(24, 20);
            double[] everyOtherRow = new double[12];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(tall, 8 * i, everyOtherRow, 4 * i, 4);
            }
            expect("row-strided left operand", Reference.matmul(everyOtherRow, as, b, bs), t,
                    put(tall, t, 6, 4).slice(0, 0, 6, 2).matmul(db), tol);
            double[] v = grid(4, 21);
            expect("vector·matrix", Reference.matmul(v, new long[]{4}, b, bs), t, put(v, t, 4).matmul(db), tol);
            expect("matrix·vector", Reference.matmul(a, as, v, new long[]{4}), t, da.matmul(put(v, t, 4)), tol);
            expect("vector·vector", Reference.matmul(v, new long[]{4}, v, new long[]{4}), t, put(v, t, 4).matmul(put(v, t, 4)), tol);
        });
    }

    /** Batched products: equal batches, broadcast batches, a batch against a matrix, transposed batch views. */
    @Test
    public void batchedMatmul() {
        forEach(floatingTypes(), t -> {
            Tolerance tol = Tolerance.of(t);
            double[] a = grid(24, 22);
            double[] b = grid(40, 23);
            long[] as = {2, 3, 4};
            long[] bs = {2, 4, 5};
            expect("[2,3,4]·[2,4,5]", Reference.matmul(a, as, b, bs), t, put(a, t, as).matmul(put(b, t, bs)), tol);
            double[] c = grid(24, 24);
            long[] cs = {3, 4, 2};
            long[] a4 = {2, 1, 3, 4};
            expect("[2,1,3,4]·[3,4,2] (broadcast batch)", Reference.matmul(a, a4, c, cs), t, put(a, t, a4).matmul(put(c, t, cs)), tol);
            double[] m = grid(20, 25);
            expect("[2,3,4]·[4,5] (matrix against a batch)", Reference.matmul(a, as, m, new long[]{4, 5}), t,
                    put(a, t, as).matmul(put(m, t, 4, 5)), tol);
            Array aT = Reference.transposeLast(a, as); // [2, 4, 3]
            expect("transposed batch view", Reference.matmul(a, as, m, new long[]{4, 5}), t,
                    put(aT.values(), t, aT.shape()).transpose(-1, -2).matmul(put(m, t, 4, 5)), tol);
        });
    }

    // ================================================================== softmax family

    /** softmax, logSoftmax and logsumexp along each axis, over several axes, and on rows that overflow exp in F32. */
    @Test
    public void softmaxFamily() {
        forEach(floatingTypes(), t -> {
            Tolerance tol = Tolerance.of(t);
            long[] shape = {3, 5};
            double[] x = grid(15, 26);
            Tensor dx = put(x, t, shape);
            for (int axis : new int[]{0, 1, -1}) {
                expect("softmax along " + axis, Reference.softmax(x, shape, axis, Reference.Softmax.SOFTMAX), shape, t,
                        dx.softmax(axis), tol);
                expect("logSoftmax along " + axis, Reference.softmax(x, shape, axis, Reference.Softmax.LOG_SOFTMAX), shape, t,
                        dx.logSoftmax(axis), tol);
                for (boolean keep : new boolean[]{false, true}) {
                    expect("logsumexp along " + axis + (keep ? " keepDims" : ""),
                            Reference.logsumexp(x, shape, new int[]{axis}, keep), t, dx.logsumexp(new int[]{axis}, keep), tol);
                }
            }
            long[] cube = {2, 3, 4};
            double[] y = grid(24, 27);
            Tensor dy = put(y, t, cube);
            expect("softmax along the middle axis", Reference.softmax(y, cube, 1, Reference.Softmax.SOFTMAX), cube, t,
                    dy.softmax(1), tol);
            expect("logsumexp over [0, 2] keepDims", Reference.logsumexp(y, cube, new int[]{0, 2}, true), t,
                    dy.logsumexp(new int[]{0, 2}, true), tol);
            expect("logsumexp over all", Reference.logsumexp(y, cube, new int[0], false), t, dy.logsumexp(new int[0], false), tol);
            // exp(100) overflows F32: only a max-shifted kernel gets these right
            double[] big = {90, 92, 95, 97, 99, 100, 100, 99, 97, 95, 92, 90};
            Tensor db = put(big, t, 2, 6);
            expect("softmax of large values", Reference.softmax(big, new long[]{2, 6}, 1, Reference.Softmax.SOFTMAX),
                    new long[]{2, 6}, t, db.softmax(1), tol);
            expect("logSoftmax of large values", Reference.softmax(big, new long[]{2, 6}, 1, Reference.Softmax.LOG_SOFTMAX),
                    new long[]{2, 6}, t, db.logSoftmax(1), tol);
            expect("logsumexp of large values", Reference.logsumexp(big, new long[]{2, 6}, new int[]{1}, false), t,
                    db.logsumexp(new int[]{1}, false), tol);
        });
    }

    // ================================================================== random numbers

    /** Rng.on(device) draws the CPU's values for the same key and draw number, on the device. */
    @Test
    public void rngReproducesTheCpuStream() {
        forEach(List.of(DType.F64, DType.F32), t -> {
            Rng host = Rng.seed(20261205);
            Rng dev = Rng.seed(20261205).on(device());
            assertEquals(device(), dev.device(), "Rng.on(device).device()");
            Tensor u = dev.uniform(t, -1, 3, 40, 25);
            expect("uniform", host.uniform(t, -1, 3, 40, 25).toDoubleArray(), new long[]{40, 25}, t, u, Tolerance.EXACT);
            Tensor n = dev.normal(t, 2, 0.5, 1000);
            // the same samples; a device's log/sin/cos may differ from StrictMath's in the last bits
            expect("normal", host.normal(t, 2, 0.5, 1000).toDoubleArray(), new long[]{1000}, t, n, Tolerance.of(t));
            Tensor b = dev.bernoulli(0.3, 1000);
            expect("bernoulli", host.bernoulli(0.3, 1000).toDoubleArray(), new long[]{1000}, DType.BOOL, b, Tolerance.EXACT);
            Tensor g = dev.gamma(t, 2.5, 1, 50); // generated on the host, then moved
            expect("gamma", host.gamma(t, 2.5, 1, 50).toDoubleArray(), new long[]{50}, t, g, Tolerance.EXACT);
            assertEquals(host.draws(), dev.draws(), "draws consumed");
            Tensor again = Rng.seed(20261205).on(device()).uniform(t, -1, 3, 1000);
            expect("the same key again, another shape", u.toDoubleArray(), new long[]{1000}, t, again, Tolerance.EXACT);
        });
    }

    /** Device draws are plausible samples: uniform in range with mean 1, normal with mean 2 and sd 0.5, p ≈ 0.3. */
    @Test
    public void rngDistributions() {
        forEach(List.of(DType.F64, DType.F32), t -> {
            int n = 4000;
            Rng dev = Rng.seed(7).on(device());
            double[] u = dev.uniform(t, -1, 3, n).toDoubleArray();
            double sum = 0;
            for (double v : u) {
                assertTrue(v >= -1 && v < 3, "uniform sample " + v + " outside [-1, 3)");
                sum += v;
            }
            // 5 standard errors: sd of U(-1, 3) is 4/√12
            assertEquals(1, sum / n, 5 * (4 / Math.sqrt(12)) / Math.sqrt(n), "uniform mean");
            double[] z = dev.normal(t, 2, 0.5, n).toDoubleArray();
            double mean = Arrays.stream(z).sum() / n;
            double var = Arrays.stream(z).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
            assertEquals(2, mean, 5 * 0.5 / Math.sqrt(n), "normal mean");
            assertEquals(0.5, Math.sqrt(var), 5 * 0.5 / Math.sqrt(2.0 * n), "normal standard deviation");
            boolean[] bits = dev.bernoulli(0.3, n).toBooleanArray();
            int ones = 0;
            for (boolean bit : bits) {
                ones += bit ? 1 : 0;
            }
            assertEquals(0.3, (double) ones / n, 5 * Math.sqrt(0.3 * 0.7 / n), "bernoulli frequency");
        });
    }

    // ================================================================== ops without a device kernel

    /** sort, gather and cumsum on device tensors (staged through the host where the backend has no kernel). */
    @Test
    public void stagedOps() {
        forEach(floatingTypes(), t -> {
            long[] shape = {3, 7};
            double[] x = grid(21, 28);
            Tensor dx = put(x, t, shape);
            double[] asc = new double[21];
            double[] desc = new double[21];
            for (int r = 0; r < 3; r++) {
                double[] row = Arrays.copyOfRange(x, 7 * r, 7 * r + 7);
                Arrays.sort(row);
                for (int j = 0; j < 7; j++) {
                    asc[7 * r + j] = row[j];
                    desc[7 * r + j] = row[6 - j];
                }
            }
            expect("sort ascending", asc, shape, t, dx.sort(1, false), Tolerance.EXACT);
            expect("sort descending", desc, shape, t, dx.sort(-1, true), Tolerance.EXACT);
            long[][] index = {{6, 0, 0}, {3, 1, 5}, {2, 2, 4}};
            double[] gathered = new double[9];
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < 3; j++) {
                    gathered[3 * r + j] = x[7 * r + (int) index[r][j]];
                }
            }
            Tensor idx = Tensor.fromArray(index).to(device());
            expect("gather along 1", gathered, new long[]{3, 3}, t, dx.gather(1, idx), Tolerance.EXACT);
            double[] cumsum = new double[21];
            for (int r = 0; r < 3; r++) {
                double s = 0;
                for (int j = 0; j < 7; j++) {
                    s += x[7 * r + j];
                    cumsum[7 * r + j] = s;
                }
            }
            expect("cumsum along 1", cumsum, shape, t, dx.cumsum(1), Tolerance.of(t));
        });
    }

    // ================================================================== autodiff

    /** The gradient of Σx² is 2x, and of Σ(x·A − b)² is 2(x·A − b)·Aᵀ, computed on the device. */
    @Test
    public void gradientOnTheDevice() {
        forEach(List.of(DType.F64, DType.F32), t -> {
            Tolerance tol = Tolerance.of(t);
            long[] shape = {3, 4};
            double[] x = grid(12, 29);
            Tensor leaf = put(x, t, shape).requiresGrad(true);
            Tensor loss = leaf.square().sum();
            expect("Σx²", new double[]{Arrays.stream(x).map(v -> v * v).sum()}, new long[0], t, loss, tol);
            loss.backward();
            double[] twice = Arrays.stream(x).map(v -> 2 * v).toArray();
            expect("∇Σx² by backward()", twice, shape, t, leaf.grad(), tol);
            double[] a = grid(8, 30);
            double[] b = grid(6, 31);
            Tensor da = put(a, t, 4, 2);
            Tensor db = put(b, t, 3, 2);
            Array r = Reference.map(Reference.matmul(x, shape, a, new long[]{4, 2}).values(), new long[]{3, 2}, b, new long[]{3, 2},
                    (p, q) -> 2 * (p - q));
            Array expected = Reference.matmul(r.values(), r.shape(), Reference.transposeLast(a, new long[]{4, 2}).values(),
                    new long[]{2, 4});
            Tensor g = Autodiff.grad(v -> v.matmul(da).sub(db).square().sum(), put(x, t, shape));
            expect("∇Σ(x·A − b)² by Autodiff.grad", expected, t, g, tol);
        });
    }

    /**
     * First and second derivatives of several op families evaluated on the device, against central finite
     * differences in F64 ({@link GradcheckTable}, one dynamic test per case, input and order).
     *
     * @return the dynamic tests
     */
    @TestFactory
    public Stream<DynamicTest> gradchecksOnTheDevice() {
        return new GradcheckTable()
                .withDevice(device())
                .add("mul broadcast", x -> x[0].mul(x[1]), new long[]{2, 3}, new long[]{3})
                .add("exp log sigmoid", x -> x[0].exp().add(1).log().mul(x[0].sigmoid()), new long[]{4})
                .add("matmul", x -> x[0].matmul(x[1]), new long[]{2, 3}, new long[]{3, 2})
                .add("sum keepDims and mean", x -> x[0].sum(new int[]{1}, true).mul(x[0]).mean(0), new long[]{2, 3})
                .add("where", x -> Tensor.where(x[0].gt(0.2), x[0].square(), x[0].neg()), new long[]{6})
                .add("softmax and logsumexp", x -> x[0].softmax(1).add(x[0].logsumexp(new int[]{1}, true)), new long[]{2, 4})
                .add("sort (staged)", x -> x[0].sort(1, true).mul(x[0].exp()), new long[]{2, 3})
                .allChecks();
    }
}
