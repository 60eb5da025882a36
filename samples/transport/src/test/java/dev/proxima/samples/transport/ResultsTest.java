package dev.proxima.samples.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResultsTest {

    @Test
    void dottedKeysNestInInsertionOrder() {
        Results r = new Results();
        r.put("b.cost", 1.5);
        r.put("b.iterations", 12);
        r.put("a", "x \"y\"");
        r.put("b.mean", new double[] {0.25, Double.NaN});
        r.put("c.ok", true);
        assertEquals("""
                {
                  "b": {
                    "cost": 1.5,
                    "iterations": 12,
                    "mean": [0.25, null]
                  },
                  "a": "x \\"y\\"",
                  "c": {
                    "ok": true
                  }
                }
                """, r.json());
    }

    @Test
    void clashesAndBadKeysOrValuesAreRejected() {
        Results r = new Results();
        r.put("a.b", 1);
        assertThrows(IllegalArgumentException.class, () -> r.put("a.b", 2));
        assertThrows(IllegalArgumentException.class, () -> r.put("a.b.c", 2));
        assertThrows(IllegalArgumentException.class, () -> r.put("a..c", 2));
        assertThrows(IllegalArgumentException.class, () -> r.put("d", new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> r.put("d", null));
    }
}
