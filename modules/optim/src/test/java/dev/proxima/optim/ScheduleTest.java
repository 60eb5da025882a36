package dev.proxima.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleTest {

    @Test
    void constantIsTheSameAtEveryStepAndRefusesBadInput() {
        Schedule s = Schedule.constant(1e-3);
        assertEquals(1e-3, s.valueAt(0));
        assertEquals(1e-3, s.valueAt(1_000_000_000_000L));
        assertThrows(IllegalArgumentException.class, () -> s.valueAt(-1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(Double.POSITIVE_INFINITY));
    }
}
