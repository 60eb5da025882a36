package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;

/**
 * The CPU kernels of fused optimizer updates ({@link Kernels#ADAM_STEP}): one pass reads gradient, parameter
 * and moments and writes parameter and moments back, where a chain of tensor operations would make several
 * passes and several full-size temporaries. Rows with unit strides run on the Vector API, others (and row
 * tails) element by element with the very same sequence of correctly rounded operations (no fused multiply-add),
 * so every element's result is independent of how the work is split between threads and vector lanes.
 */
final class OptimizerKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private OptimizerKernels() {
    }

    static void register(KernelRegistry r) {
        r.register(Kernels.ADAM_STEP, (p, v) -> {
            adamStep(p, v[0], v[1], v[2], v[3]);
            return true;
        });
    }

    /** The step's scalars, computed once in double precision. */
    private record Coefficients(double coupledDecay, double decoupledFactor, boolean decoupled, double beta1, double oneMinusBeta1,
                                double beta2, double oneMinusBeta2, double bc2Sqrt, double eps, double negStepSize) {
        static Coefficients of(Kernels.AdamStep p) {
            double bc1 = 1 - Math.pow(p.beta1(), p.step());
            double bc2 = 1 - Math.pow(p.beta2(), p.step());
            boolean decoupled = p.decoupledWeightDecay() && p.weightDecay() != 0;
            return new Coefficients(p.decoupledWeightDecay() ? 0 : p.weightDecay(), 1 - p.lr() * p.weightDecay(), decoupled,
                    p.beta1(), 1 - p.beta1(), p.beta2(), 1 - p.beta2(), Math.sqrt(bc2), p.eps(), -(p.lr() / bc1));
        }
    }

    static void adamStep(Kernels.AdamStep params, StridedView grad, StridedView param, StridedView expAvg, StridedView expAvgSq) {
        Coefficients c = Coefficients.of(params);
        MemorySegment g = grad.storage().segment();
        MemorySegment p = param.storage().segment();
        MemorySegment m = expAvg.storage().segment();
        MemorySegment v = expAvgSq.storage().segment();
        boolean f32 = param.dtype() == DType.F32;
        long[] base = {param.offset(), grad.offset(), expAvg.offset(), expAvgSq.offset()};
        StridedLoop.of(param.shape(), param.strides(), grad.strides(), expAvg.strides(), expAvgSq.strides())
                .run(base, 8, (off, inner, n) -> {
                    if (f32) {
                        rowF32(c, g, off[1], inner[1], p, off[0], inner[0], m, off[2], inner[2], v, off[3], inner[3], n);
                    } else {
                        rowF64(c, g, off[1], inner[1], p, off[0], inner[0], m, off[2], inner[2], v, off[3], inner[3], n);
                    }
                });
    }

    private static void rowF32(Coefficients c, MemorySegment g, long go, long gs, MemorySegment p, long po, long ps,
                               MemorySegment m, long mo, long ms, MemorySegment v, long vo, long vs, long n) {
        float wd = (float) c.coupledDecay();
        float decay = (float) c.decoupledFactor();
        boolean decoupled = c.decoupled();
        float b1 = (float) c.beta1();
        float a1 = (float) c.oneMinusBeta1();
        float b2 = (float) c.beta2();
        float a2 = (float) c.oneMinusBeta2();
        float bc2Sqrt = (float) c.bc2Sqrt();
        float eps = (float) c.eps();
        float step = (float) c.negStepSize();
        long j = 0;
        if (gs == 1 && ps == 1 && ms == 1 && vs == 1) {
            long bound = F.loopBound(n);
            for (; j < bound; j += F.length()) {
                FloatVector gv = FloatVector.fromMemorySegment(F, g, (go + j) * 4, NATIVE);
                FloatVector pv = FloatVector.fromMemorySegment(F, p, (po + j) * 4, NATIVE);
                FloatVector mv = FloatVector.fromMemorySegment(F, m, (mo + j) * 4, NATIVE);
                FloatVector vv = FloatVector.fromMemorySegment(F, v, (vo + j) * 4, NATIVE);
                if (wd != 0) {
                    gv = gv.add(pv.mul(wd));
                }
                if (decoupled) {
                    pv = pv.mul(decay);
                }
                mv = mv.mul(b1).add(gv.mul(a1));
                vv = vv.mul(b2).add(gv.mul(gv).mul(a2));
                FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
                pv = pv.add(mv.div(denom).mul(step));
                pv.intoMemorySegment(p, (po + j) * 4, NATIVE);
                mv.intoMemorySegment(m, (mo + j) * 4, NATIVE);
                vv.intoMemorySegment(v, (vo + j) * 4, NATIVE);
            }
        }
        for (; j < n; j++) {
            float gi = g.getAtIndex(JAVA_FLOAT_UNALIGNED, go + j * gs);
            float pi = p.getAtIndex(JAVA_FLOAT_UNALIGNED, po + j * ps);
            float mi = m.getAtIndex(JAVA_FLOAT_UNALIGNED, mo + j * ms);
            float vi = v.getAtIndex(JAVA_FLOAT_UNALIGNED, vo + j * vs);
            if (wd != 0) {
                gi = gi + pi * wd;
            }
            if (decoupled) {
                pi = pi * decay;
            }
            mi = mi * b1 + gi * a1;
            vi = vi * b2 + gi * gi * a2;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            pi = pi + mi / denom * step;
            p.setAtIndex(JAVA_FLOAT_UNALIGNED, po + j * ps, pi);
            m.setAtIndex(JAVA_FLOAT_UNALIGNED, mo + j * ms, mi);
            v.setAtIndex(JAVA_FLOAT_UNALIGNED, vo + j * vs, vi);
        }
    }

    private static void rowF64(Coefficients c, MemorySegment g, long go, long gs, MemorySegment p, long po, long ps,
                               MemorySegment m, long mo, long ms, MemorySegment v, long vo, long vs, long n) {
        double wd = c.coupledDecay();
        double decay = c.decoupledFactor();
        boolean decoupled = c.decoupled();
        double b1 = c.beta1();
        double a1 = c.oneMinusBeta1();
        double b2 = c.beta2();
        double a2 = c.oneMinusBeta2();
        double bc2Sqrt = c.bc2Sqrt();
        double eps = c.eps();
        double step = c.negStepSize();
        long j = 0;
        if (gs == 1 && ps == 1 && ms == 1 && vs == 1) {
            long bound = D.loopBound(n);
            for (; j < bound; j += D.length()) {
                DoubleVector gv = DoubleVector.fromMemorySegment(D, g, (go + j) * 8, NATIVE);
                DoubleVector pv = DoubleVector.fromMemorySegment(D, p, (po + j) * 8, NATIVE);
                DoubleVector mv = DoubleVector.fromMemorySegment(D, m, (mo + j) * 8, NATIVE);
                DoubleVector vv = DoubleVector.fromMemorySegment(D, v, (vo + j) * 8, NATIVE);
                if (wd != 0) {
                    gv = gv.add(pv.mul(wd));
                }
                if (decoupled) {
                    pv = pv.mul(decay);
                }
                mv = mv.mul(b1).add(gv.mul(a1));
                vv = vv.mul(b2).add(gv.mul(gv).mul(a2));
                DoubleVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
                pv = pv.add(mv.div(denom).mul(step));
                pv.intoMemorySegment(p, (po + j) * 8, NATIVE);
                mv.intoMemorySegment(m, (mo + j) * 8, NATIVE);
                vv.intoMemorySegment(v, (vo + j) * 8, NATIVE);
            }
        }
        for (; j < n; j++) {
            double gi = g.getAtIndex(JAVA_DOUBLE_UNALIGNED, go + j * gs);
            double pi = p.getAtIndex(JAVA_DOUBLE_UNALIGNED, po + j * ps);
            double mi = m.getAtIndex(JAVA_DOUBLE_UNALIGNED, mo + j * ms);
            double vi = v.getAtIndex(JAVA_DOUBLE_UNALIGNED, vo + j * vs);
            if (wd != 0) {
                gi = gi + pi * wd;
            }
            if (decoupled) {
                pi = pi * decay;
            }
            mi = mi * b1 + gi * a1;
            vi = vi * b2 + gi * gi * a2;
            double denom = Math.sqrt(vi) / bc2Sqrt + eps;
            pi = pi + mi / denom * step;
            p.setAtIndex(JAVA_DOUBLE_UNALIGNED, po + j * ps, pi);
            m.setAtIndex(JAVA_DOUBLE_UNALIGNED, mo + j * ms, mi);
            v.setAtIndex(JAVA_DOUBLE_UNALIGNED, vo + j * vs, vi);
        }
    }
}
