package dev.proxima.tensor;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The opt-in leak report ({@code -Dproxima.leaks=report}): while it is on, every tensor handle records where
 * it was created (the stack without the tensor core's own frames) until it is closed, every {@link Scope}
 * records where it was opened, and at exit the handles still open are printed to standard error. Off (the
 * default), nothing is captured: the only cost is one test of a static field per tensor created and closed.
 */
final class Leaks {

    /** The system property, read once when the class is initialised. */
    static final String PROPERTY = "proxima.leaks";
    /** The most frames of a creation site kept after the core's own. */
    static final int FRAMES = 12;

    /** True while creation sites are recorded; only tests switch it after start-up. */
    static boolean tracking;

    private static final Map<Tensor, Site> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final CodeSource CORE = Tensor.class.getProtectionDomain().getCodeSource();
    private static final ClassValue<Boolean> IN_CORE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return type.getModule() == Tensor.class.getModule()
                    && Objects.equals(type.getProtectionDomain().getCodeSource(), CORE);
        }
    };

    static {
        String value = System.getProperty(PROPERTY);
        if (value != null && !value.isBlank() && !value.equals("off") && !value.equals("report")) {
            System.getLogger("dev.proxima.tensor").log(System.Logger.Level.WARNING,
                    "system property " + PROPERTY + " must be 'report' or 'off', got '" + value + "'; no leak report");
        }
        if ("report".equals(value)) {
            tracking = true;
            Runtime.getRuntime().addShutdownHook(new Thread(Leaks::printAtExit, "proxima-leak-report"));
        }
    }

    private Leaks() {
    }

    /** Where something was created: the calling thread and the caller's frames ({@code Class.method(File:line)}). */
    record Site(long sequence, String thread, List<String> frames) {

        void appendTo(StringBuilder out, String indent) {
            for (String f : frames) {
                out.append(indent).append("at ").append(f).append('\n');
            }
        }

        String first() {
            return frames.isEmpty() ? "an unknown place" : frames.getFirst();
        }
    }

    /**
     * The current caller's site: the stack without the tensor core's frames on top and without the JDK's own
     * frames (reflection, launchers, streams), at most {@link #FRAMES} frames.
     */
    static Site site() {
        List<String> frames = WALKER.walk(s -> s
                .dropWhile(f -> IN_CORE.get(f.getDeclaringClass()))
                .filter(f -> !inJdk(f.getDeclaringClass()))
                .limit(FRAMES)
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .toList());
        return new Site(SEQUENCE.incrementAndGet(), Thread.currentThread().getName(), frames);
    }

    private static boolean inJdk(Class<?> type) {
        String module = type.getModule().getName();
        return module != null && (module.startsWith("java.") || module.startsWith("jdk."));
    }

    static void opened(Tensor t) {
        OPEN.put(t, site());
    }

    static void closed(Tensor t) {
        OPEN.remove(t);
    }

    /** Number of open tensors being tracked. */
    static int openCount() {
        return OPEN.size();
    }

    /**
     * The open tensors with their creation sites, oldest first; the empty string when none is open or the
     * report is off.
     */
    static String report() {
        OPEN.keySet().removeIf(t -> t.closed); // closed while the report was switched off
        List<Map.Entry<Tensor, Site>> open = new ArrayList<>(OPEN.entrySet());
        if (open.isEmpty()) {
            return "";
        }
        open.sort(Comparator.comparingLong(e -> e.getValue().sequence()));
        StringBuilder out = new StringBuilder();
        out.append(open.size()).append(open.size() == 1 ? " tensor" : " tensors")
                .append(" not closed (").append(PROPERTY).append("=report):\n");
        for (Map.Entry<Tensor, Site> e : open) {
            Tensor t = e.getKey();
            out.append("  tensor ").append(t.dtype).append(Shapes.str(t.shape))
                    .append(t.owner != null ? ", owned by a scope still open" : "")
                    .append(", created on thread ").append(e.getValue().thread()).append('\n');
            e.getValue().appendTo(out, "    ");
        }
        return out.toString();
    }

    private static void printAtExit() {
        String report = report();
        if (!report.isEmpty()) {
            System.err.print("Proxima leak report: " + report);
            System.err.flush();
        }
    }
}
