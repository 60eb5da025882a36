package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;

import java.lang.foreign.MemorySegment;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.F64;
import static dev.proxima.tensor.internal.ElementAccess.I8;

/**
 * Elementwise CPU kernels. A {@link StridedLoop} splits each call into rows; F32 and F64 rows run the loops of
 * {@link ElementwiseF32} and {@link ElementwiseF64} (the former generated from the latter), whose dense rows (stride
 * 1, or 0 for a broadcast scalar) run on the Vector API. Integer and BOOL operands are computed in 64-bit integer
 * arithmetic and wrapped when stored. F16/BF16 operands of unary, binary and mulAdd are widened to F32 by
 * {@link CpuBackend} before they get here; where, copy and fill move or convert half elements themselves.
 */
final class Elementwise {

    private Elementwise() {
    }

    private static long[] offsets(StridedView... views) {
        long[] o = new long[views.length];
        for (int i = 0; i < views.length; i++) {
            o[i] = views[i].offset();
        }
        return o;
    }

    // ------------------------------------------------------------------ unary

    static void unary(UnaryOp op, StridedView src, StridedView dst) {
        MemorySegment s = src.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType t = src.dtype();
        DType dt = dst.dtype();
        int cost = switch (op) {
            case EXP, LOG, TANH, SIN, COS, SIGMOID, LOG1P, EXPM1, LOG2, LOG10, EXP2 -> 8;
            case ERF -> 32;
            default -> 1;
        };
        StridedLoop.of(dst.shape(), dst.strides(), src.strides()).run(offsets(dst, src), cost, (off, inner, n) -> {
            if (op == UnaryOp.NOT) {
                for (long j = 0; j < n; j++) {
                    boolean zero = t.isFloating() ? ElementAccess.getDouble(s, t, off[1] + j * inner[1]) == 0
                            : ElementAccess.getLong(s, t, off[1] + j * inner[1]) == 0;
                    d.setAtIndex(I8, off[0] + j * inner[0], (byte) (zero ? 1 : 0));
                }
            } else if (t == DType.F32) {
                ElementwiseF32.unary(op, s, off[1], inner[1], d, off[0], inner[0], n);
            } else if (t == DType.F64) {
                ElementwiseF64.unary(op, s, off[1], inner[1], d, off[0], inner[0], n);
            } else {
                for (long j = 0; j < n; j++) {
                    long x = ElementAccess.getLong(s, t, off[1] + j * inner[1]);
                    ElementAccess.setLong(d, dt, off[0] + j * inner[0], unaryLong(op, x));
                }
            }
        });
    }

    /** One element of a floating unary op, in double. */
    static double unaryDouble(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Double.isNaN(x) ? x : Math.signum(x) + 0.0;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case SQUARE -> x * x;
            case RECIPROCAL -> 1 / x;
            case NOT -> x == 0 ? 1 : 0;
            case ERF -> SpecialFunctions.erf(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case TRUNC -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RINT -> Math.rint(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case LOG2 -> SpecialFunctions.log2(x);
            case LOG10 -> Math.log10(x);
            case EXP2 -> Math.pow(2, x);
        };
    }

    private static long unaryLong(UnaryOp op, long x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
            case FLOOR, CEIL, TRUNC, RINT -> x;
            default -> throw new IllegalArgumentException(op + " is not defined for integer tensors");
        };
    }

    // ------------------------------------------------------------------ binary

    static void binary(BinaryOp op, StridedView a, StridedView b, StridedView dst) {
        MemorySegment sa = a.storage().segment();
        MemorySegment sb = b.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType t = a.dtype();
        DType dt = dst.dtype();
        int cost = switch (op) {
            case POW, ATAN2, HYPOT -> 16;
            case REMAINDER, FLOOR_DIVIDE -> 4;
            default -> 1;
        };
        StridedLoop.of(dst.shape(), dst.strides(), a.strides(), b.strides()).run(offsets(dst, a, b), cost, (off, inner, n) -> {
            if (op.isComparison()) {
                compareRow(op, t, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else if (t == DType.F32) {
                ElementwiseF32.binary(op, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else if (t == DType.F64) {
                ElementwiseF64.binary(op, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else {
                for (long j = 0; j < n; j++) {
                    long x = ElementAccess.getLong(sa, t, off[1] + j * inner[1]);
                    long y = ElementAccess.getLong(sb, t, off[2] + j * inner[2]);
                    ElementAccess.setLong(d, dt, off[0] + j * inner[0], binaryLong(op, x, y));
                }
            }
        });
    }

    /** True for the binary ops {@code ElementwiseF32}/{@code ElementwiseF64} run on the Vector API. */
    static boolean vectorizable(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MIN, MAX -> true;
            default -> false;
        };
    }

    /** One element of a floating arithmetic op, in double. */
    static double binaryDouble(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> pow(x, y);
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            // C's fmax/fmin as NumPy writes them: the first operand unless it loses or the second is NaN
            case FMAX -> x >= y || Double.isNaN(y) ? x : y;
            case FMIN -> x <= y || Double.isNaN(y) ? x : y;
            case ATAN2 -> Math.atan2(x, y);
            case HYPOT -> Math.hypot(x, y);
            case REMAINDER -> remainder(x, y);
            case FLOOR_DIVIDE -> floorDivide(x, y);
            case COPYSIGN -> Math.copySign(x, y);
            default -> throw new AssertionError(op);
        };
    }

    /**
     * C99's (and NumPy's) pow: {@link Math#pow} except that pow(+1, y) is 1 for every y (NaN included) and
     * pow(−1, ±∞) is 1, where Java gives NaN.
     */
    static double pow(double x, double y) {
        if (x == 1 || (x == -1 && Double.isInfinite(y))) {
            return 1;
        }
        return Math.pow(x, y);
    }

    /**
     * NumPy's floating remainder (Python's {@code %}): fmod adjusted to the divisor's sign; a zero result takes
     * the divisor's sign; a zero divisor gives NaN.
     */
    static double remainder(double a, double b) {
        double mod = a % b;
        if (b == 0) {
            return mod;
        }
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) {
                mod += b;
            }
        } else {
            mod = Math.copySign(0.0, b);
        }
        return mod;
    }

    /**
     * NumPy's floating floor division (Python's {@code //}): (a − remainder) / b snapped to the nearest integer
     * below; a zero divisor gives a / b (±∞ or NaN); a zero quotient has the sign of a / b.
     */
    static double floorDivide(double a, double b) {
        if (b == 0) {
            return a / b;
        }
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div -= 1.0;
        }
        if (div == 0) {
            return Math.copySign(0.0, a / b);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    static long binaryLong(BinaryOp op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            case POW -> powLong(x, y);
            case FMAX -> Math.max(x, y);
            case FMIN -> Math.min(x, y);
            // NumPy's integer results: division by zero gives 0 (NumPy also warns), MIN // -1 wraps to MIN
            case REMAINDER -> y == 0 ? 0 : Math.floorMod(x, y);
            case FLOOR_DIVIDE -> y == 0 ? 0 : Math.floorDiv(x, y);
            case DIV -> throw new AssertionError("integer DIV is computed in floating point");
            default -> throw new AssertionError(op);
        };
    }

    private static long powLong(long base, long exp) {
        if (exp < 0) {
            throw new IllegalArgumentException("integers to negative integer powers are not allowed (exponent " + exp + ")");
        }
        long result = 1;
        while (exp > 0) {
            if ((exp & 1) != 0) {
                result *= base;
            }
            base *= base;
            exp >>= 1;
        }
        return result;
    }

    private static void compareRow(BinaryOp op, DType t, MemorySegment a, long ao, long as, MemorySegment b, long bo,
                                   long bs, MemorySegment d, long dof, long ds, long n) {
        if (t == DType.F32) {
            ElementwiseF32.compare(op, a, ao, as, b, bo, bs, d, dof, ds, n);
        } else if (t == DType.F64) {
            ElementwiseF64.compare(op, a, ao, as, b, bo, bs, d, dof, ds, n);
        } else if (t.isFloating()) {
            for (long j = 0; j < n; j++) {
                double x = ElementAccess.getDouble(a, t, ao + j * as);
                double y = ElementAccess.getDouble(b, t, bo + j * bs);
                d.setAtIndex(I8, dof + j * ds, (byte) (compare(op, x, y) ? 1 : 0));
            }
        } else {
            for (long j = 0; j < n; j++) {
                long x = ElementAccess.getLong(a, t, ao + j * as);
                long y = ElementAccess.getLong(b, t, bo + j * bs);
                boolean r = switch (op) {
                    case EQ -> x == y;
                    case NE -> x != y;
                    case LT -> x < y;
                    case LE -> x <= y;
                    case GT -> x > y;
                    case GE -> x >= y;
                    case AND -> x != 0 && y != 0;
                    case OR -> x != 0 || y != 0;
                    case XOR -> (x != 0) != (y != 0);
                    default -> throw new AssertionError(op);
                };
                d.setAtIndex(I8, dof + j * ds, (byte) (r ? 1 : 0));
            }
        }
    }

    /** One element of a comparison or logical op. */
    static boolean compare(BinaryOp op, double x, double y) {
        return switch (op) {
            case EQ -> x == y;
            case NE -> x != y;
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
            case AND -> x != 0 && y != 0;
            case OR -> x != 0 || y != 0;
            case XOR -> (x != 0) != (y != 0);
            default -> throw new AssertionError(op);
        };
    }


    // ------------------------------------------------------------------ ternary

    static void mulAdd(StridedView a, StridedView b, StridedView c, StridedView dst) {
        MemorySegment sa = a.storage().segment();
        MemorySegment sb = b.storage().segment();
        MemorySegment sc = c.storage().segment();
        MemorySegment d = dst.storage().segment();
        boolean f32 = a.dtype() == DType.F32;
        StridedLoop.of(dst.shape(), dst.strides(), a.strides(), b.strides(), c.strides())
                .run(offsets(dst, a, b, c), 2, (off, inner, n) -> {
                    if (f32) {
                        ElementwiseF32.mulAdd(sa, off[1], inner[1], sb, off[2], inner[2], sc, off[3], inner[3], d, off[0], inner[0], n);
                    } else {
                        ElementwiseF64.mulAdd(sa, off[1], inner[1], sb, off[2], inner[2], sc, off[3], inner[3], d, off[0], inner[0], n);
                    }
                });
    }

    static void where(StridedView cond, StridedView a, StridedView b, StridedView dst) {
        MemorySegment sc = cond.storage().segment();
        MemorySegment sa = a.storage().segment();
        MemorySegment sb = b.storage().segment();
        MemorySegment d = dst.storage().segment();
        int size = dst.dtype().byteSize();
        StridedLoop.of(dst.shape(), dst.strides(), cond.strides(), a.strides(), b.strides())
                .run(offsets(dst, cond, a, b), 1, (off, inner, n) -> {
                    long co = off[1], cs = inner[1];
                    long ao = off[2], as = inner[2];
                    long bo = off[3], bs = inner[3];
                    long dof = off[0], ds = inner[0];
                    // one loop per element width: a typed load and store per element, no per-element copy call
                    switch (size) {
                        case 8 -> ElementwiseF64.where(sc, co, cs, sa, ao, as, sb, bo, bs, d, dof, ds, n);
                        case 4 -> ElementwiseF32.where(sc, co, cs, sa, ao, as, sb, bo, bs, d, dof, ds, n);
                        case 2 -> {
                            for (long j = 0; j < n; j++) {
                                boolean c = sc.get(I8, co + j * cs) != 0;
                                d.setAtIndex(ElementAccess.I16, dof + j * ds, c ? sa.getAtIndex(ElementAccess.I16, ao + j * as) : sb.getAtIndex(ElementAccess.I16, bo + j * bs));
                            }
                        }
                        default -> {
                            for (long j = 0; j < n; j++) {
                                boolean c = sc.get(I8, co + j * cs) != 0;
                                d.set(I8, dof + j * ds, c ? sa.get(I8, ao + j * as) : sb.get(I8, bo + j * bs));
                            }
                        }
                    }
                });
    }

    // ------------------------------------------------------------------ copy and fill

    static void copy(StridedView src, StridedView dst) {
        MemorySegment s = src.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType st = src.dtype();
        DType dt = dst.dtype();
        int size = st.byteSize();
        StridedLoop.of(dst.shape(), dst.strides(), src.strides()).run(offsets(dst, src), 1, (off, inner, n) -> {
            if (st == dt) {
                if (inner[0] == 1 && inner[1] == 1) {
                    MemorySegment.copy(s, off[1] * size, d, off[0] * size, n * size);
                } else {
                    stridedCopy(s, off[1], inner[1], d, off[0], inner[0], n, size);
                }
            } else if (st == DType.F32 && dt == DType.F64) {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(F64, off[0] + j * inner[0], s.getAtIndex(F32, off[1] + j * inner[1]));
                }
            } else if (st == DType.F64 && dt == DType.F32) {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(F32, off[0] + j * inner[0], (float) s.getAtIndex(F64, off[1] + j * inner[1]));
                }
            } else if (st.isFloating()) {
                for (long j = 0; j < n; j++) {
                    ElementAccess.setDouble(d, dt, off[0] + j * inner[0], ElementAccess.getDouble(s, st, off[1] + j * inner[1]));
                }
            } else {
                // integer sources go through long: (float) of a long rounds once, via double it could round twice
                for (long j = 0; j < n; j++) {
                    ElementAccess.setLong(d, dt, off[0] + j * inner[0], ElementAccess.getLong(s, st, off[1] + j * inner[1]));
                }
            }
        });
    }

    /** Copies n elements of {@code size} bytes between strided positions with one typed load/store each. */
    private static void stridedCopy(MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n, int size) {
        switch (size) {
            case 8 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(ElementAccess.I64, dof + j * ds, s.getAtIndex(ElementAccess.I64, so + j * ss));
                }
            }
            case 4 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(ElementAccess.I32, dof + j * ds, s.getAtIndex(ElementAccess.I32, so + j * ss));
                }
            }
            case 2 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(ElementAccess.I16, dof + j * ds, s.getAtIndex(ElementAccess.I16, so + j * ss));
                }
            }
            default -> {
                for (long j = 0; j < n; j++) {
                    d.set(I8, dof + j * ds, s.get(I8, so + j * ss));
                }
            }
        }
    }

    static void fill(StridedView dst, double value) {
        MemorySegment d = dst.storage().segment();
        DType t = dst.dtype();
        StridedLoop.of(dst.shape(), dst.strides()).run(offsets(dst), 1, (off, inner, n) -> {
            if (inner[0] == 1 && Double.doubleToRawLongBits(value) == 0) { // +0.0 only: -0.0 keeps its sign
                d.asSlice(off[0] * t.byteSize(), n * t.byteSize()).fill((byte) 0);
            } else {
                for (long j = 0; j < n; j++) {
                    ElementAccess.setDouble(d, t, off[0] + j * inner[0], value);
                }
            }
        });
    }

    static void iota(StridedView dst, double start, double step) {
        MemorySegment d = dst.storage().segment();
        DType t = dst.dtype();
        long base = dst.offset();
        long n = dst.size();
        Parallel.forRange(n, 2, (s, e) -> {
            for (long i = s; i < e; i++) {
                ElementAccess.setDouble(d, t, base + i, start + i * step);
            }
        });
    }
}
