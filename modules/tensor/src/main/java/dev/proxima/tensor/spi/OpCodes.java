package dev.proxima.tensor.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * The code → constant tables behind the {@code fromCode} lookups of the op enums ({@link UnaryOp},
 * {@link BinaryOp}, {@link ReduceOp}, {@link SoftmaxOp}, {@link RandomOp}). Each enum builds its table once, in
 * its static initialiser, so a code given twice (or a negative one) fails the enum's class initialisation with a
 * message naming both constants.
 */
final class OpCodes {

    private OpCodes() {
    }

    /** The table of {@code constants} by their codes, checked: codes are non-negative and distinct. */
    static <E extends Enum<E>> Map<Integer, E> index(E[] constants, ToIntFunction<E> code) {
        Map<Integer, E> byCode = new HashMap<>();
        for (E e : constants) {
            int c = code.applyAsInt(e);
            String name = e.getDeclaringClass().getSimpleName() + "." + e.name();
            if (c < 0) {
                throw new IllegalStateException(name + " has the negative code " + c + "; codes are non-negative");
            }
            E previous = byCode.putIfAbsent(c, e);
            if (previous != null) {
                throw new IllegalStateException(name + " reuses code " + c + " of " + previous.name()
                        + "; a new constant takes a code no other constant has ever had");
            }
        }
        return Map.copyOf(byCode);
    }

    /** The constant of {@code table} with {@code code}; an unknown code is an IllegalArgumentException. */
    static <E> E lookup(Map<Integer, E> table, int code, String family) {
        E e = table.get(code);
        if (e == null) {
            throw new IllegalArgumentException("unknown " + family + " code " + code + "; the known codes are "
                    + new TreeSet<>(table.keySet()));
        }
        return e;
    }
}
