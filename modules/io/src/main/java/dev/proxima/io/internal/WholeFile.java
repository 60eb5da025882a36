package dev.proxima.io.internal;

import dev.proxima.io.FileFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading a whole file onto the heap for the readers that parse from a byte array (PNG, PLY, OBJ). */
public final class WholeFile {

    private WholeFile() {
    }

    /**
     * The file's bytes.
     *
     * @param file     the file
     * @param format   the format's name, for messages ({@code "PNG"})
     * @param maxBytes the reader's size limit
     * @return the bytes
     * @throws FileFormatException if the file is larger than {@code maxBytes}
     * @throws IOException         if it cannot be read, or if it does not fit in the Java heap (an
     *                             OutOfMemoryError of this one allocation is reported as such, never let out)
     */
    public static byte[] read(Path file, String format, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new FileFormatException(file.toString(), "file of " + size + " bytes exceeds the " + format
                    + " reader's limit of " + maxBytes);
        }
        try {
            return Files.readAllBytes(file);
        } catch (OutOfMemoryError e) {
            throw new IOException(file + ": the file's " + size + " bytes do not fit in the Java heap (raise -Xmx)", e);
        }
    }
}
