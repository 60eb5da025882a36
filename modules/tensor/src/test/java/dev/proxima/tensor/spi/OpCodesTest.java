package dev.proxima.tensor.spi;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The op enums' fixed codes: the assigned numbers never change, lookups round-trip, unknown codes are rejected. */
class OpCodesTest {

    /**
     * The codes assigned so far, written out by hand: renumbering a constant fails here. A constant added later
     * needs no entry (it is checked for a distinct code and the round trip), but adding one keeps the record.
     */
    private static final Map<String, Integer> ASSIGNED = assigned(
            "UnaryOp.NEG 0, UnaryOp.ABS 1, UnaryOp.SIGN 2, UnaryOp.EXP 3, UnaryOp.LOG 4, UnaryOp.SQRT 5, UnaryOp.TANH 6, UnaryOp.SIN 7,"
            + " UnaryOp.COS 8, UnaryOp.SIGMOID 9, UnaryOp.SQUARE 10, UnaryOp.RECIPROCAL 11, UnaryOp.NOT 12, UnaryOp.ERF 13,"
            + " BinaryOp.ADD 0, BinaryOp.SUB 1, BinaryOp.MUL 2, BinaryOp.DIV 3, BinaryOp.POW 4, BinaryOp.MIN 5, BinaryOp.MAX 6,"
            + " BinaryOp.EQ 7, BinaryOp.NE 8, BinaryOp.LT 9, BinaryOp.LE 10, BinaryOp.GT 11, BinaryOp.GE 12, BinaryOp.AND 13,"
            + " BinaryOp.OR 14, BinaryOp.XOR 15,"
            + " UnaryOp.FLOOR 14, UnaryOp.CEIL 15, UnaryOp.TRUNC 16, UnaryOp.RINT 17, UnaryOp.LOG1P 18, UnaryOp.EXPM1 19,"
            + " UnaryOp.LOG2 20, UnaryOp.LOG10 21, UnaryOp.EXP2 22, BinaryOp.FMAX 16, BinaryOp.FMIN 17, BinaryOp.ATAN2 18,"
            + " BinaryOp.HYPOT 19, BinaryOp.REMAINDER 20, BinaryOp.FLOOR_DIVIDE 21, BinaryOp.COPYSIGN 22,"
            + " ReduceOp.SUM 0, ReduceOp.PROD 1, ReduceOp.MAX 2, ReduceOp.MIN 3, ReduceOp.SUM_ABS 4, ReduceOp.SUM_SQUARES 5,"
            + " ReduceOp.MAX_ABS 6, ReduceOp.MIN_ABS 7, ReduceOp.COUNT_NONZERO 8, ReduceOp.ARGMAX 9, ReduceOp.ARGMIN 10,"
            + " ReduceOp.NAN_SUM 11, ReduceOp.NAN_MAX 12, ReduceOp.NAN_MIN 13,"
            + " SoftmaxOp.SOFTMAX 0, SoftmaxOp.LOG_SOFTMAX 1, SoftmaxOp.LOGSUMEXP 2,"
            + " RandomOp.UNIFORM 0, RandomOp.NORMAL 1, RandomOp.BERNOULLI 2");

    private static Map<String, Integer> assigned(String table) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String entry : table.split(",")) {
            String[] kv = entry.trim().split(" ");
            m.put(kv[0], Integer.parseInt(kv[1]));
        }
        return m;
    }

    /** Checks one family: the assigned codes, distinct non-negative codes, fromCode(code()) == constant, unknown codes. */
    private static <E extends Enum<E>> void checkFamily(E[] constants, ToIntFunction<E> code, IntFunction<E> fromCode) {
        String family = constants[0].getDeclaringClass().getSimpleName();
        Set<Integer> seen = new HashSet<>();
        int max = -1;
        for (E e : constants) {
            int c = code.applyAsInt(e);
            Integer expected = ASSIGNED.get(family + "." + e.name());
            if (expected != null) {
                assertEquals(expected, c, family + "." + e.name() + " was renumbered");
            }
            assertTrue(c >= 0, family + "." + e.name() + " has a negative code");
            assertTrue(seen.add(c), family + "." + e.name() + " reuses code " + c);
            assertSame(e, fromCode.apply(c));
            max = Math.max(max, c);
        }
        long listed = ASSIGNED.keySet().stream().filter(k -> k.startsWith(family + ".")).count();
        assertTrue(listed > 0 && listed <= constants.length, family + ": a constant with an assigned code is gone");
        for (int bad : new int[] {-1, max + 1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fromCode.apply(bad));
            assertTrue(e.getMessage().startsWith("unknown " + family + " code " + bad + "; the known codes are ["), e.getMessage());
        }
    }

    @Test
    void everyFamilyKeepsItsCodes() {
        checkFamily(UnaryOp.values(), UnaryOp::code, UnaryOp::fromCode);
        checkFamily(BinaryOp.values(), BinaryOp::code, BinaryOp::fromCode);
        checkFamily(ReduceOp.values(), ReduceOp::code, ReduceOp::fromCode);
        checkFamily(SoftmaxOp.values(), SoftmaxOp::code, SoftmaxOp::fromCode);
        checkFamily(RandomOp.values(), RandomOp::code, RandomOp::fromCode);
    }

    @Test
    void unknownCodeNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftmaxOp.fromCode(7));
        assertEquals("unknown SoftmaxOp code 7; the known codes are [0, 1, 2]", e.getMessage());
    }

    private enum Probe { A, B, C }

    @Test
    void aReusedOrNegativeCodeIsRejected() {
        Map<Integer, Probe> ok = OpCodes.index(Probe.values(), p -> 10 - 3 * p.ordinal());
        assertEquals(Map.of(10, Probe.A, 7, Probe.B, 4, Probe.C), ok);
        IllegalStateException reused = assertThrows(IllegalStateException.class,
                () -> OpCodes.index(Probe.values(), p -> p == Probe.C ? 0 : p.ordinal()));
        assertEquals("Probe.C reuses code 0 of A; a new constant takes a code no other constant has ever had", reused.getMessage());
        IllegalStateException negative = assertThrows(IllegalStateException.class, () -> OpCodes.index(Probe.values(), p -> -p.ordinal()));
        assertEquals("Probe.B has the negative code -1; codes are non-negative", negative.getMessage());
    }

    @Test
    void comparisonsAreNamedNotPositional() {
        Set<BinaryOp> bool = EnumSet.noneOf(BinaryOp.class);
        for (BinaryOp op : BinaryOp.values()) {
            if (op.isComparison()) {
                bool.add(op);
            }
        }
        assertEquals(EnumSet.of(BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE, BinaryOp.AND, BinaryOp.OR,
                BinaryOp.XOR), bool);
    }
}
