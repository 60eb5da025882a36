// GENERATED from ElementwiseF64.java by dev.proxima.tensor.internal.F32KernelGenerator (modules/tensor/src/test/java): never edit by hand.
// Edit ElementwiseF64.java, then regenerate from the repository root with
//   java modules/tensor/src/test/java/dev/proxima/tensor/internal/F32KernelGenerator.java
package dev.proxima.tensor.internal;

import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.UnaryOp;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.I32;
import static dev.proxima.tensor.internal.ElementAccess.I8;

/**
 * The F32 rows of {@link Elementwise}'s kernels. A row is {@code n} elements; element {@code j} of an operand is at
 * element index {@code offset + j·stride} of its segment. Rows whose operands are dense (stride 1, or 0 for a
 * broadcast scalar where the kernel allows it) run on the Vector API over {@link #SPECIES}; other rows and the tail
 * run a scalar loop. {@link #where} moves elements of this width as bits, so it serves every type of the width.
 *
 * <p>Each dense loop is its own small method with constant vector operations: a method holding every Vector API
 * operation grows past what C2 will compile, and a vector chosen through a branch (or a loop generic over the
 * species) is boxed; either way the loop runs ~10× slower (measured).
 *
 * <p>Casts to this file's type that look redundant are the generated F32 file's narrowing casts.
 */
@SuppressWarnings("cast")
final class ElementwiseF32 {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Integer lanes of the same width and count, for the select. */
    private static final VectorSpecies<Integer> BITS = IntVector.SPECIES_PREFERRED;
    /** One byte per lane: BOOL conditions and comparison results. */
    private static final VectorSpecies<Byte> LANE_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(SPECIES.length() * 8));
    private static final int BYTES = Float.BYTES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ElementwiseF32() {
    }

    private static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(SPECIES, s, element * BYTES, NATIVE);
    }

    // ------------------------------------------------------------------ unary

    /** d[j] := op(s[j]) for NEG … SIGMOID on the vector path, every op on the scalar one. */
    static void unary(UnaryOp op, MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ss == 1 && ds == 1) {
            j = switch (op) {
                case NEG -> neg(s, so, d, dof, n);
                case ABS -> abs(s, so, d, dof, n);
                case SQRT -> sqrt(s, so, d, dof, n);
                case SQUARE -> square(s, so, d, dof, n);
                case RECIPROCAL -> reciprocal(s, so, d, dof, n);
                case EXP -> exp(s, so, d, dof, n);
                case LOG -> log(s, so, d, dof, n);
                case TANH -> tanh(s, so, d, dof, n);
                case SIN -> sin(s, so, d, dof, n);
                case COS -> cos(s, so, d, dof, n);
                case SIGMOID -> sigmoid(s, so, d, dof, n);
                case SIGN, NOT, ERF, FLOOR, CEIL, TRUNC, RINT, LOG1P, EXPM1, LOG2, LOG10, EXP2 -> 0;
            };
        }
        for (; j < n; j++) {
            float x = s.getAtIndex(F32, so + j * ss);
            d.setAtIndex(F32, dof + j * ds, (float) Elementwise.unaryDouble(op, x));
        }
    }

    private static long neg(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).neg().intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long abs(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).abs().intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long sqrt(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).sqrt().intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long square(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            FloatVector v = load(s, so + j);
            v.mul(v).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long reciprocal(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        FloatVector one = FloatVector.broadcast(SPECIES, 1);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            one.div(load(s, so + j)).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long sigmoid(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        FloatVector one = FloatVector.broadcast(SPECIES, 1);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            one.div(load(s, so + j).neg().lanewise(VectorOperators.EXP).add(one)).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long exp(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).lanewise(VectorOperators.EXP).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long log(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).lanewise(VectorOperators.LOG).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long tanh(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).lanewise(VectorOperators.TANH).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long sin(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).lanewise(VectorOperators.SIN).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    private static long cos(MemorySegment s, long so, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(s, so + j).lanewise(VectorOperators.COS).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    // ------------------------------------------------------------------ binary

    /** d[j] := op(a[j], b[j]) for the arithmetic ops (ADD … MAX, POW); comparisons go to {@link #compare}. */
    static void binary(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                       MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (ds == 1 && Elementwise.vectorizable(op)) {
            // three loops, not one with "scalar ? broadcast : load": a vector chosen through a branch is
            // boxed by C2 and the loop falls back to the slow non-intrinsic path (measured: 10x slower)
            long bound = SPECIES.loopBound(n);
            if (as == 1 && bs == 1) {
                for (; j < bound; j += SPECIES.length()) {
                    FloatVector x = load(a, ao + j);
                    FloatVector y = load(b, bo + j);
                    FloatVector r = switch (op) {
                        case ADD -> x.add(y);
                        case SUB -> x.sub(y);
                        case MUL -> x.mul(y);
                        case DIV -> x.div(y);
                        case MIN -> x.min(y);
                        case MAX -> x.max(y);
                        default -> throw new AssertionError(op);
                    };
                    r.intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
                }
            } else if (as == 1 && bs == 0) {
                FloatVector y = FloatVector.broadcast(SPECIES, b.getAtIndex(F32, bo));
                for (; j < bound; j += SPECIES.length()) {
                    FloatVector x = load(a, ao + j);
                    FloatVector r = switch (op) {
                        case ADD -> x.add(y);
                        case SUB -> x.sub(y);
                        case MUL -> x.mul(y);
                        case DIV -> x.div(y);
                        case MIN -> x.min(y);
                        case MAX -> x.max(y);
                        default -> throw new AssertionError(op);
                    };
                    r.intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
                }
            } else if (as == 0 && bs == 1) {
                FloatVector x = FloatVector.broadcast(SPECIES, a.getAtIndex(F32, ao));
                for (; j < bound; j += SPECIES.length()) {
                    FloatVector y = load(b, bo + j);
                    FloatVector r = switch (op) {
                        case ADD -> x.add(y);
                        case SUB -> x.sub(y);
                        case MUL -> x.mul(y);
                        case DIV -> x.div(y);
                        case MIN -> x.min(y);
                        case MAX -> x.max(y);
                        default -> throw new AssertionError(op);
                    };
                    r.intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
                }
            }
        }
        for (; j < n; j++) {
            float x = a.getAtIndex(F32, ao + j * as);
            float y = b.getAtIndex(F32, bo + j * bs);
            d.setAtIndex(F32, dof + j * ds, binaryScalar(op, x, y));
        }
    }

    /** One element of {@link #binary}: the four arithmetic ops and MIN/MAX in this type, the others by {@link Elementwise#binaryDouble}. */
    private static float binaryScalar(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> (float) Elementwise.binaryDouble(op, x, y);
        };
    }

    // ------------------------------------------------------------------ comparisons

    /** d[j] := op(a[j], b[j]) as BOOL (0 or 1) for the comparisons and logical ops. */
    static void compare(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                        MemorySegment d, long dof, long ds, long n) {
        long j = ds == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1) && op.ordinal() <= BinaryOp.GE.ordinal()
                ? compareDense(op, a, ao, as, b, bo, bs, d, dof, n) : 0;
        // typed loads (no per-element dtype dispatch); the comparison switch is loop-invariant
        for (; j < n; j++) {
            float x = a.getAtIndex(F32, ao + j * as);
            float y = b.getAtIndex(F32, bo + j * bs);
            d.setAtIndex(I8, dof + j * ds, (byte) (Elementwise.compare(op, x, y) ? 1 : 0));
        }
    }

    /** Vectorised prefix of a dense comparison row (EQ … GE; operands dense or broadcast scalars); returns its length. */
    private static long compareDense(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                     MemorySegment d, long dof, long n) {
        ByteVector one = ByteVector.broadcast(LANE_BYTES, (byte) 1);
        ByteVector zero = ByteVector.zero(LANE_BYTES);
        long bound = SPECIES.loopBound(n);
        // separate loops per operand kind, as in binary
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += SPECIES.length()) {
                FloatVector x = load(a, ao + j);
                FloatVector y = load(b, bo + j);
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(LANE_BYTES)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            FloatVector y = FloatVector.broadcast(SPECIES, b.getAtIndex(F32, bo));
            for (long j = 0; j < bound; j += SPECIES.length()) {
                FloatVector x = load(a, ao + j);
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(LANE_BYTES)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            FloatVector x = FloatVector.broadcast(SPECIES, a.getAtIndex(F32, ao));
            for (long j = 0; j < bound; j += SPECIES.length()) {
                FloatVector y = load(b, bo + j);
                VectorMask<Float> m = switch (op) {
                    case EQ -> x.compare(VectorOperators.EQ, y);
                    case NE -> x.compare(VectorOperators.NE, y);
                    case LT -> x.compare(VectorOperators.LT, y);
                    case LE -> x.compare(VectorOperators.LE, y);
                    case GT -> x.compare(VectorOperators.GT, y);
                    case GE -> x.compare(VectorOperators.GE, y);
                    default -> throw new AssertionError(op);
                };
                zero.blend(one, m.cast(LANE_BYTES)).intoMemorySegment(d, dof + j, NATIVE);
            }
        } else {
            return 0;
        }
        return bound;
    }

    // ------------------------------------------------------------------ fused multiply-add

    /** d[j] := fma(a[j], b[j], c[j]), one rounding; vectorised where all four are dense. */
    static void mulAdd(MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs, MemorySegment c, long co, long cs,
                       MemorySegment d, long dof, long ds, long n) {
        long j = 0;
        if (as == 1 && cs == 1 && ds == 1) {
            if (bs == 1) {
                j = mulAddDense(a, ao, b, bo, c, co, d, dof, n);
            } else if (bs == 0) {
                j = mulAddScaled(a, ao, b.getAtIndex(F32, bo), c, co, d, dof, n);
            }
        }
        for (; j < n; j++) {
            float x = a.getAtIndex(F32, ao + j * as);
            float y = b.getAtIndex(F32, bo + j * bs);
            float z = c.getAtIndex(F32, co + j * cs);
            d.setAtIndex(F32, dof + j * ds, Math.fma(x, y, z));
        }
    }

    /** The vector prefix of {@link #mulAdd} for dense operands; returns its length. */
    private static long mulAddDense(MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment c, long co,
                                    MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(a, ao + j).fma(load(b, bo + j), load(c, co + j)).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    /** The vector prefix of {@link #mulAdd} for a factor b that is one value (a scalar or a broadcast); returns its length. */
    private static long mulAddScaled(MemorySegment a, long ao, float b, MemorySegment c, long co, MemorySegment d, long dof, long n) {
        long bound = SPECIES.loopBound(n);
        FloatVector factor = FloatVector.broadcast(SPECIES, b);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            load(a, ao + j).fma(factor, load(c, co + j)).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        return bound;
    }

    // ------------------------------------------------------------------ select

    /**
     * d[j] := c[j] ≠ 0 ? a[j] : b[j] for elements of this width (of any type: they move as bits), c a BOOL row;
     * vectorised where c and d are dense and a and b dense or broadcast scalars.
     */
    static void where(MemorySegment c, long co, long cs, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                      MemorySegment d, long dof, long ds, long n) {
        boolean dense = ds == 1 && cs == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1);
        for (long j = dense ? whereDense(c, co, a, ao, as, b, bo, bs, d, dof, n) : 0; j < n; j++) {
            boolean take = c.get(I8, co + j * cs) != 0;
            d.setAtIndex(I32, dof + j * ds, take ? a.getAtIndex(I32, ao + j * as) : b.getAtIndex(I32, bo + j * bs));
        }
    }

    /** Vectorised prefix of {@link #where} (c, d dense; a, b dense or broadcast scalars); returns its length. */
    private static long whereDense(MemorySegment c, long co, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
                                   MemorySegment d, long dof, long n) {
        long bound = BITS.loopBound(n);
        // separate loops per operand kind, as in binary
        if (as == 1 && bs == 1) {
            for (long j = 0; j < bound; j += BITS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(LANE_BYTES, c, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(BITS);
                IntVector x = IntVector.fromMemorySegment(BITS, a, (ao + j) * BYTES, NATIVE);
                IntVector y = IntVector.fromMemorySegment(BITS, b, (bo + j) * BYTES, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
            }
        } else if (as == 1 && bs == 0) {
            IntVector y = IntVector.broadcast(BITS, b.getAtIndex(I32, bo));
            for (long j = 0; j < bound; j += BITS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(LANE_BYTES, c, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(BITS);
                IntVector x = IntVector.fromMemorySegment(BITS, a, (ao + j) * BYTES, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
            }
        } else if (as == 0 && bs == 1) {
            IntVector x = IntVector.broadcast(BITS, a.getAtIndex(I32, ao));
            for (long j = 0; j < bound; j += BITS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(LANE_BYTES, c, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(BITS);
                IntVector y = IntVector.fromMemorySegment(BITS, b, (bo + j) * BYTES, NATIVE);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
            }
        } else {
            IntVector x = IntVector.broadcast(BITS, a.getAtIndex(I32, ao));
            IntVector y = IntVector.broadcast(BITS, b.getAtIndex(I32, bo));
            for (long j = 0; j < bound; j += BITS.length()) {
                VectorMask<Integer> take = ByteVector.fromMemorySegment(LANE_BYTES, c, co + j, NATIVE)
                        .compare(VectorOperators.NE, (byte) 0).cast(BITS);
                y.blend(x, take).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
            }
        }
        return bound;
    }
}
