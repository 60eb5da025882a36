package dev.proxima.tensor;

/**
 * Receives the progress of a long operation: a training loop, an iterative solver, a sample's main loop.
 * Code that runs such a loop takes a listener and calls {@link #start} once, {@link #advance} after each step
 * (or every few steps), and {@link #finish} once at the end, also when the loop stops early or fails.
 * Listeners only observe: they must not throw, and {@link #none()} ignores everything.
 *
 * <p>{@link #console()} draws a one-line progress bar with the rate and the estimated time left on the
 * standard error stream ({@link ConsoleProgress}).
 *
 * {@snippet :
 * ProgressListener progress = ProgressListener.console();
 * progress.start("training", epochs);
 * try {
 *     for (int epoch = 1; epoch <= epochs; epoch++) {
 *         double loss = trainOneEpoch();
 *         progress.advance(epoch, String.format("loss %.4f", loss));
 *     }
 * } finally {
 *     progress.finish();
 * }
 * }
 */
public interface ProgressListener {

    /**
     * A task starts.
     *
     * @param task  what is being done, for display (e.g. {@code "training"})
     * @param total the number of steps the task will take, or 0 when it is not known in advance
     * @throws IllegalArgumentException if {@code total} is negative
     */
    void start(String task, long total);

    /**
     * Steps were completed.
     *
     * @param done   the number of steps completed so far (not the increment)
     * @param status a short status for display (e.g. {@code "loss 0.0132"}), or {@code ""}
     */
    void advance(long done, String status);

    /** The task ended (completed, stopped early, or failed). */
    void finish();

    /**
     * A listener that ignores every report: the default of operations that take an optional listener.
     *
     * @return the shared no-op listener
     */
    static ProgressListener none() {
        return NoProgress.INSTANCE;
    }

    /**
     * A console progress bar on {@link System#err}: redrawn in place ({@code \r}) when the JVM's console is an
     * interactive terminal, else one plain line per tenth of the task (or per 10 seconds when the total is not
     * known) and a final summary, which suits log files and CI output.
     *
     * @return a new console listener
     */
    static ProgressListener console() {
        java.io.Console c = System.console();
        return new ConsoleProgress(System.err, c != null && c.isTerminal(), System::nanoTime);
    }
}

/** The listener of {@link ProgressListener#none()}. */
enum NoProgress implements ProgressListener {
    INSTANCE;

    @Override
    public void start(String task, long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0 (0 = unknown), got " + total);
        }
    }

    @Override
    public void advance(long done, String status) {
    }

    @Override
    public void finish() {
    }
}
