package dev.proxima.reliability;

import java.util.Arrays;
import java.util.Locale;

/** The assertions probes use (plain {@link AssertionError}s: the child JVM has no JUnit engine running). */
final class Expect {

    private Expect() {
    }

    /**
     * Runs {@code body} and returns what it threw, which must be a {@code type} whose message contains each of
     * {@code fragments} (ignoring case).
     */
    static <T extends Throwable> T refused(Class<T> type, Probe body, String... fragments) {
        Throwable thrown;
        try {
            body.run();
            throw new AssertionError("accepted; expected " + type.getSimpleName() + " mentioning " + Arrays.toString(fragments));
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable e) {
            thrown = e;
        }
        if (!type.isInstance(thrown)) {
            AssertionError a = new AssertionError("threw " + thrown + "; expected " + type.getSimpleName());
            a.initCause(thrown);
            throw a;
        }
        String message = thrown.getMessage();
        if (message == null || message.isBlank()) {
            throw new AssertionError(thrown.getClass().getName() + " without a message");
        }
        for (String f : fragments) {
            if (!message.toLowerCase(Locale.ROOT).contains(f.toLowerCase(Locale.ROOT))) {
                throw new AssertionError("message '" + message + "' does not mention '" + f + "'");
            }
        }
        return type.cast(thrown);
    }

    static void equal(Object expected, Object actual, String what) {
        boolean same = expected instanceof long[] e && actual instanceof long[] a ? Arrays.equals(e, a)
                : expected instanceof double[] e2 && actual instanceof double[] a2 ? Arrays.equals(e2, a2)
                : expected instanceof float[] e3 && actual instanceof float[] a3 ? Arrays.equals(e3, a3)
                : java.util.Objects.equals(expected, actual);
        if (!same) {
            throw new AssertionError(what + ": expected " + show(expected) + ", got " + show(actual));
        }
    }

    static void that(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static String show(Object o) {
        return switch (o) {
            case long[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case null -> "null";
            default -> o.toString();
        };
    }
}
