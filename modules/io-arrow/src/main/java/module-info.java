/**
 * Apache Arrow IPC for Proxima tensors: files and streams whose columns use the canonical
 * {@code arrow.fixed_shape_tensor} extension type ({@link dev.proxima.io.arrow.ArrowTensors}).
 *
 * <p>A separate module from {@code dev.proxima.io} because it brings Arrow's vector and IPC libraries
 * (arrow-vector, arrow-format, flatbuffers-java, Jackson, commons-codec). Its readers keep the contract of
 * {@code dev.proxima.io}: malformed input raises {@link dev.proxima.io.FileFormatException} naming the file
 * and the problem; no other exception or {@link Error} escapes.
 *
 * <p>Runtime needs: {@code --add-opens java.base/java.nio=org.apache.arrow.memory.core} (Arrow wraps its
 * buffers as NIO buffers through a private constructor). Arrow logs through SLF4J: add the application's
 * SLF4J provider to see its messages (without one, the tensor core keeps SLF4J's start-up warning quiet).
 */
module dev.proxima.io.arrow {
    requires transitive dev.proxima.io;
    requires transitive org.apache.arrow.vector;
    requires org.apache.arrow.format;
    requires com.fasterxml.jackson.databind;

    exports dev.proxima.io.arrow;
}
