/**
 * Proxima's interchange formats: NumPy {@code .npy}/{@code .npz}, Apache Arrow IPC with the canonical
 * {@code arrow.fixed_shape_tensor} extension type, PNG images, and PLY/OBJ meshes.
 *
 * <p>Readers validate every header value before allocating memory and check sizes against the length
 * of the file; malformed input raises {@link dev.proxima.io.FileFormatException} (an
 * {@link java.io.IOException}) naming the file and the problem.
 */
module dev.proxima.io {
    requires transitive dev.proxima.tensor;
    requires transitive org.apache.arrow.vector;
    requires org.apache.arrow.format;
    requires com.fasterxml.jackson.databind;

    exports dev.proxima.io;
}
