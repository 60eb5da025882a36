package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binary state-dict format of {@link Module#save} / {@link Module#load}. All integers little-endian:
 * <pre>
 * magic    4 bytes  "PXNN"
 * version  int32    1
 * count    int32    number of tensors
 * count × {
 *   nameLen int32, name (UTF-8, nameLen bytes)
 *   dtype   int32   1 = F32, 2 = F64, 3 = I32, 4 = I64
 *   rank    int32,  dims (rank × int64)
 *   data    product(dims) × element size bytes, row-major, little-endian
 * }
 * </pre>
 * Nothing may follow the last tensor. Readers check every field against the file length and against the
 * module's expected names, dtypes and shapes before creating any tensor.
 */
final class StateFile {

    static final byte[] MAGIC = {'P', 'X', 'N', 'N'};
    static final int VERSION = 1;

    record Spec(DType dtype, long[] shape) {
    }

    private StateFile() {
    }

    private static int code(DType t) {
        return switch (t) {
            case F32 -> 1;
            case F64 -> 2;
            case I32 -> 3;
            case I64 -> 4;
            default -> throw new IllegalArgumentException("state files hold F32, F64, I32 or I64 tensors, not " + t);
        };
    }

    private static DType dtype(int code) {
        return switch (code) {
            case 1 -> DType.F32;
            case 2 -> DType.F64;
            case 3 -> DType.I32;
            case 4 -> DType.I64;
            default -> null;
        };
    }

    static void write(Path file, Map<String, Tensor> state) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer head = le(12);
            head.put(MAGIC).putInt(VERSION).putInt(state.size());
            out.write(head.array());
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor t = e.getValue();
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                long[] shape = t.shape();
                ByteBuffer h = le(4 + name.length + 8 + 8 * shape.length);
                h.putInt(name.length).put(name).putInt(code(t.dtype())).putInt(shape.length);
                for (long d : shape) {
                    h.putLong(d);
                }
                out.write(h.array());
                ByteBuffer data = le(Math.toIntExact(t.size() * t.dtype().byteSize()));
                switch (t.dtype()) {
                    case F32 -> data.asFloatBuffer().put(t.toFloatArray());
                    case F64 -> data.asDoubleBuffer().put(t.toDoubleArray());
                    case I32 -> data.asIntBuffer().put(t.toIntArray());
                    default -> data.asLongBuffer().put(t.toLongArray());
                }
                out.write(data.array());
            }
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads and validates {@code file} against {@code expected}; the returned tensors belong to the caller. */
    static Map<String, Tensor> read(Path file, Map<String, Spec> expected) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        record Entry(String name, DType dtype, long[] shape, int offset) {
        }
        LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw bad(file, "not a Proxima state file (magic " + Arrays.toString(magic) + ")");
            }
            int version = b.getInt();
            if (version != VERSION) {
                throw bad(file, "unsupported version " + version + " (this reader knows " + VERSION + ")");
            }
            int count = b.getInt();
            if (count != expected.size()) {
                throw bad(file, "holds " + count + " tensors, the module has " + expected.size());
            }
            for (int i = 0; i < count; i++) {
                int nameLen = b.getInt();
                if (nameLen < 0 || nameLen > b.remaining()) {
                    throw bad(file, "tensor " + i + ": name length " + nameLen + " exceeds the file");
                }
                byte[] nb = new byte[nameLen];
                b.get(nb);
                String name = new String(nb, StandardCharsets.UTF_8);
                Spec spec = expected.get(name);
                if (spec == null) {
                    throw bad(file, "unexpected tensor '" + name + "' (module has " + expected.keySet() + ")");
                }
                if (entries.containsKey(name)) {
                    throw bad(file, "tensor '" + name + "' appears twice");
                }
                int code = b.getInt();
                DType t = dtype(code);
                if (t == null) {
                    throw bad(file, "'" + name + "': unknown dtype code " + code);
                }
                if (t != spec.dtype()) {
                    throw bad(file, "'" + name + "': dtype " + t + ", the module expects " + spec.dtype());
                }
                int rank = b.getInt();
                if (rank != spec.shape().length) {
                    throw bad(file, "'" + name + "': rank " + rank + ", the module expects shape " + Arrays.toString(spec.shape()));
                }
                long[] shape = new long[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = b.getLong();
                }
                if (!Arrays.equals(shape, spec.shape())) {
                    throw bad(file, "'" + name + "': shape " + Arrays.toString(shape) + ", the module expects " + Arrays.toString(spec.shape()));
                }
                long bytes = Arrays.stream(shape).reduce(1, Math::multiplyExact) * t.byteSize();
                if (bytes > b.remaining()) {
                    throw bad(file, "'" + name + "': needs " + bytes + " data bytes, only " + b.remaining() + " left (truncated file?)");
                }
                entries.put(name, new Entry(name, t, shape, b.position()));
                b.position(b.position() + (int) bytes);
            }
            if (b.hasRemaining()) {
                throw bad(file, b.remaining() + " unexpected trailing bytes");
            }
        } catch (BufferUnderflowException e) {
            throw bad(file, "truncated file (" + b.capacity() + " bytes)");
        }
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        try (Scope scope = Scope.open()) {
            for (Entry e : entries.values()) {
                int n = Math.toIntExact(Arrays.stream(e.shape()).reduce(1, Math::multiplyExact));
                ByteBuffer d = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(e.offset());
                Tensor flat = switch (e.dtype()) {
                    case F32 -> {
                        float[] a = new float[n];
                        d.asFloatBuffer().get(a);
                        yield Tensor.of(a);
                    }
                    case F64 -> {
                        double[] a = new double[n];
                        d.asDoubleBuffer().get(a);
                        yield Tensor.of(a);
                    }
                    case I32 -> {
                        int[] a = new int[n];
                        d.asIntBuffer().get(a);
                        yield Tensor.of(a);
                    }
                    default -> {
                        long[] a = new long[n];
                        d.asLongBuffer().get(a);
                        yield Tensor.of(a);
                    }
                };
                out.put(e.name(), flat.reshape(e.shape()).contiguous());
            }
            out.values().forEach(Scope::release);
        }
        return out;
    }

    private static IOException bad(Path file, String what) {
        return new IOException("corrupt or mismatched state file " + file + ": " + what);
    }
}
