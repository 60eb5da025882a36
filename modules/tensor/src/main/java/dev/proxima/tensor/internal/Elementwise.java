package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.Elements.F32;
import static dev.proxima.tensor.internal.Elements.F64;
import static dev.proxima.tensor.internal.Elements.I8;

/**
 * Elementwise CPU kernels. Rows whose operands are all dense (stride 1, or 0 for a broadcast scalar)
 * run on the Vector API; other rows run a scalar loop. F32 and F64 have their own loops; integer and
 * BOOL operands are computed in 64-bit integer arithmetic and wrapped when stored.
 */
final class Elementwise {

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

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
            case EXP, LOG, TANH, SIN, COS, SIGMOID -> 8;
            case ERF -> 32;
            default -> 1;
        };
        StridedLoop.of(dst.shape(), dst.strides(), src.strides()).run(offsets(dst, src), cost, (off, inner, n) -> {
            if (op == UnaryOp.NOT) {
                for (long j = 0; j < n; j++) {
                    boolean zero = t.isFloating() ? Elements.getDouble(s, t, off[1] + j * inner[1]) == 0
                            : Elements.getLong(s, t, off[1] + j * inner[1]) == 0;
                    d.setAtIndex(I8, off[0] + j * inner[0], (byte) (zero ? 1 : 0));
                }
            } else if (t == DType.F32) {
                unaryF32(op, s, off[1], inner[1], d, off[0], inner[0], n);
            } else if (t == DType.F64) {
                unaryF64(op, s, off[1], inner[1], d, off[0], inner[0], n);
            } else {
                for (long j = 0; j < n; j++) {
                    long x = Elements.getLong(s, t, off[1] + j * inner[1]);
                    Elements.setLong(d, dt, off[0] + j * inner[0], unaryLong(op, x));
                }
            }
        });
    }

    // Each dense loop is its own small method: one method holding every Vector API operation grows past
    // what C2 will compile, and the loop then runs interpreted-speed boxed vectors (measured: 10x slower).

    private static void unaryF32(UnaryOp op, MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ss == 1 && ds == 1) {
            long sb = so * 4;
            long db = dof * 4;
            j = switch (op) {
                case NEG -> negF32(s, sb, d, db, n);
                case ABS -> absF32(s, sb, d, db, n);
                case SQRT -> sqrtF32(s, sb, d, db, n);
                case SQUARE -> squareF32(s, sb, d, db, n);
                case RECIPROCAL -> reciprocalF32(s, sb, d, db, n);
                case EXP -> expF32(s, sb, d, db, n);
                case LOG -> logF32(s, sb, d, db, n);
                case TANH -> tanhF32(s, sb, d, db, n);
                case SIN -> sinF32(s, sb, d, db, n);
                case COS -> cosF32(s, sb, d, db, n);
                case SIGMOID -> sigmoidF32(s, sb, d, db, n);
                case SIGN, NOT, ERF -> 0;
            };
        }
        for (; j < n; j++) {
            float x = s.getAtIndex(F32, so + j * ss);
            d.setAtIndex(F32, dof + j * ds, (float) unaryDouble(op, x));
        }
    }

    private static FloatVector loadF32(MemorySegment s, long byteOffset) {
        return FloatVector.fromMemorySegment(FS, s, byteOffset, NATIVE);
    }

    private static long negF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).neg().intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long absF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).abs().intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long sqrtF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).sqrt().intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long squareF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            FloatVector v = loadF32(s, sb + j * 4);
            v.mul(v).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long reciprocalF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        FloatVector one = FloatVector.broadcast(FS, 1f);
        for (long j = 0; j < bound; j += FS.length()) {
            one.div(loadF32(s, sb + j * 4)).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long sigmoidF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        FloatVector one = FloatVector.broadcast(FS, 1f);
        for (long j = 0; j < bound; j += FS.length()) {
            one.div(loadF32(s, sb + j * 4).neg().lanewise(VectorOperators.EXP).add(one)).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long expF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).lanewise(VectorOperators.EXP).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long logF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).lanewise(VectorOperators.LOG).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long tanhF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).lanewise(VectorOperators.TANH).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long sinF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).lanewise(VectorOperators.SIN).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static long cosF32(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = FS.loopBound(n);
        for (long j = 0; j < bound; j += FS.length()) {
            loadF32(s, sb + j * 4).lanewise(VectorOperators.COS).intoMemorySegment(d, db + j * 4, NATIVE);
        }
        return bound;
    }

    private static void unaryF64(UnaryOp op, MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ss == 1 && ds == 1) {
            long sb = so * 8;
            long db = dof * 8;
            j = switch (op) {
                case NEG -> negF64(s, sb, d, db, n);
                case ABS -> absF64(s, sb, d, db, n);
                case SQRT -> sqrtF64(s, sb, d, db, n);
                case SQUARE -> squareF64(s, sb, d, db, n);
                case RECIPROCAL -> reciprocalF64(s, sb, d, db, n);
                case EXP -> expF64(s, sb, d, db, n);
                case LOG -> logF64(s, sb, d, db, n);
                case TANH -> tanhF64(s, sb, d, db, n);
                case SIN -> sinF64(s, sb, d, db, n);
                case COS -> cosF64(s, sb, d, db, n);
                case SIGMOID -> sigmoidF64(s, sb, d, db, n);
                case SIGN, NOT, ERF -> 0;
            };
        }
        for (; j < n; j++) {
            double x = s.getAtIndex(F64, so + j * ss);
            d.setAtIndex(F64, dof + j * ds, unaryDouble(op, x));
        }
    }

    private static DoubleVector loadF64(MemorySegment s, long byteOffset) {
        return DoubleVector.fromMemorySegment(DS, s, byteOffset, NATIVE);
    }

    private static long negF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).neg().intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long absF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).abs().intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long sqrtF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).sqrt().intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long squareF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            DoubleVector v = loadF64(s, sb + j * 8);
            v.mul(v).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long reciprocalF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        DoubleVector one = DoubleVector.broadcast(DS, 1);
        for (long j = 0; j < bound; j += DS.length()) {
            one.div(loadF64(s, sb + j * 8)).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long sigmoidF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        DoubleVector one = DoubleVector.broadcast(DS, 1);
        for (long j = 0; j < bound; j += DS.length()) {
            one.div(loadF64(s, sb + j * 8).neg().lanewise(VectorOperators.EXP).add(one)).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long expF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).lanewise(VectorOperators.EXP).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long logF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).lanewise(VectorOperators.LOG).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long tanhF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).lanewise(VectorOperators.TANH).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long sinF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).lanewise(VectorOperators.SIN).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

    private static long cosF64(MemorySegment s, long sb, MemorySegment d, long db, long n) {
        long bound = DS.loopBound(n);
        for (long j = 0; j < bound; j += DS.length()) {
            loadF64(s, sb + j * 8).lanewise(VectorOperators.COS).intoMemorySegment(d, db + j * 8, NATIVE);
        }
        return bound;
    }

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
        };
    }

    private static long unaryLong(UnaryOp op, long x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SIGN -> Long.signum(x);
            case SQUARE -> x * x;
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
        int cost = op == BinaryOp.POW ? 16 : 1;
        StridedLoop.of(dst.shape(), dst.strides(), a.strides(), b.strides()).run(offsets(dst, a, b), cost, (off, inner, n) -> {
            if (op.isComparison()) {
                compareRow(op, t, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else if (t == DType.F32) {
                binaryF32(op, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else if (t == DType.F64) {
                binaryF64(op, sa, off[1], inner[1], sb, off[2], inner[2], d, off[0], inner[0], n);
            } else {
                for (long j = 0; j < n; j++) {
                    long x = Elements.getLong(sa, t, off[1] + j * inner[1]);
                    long y = Elements.getLong(sb, t, off[2] + j * inner[2]);
                    Elements.setLong(d, dt, off[0] + j * inner[0], binaryLong(op, x, y));
                }
            }
        });
    }

    private static boolean vectorizable(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, MIN, MAX -> true;
            default -> false;
        };
    }

    private static void binaryF32(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                  MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ds == 1 && vectorizable(op)) {
            // three loops, not one with "scalar ? broadcast : load": a vector chosen through a branch is
            // boxed by C2 and the loop falls back to the slow non-intrinsic path (measured: 10x slower)
            long bound = FS.loopBound(n);
            if (as == 1 && bs == 1) {
            for (; j < bound; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, a, (ao + j) * 4, NATIVE);
                FloatVector y = FloatVector.fromMemorySegment(FS, b, (bo + j) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
            } else if (as == 1 && bs == 0) {
                FloatVector cb = FloatVector.broadcast(FS, b.getAtIndex(F32, bo));
            for (; j < bound; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, a, (ao + j) * 4, NATIVE);
                FloatVector y = cb;
                FloatVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
            } else if (as == 0 && bs == 1) {
                FloatVector ca = FloatVector.broadcast(FS, a.getAtIndex(F32, ao));
            for (; j < bound; j += FS.length()) {
                FloatVector x = ca;
                FloatVector y = FloatVector.fromMemorySegment(FS, b, (bo + j) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
            }
        }
        for (; j < n; j++) {
            float x = a.getAtIndex(F32, ao + j * as);
            float y = b.getAtIndex(F32, bo + j * bs);
            d.setAtIndex(F32, dof + j * ds, binaryF32Scalar(op, x, y));
        }
    }

    private static float binaryF32Scalar(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> (float) binaryDouble(op, x, y);
        };
    }

    private static void binaryF64(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                  MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ds == 1 && vectorizable(op)) {
            // three loops, not one with "scalar ? broadcast : load": a vector chosen through a branch is
            // boxed by C2 and the loop falls back to the slow non-intrinsic path (measured: 10x slower)
            long bound = DS.loopBound(n);
            if (as == 1 && bs == 1) {
            for (; j < bound; j += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (ao + j) * 8, NATIVE);
                DoubleVector y = DoubleVector.fromMemorySegment(DS, b, (bo + j) * 8, NATIVE);
                DoubleVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
            } else if (as == 1 && bs == 0) {
                DoubleVector cb = DoubleVector.broadcast(DS, b.getAtIndex(F64, bo));
            for (; j < bound; j += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (ao + j) * 8, NATIVE);
                DoubleVector y = cb;
                DoubleVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
            } else if (as == 0 && bs == 1) {
                DoubleVector ca = DoubleVector.broadcast(DS, a.getAtIndex(F64, ao));
            for (; j < bound; j += DS.length()) {
                DoubleVector x = ca;
                DoubleVector y = DoubleVector.fromMemorySegment(DS, b, (bo + j) * 8, NATIVE);
                DoubleVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
            }
        }
        for (; j < n; j++) {
            double x = a.getAtIndex(F64, ao + j * as);
            double y = b.getAtIndex(F64, bo + j * bs);
            d.setAtIndex(F64, dof + j * ds, binaryDouble(op, x, y));
        }
    }

    static double binaryDouble(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> throw new AssertionError(op);
        };
    }

    static long binaryLong(BinaryOp op, long x, long y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            case POW -> powLong(x, y);
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
            long j = ds == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1) && op.ordinal() <= BinaryOp.GE.ordinal()
                    ? compareDenseF32(op, a, ao, as, b, bo, bs, d, dof, n) : 0;
            // typed loads (no per-element dtype dispatch); the comparison switch is loop-invariant
            for (; j < n; j++) {
                float x = a.getAtIndex(F32, ao + j * as);
                float y = b.getAtIndex(F32, bo + j * bs);
                d.setAtIndex(I8, dof + j * ds, (byte) (compare(op, x, y) ? 1 : 0));
            }
        } else if (t == DType.F64) {
            long j = ds == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1) && op.ordinal() <= BinaryOp.GE.ordinal()
                    ? compareDenseF64(op, a, ao, as, b, bo, bs, d, dof, n) : 0;
            for (; j < n; j++) {
                double x = a.getAtIndex(F64, ao + j * as);
                double y = b.getAtIndex(F64, bo + j * bs);
                d.setAtIndex(I8, dof + j * ds, (byte) (compare(op, x, y) ? 1 : 0));
            }
        } else if (t.isFloating()) {
            for (long j = 0; j < n; j++) {
                double x = Elements.getDouble(a, t, ao + j * as);
                double y = Elements.getDouble(b, t, bo + j * bs);
                d.setAtIndex(I8, dof + j * ds, (byte) (compare(op, x, y) ? 1 : 0));
            }
        } else {
            for (long j = 0; j < n; j++) {
                long x = Elements.getLong(a, t, ao + j * as);
                long y = Elements.getLong(b, t, bo + j * bs);
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

    private static final VectorSpecies<Byte> BYTES_PER_FLOAT = VectorSpecies.of(byte.class, VectorShape.forBitSize(FS.length() * 8));
    private static final VectorSpecies<Byte> BYTES_PER_DOUBLE = VectorSpecies.of(byte.class, VectorShape.forBitSize(DS.length() * 8));

    /** Vectorised prefix of a dense F32 comparison row (operands dense or broadcast scalars); returns its length. */
    private static long compareDenseF32(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                        MemorySegment d, long dof, long n) {
        ByteVector one = ByteVector.broadcast(BYTES_PER_FLOAT, (byte) 1);
        ByteVector zero = ByteVector.zero(BYTES_PER_FLOAT);
        long bound = FS.loopBound(n);
        // separate loops per operand kind, as in binaryF32
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, a, (ao + j) * 4, NATIVE);
                FloatVector y = FloatVector.fromMemorySegment(FS, b, (bo + j) * 4, NATIVE);
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_FLOAT)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            FloatVector cb = FloatVector.broadcast(FS, b.getAtIndex(F32, bo));
            for (long j = 0; j < bound; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, a, (ao + j) * 4, NATIVE);
                FloatVector y = cb;
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_FLOAT)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            FloatVector ca = FloatVector.broadcast(FS, a.getAtIndex(F32, ao));
            for (long j = 0; j < bound; j += FS.length()) {
                FloatVector x = ca;
                FloatVector y = FloatVector.fromMemorySegment(FS, b, (bo + j) * 4, NATIVE);
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_FLOAT)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else {
            return 0;
        }
        return bound;
    }

    private static long compareDenseF64(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                        MemorySegment d, long dof, long n) {
        ByteVector one = ByteVector.broadcast(BYTES_PER_DOUBLE, (byte) 1);
        ByteVector zero = ByteVector.zero(BYTES_PER_DOUBLE);
        long bound = DS.loopBound(n);
        // separate loops per operand kind, as in binaryF64
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (ao + j) * 8, NATIVE);
                DoubleVector y = DoubleVector.fromMemorySegment(DS, b, (bo + j) * 8, NATIVE);
                VectorMask<Double> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_DOUBLE)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            DoubleVector cb = DoubleVector.broadcast(DS, b.getAtIndex(F64, bo));
            for (long j = 0; j < bound; j += DS.length()) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, a, (ao + j) * 8, NATIVE);
                DoubleVector y = cb;
                VectorMask<Double> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_DOUBLE)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            DoubleVector ca = DoubleVector.broadcast(DS, a.getAtIndex(F64, ao));
            for (long j = 0; j < bound; j += DS.length()) {
                DoubleVector x = ca;
                DoubleVector y = DoubleVector.fromMemorySegment(DS, b, (bo + j) * 8, NATIVE);
                VectorMask<Double> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(BYTES_PER_DOUBLE)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else {
            return 0;
        }
        return bound;
    }

    private static boolean compare(BinaryOp op, double x, double y) {
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
                    long j = 0;
                    boolean dense = inner[0] == 1 && inner[1] == 1 && inner[2] == 1 && inner[3] == 1;
                    if (f32) {
                        if (dense) {
                            long bound = FS.loopBound(n);
                            for (; j < bound; j += FS.length()) {
                                FloatVector x = FloatVector.fromMemorySegment(FS, sa, (off[1] + j) * 4, NATIVE);
                                FloatVector y = FloatVector.fromMemorySegment(FS, sb, (off[2] + j) * 4, NATIVE);
                                FloatVector z = FloatVector.fromMemorySegment(FS, sc, (off[3] + j) * 4, NATIVE);
                                x.fma(y, z).intoMemorySegment(d, (off[0] + j) * 4, NATIVE);
                            }
                        }
                        for (; j < n; j++) {
                            float x = sa.getAtIndex(F32, off[1] + j * inner[1]);
                            float y = sb.getAtIndex(F32, off[2] + j * inner[2]);
                            float z = sc.getAtIndex(F32, off[3] + j * inner[3]);
                            d.setAtIndex(F32, off[0] + j * inner[0], Math.fma(x, y, z));
                        }
                    } else {
                        if (dense) {
                            long bound = DS.loopBound(n);
                            for (; j < bound; j += DS.length()) {
                                DoubleVector x = DoubleVector.fromMemorySegment(DS, sa, (off[1] + j) * 8, NATIVE);
                                DoubleVector y = DoubleVector.fromMemorySegment(DS, sb, (off[2] + j) * 8, NATIVE);
                                DoubleVector z = DoubleVector.fromMemorySegment(DS, sc, (off[3] + j) * 8, NATIVE);
                                x.fma(y, z).intoMemorySegment(d, (off[0] + j) * 8, NATIVE);
                            }
                        }
                        for (; j < n; j++) {
                            double x = sa.getAtIndex(F64, off[1] + j * inner[1]);
                            double y = sb.getAtIndex(F64, off[2] + j * inner[2]);
                            double z = sc.getAtIndex(F64, off[3] + j * inner[3]);
                            d.setAtIndex(F64, off[0] + j * inner[0], Math.fma(x, y, z));
                        }
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
                    boolean dense = ds == 1 && cs == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1);
                    switch (size) {
                        case 8 -> {
                            long start = dense ? whereDense64(sc, co, sa, ao, as, sb, bo, bs, d, dof, n) : 0;
                            for (long j = start; j < n; j++) {
                                boolean c = sc.get(I8, co + j * cs) != 0;
                                d.setAtIndex(Elements.I64, dof + j * ds, c ? sa.getAtIndex(Elements.I64, ao + j * as) : sb.getAtIndex(Elements.I64, bo + j * bs));
                            }
                        }
                        case 4 -> {
                            long start = dense ? whereDense32(sc, co, sa, ao, as, sb, bo, bs, d, dof, n) : 0;
                            for (long j = start; j < n; j++) {
                                boolean c = sc.get(I8, co + j * cs) != 0;
                                d.setAtIndex(Elements.I32, dof + j * ds, c ? sa.getAtIndex(Elements.I32, ao + j * as) : sb.getAtIndex(Elements.I32, bo + j * bs));
                            }
                        }
                        case 2 -> {
                            for (long j = 0; j < n; j++) {
                                boolean c = sc.get(I8, co + j * cs) != 0;
                                d.setAtIndex(Elements.I16, dof + j * ds, c ? sa.getAtIndex(Elements.I16, ao + j * as) : sb.getAtIndex(Elements.I16, bo + j * bs));
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

    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES_PER_INT = VectorSpecies.of(byte.class, VectorShape.forBitSize(IS.length() * 8));
    private static final VectorSpecies<Byte> BYTES_PER_LONG = VectorSpecies.of(byte.class, VectorShape.forBitSize(LS.length() * 8));

    /** Vectorised prefix of a dense 4-byte where row (a, b dense or broadcast scalars); returns its length. */
    private static long whereDense32(MemorySegment sc, long co, MemorySegment sa, long ao, long as, MemorySegment sb, long bo,
                                     long bs, MemorySegment d, long dof, long n) {
        long bound = IS.loopBound(n);
        // separate loops per operand kind, as in binaryF32
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += IS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(BYTES_PER_INT, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(IS);
                IntVector x = IntVector.fromMemorySegment(IS, sa, (ao + j) * 4, NATIVE);
                IntVector y = IntVector.fromMemorySegment(IS, sb, (bo + j) * 4, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            IntVector cb = IntVector.broadcast(IS, sb.getAtIndex(Elements.I32, bo));
            for (long j = 0; j < bound; j += IS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(BYTES_PER_INT, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(IS);
                IntVector x = IntVector.fromMemorySegment(IS, sa, (ao + j) * 4, NATIVE);
                IntVector y = cb;
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            IntVector ca = IntVector.broadcast(IS, sa.getAtIndex(Elements.I32, ao));
            for (long j = 0; j < bound; j += IS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(BYTES_PER_INT, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(IS);
                IntVector x = ca;
                IntVector y = IntVector.fromMemorySegment(IS, sb, (bo + j) * 4, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
        } else {
            IntVector ca = IntVector.broadcast(IS, sa.getAtIndex(Elements.I32, ao));
            IntVector cb = IntVector.broadcast(IS, sb.getAtIndex(Elements.I32, bo));
            for (long j = 0; j < bound; j += IS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(BYTES_PER_INT, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(IS);
                IntVector x = ca;
                IntVector y = cb;
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
        }
        return bound;
    }

    /** Vectorised prefix of a dense 8-byte where row; returns its length. */
    private static long whereDense64(MemorySegment sc, long co, MemorySegment sa, long ao, long as, MemorySegment sb, long bo,
                                     long bs, MemorySegment d, long dof, long n) {
        long bound = LS.loopBound(n);
        // separate loops per operand kind, as in binaryF32
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += LS.length()) {
                VectorMask<Long> take = ByteVector.fromMemorySegment(BYTES_PER_LONG, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(LS);
                LongVector x = LongVector.fromMemorySegment(LS, sa, (ao + j) * 8, NATIVE);
                LongVector y = LongVector.fromMemorySegment(LS, sb, (bo + j) * 8, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            LongVector cb = LongVector.broadcast(LS, sb.getAtIndex(Elements.I64, bo));
            for (long j = 0; j < bound; j += LS.length()) {
                VectorMask<Long> take = ByteVector.fromMemorySegment(BYTES_PER_LONG, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(LS);
                LongVector x = LongVector.fromMemorySegment(LS, sa, (ao + j) * 8, NATIVE);
                LongVector y = cb;
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            LongVector ca = LongVector.broadcast(LS, sa.getAtIndex(Elements.I64, ao));
            for (long j = 0; j < bound; j += LS.length()) {
                VectorMask<Long> take = ByteVector.fromMemorySegment(BYTES_PER_LONG, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(LS);
                LongVector x = ca;
                LongVector y = LongVector.fromMemorySegment(LS, sb, (bo + j) * 8, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
        } else {
            LongVector ca = LongVector.broadcast(LS, sa.getAtIndex(Elements.I64, ao));
            LongVector cb = LongVector.broadcast(LS, sb.getAtIndex(Elements.I64, bo));
            for (long j = 0; j < bound; j += LS.length()) {
                VectorMask<Long> take = ByteVector.fromMemorySegment(BYTES_PER_LONG, sc, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(LS);
                LongVector x = ca;
                LongVector y = cb;
                y.blend(x, take).intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
        }
        return bound;
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
                    Elements.setDouble(d, dt, off[0] + j * inner[0], Elements.getDouble(s, st, off[1] + j * inner[1]));
                }
            } else {
                // integer sources go through long: (float) of a long rounds once, via double it could round twice
                for (long j = 0; j < n; j++) {
                    Elements.setLong(d, dt, off[0] + j * inner[0], Elements.getLong(s, st, off[1] + j * inner[1]));
                }
            }
        });
    }

    /** Copies n elements of {@code size} bytes between strided positions with one typed load/store each. */
    private static void stridedCopy(MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n, int size) {
        switch (size) {
            case 8 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(Elements.I64, dof + j * ds, s.getAtIndex(Elements.I64, so + j * ss));
                }
            }
            case 4 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(Elements.I32, dof + j * ds, s.getAtIndex(Elements.I32, so + j * ss));
                }
            }
            case 2 -> {
                for (long j = 0; j < n; j++) {
                    d.setAtIndex(Elements.I16, dof + j * ds, s.getAtIndex(Elements.I16, so + j * ss));
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
                    Elements.setDouble(d, t, off[0] + j * inner[0], value);
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
                Elements.setDouble(d, t, base + i, start + i * step);
            }
        });
    }
}
