/**
 * Proxima's interchange formats: NumPy {@code .npy}/{@code .npz}, Apache Arrow IPC with the canonical
 * {@code arrow.fixed_shape_tensor} extension type, PNG images, and PLY/OBJ meshes.
 *
 * <p>Readers treat their input as hostile: they validate every header value before allocating memory,
 * check sizes (with overflow checks) against the length of the file, allocate the data of streams as
 * it arrives, and limit the decoded size of PNG images ({@link dev.proxima.io.Png.Limits}). Malformed
 * input raises {@link dev.proxima.io.FileFormatException} (an {@link java.io.IOException}) naming the
 * file and the problem; no other exception or {@link Error} escapes a reader, except
 * {@link dev.proxima.tensor.MissingJvmFlagException} naming the flag a JVM started without one lacks.
 */
module dev.proxima.io {
    requires transitive dev.proxima.tensor;
    requires transitive org.apache.arrow.vector;
    requires org.apache.arrow.format;
    requires com.fasterxml.jackson.databind;

    exports dev.proxima.io;
}
