package dev.proxima.optim;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedules against their closed forms, the refinement rule by hand, and AdAdaGrad's norm test by hand. */
@ExtendWith(NoLeaks.class)
class BatchSizeAndScheduleTest {

    @Test
    void stepAndExponentialDecayFollowTorchsFormulas() {
        Schedule s = Schedule.step(0.1, 3, 0.5);
        assertEquals(0.1, s.valueAt(0));
        assertEquals(0.1, s.valueAt(2));
        assertEquals(0.05, s.valueAt(3));
        assertEquals(0.025, s.valueAt(8));
        Schedule e = Schedule.exponential(2.0, 0.9);
        assertEquals(2.0 * 0.729, e.valueAt(3), 1e-15);
    }

    @Test
    void cosineGoesFromInitialToMinAndStaysThere() {
        Schedule c = Schedule.cosine(1.0, 10, 0.1);
        assertEquals(1.0, c.valueAt(0), 1e-15);
        assertEquals(0.55, c.valueAt(5), 1e-15);                 // halfway: (1 + 0.1) / 2
        assertEquals(0.1 + 0.9 * (1 + Math.cos(Math.PI * 0.3)) / 2, c.valueAt(3), 1e-15);
        assertEquals(0.1, c.valueAt(10));
        assertEquals(0.1, c.valueAt(1000));
    }

    @Test
    void linearWarmupDecayAndJoin() {
        Schedule warm = Schedule.linear(0, 1e-3, 4);
        assertEquals(0.0, warm.valueAt(0));
        assertEquals(0.5e-3, warm.valueAt(2), 1e-18);
        assertEquals(1e-3, warm.valueAt(4));
        assertEquals(1e-3, warm.valueAt(40));
        Schedule joined = Schedule.join(List.of(warm, Schedule.linear(1e-3, 0, 10)), 4);
        assertEquals(0.25e-3, joined.valueAt(1), 1e-18);
        assertEquals(1e-3, joined.valueAt(4), 1e-18);
        assertEquals(0.5e-3, joined.valueAt(9), 1e-18);        // 5 steps into the decay of 10
        assertEquals(0.0, joined.valueAt(14));
        Schedule wc = Schedule.warmupCosine(1.0, 2, 12, 0.0);
        assertEquals(0.5, wc.valueAt(1), 1e-15);
        assertEquals(1.0, wc.valueAt(2), 1e-15);
        assertEquals(0.5, wc.valueAt(7), 1e-15);
        assertEquals(0.05, Schedule.inverseTimeDecay(0.1, 0.5).valueAt(2), 1e-17);
        assertEquals(0.2, Schedule.constant(0.1).times(2).valueAt(7));
        assertThrows(IllegalArgumentException.class, () -> Schedule.join(List.of(warm, warm), 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Schedule.join(List.of(warm, warm, warm), 4, 4));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> warm.valueAt(-1));
    }

    @Test
    void refinementWeightsStepsByInverseSquaredNormsTimesTheirTail() {
        // norms 1, 2, 1, 1 → w = 1, 1/4, 1, 1; tails Σ_{p>t} w_p = 2.25, 2, 1, 0
        // η ∝ w·tail = 2.25, 0.5, 1, 0 → normalised by 2.25
        Schedule r = Schedule.refined(1.0, new double[]{1, 2, 1, 1}, 1);
        assertEquals(1.0, r.valueAt(0), 1e-15);
        assertEquals(0.5 / 2.25, r.valueAt(1), 1e-15);
        assertEquals(1 / 2.25, r.valueAt(2), 1e-15);
        assertEquals(0.0, r.valueAt(3));
        assertEquals(0.0, r.valueAt(10));
        // constant norms give the linear decay the paper derives: η_t ∝ (T − 1 − t)
        Schedule flat = Schedule.refined(0.3, new double[]{2, 2, 2, 2, 2}, 3);
        for (int t = 0; t < 5; t++) {
            assertEquals(0.3 * (4 - t) / 4.0, flat.valueAt(t), 1e-15);
        }
        // a median filter of width 3 removes a single spike
        Schedule spike = Schedule.refined(1.0, new double[]{1, 1, 100, 1, 1}, 3);
        Schedule none = Schedule.refined(1.0, new double[]{1, 1, 1, 1, 1}, 1);
        for (int t = 0; t < 5; t++) {
            assertEquals(none.valueAt(t), spike.valueAt(t), 1e-15);
        }
        assertThrows(IllegalArgumentException.class, () -> Schedule.refined(1, new double[]{1, 0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.refined(1, new double[]{1, 1}, 2));
    }

    @Test
    void theNormTestGrowsTheBatchWhenTheVarianceDominates() {
        try (Scope s = Scope.open()) {
            // samples (1,0), (3,0), (2,2), (2,−2): ḡ = (2, 0), ‖ḡ‖² = 4, Σ‖g_i − ḡ‖² = 10, σ² = 10/3
            Tensor g = Tensor.of(1.0, 0, 3, 0, 2, 2, 2, -2).reshape(4, 2);
            BatchSizeTest.Decision keep = BatchSizeTest.normTest(0.5, 1000).test(g);   // σ²/b = 0.833 ≤ 0.25·4
            assertFalse(keep.grow());
            assertEquals(4, keep.nextBatchSize());
            assertEquals(10.0 / 3, keep.variance(), 1e-15);
            assertEquals(4.0, keep.meanNormSq(), 1e-15);
            BatchSizeTest.Decision grow = BatchSizeTest.normTest(0.4, 1000).test(g);   // 0.833 > 0.16·4
            assertTrue(grow.grow());
            assertEquals(6, grow.nextBatchSize());                                    // ⌈(10/3)/0.64⌉
            assertEquals(5, BatchSizeTest.normTest(0.1, 5).test(g).nextBatchSize()); // capped
            // the same samples split over two leaves give the same decision
            TensorTree split = TensorTree.sequence(TensorTree.leaf(g.slice(1, 0, 1, 1)), TensorTree.leaf(g.slice(1, 1, 2, 1)));
            assertEquals(6, BatchSizeTest.normTest(0.4, 1000).test(split).nextBatchSize());
            assertThrows(IllegalArgumentException.class, () -> BatchSizeTest.normTest(0.4, 1000).test(g.slice(0, 0, 1, 1)));
            assertThrows(IllegalArgumentException.class, () -> BatchSizeTest.normTest(0, 1000));
        }
    }
}
