package dev.proxima.testkit;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text format of reference fixtures. */
@ExtendWith(NoLeaks.class)
class ReferenceTableTest {

    private static ReferenceTable parse(String text) throws IOException {
        return ReferenceTable.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsShapesDtypesAndSpecialValues() throws IOException {
        ReferenceTable t = parse("""
                # a comment

                lin/state.weight f64 2,3 1 2 3 4.5 -5e-1 6
                lin/state.bias f64 2 nan -inf
                lin/input i64 3 7 -8 9
                lin/output f64 scalar inf
                  other/empty f64 0,2\s\s
                """);
        try (Scope s = Scope.open()) {
            Tensor w = t.tensor("lin/state.weight");
            assertEquals(DType.F64, w.dtype());
            assertArrayEquals(new long[]{2, 3}, w.shape());
            assertArrayEquals(new double[]{1, 2, 3, 4.5, -0.5, 6}, w.toDoubleArray());
            assertArrayEquals(new double[]{Double.NaN, Double.NEGATIVE_INFINITY}, t.values("lin/state.bias"));
            Tensor in = t.tensor("lin/input");
            assertEquals(DType.I64, in.dtype());
            assertArrayEquals(new long[]{7, -8, 9}, in.toLongArray());
            assertArrayEquals(new double[]{7, -8, 9}, t.values("lin/input"));
            Tensor out = t.tensor("lin/output");
            assertEquals(0, out.rank());
            assertEquals(Double.POSITIVE_INFINITY, out.item());
            assertArrayEquals(new long[]{0, 2}, t.tensor("other/empty").shape());
            Map<String, Tensor> state = t.state("lin");
            assertEquals(List.of("weight", "bias"), List.copyOf(state.keySet()));
            assertArrayEquals(new double[]{1, 2, 3, 4.5, -0.5, 6}, state.get("weight").toDoubleArray());
            assertTrue(t.contains("lin/input"));
            assertFalse(t.contains("lin/in"));
        }
    }

    @Test
    void malformedLinesAreNamed() {
        String[][] cases = {
                {"a f64", "line 1: expected '<name> <dtype> <shape> <values…>', got 2 fields"},
                {"# c\na f32 1 1", "line 2: dtype must be f64 or i64, got 'f32'"},
                {"a f64 2,x 1 2", "line 1: shape must be 'scalar' or comma-separated sizes >= 0, got '2,x'"},
                {"a f64 2,-1 1 2", "line 1: shape must be 'scalar' or comma-separated sizes >= 0, got '2,-1'"},
                {"a f64 2,2 1 2 3", "line 1: shape [2, 2] needs 4 values, got 3"},
                {"a f64 scalar 1 2", "line 1: shape [] needs 1 values, got 2"},
                {"a i64 1 1.5", "line 1: unparsable i64 value: For input string: \"1.5\""},
                {"a f64 1 x", "line 1: unparsable f64 value: For input string: \"x\""},
                {"a f64 1 1\na f64 1 2", "line 2: repeated name 'a'"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(c[0]), c[0]);
            assertEquals("reference table " + c[1], e.getMessage());
        }
    }

    @Test
    void missingNamesAreNamed() throws IOException {
        ReferenceTable t = parse("a/x f64 1 1\n");
        assertEquals("reference table has no tensor 'a/y'",
                assertThrows(IllegalArgumentException.class, () -> t.tensor("a/y")).getMessage());
        assertEquals("reference table has no tensor 'b'",
                assertThrows(IllegalArgumentException.class, () -> t.values("b")).getMessage());
        assertEquals("reference table has no state entries for 'a' (names 'a/state.…')",
                assertThrows(IllegalArgumentException.class, () -> t.state("a")).getMessage());
        assertThrows(NullPointerException.class, () -> ReferenceTable.read(null));
    }
}
