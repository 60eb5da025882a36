package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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

    private static void unaryF32(UnaryOp op, MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ss == 1 && ds == 1 && op != UnaryOp.SIGN) {
            long bound = FS.loopBound(n);
            for (; j < bound; j += FS.length()) {
                FloatVector v = FloatVector.fromMemorySegment(FS, s, (so + j) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case NEG -> v.neg();
                    case ABS -> v.abs();
                    case EXP -> v.lanewise(VectorOperators.EXP);
                    case LOG -> v.lanewise(VectorOperators.LOG);
                    case SQRT -> v.sqrt();
                    case TANH -> v.lanewise(VectorOperators.TANH);
                    case SIN -> v.lanewise(VectorOperators.SIN);
                    case COS -> v.lanewise(VectorOperators.COS);
                    case SIGMOID -> FloatVector.broadcast(FS, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f));
                    case SQUARE -> v.mul(v);
                    case RECIPROCAL -> FloatVector.broadcast(FS, 1f).div(v);
                    case SIGN, NOT -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 4, NATIVE);
            }
        }
        for (; j < n; j++) {
            float x = s.getAtIndex(F32, so + j * ss);
            d.setAtIndex(F32, dof + j * ds, (float) unaryDouble(op, x));
        }
    }

    private static void unaryF64(UnaryOp op, MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ss == 1 && ds == 1 && op != UnaryOp.SIGN) {
            long bound = DS.loopBound(n);
            for (; j < bound; j += DS.length()) {
                DoubleVector v = DoubleVector.fromMemorySegment(DS, s, (so + j) * 8, NATIVE);
                DoubleVector r = switch (op) {
                    case NEG -> v.neg();
                    case ABS -> v.abs();
                    case EXP -> v.lanewise(VectorOperators.EXP);
                    case LOG -> v.lanewise(VectorOperators.LOG);
                    case SQRT -> v.sqrt();
                    case TANH -> v.lanewise(VectorOperators.TANH);
                    case SIN -> v.lanewise(VectorOperators.SIN);
                    case COS -> v.lanewise(VectorOperators.COS);
                    case SIGMOID -> DoubleVector.broadcast(DS, 1).div(v.neg().lanewise(VectorOperators.EXP).add(1));
                    case SQUARE -> v.mul(v);
                    case RECIPROCAL -> DoubleVector.broadcast(DS, 1).div(v);
                    case SIGN, NOT -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 8, NATIVE);
            }
        }
        for (; j < n; j++) {
            double x = s.getAtIndex(F64, so + j * ss);
            d.setAtIndex(F64, dof + j * ds, unaryDouble(op, x));
        }
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
            case ADD, SUB, MUL, DIV, MIN, MAX, POW -> true;
            default -> false;
        };
    }

    private static void binaryF32(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                  MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ds == 1 && (as == 1 || as == 0) && (bs == 1 || bs == 0) && vectorizable(op)) {
            FloatVector ca = as == 0 ? FloatVector.broadcast(FS, a.getAtIndex(F32, ao)) : null;
            FloatVector cb = bs == 0 ? FloatVector.broadcast(FS, b.getAtIndex(F32, bo)) : null;
            long bound = FS.loopBound(n);
            for (; j < bound; j += FS.length()) {
                FloatVector x = ca != null ? ca : FloatVector.fromMemorySegment(FS, a, (ao + j) * 4, NATIVE);
                FloatVector y = cb != null ? cb : FloatVector.fromMemorySegment(FS, b, (bo + j) * 4, NATIVE);
                FloatVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    case POW -> x.pow(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 4, NATIVE);
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
        if (ds == 1 && (as == 1 || as == 0) && (bs == 1 || bs == 0) && vectorizable(op)) {
            DoubleVector ca = as == 0 ? DoubleVector.broadcast(DS, a.getAtIndex(F64, ao)) : null;
            DoubleVector cb = bs == 0 ? DoubleVector.broadcast(DS, b.getAtIndex(F64, bo)) : null;
            long bound = DS.loopBound(n);
            for (; j < bound; j += DS.length()) {
                DoubleVector x = ca != null ? ca : DoubleVector.fromMemorySegment(DS, a, (ao + j) * 8, NATIVE);
                DoubleVector y = cb != null ? cb : DoubleVector.fromMemorySegment(DS, b, (bo + j) * 8, NATIVE);
                DoubleVector r = switch (op) {
                    case ADD -> x.add(y);
                    case SUB -> x.sub(y);
                    case MUL -> x.mul(y);
                    case DIV -> x.div(y);
                    case MIN -> x.min(y);
                    case MAX -> x.max(y);
                    case POW -> x.pow(y);
                    default -> throw new AssertionError(op);
                };
                r.intoMemorySegment(d, (dof + j) * 8, NATIVE);
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
        if (t.isFloating()) {
            for (long j = 0; j < n; j++) {
                double x = Elements.getDouble(a, t, ao + j * as);
                double y = Elements.getDouble(b, t, bo + j * bs);
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
                    for (long j = 0; j < n; j++) {
                        boolean c = sc.get(I8, off[1] + j * inner[1]) != 0;
                        long src = c ? off[2] + j * inner[2] : off[3] + j * inner[3];
                        MemorySegment.copy(c ? sa : sb, src * size, d, (off[0] + j * inner[0]) * size, size);
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
                    for (long j = 0; j < n; j++) {
                        MemorySegment.copy(s, (off[1] + j * inner[1]) * size, d, (off[0] + j * inner[0]) * size, size);
                    }
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
