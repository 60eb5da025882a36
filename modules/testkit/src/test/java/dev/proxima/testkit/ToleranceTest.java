package dev.proxima.testkit;

import dev.proxima.tensor.DType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-dtype tolerances and the isclose rule. */
class ToleranceTest {

    @Test
    void defaultsPerDtype() {
        assertEquals(new Tolerance(1e-12, 1e-12), Tolerance.of(DType.F64));
        assertEquals(new Tolerance(1.3e-6, 1e-5), Tolerance.of(DType.F32));
        assertEquals(new Tolerance(1e-3, 1e-5), Tolerance.of(DType.F16));
        assertEquals(new Tolerance(1.6e-2, 1e-5), Tolerance.of(DType.BF16));
        for (DType t : new DType[]{DType.I32, DType.I64, DType.I8, DType.U8, DType.BOOL}) {
            assertSame(Tolerance.EXACT, Tolerance.of(t), t.name());
        }
        assertThrows(NullPointerException.class, () -> Tolerance.of(null));
    }

    @Test
    void eachDefaultAcceptsOneRoundingToItsType() {
        double x = Math.PI * 1000;
        assertTrue(Tolerance.of(DType.F32).accepts(x, (float) x));
        assertTrue(Tolerance.of(DType.F16).accepts(x, Float.float16ToFloat(Float.floatToFloat16((float) x))));
        assertTrue(Tolerance.of(DType.F64).accepts(x, Math.nextUp(x)));
        // ... but not errors of many units in the last place
        assertFalse(Tolerance.of(DType.F64).accepts(x, x + 1e-8));
        assertFalse(Tolerance.of(DType.F32).accepts(x, x + 20 * Math.ulp((float) x)));
    }

    @Test
    void theRuleIsAtolPlusRtolTimesExpected() {
        Tolerance t = new Tolerance(0.1, 0.5);
        assertTrue(t.accepts(10, 11.5));      // 1.5 <= 0.5 + 0.1 * 10
        assertFalse(t.accepts(10, 11.51));
        assertTrue(t.accepts(-10, -8.5));     // |expected| scales rtol
        assertTrue(t.accepts(0, 0.5));
        assertFalse(t.accepts(0, -0.51));
        // relative to the expected value, not the actual one: not symmetric
        assertTrue(t.accepts(20, 17.5));      // 2.5 <= 0.5 + 0.1 * 20
        assertFalse(t.accepts(17.5, 20));     // 2.5 >  0.5 + 0.1 * 17.5
        assertTrue(Tolerance.EXACT.accepts(0.0, -0.0));
        assertFalse(Tolerance.EXACT.accepts(1, Math.nextUp(1.0)));
    }

    @Test
    void nonFiniteValuesMatchOnlyThemselves() {
        Tolerance loose = new Tolerance(1, 1e300);
        assertTrue(loose.accepts(Double.NaN, Double.NaN));
        assertTrue(Tolerance.EXACT.accepts(Double.NaN, Double.NaN));
        assertFalse(loose.accepts(Double.NaN, 0));
        assertFalse(loose.accepts(0, Double.NaN));
        assertTrue(loose.accepts(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertFalse(loose.accepts(Double.POSITIVE_INFINITY, Double.MAX_VALUE));
        assertFalse(loose.accepts(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
        assertFalse(loose.accepts(1, Double.POSITIVE_INFINITY));
    }

    @Test
    void scaledAndValidation() {
        Tolerance ten = Tolerance.of(DType.F32).scaled(10);
        assertEquals(1.3e-5, ten.rtol(), 1e-20);
        assertEquals(1e-4, ten.atol(), 1e-20);
        assertEquals(Tolerance.EXACT, Tolerance.of(DType.F64).scaled(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Tolerance(-1e-3, 0));
        assertTrue(e.getMessage().contains("rtol -0.001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Tolerance(Double.POSITIVE_INFINITY, 0));
        assertThrows(IllegalArgumentException.class, () -> Tolerance.EXACT.scaled(-2));
        assertThrows(IllegalArgumentException.class, () -> Tolerance.EXACT.scaled(Double.NaN));
        assertEquals("exact", Tolerance.EXACT.toString());
        assertEquals("rtol 0.001, atol 1.0E-5", Tolerance.of(DType.F16).toString());
    }
}
