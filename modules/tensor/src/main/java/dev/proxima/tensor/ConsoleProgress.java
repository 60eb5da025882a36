package dev.proxima.tensor;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link ProgressListener} that prints a one-line progress bar with the rate and the estimated time left:
 * <pre>
 * training [#########...........]  450/1000  45%  112.5 it/s  ETA 0:05  loss 0.0132
 * </pre>
 * On a terminal the line is redrawn in place ({@code \r}, at most every 100 ms); otherwise (a log file, CI
 * output) a plain line is printed at each tenth of the task, or every 10 seconds when the total is not known.
 * {@link #finish()} ends with a summary line: {@code training: 1000 steps in 8.9 s (112.4 it/s)}. The rate is
 * steps per second since {@link #start}; below one step per second it is shown as seconds per step. The clock
 * is injectable, so tests can drive it. Safe for use from several threads. If {@code out} fails, printing stops
 * (the operation being observed goes on).
 */
public final class ConsoleProgress implements ProgressListener {

    private static final int BAR = 20;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;

    private final Appendable out;
    private final boolean terminal;
    private final LongSupplier nanoClock;

    private String task = "";
    private long total;
    private long startNanos;
    private long lastPrintNanos;
    private long lastDecile;
    private long done;
    private String status = "";
    private int lastLineLength;
    private boolean running;

    /**
     * A console progress display writing to {@code out}.
     *
     * @param out       where to print (e.g. {@link System#err})
     * @param terminal  true to redraw one line in place with {@code \r}, false for plain lines
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public ConsoleProgress(Appendable out, boolean terminal, LongSupplier nanoClock) {
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    @Override
    public synchronized void start(String task, long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0 (0 = unknown), got " + total);
        }
        this.task = task == null ? "" : task;
        this.total = total;
        this.done = 0;
        this.status = "";
        this.startNanos = nanoClock.getAsLong();
        this.lastPrintNanos = startNanos;
        this.lastDecile = 0;
        this.lastLineLength = 0;
        this.running = true;
        if (terminal) {
            draw();
        }
    }

    @Override
    public synchronized void advance(long done, String status) {
        if (!running) {
            return;
        }
        this.done = Math.max(0, done);
        this.status = status == null ? "" : status;
        long now = nanoClock.getAsLong();
        if (terminal) {
            if (now - lastPrintNanos >= REDRAW_NANOS || (total > 0 && this.done >= total)) {
                lastPrintNanos = now;
                draw();
            }
            return;
        }
        boolean print;
        if (total > 0) {
            long decile = Math.min(10, this.done * 10 / total);
            print = decile > lastDecile;
            if (print) {
                lastDecile = decile;
            }
        } else {
            print = now - lastPrintNanos >= PLAIN_INTERVAL_NANOS;
        }
        if (print) {
            lastPrintNanos = now;
            write(line(now) + System.lineSeparator());
        }
    }

    @Override
    public synchronized void finish() {
        if (!running) {
            return;
        }
        running = false;
        long now = nanoClock.getAsLong();
        double seconds = (now - startNanos) / 1e9;
        StringBuilder sb = new StringBuilder();
        if (terminal) {
            sb.append('\r').append(" ".repeat(lastLineLength)).append('\r');
        }
        sb.append(task.isEmpty() ? "done" : task).append(": ").append(done).append(done == 1 ? " step" : " steps")
                .append(" in ").append(duration(seconds));
        if (done > 0 && seconds > 0) {
            sb.append(" (").append(rate(done / seconds)).append(')');
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        write(sb.append(System.lineSeparator()).toString());
    }

    private void draw() {
        String line = line(nanoClock.getAsLong());
        int pad = Math.max(0, lastLineLength - line.length());
        lastLineLength = line.length();
        write("\r" + line + " ".repeat(pad));
    }

    /** The progress line (without {@code \r} or line end) at time {@code now}. */
    private String line(long now) {
        StringBuilder sb = new StringBuilder();
        if (!task.isEmpty()) {
            sb.append(task).append(' ');
        }
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        if (total > 0) {
            long shown = Math.min(done, total);
            int filled = (int) (BAR * shown / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR - filled)).append("] ");
            String of = Long.toString(total);
            sb.append(String.format(Locale.ROOT, "%" + of.length() + "d/%s %3d%%", done, of, 100 * shown / total));
        } else {
            sb.append(done).append(done == 1 ? " step" : " steps");
        }
        if (done > 0 && seconds > 0) {
            sb.append("  ").append(rate(rate));
            if (total > 0 && done < total) {
                sb.append("  ETA ").append(clock((total - done) / rate));
            }
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        return sb.toString();
    }

    private static String rate(double perSecond) {
        return perSecond >= 1 ? String.format(Locale.ROOT, "%.1f it/s", perSecond)
                : String.format(Locale.ROOT, "%.1f s/it", 1 / perSecond);
    }

    /** Seconds as {@code m:ss} or {@code h:mm:ss}. */
    private static String clock(double seconds) {
        long s = (long) Math.ceil(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String duration(double seconds) {
        return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds) : clock(seconds);
    }

    private void write(String s) {
        try {
            out.append(s);
            if (out instanceof java.io.Flushable f) {
                f.flush();
            }
        } catch (IOException e) {
            running = false; // a listener never fails the operation it observes: stop printing
        }
    }
}
