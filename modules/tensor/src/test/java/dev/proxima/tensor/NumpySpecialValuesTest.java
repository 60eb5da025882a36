package dev.proxima.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The elementwise ops of issue 16 against NumPy over special values (±0, ±∞, NaN of both signs, subnormals,
 * dtype limits, ordinary values) for every dtype each accepts (BF16 by NumPy's float16 rule, NumPy having no
 * bfloat16): {@code fixtures/numpy_special/special_values.txt},
 * made by {@code make_special_values.py} beside it (its docstring says how the expected values were computed).
 * Binary ops are checked on three paths each: dense operands, strided views (every other element of a twice
 * as long tensor) and a Python-style scalar operand; all must give the same bits.
 */
@ExtendWith(NoLeaks.class)
class NumpySpecialValuesTest {

    /** One block of the fixture. */
    record Case(String op, String dtype, long[] a, long[] b, String outType, long[] out, int ulps) {
        @Override
        public String toString() {
            return op + " " + dtype;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = NumpySpecialValuesTest.class.getResourceAsStream("/fixtures/numpy_special/special_values.txt")) {
            assertTrue(in != null, "special_values.txt is on the test class path");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String op = null, dtype = null, outType = null;
            long[] a = null, b = null, out = null;
            int ulps = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] t = line.split(" ");
                switch (t[0]) {
                    case "case" -> {
                        op = t[1];
                        dtype = t[2];
                        a = b = out = null;
                    }
                    case "a" -> a = values(dtype, t, 1);
                    case "b" -> b = values(dtype, t, 1);
                    case "out" -> {
                        outType = t[1];
                        out = values(outType, t, 2);
                    }
                    case "ulps" -> ulps = Integer.parseInt(t[1]);
                    case "end" -> cases.add(new Case(op, dtype, a, b, outType, out, ulps));
                    default -> throw new IllegalStateException("bad fixture line: " + line);
                }
            }
        }
        return cases;
    }

    private static boolean isFloat(String dtype) {
        return dtype.startsWith("f") || dtype.equals("bf16");
    }

    private static long[] values(String dtype, String[] tokens, int from) {
        long[] v = new long[tokens.length - from];
        for (int i = 0; i < v.length; i++) {
            v[i] = isFloat(dtype) ? Long.parseUnsignedLong(tokens[from + i], 16) : Long.parseLong(tokens[from + i]);
        }
        return v;
    }

    static DType dtype(String name) {
        return switch (name) {
            case "f64" -> DType.F64;
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            case "i64" -> DType.I64;
            case "i32" -> DType.I32;
            case "i8" -> DType.I8;
            case "u8" -> DType.U8;
            case "bool" -> DType.BOOL;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** A 1-D tensor holding raw values (bits for floats) in the fixture's dtype. */
    static Tensor tensor(String dtype, long[] raw) {
        int n = raw.length;
        switch (dtype) {
            case "f64" -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = Double.longBitsToDouble(raw[i]);
                }
                return Tensor.of(d);
            }
            case "f32", "f16", "bf16" -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = (float) decode(dtype, raw[i]);
                }
                try (Tensor t = Tensor.of(f)) {
                    // every half value is a float: the conversion is exact and keeps NaN signs
                    return dtype.equals("f32") ? t.copy() : t.cast(dtype(dtype));
                }
            }
            case "bool" -> {
                boolean[] z = new boolean[n];
                for (int i = 0; i < n; i++) {
                    z[i] = raw[i] != 0;
                }
                return Tensor.of(z);
            }
            default -> {
                try (Tensor t = Tensor.of(raw)) {
                    return t.cast(dtype(dtype));
                }
            }
        }
    }

    /** The raw values of a 1-D tensor (bits for floats, as the fixture writes them). */
    static long[] raw(Tensor t) {
        long n = t.size();
        long[] v = new long[(int) n];
        switch (t.dtype()) {
            case F64 -> {
                double[] d = t.toDoubleArray();
                for (int i = 0; i < n; i++) {
                    v[i] = Double.doubleToRawLongBits(d[i]);
                }
            }
            case F32 -> {
                float[] f = t.toFloatArray();
                for (int i = 0; i < n; i++) {
                    v[i] = Float.floatToRawIntBits(f[i]) & 0xffffffffL;
                }
            }
            case F16, BF16 -> {
                try (Tensor w = t.cast(DType.F32)) {
                    float[] f = w.toFloatArray();
                    for (int i = 0; i < n; i++) {
                        v[i] = t.dtype() == DType.F16 ? Float.floatToFloat16(f[i]) & 0xffffL : Float.floatToRawIntBits(f[i]) >>> 16;
                    }
                }
            }
            default -> v = t.toLongArray();
        }
        return v;
    }

    /** A view of the same values with stride 2: every other element of a tensor twice as long. */
    static Tensor strided(String dtype, long[] raw) {
        long[] twice = new long[raw.length * 2];
        for (int i = 0; i < raw.length; i++) {
            twice[2 * i] = raw[i];
            twice[2 * i + 1] = raw[(i + 1) % raw.length];
        }
        return tensor(dtype, twice).slice(0, 0, twice.length, 2);
    }

    static double decode(String dtype, long raw) {
        return switch (dtype) {
            case "f64" -> Double.longBitsToDouble(raw);
            case "f32" -> Float.intBitsToFloat((int) raw);
            case "bf16" -> Float.intBitsToFloat((int) raw << 16);
            default -> Float.float16ToFloat((short) raw);
        };
    }

    /** Distance in ulps of the dtype between two finite values of the same sign, else MAX_VALUE. */
    static long ulpDistance(String dtype, long x, long y) {
        double dx = decode(dtype, x);
        double dy = decode(dtype, y);
        if (Double.isInfinite(dx) || Double.isInfinite(dy) || (dx < 0) != (dy < 0)) {
            return dx == dy ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(x - y);
    }

    static void assertMatches(Case c, String path, long[] got, String gotType) {
        assertEquals(c.outType(), gotType, c + " " + path + ": result dtype");
        StringBuilder bad = new StringBuilder();
        for (int i = 0; i < c.out().length; i++) {
            long e = c.out()[i];
            long g = got[i];
            boolean ok;
            if (!isFloat(c.outType())) {
                ok = e == g;
            } else if (Double.isNaN(decode(c.outType(), e))) {
                ok = Double.isNaN(decode(c.outType(), g));
            } else {
                ok = e == g || (c.ulps() > 0 && ulpDistance(c.outType(), e, g) <= c.ulps());
            }
            if (!ok && bad.length() < 2000) {
                bad.append(String.format("%n  [%d] a=%s%s expected %s got %s", i, show(c.dtype(), c.a()[i]),
                        c.b() == null ? "" : " b=" + show(c.dtype(), c.b()[i]), show(c.outType(), e), show(c.outType(), g)));
            }
        }
        if (!bad.isEmpty()) {
            fail(c + " (" + path + ", " + c.ulps() + " ulps) differs from NumPy:" + bad);
        }
    }

    private static String show(String dtype, long raw) {
        return isFloat(dtype) ? decode(dtype, raw) + "(" + Long.toHexString(raw) + ")" : Long.toString(raw);
    }

    static String name(DType t) {
        return switch (t) {
            case F64 -> "f64";
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case I64 -> "i64";
            case I32 -> "i32";
            case I8 -> "i8";
            case U8 -> "u8";
            case BOOL -> "bool";
        };
    }

    static Tensor unary(String op, Tensor x) {
        return switch (op) {
            case "floor" -> x.floor();
            case "ceil" -> x.ceil();
            case "trunc" -> x.trunc();
            case "round" -> x.round();
            case "log1p" -> x.log1p();
            case "expm1" -> x.expm1();
            case "log2" -> x.log2();
            case "log10" -> x.log10();
            case "exp2" -> x.exp2();
            case "isnan" -> x.isnan();
            case "isinf" -> x.isinf();
            case "isfinite" -> x.isfinite();
            case "signbit" -> x.signbit();
            case "nanToNum" -> x.nanToNum();
            default -> throw new IllegalArgumentException(op);
        };
    }

    static Tensor binary(String op, Tensor a, Tensor b) {
        return switch (op) {
            case "fmax" -> a.fmax(b);
            case "fmin" -> a.fmin(b);
            case "remainder" -> a.remainder(b);
            case "floorDivide" -> a.floorDivide(b);
            case "atan2" -> a.atan2(b);
            case "hypot" -> a.hypot(b);
            case "copysign" -> a.copysign(b);
            case "pow" -> a.pow(b);
            default -> throw new IllegalArgumentException(op);
        };
    }

    /** {@code a op b} with a Python float scalar: the op's {@code double} overload (e.g. {@code a.fmax(2.5)}). */
    static Tensor binary(String op, Tensor a, double b) {
        return ScalarOverloads.apply(op, a, b);
    }

    /** {@code a op b} with a Python int scalar: the op's {@code long} overload (e.g. {@code a.fmax(2L)}). */
    static Tensor binary(String op, Tensor a, long b) {
        return ScalarOverloads.apply(op, a, b);
    }

    static void check(Case c) {
        try (Scope scope = Scope.open()) {
            if (c.b() == null) {
                Tensor r = unary(c.op(), tensor(c.dtype(), c.a()));
                assertMatches(c, "dense", raw(r), name(r.dtype()));
                Tensor s = unary(c.op(), strided(c.dtype(), c.a()));
                assertMatches(c, "strided", raw(s), name(s.dtype()));
                return;
            }
            if (c.op().equals("clamp3")) {
                int n = c.a().length / 2;
                Tensor a = tensor(c.dtype(), c.a());
                Tensor b = tensor(c.dtype(), c.b());
                Tensor r = a.slice(0, 0, n, 1).clamp(a.slice(0, n, 2L * n, 1), b.slice(0, 0, n, 1));
                Case half = new Case(c.op(), c.dtype(), Arrays.copyOf(c.a(), n), null, c.outType(), c.out(), c.ulps());
                assertMatches(half, "tensor bounds", raw(r), name(r.dtype()));
                return;
            }
            Tensor dense = binary(c.op(), tensor(c.dtype(), c.a()), tensor(c.dtype(), c.b()));
            assertMatches(c, "dense", raw(dense), name(dense.dtype()));
            Tensor strided = binary(c.op(), strided(c.dtype(), c.a()), strided(c.dtype(), c.b()));
            assertMatches(c, "strided", raw(strided), name(strided.dtype()));
            // the scalar path: for each distinct b, a op b as a Python-style scalar; exact integers only
            Tensor a = tensor(c.dtype(), c.a());
            long[] got = raw(dense).clone();
            String type = name(dense.dtype());
            Set<Long> distinct = new LinkedHashSet<>();
            for (long v : c.b()) {
                distinct.add(v);
            }
            for (long v : distinct) {
                double scalar = isFloat(c.dtype()) ? decode(c.dtype(), v) : v;
                if (!isFloat(c.dtype()) && (Math.abs(v) > (1L << 53) || c.dtype().equals("bool"))) {
                    continue;
                }
                // a Python float beside a float array, a Python int beside an integer one
                Tensor r = isFloat(c.dtype()) ? binary(c.op(), a, scalar) : binary(c.op(), a, v);
                long[] rv = raw(r);
                type = name(r.dtype());
                for (int i = 0; i < got.length; i++) {
                    if (c.b()[i] == v) {
                        got[i] = rv[i];
                    }
                }
            }
            assertMatches(c, "scalar operand", got, type);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOnEveryPath() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() > 150, "the fixture holds " + cases.size() + " cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }
}
