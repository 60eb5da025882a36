package dev.proxima.testkit;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A table of differentiable cases (a name, a function of one or more tensors, its inputs) checked with
 * {@link Autodiff#gradcheck} and {@link Autodiff#gradgradcheck} as JUnit dynamic tests: one test per case
 * and differentiable input, named {@code "<case> d/d input <i>"}.
 *
 * <p>Every floating-point input is differentiated in turn, the others held fixed: input {@code i} of a
 * case {@code f} is checked through {@code x -> f(inputs with x at position i)}. Floating-point inputs
 * are checked in F64 (finite differences need double precision); integer and BOOL inputs (indices,
 * masks) are passed unchanged and not differentiated. Inputs given as shapes get fixed, distinct,
 * non-zero values in (−0.75, 0.85), different for each input; inputs given as tensors are copied when
 * the case is added, so the caller may close them. Each dynamic test creates its inputs on the table's
 * device ({@link #withDevice}, the CPU by default), runs inside a {@link Scope} and fails if it leaves
 * host tensor memory allocated ({@link NoLeaks#assertFreed}).
 *
 * {@snippet :
 * class MyOpGradientTest {
 *     @TestFactory
 *     Stream<DynamicTest> gradients() {
 *         try (Scope scope = Scope.open()) {              // the table copies tensor inputs
 *             return new GradcheckTable()
 *                     .add("mul broadcast", x -> x[0].mul(x[1]), new long[]{2, 3}, new long[]{3})
 *                     .add("log of positive", x -> x[0].square().add(1).log(), new long[]{4})
 *                     .add("gather", x -> x[0].gather(1, x[1]),   // the I64 index is held fixed
 *                             Tensor.fromArray(new double[][]{{1, 2}, {3, 4}}), Tensor.fromArray(new long[][]{{1}, {0}}))
 *                     .allChecks();
 *         }
 *     }
 * }
 * }
 */
public final class GradcheckTable {

    /**
     * Finite-difference settings of one check: {@code eps} is the central-difference step, and an analytic
     * Jacobian entry passes when within {@code atol + rtol·|numeric|} of the numeric one.
     *
     * @param eps  the finite-difference step, &gt; 0
     * @param atol the absolute tolerance, &ge; 0
     * @param rtol the relative tolerance, &ge; 0
     */
    public record Settings(double eps, double atol, double rtol) {

        /** First derivatives: step 1e-6, atol 1e-7, rtol 1e-5. */
        public static final Settings FIRST_ORDER = new Settings(1e-6, 1e-7, 1e-5);

        /** Second derivatives (differences of gradients): step 1e-5, atol 1e-6, rtol 1e-4. */
        public static final Settings SECOND_ORDER = new Settings(1e-5, 1e-6, 1e-4);

        /**
         * Validates the settings.
         *
         * @throws IllegalArgumentException if {@code eps} is not positive and finite, or a tolerance is
         *                                  negative, NaN or infinite
         */
        public Settings {
            if (!(eps > 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("gradcheck step eps must be finite and > 0, got " + eps);
            }
            if (!(atol >= 0) || !(rtol >= 0) || Double.isInfinite(atol) || Double.isInfinite(rtol)) {
                throw new IllegalArgumentException("gradcheck tolerances must be finite and >= 0, got atol " + atol + ", rtol " + rtol);
            }
        }
    }

    /** One input, copied to plain values when the case is added. */
    private record Input(DType dtype, long[] shape, double[] values) {

        /** A new tensor on {@code device}: F64 for floating inputs, the original dtype otherwise. */
        Tensor create(Device device) {
            Tensor t = Tensor.of(values).reshape(shape);
            if (!dtype.isFloating()) {
                t = t.cast(dtype);
            }
            return device.equals(Device.CPU) ? t : t.to(device);
        }
    }

    private record Case(String name, Function<Tensor[], Tensor> f, List<Input> inputs) {
    }

    private final List<Case> cases = new ArrayList<>();
    private Device device = Device.CPU;
    private Settings firstOrder = Settings.FIRST_ORDER;
    private Settings secondOrder = Settings.SECOND_ORDER;

    /** An empty table checking on the CPU with {@link Settings#FIRST_ORDER} and {@link Settings#SECOND_ORDER}. */
    public GradcheckTable() {
    }

    /**
     * Adds a case whose inputs are F64 tensors of the given shapes with fixed, distinct values in
     * (−0.75, 0.85) (the {@code k}-th element of input {@code i} is {@code 0.8·sin(0.7·(k + 1) + 1.3·i) + 0.05}).
     *
     * @param name   the case's name, used in the dynamic tests' names
     * @param f      the function; it receives the inputs in order and may use any tensor operations
     * @param shapes the shape of each input, at least one
     * @return this table
     * @throws IllegalArgumentException if no shape is given, a dimension is negative or a shape has more
     *                                  than 10⁶ elements
     * @throws NullPointerException     if an argument is null
     */
    public GradcheckTable add(String name, Function<Tensor[], Tensor> f, long[]... shapes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(f, "f");
        if (shapes.length == 0) {
            throw new IllegalArgumentException("case '" + name + "' needs at least one input shape");
        }
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            long[] shape = Objects.requireNonNull(shapes[i], "shape").clone();
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("case '" + name + "', input " + i + ": negative dimension in shape "
                            + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (n > 1_000_000) {
                throw new IllegalArgumentException("case '" + name + "', input " + i + ": shape " + Arrays.toString(shape)
                        + " has " + n + " elements; gradcheck needs small inputs (at most 10^6 elements)");
            }
            double[] values = new double[(int) n];
            for (int k = 0; k < n; k++) {
                values[k] = 0.8 * Math.sin(0.7 * (k + 1) + 1.3 * i) + 0.05;
            }
            inputs.add(new Input(DType.F64, shape, values));
        }
        cases.add(new Case(name, f, List.copyOf(inputs)));
        return this;
    }

    /**
     * Adds a case with explicit inputs, copied now (the caller keeps ownership of the tensors). Floating
     * inputs are checked in F64; integer and BOOL inputs are held fixed.
     *
     * @param name   the case's name, used in the dynamic tests' names
     * @param f      the function; it receives the inputs in order
     * @param inputs the inputs, at least one floating-point
     * @return this table
     * @throws IllegalArgumentException if no input is floating-point
     * @throws NullPointerException     if an argument is null
     * @throws IllegalStateException    if an input is closed
     */
    public GradcheckTable add(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(f, "f");
        List<Input> copied = new ArrayList<>();
        boolean differentiable = false;
        for (Tensor t : inputs) {
            Objects.requireNonNull(t, "input");
            differentiable |= t.dtype().isFloating();
            copied.add(new Input(t.dtype(), t.shape(), t.toDoubleArray()));
        }
        if (!differentiable) {
            throw new IllegalArgumentException("case '" + name + "' has no floating-point input to differentiate; got "
                    + copied.stream().map(in -> in.dtype() + Arrays.toString(in.shape())).toList());
        }
        cases.add(new Case(name, f, List.copyOf(copied)));
        return this;
    }

    /**
     * Runs the checks with inputs on {@code device} ({@link Autodiff#gradcheck} evaluates the function where
     * its input lives).
     *
     * @param device where the inputs are created
     * @return this table
     * @throws NullPointerException if {@code device} is null
     */
    public GradcheckTable withDevice(Device device) {
        this.device = Objects.requireNonNull(device, "device");
        return this;
    }

    /**
     * Sets the finite-difference step and tolerances of {@link #gradchecks()}.
     *
     * @param settings the settings for first derivatives
     * @return this table
     * @throws NullPointerException if {@code settings} is null
     */
    public GradcheckTable withFirstOrder(Settings settings) {
        this.firstOrder = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * Sets the finite-difference step and tolerances of {@link #gradgradchecks()}.
     *
     * @param settings the settings for second derivatives
     * @return this table
     * @throws NullPointerException if {@code settings} is null
     */
    public GradcheckTable withSecondOrder(Settings settings) {
        this.secondOrder = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * The number of cases added.
     *
     * @return how many cases the table holds
     */
    public int size() {
        return cases.size();
    }

    /**
     * One {@link Autodiff#gradcheck} test per case and floating-point input, for a {@code @TestFactory}.
     *
     * @return the dynamic tests, named {@code "<case> d/d input <i>"}
     * @throws IllegalStateException if the table is empty
     */
    public Stream<DynamicTest> gradchecks() {
        return tests(false);
    }

    /**
     * One {@link Autodiff#gradgradcheck} test per case and floating-point input, for a {@code @TestFactory}.
     *
     * @return the dynamic tests, named {@code "<case> d²/d input <i>²"}
     * @throws IllegalStateException if the table is empty
     */
    public Stream<DynamicTest> gradgradchecks() {
        return tests(true);
    }

    /**
     * {@link #gradchecks()} followed by {@link #gradgradchecks()}.
     *
     * @return the first-order tests, then the second-order ones
     * @throws IllegalStateException if the table is empty
     */
    public Stream<DynamicTest> allChecks() {
        return Stream.concat(gradchecks(), gradgradchecks());
    }

    private Stream<DynamicTest> tests(boolean second) {
        if (cases.isEmpty()) {
            throw new IllegalStateException("the gradcheck table has no cases; add some with add(...)");
        }
        Device on = device;
        Settings s = second ? secondOrder : firstOrder;
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            for (int i = 0; i < c.inputs().size(); i++) {
                if (!c.inputs().get(i).dtype().isFloating()) {
                    continue;
                }
                String name = c.name() + (second ? " d²/d input " + i + "²" : " d/d input " + i) + (on.equals(Device.CPU) ? "" : " on " + on);
                int which = i;
                tests.add(DynamicTest.dynamicTest(name, () -> NoLeaks.assertFreed(name, () -> check(name, c, which, on, s, second))));
            }
        }
        return tests.stream();
    }

    private static void check(String name, Case c, int which, Device device, Settings s, boolean second) {
        try (Scope scope = Scope.open()) {
            Tensor[] args = new Tensor[c.inputs().size()];
            for (int j = 0; j < args.length; j++) {
                args[j] = c.inputs().get(j).create(device);
            }
            Function<Tensor, Tensor> partial = x -> {
                Tensor[] call = args.clone();
                call[which] = x;
                return c.f().apply(call);
            };
            Autodiff.GradcheckResult r = second
                    ? Autodiff.gradgradcheck(partial, args[which], s.eps(), s.atol(), s.rtol())
                    : Autodiff.gradcheck(partial, args[which], s.eps(), s.atol(), s.rtol());
            if (!r.passed()) {
                long[] at = r.worstIndex();
                String where = at[0] < 0 ? "" : " at output element " + at[0] + ", input element " + at[1]
                        + " (analytic " + r.analytic()[(int) at[0]][(int) at[1]] + ", numeric " + r.numeric()[(int) at[0]][(int) at[1]] + ")";
                throw new AssertionFailedError(name + ": " + (second ? "gradgradcheck" : "gradcheck") + " failed with "
                        + s + ": largest |analytic - numeric| " + r.maxAbsError() + where);
            }
        }
    }
}
