package dev.proxima.io;

import dev.proxima.io.internal.Buffers;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Tensor;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hugging Face's <a href="https://github.com/huggingface/safetensors">safetensors</a> format, the file format
 * PyTorch and Hugging Face users exchange model weights in: read and write.
 *
 * <p>A file is an 8-byte little-endian unsigned header length {@code N}, then {@code N} bytes of UTF-8 JSON,
 * then the raw data. The JSON object maps each tensor name to {@code {"dtype": …, "shape": […],
 * "data_offsets": [begin, end]}} (offsets into the data, which starts right after the header); the optional
 * key {@code "__metadata__"} maps to an object of string values. Data is row-major and little-endian. dtypes:
 * <table class="striped">
 *   <caption>safetensors dtypes</caption>
 *   <tr><th>safetensors</th><th>Proxima</th></tr>
 *   <tr><td>F64, F32, F16, BF16</td><td>{@code DType.F64}, {@code F32}, {@code F16}, {@code BF16}</td></tr>
 *   <tr><td>I64, I32, I8, U8</td><td>{@code DType.I64}, {@code I32}, {@code I8}, {@code U8}</td></tr>
 *   <tr><td>BOOL</td><td>{@code DType.BOOL}</td></tr>
 * </table>
 * The format's other dtypes (I16, U16, U32, U64, F8_E4M3, F8_E5M2) have no Proxima dtype; a file holding
 * one is rejected with a {@link FileFormatException} naming it.
 *
 * <p>{@link #write} writes what the reference implementation writes for the same tensors: compact JSON with
 * the metadata first (keys sorted) and the tensors ordered by descending dtype alignment, then by name; the
 * header padded with spaces to a multiple of 8 bytes so that every tensor's data is aligned.
 *
 * <p><b>Safety.</b> The reader treats the file as hostile and checks, before it allocates any tensor: the
 * header length against the file size and {@link Limits#maxHeaderBytes()}; that the header is valid UTF-8 and
 * one JSON object (nested at most {@link Limits#maxDepth()} levels, no duplicate keys, nothing but spaces after
 * it); for each tensor exactly the three keys with a known dtype, a shape of non-negative integers and two
 * offsets; {@code product(shape) × element size} (with overflow checks) equal to {@code end − begin}; and that
 * the offsets, sorted, tile the data from 0 to its end without gap or overlap, ending exactly at the end of the
 * file. Every failure is a {@link FileFormatException} naming the file; no other exception and no {@link Error}
 * escapes, and nothing stays allocated.
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Map<String, Tensor> weights = Safetensors.read(Path.of("model.safetensors"));
 *     Tensor w = weights.get("encoder.layer.0.weight");
 *     Safetensors.write(Path.of("copy.safetensors"), weights, Map.of("format", "pt"));
 * }
 * }
 */
public final class Safetensors {

    /** The key of the optional string-to-string metadata object in the header. */
    public static final String METADATA_KEY = "__metadata__";

    private Safetensors() {
    }

    /**
     * Bounds on what a reader accepts from a header.
     *
     * @param maxHeaderBytes the largest JSON header accepted, in bytes (the reference implementation's limit is
     *                       100 000 000)
     * @param maxDepth       the deepest JSON nesting accepted (a valid header needs 3: the object, a tensor's
     *                       object, its shape)
     */
    public record Limits(long maxHeaderBytes, int maxDepth) {

        /** The default {@link #maxHeaderBytes()}: 100 000 000 bytes, as the reference implementation. */
        public static final long DEFAULT_MAX_HEADER_BYTES = 100_000_000L;

        /** The default {@link #maxDepth()}: 16 levels. */
        public static final int DEFAULT_MAX_DEPTH = 16;

        /**
         * Validates the bounds.
         *
         * @throws IllegalArgumentException if {@code maxHeaderBytes} is less than 2 (the shortest header,
         *                                  {@code {}}), above {@link Integer#MAX_VALUE}, or {@code maxDepth} is
         *                                  less than 3
         */
        public Limits {
            if (maxHeaderBytes < 2 || maxHeaderBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxHeaderBytes must be in [2, " + Integer.MAX_VALUE + "], got " + maxHeaderBytes);
            }
            if (maxDepth < 3) {
                throw new IllegalArgumentException("maxDepth must be at least 3 (a safetensors header nests 3 levels), got " + maxDepth);
            }
        }

        /**
         * The limits in force when none are given.
         *
         * @return {@link #DEFAULT_MAX_HEADER_BYTES} and {@link #DEFAULT_MAX_DEPTH}
         */
        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_DEPTH);
        }
    }

    /** What a header says about one tensor: dtype, shape, and its data bytes [begin, end) after the header. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    /** A validated header: entries in data order, metadata, and where the data starts in the file. */
    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    // =================================================================== reading

    /**
     * Reads every tensor of a safetensors file, with {@link Limits#defaults()}.
     *
     * @param file the file
     * @return the tensors by name, in the order of their data in the file; new contiguous host tensors the
     *         caller owns (registered with the current scope)
     * @throws FileFormatException if the file is not a valid safetensors file of dtypes Proxima has
     * @throws IOException         if it cannot be read
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, Limits.defaults());
    }

    /**
     * Reads every tensor of a safetensors file.
     *
     * @param file   the file
     * @param limits what the header may hold
     * @return the tensors by name, in the order of their data in the file; new contiguous host tensors the
     *         caller owns (registered with the current scope)
     * @throws FileFormatException if the file is not a valid safetensors file of dtypes Proxima has, or its
     *                             header exceeds {@code limits}
     * @throws IOException         if it cannot be read
     */
    public static Map<String, Tensor> read(Path file, Limits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String name = file.toString();
            Header h = readHeader(ch, name, limits);
            LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
            try {
                for (Entry e : h.entries()) {
                    Tensor t = Buffers.allocate(e.dtype(), e.shape());
                    out.put(e.name(), t);
                    try {
                        Buffers.read(ch, h.dataStart() + e.begin(), t.segment());
                    } catch (EOFException ex) {
                        throw new FileFormatException(name, "truncated data of '" + e.name() + "' (the file shrank while read?)", ex);
                    }
                    if (!Buffers.nativeLittleEndian()) {
                        Buffers.swapBytes(t.segment(), e.dtype().byteSize());
                    }
                    if (e.dtype() == DType.BOOL) {
                        Buffers.normaliseBooleans(t.segment());
                    }
                }
            } catch (IOException | RuntimeException | Error ex) {
                out.values().forEach(Tensor::close);
                throw ex;
            }
            return out;
        }
    }

    /**
     * Reads the {@value #METADATA_KEY} strings of a safetensors file without reading its data; the whole
     * header is validated as by {@link #read(Path)}.
     *
     * @param file the file
     * @return the metadata in header order (unmodifiable; empty when the file has none)
     * @throws FileFormatException if the file is not a valid safetensors file of dtypes Proxima has
     * @throws IOException         if it cannot be read
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file.toString(), Limits.defaults()).metadata();
        }
    }

    private static Header readHeader(FileChannel ch, String name, Limits limits) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new FileFormatException(name, "a safetensors file starts with an 8-byte header length; this file has " + size + " bytes");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, 0, lengthBytes, name);
        long n = lengthBytes.getLong(0); // unsigned: a value >= 2^63 reads as negative
        if (n < 0 || n > limits.maxHeaderBytes()) {
            throw new FileFormatException(name, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + limits.maxHeaderBytes() + " bytes");
        }
        if (n > size - 8) {
            throw new FileFormatException(name, "header length " + n + " exceeds the " + (size - 8) + " bytes after the length field");
        }
        if (n < 2) {
            throw new FileFormatException(name, "header length " + n + " is too short for a JSON object");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(ch, 8, headerBytes, name);
        headerBytes.flip();
        String json;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes);
            json = chars.toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(name, "the header is not valid UTF-8", e);
        }
        if (json.charAt(0) != '{') {
            throw new FileFormatException(name, "the header must start with '{', found U+" + String.format("%04X", (int) json.charAt(0)));
        }
        // the reference writer pads with spaces; the JSON reader allows trailing whitespace of any kind
        Object root = Json.parse(json, name, limits.maxDepth());
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) root; // starts with '{', so an object
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> kv : top.entrySet()) {
            if (kv.getKey().equals(METADATA_KEY)) {
                metadata = metadata(name, kv.getValue());
            } else {
                entries.add(entry(name, kv.getKey(), kv.getValue()));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin() != expected) {
                throw new FileFormatException(name, "the data of '" + shorten(e.name()) + "' begins at " + e.begin() + ", expected "
                        + expected + (e.begin() < expected ? " (it overlaps the tensor before it)" : " (a gap before it)"));
            }
            expected = e.end();
        }
        long dataStart = 8 + n;
        if (expected != size - dataStart) {
            throw new FileFormatException(name, "the tensors' data ends at " + expected + " but the file has " + (size - dataStart)
                    + " data bytes after the header" + (expected > size - dataStart ? " (truncated file?)" : " (unexpected trailing bytes)"));
        }
        return new Header(entries, metadata, dataStart);
    }

    private static Map<String, String> metadata(String name, Object value) throws FileFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new FileFormatException(name, METADATA_KEY + " must be an object of strings, found " + kind(value));
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : map.entrySet()) {
            if (!(kv.getValue() instanceof String s)) {
                throw new FileFormatException(name, METADATA_KEY + " value of \"" + shorten((String) kv.getKey()) + "\" must be a string, found "
                        + kind(kv.getValue()));
            }
            out.put((String) kv.getKey(), s);
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String name, String tensor, Object value) throws FileFormatException {
        String what = "tensor '" + shorten(tensor) + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw new FileFormatException(name, what + ": expected an object with dtype, shape and data_offsets, found " + kind(value));
        }
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new FileFormatException(name, what + ": unknown key \"" + shorten((String) key) + "\" (expected dtype, shape, data_offsets)");
            }
        }
        if (!(info.get("dtype") instanceof String code)) {
            throw new FileFormatException(name, what + ": dtype must be a string, found " + kind(info.get("dtype")));
        }
        DType dtype = dtypeOf(code);
        if (dtype == null) {
            throw new FileFormatException(name, what + ": dtype \"" + shorten(code) + "\" is "
                    + (KNOWN_UNSUPPORTED.contains(code) ? "not supported by Proxima" : "unknown")
                    + " (supported: F64, F32, F16, BF16, I64, I32, I8, U8, BOOL)");
        }
        long[] shape = naturals(name, what + ": shape", info.get("shape"), -1);
        long[] offsets = naturals(name, what + ": data_offsets", info.get("data_offsets"), 2);
        if (offsets[1] < offsets[0]) {
            throw new FileFormatException(name, what + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long elements = 1;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            long bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
            if (bytes != offsets[1] - offsets[0]) {
                throw new FileFormatException(name, what + ": " + code + Arrays.toString(shape) + " needs " + bytes
                        + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0]));
            }
        } catch (ArithmeticException e) {
            throw new FileFormatException(name, what + ": the size of " + code + Arrays.toString(shape) + " overflows 64 bits");
        }
        return new Entry(tensor, dtype, shape, offsets[0], offsets[1]);
    }

    private static final List<String> KNOWN_UNSUPPORTED = List.of("I16", "U16", "U32", "U64", "F8_E4M3", "F8_E5M2");

    /** A JSON array of non-negative integers ({@code length} of them, or any number when negative). */
    private static long[] naturals(String name, String what, Object value, int length) throws FileFormatException {
        if (!(value instanceof List<?> list)) {
            throw new FileFormatException(name, what + " must be an array of non-negative integers, found " + kind(value));
        }
        if (length >= 0 && list.size() != length) {
            throw new FileFormatException(name, what + " must have " + length + " entries, found " + list.size());
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long l) || l < 0) {
                throw new FileFormatException(name, what + " entry " + i + " must be a non-negative integer below 2^63, found " + shorten(String.valueOf(v)));
            }
            out[i] = l;
        }
        return out;
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "nothing";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Long l -> "a number";
            case BigDecimal b -> "a number";
            case Boolean b -> "a boolean";
            default -> "null";
        };
    }

    private static DType dtypeOf(String code) {
        return switch (code) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I64" -> DType.I64;
            case "I32" -> DType.I32;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            case "BOOL" -> DType.BOOL;
            default -> null;
        };
    }

    private static String code(DType t) {
        return switch (t) {
            case F64 -> "F64";
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I64 -> "I64";
            case I32 -> "I32";
            case I8 -> "I8";
            case U8 -> "U8";
            case BOOL -> "BOOL";
        };
    }

    /** The reference writer's order of dtypes: increasing alignment (its enum order); it writes descending. */
    private static int alignmentRank(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case U8 -> 1;
            case I8 -> 2;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
        };
    }

    private static void readFully(FileChannel ch, long position, ByteBuffer dst, String name) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, position + dst.position()) < 0) {
                throw new FileFormatException(name, "the file ends inside its header");
            }
        }
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // =================================================================== writing

    /**
     * Writes tensors as a safetensors file without metadata (replacing an existing file).
     *
     * @param file    the file
     * @param tensors the tensors by name; any device and layout (copied to dense host memory as needed)
     * @throws IllegalArgumentException if a name is empty or {@value #METADATA_KEY}, or a tensor is closed
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes tensors and string metadata as a safetensors file (replacing an existing file), in the layout
     * the reference implementation writes (see the class description).
     *
     * @param file     the file
     * @param tensors  the tensors by name; any device and layout (copied to dense host memory as needed)
     * @param metadata the {@value #METADATA_KEY} strings; none is written when empty
     * @throws IllegalArgumentException if a name is empty or {@value #METADATA_KEY}, or a tensor is closed
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : order) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor name must be non-empty and not \"" + METADATA_KEY + "\", got '" + e.getKey() + "'");
            }
            if (e.getValue() == null || e.getValue().isClosed()) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is " + (e.getValue() == null ? "null" : "closed"));
            }
        }
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (m.getKey() == null || m.getValue() == null) {
                throw new IllegalArgumentException("metadata keys and values must not be null, got " + m.getKey() + "=" + m.getValue());
            }
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -alignmentRank(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey));
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(sb, METADATA_KEY).append(":{");
            boolean first = true;
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                Json.writeString(sb, m.getKey()).append(':');
                Json.writeString(sb, m.getValue());
            }
            sb.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long bytes = Math.multiplyExact(t.size(), (long) t.dtype().byteSize());
            if (sb.length() > 1) {
                sb.append(',');
            }
            Json.writeString(sb, e.getKey()).append(":{\"dtype\":\"").append(code(t.dtype())).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                sb.append(i == 0 ? "" : ",").append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8;
        ByteBuffer head = ByteBuffer.allocate(8 + json.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (head.hasRemaining()) {
                ch.write(head);
            }
            for (Map.Entry<String, Tensor> e : order) {
                writeData(ch, e.getValue());
            }
        }
    }

    private static void writeData(FileChannel ch, Tensor t) throws IOException {
        if (t.size() == 0) {
            return;
        }
        if (!Buffers.nativeLittleEndian()) {
            throw new UnsupportedOperationException("writing safetensors on a big-endian host is not supported");
        }
        Tensor dense = t.device().equals(Device.CPU) && t.isContiguous() ? null
                : t.device().equals(Device.CPU) ? t.contiguous() : t.to(Device.CPU);
        try {
            Tensor src = dense == null ? t : dense;
            long bytes = t.size() * t.dtype().byteSize();
            MemorySegment data = src.segment();
            Buffers.write(ch, data.asSlice(0, bytes));
        } finally {
            if (dense != null) {
                dense.close();
            }
        }
    }
}
