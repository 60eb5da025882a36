/**
 * Proxima's interchange formats: NumPy {@code .npy}/{@code .npz}, Hugging Face safetensors, PNG images,
 * and PLY/OBJ meshes. No third-party dependency beyond the tensor core's; Apache Arrow IPC is in the
 * separate module {@code dev.proxima.io.arrow}.
 *
 * <p>Readers treat their input as hostile: they validate every header value before allocating memory,
 * check sizes (with overflow checks) against the length of the file, allocate the data of streams as
 * it arrives, and limit the decoded size of PNG images ({@link dev.proxima.io.Png.Limits}), of meshes
 * ({@link dev.proxima.io.Mesh.Limits}) and the header of safetensors files
 * ({@link dev.proxima.io.Safetensors.Limits}). Malformed input raises
 * {@link dev.proxima.io.FileFormatException} (an {@link java.io.IOException}) naming the file and the
 * problem; no other exception or {@link Error} escapes a reader, except
 * {@link dev.proxima.tensor.MissingJvmFlagException} naming the flag a JVM started without one lacks.
 */
module dev.proxima.io {
    requires transitive dev.proxima.tensor;

    exports dev.proxima.io;
    // the Arrow IPC module allocates and copies tensors with the same helpers
    exports dev.proxima.io.internal to dev.proxima.io.arrow;
}
