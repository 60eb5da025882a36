package dev.proxima.io;

import java.io.IOException;

/**
 * A file (or a stream, or an entry of an archive) that does not hold what its format promises:
 * truncated, corrupted, hostile or using a feature this reader does not support. The message names the
 * source and the problem.
 */
public final class FileFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file, stream or archive entry that was being read. */
    private final String source;

    /**
     * Creates the exception; the message is {@code source + ": " + problem}.
     *
     * @param source  the file, stream or entry that was being read (for the message)
     * @param problem what is wrong with it
     */
    public FileFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /**
     * Creates the exception with the failure that revealed the problem; the message is
     * {@code source + ": " + problem}.
     *
     * @param source  the file, stream or entry that was being read (for the message)
     * @param problem what is wrong with it
     * @param cause   the underlying failure
     */
    public FileFormatException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** {@return the file, stream or archive entry that was being read} */
    public String source() {
        return source;
    }
}
