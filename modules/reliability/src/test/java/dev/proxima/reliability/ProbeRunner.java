package dev.proxima.reliability;

import dev.proxima.tensor.Memory;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The child JVM's main: runs the named probes in order and reports each on standard output as protocol lines
 * ({@value #PREFIX}{@code BEGIN name}, then {@code PASS}, {@code FAIL}, {@code LEAK} or {@code ERROR} with a detail).
 * A crash or a hang shows in the parent as a {@code BEGIN} without its outcome.
 */
public final class ProbeRunner {

    /** The prefix of protocol lines, so that other output of the child cannot be mistaken for them. */
    static final String PREFIX = "@@probe ";

    private ProbeRunner() {
    }

    /**
     * Runs the probes named by the arguments.
     *
     * @param args probe names
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        Map<String, Probe> probes = Probes.byName();
        for (String name : List.of(args)) {
            report(out, "BEGIN", name, "");
            Probe probe = probes.get(name);
            if (probe == null) {
                report(out, "FAIL", name, "no such probe");
                continue;
            }
            long before = Memory.allocatedBytes();
            try {
                probe.run();
                long after = Memory.allocatedBytes();
                if (after != before) {
                    report(out, "LEAK", name, (after - before) + " bytes still allocated after the probe");
                } else {
                    report(out, "PASS", name, "");
                }
            } catch (AssertionError e) {
                report(out, "FAIL", name, e.getMessage() + cause(e));
            } catch (Error e) {
                report(out, "ERROR", name, "an Error escaped: " + e + cause(e));
            } catch (Throwable e) {
                report(out, "FAIL", name, "unexpected " + e + cause(e));
            }
        }
        out.flush();
        System.exit(0);
    }

    private static String cause(Throwable e) {
        StackTraceElement[] at = e.getStackTrace();
        String where = at.length > 0 ? " at " + at[0] : "";
        Throwable c = e.getCause();
        if (c == null) {
            return where;
        }
        StackTraceElement[] cat = c.getStackTrace();
        return where + " (cause: " + c + (cat.length > 0 ? " at " + cat[0] + (cat.length > 1 ? " < " + cat[1] : "") : "") + ")";
    }

    private static void report(PrintStream out, String status, String name, String detail) {
        out.println(PREFIX + status + " " + name + (detail.isEmpty() ? "" : " " + detail.replace('\n', ' ')));
        out.flush();
    }
}
