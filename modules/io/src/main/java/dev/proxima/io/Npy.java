package dev.proxima.io;

import dev.proxima.io.internal.Buffers;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.MissingJvmFlagException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.HostStorages;
import dev.proxima.tensor.spi.Storage;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} (one array) and {@code .npz} (a zip archive of {@code .npy} files) formats.
 *
 * <h2>Types</h2>
 * <table>
 *   <caption>NumPy type codes</caption>
 *   <tr><th>Proxima</th><th>written as</th><th>also read</th></tr>
 *   <tr><td>F32</td><td>{@code <f4}</td><td>{@code >f4 =f4}</td></tr>
 *   <tr><td>F64</td><td>{@code <f8}</td><td>{@code >f8 =f8}</td></tr>
 *   <tr><td>I32</td><td>{@code <i4}</td><td>{@code >i4 =i4}</td></tr>
 *   <tr><td>I64</td><td>{@code <i8}</td><td>{@code >i8 =i8}</td></tr>
 *   <tr><td>I8</td><td>{@code |i1}</td><td>{@code <i1 >i1 =i1}</td></tr>
 *   <tr><td>U8</td><td>{@code |u1}</td><td>{@code <u1 >u1 =u1}</td></tr>
 *   <tr><td>BOOL</td><td>{@code |b1}</td><td>{@code <b1 >b1 =b1} (nonzero bytes read as 1)</td></tr>
 *   <tr><td>F16</td><td>{@code <f2}</td><td>{@code >f2 =f2}</td></tr>
 * </table>
 * {@code BF16} has no NumPy type code; writing it throws {@link IllegalArgumentException} (cast to
 * {@code F32} first, which is exact). Big-endian files are converted to the native order on read.
 *
 * <h2>Layout</h2>
 * Files in Fortran order ({@code fortran_order: True}) are read as a transposed view whose strides are
 * column-major, sharing the memory read from the file (call {@link Tensor#contiguous()} for a
 * row-major copy). A tensor whose transpose is contiguous is written in Fortran order without a copy;
 * other non-contiguous tensors are written in C order from a contiguous copy.
 * Headers of format versions 1.0, 2.0 and 3.0 are read; version 1.0 is written unless the header
 * exceeds 65,535 bytes (then 2.0). Headers are padded so the data starts at a multiple of 64 bytes.
 *
 * <h2>Safety</h2>
 * The header is limited to 1 MiB, every key and value is validated, the data size is computed with
 * overflow checks and compared with the file length before any memory is allocated, and a file must
 * end right after its data. Streams and {@code .npz} entries are bounded by what they can hold (the
 * stated length; an entry's compressed bytes, which lie in the archive, times deflate's largest
 * expansion) and memory for their data is allocated as it arrives, so sizes that an archive's
 * directory or a header claims cost nothing until the data is there. Violations raise
 * {@link FileFormatException}.
 * Tensors that are returned register with the current {@link dev.proxima.tensor.Scope}, or belong to
 * the caller.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 20;
    private static final int ALIGN = 64;
    /** Deflate cannot expand data by more than about 1032:1; used to bound entries before inflating. */
    private static final long MAX_DEFLATE_RATIO = 1100;
    /** What a stream read allocates before data arrives (unless more is known to be present). */
    private static final long FIRST_ALLOCATION = 1 << 20;
    private static final int STREAM_CHUNK = 1 << 16;

    private Npy() {
    }

    /** What a {@code .npy} header says. */
    private record Header(DType dtype, boolean bigEndian, boolean fortran, long[] shape, long dataOffset, long dataBytes) {
    }

    // =================================================================== .npy reading

    /**
     * Reads a {@code .npy} file into a new tensor in Proxima's (Arrow-accounted) memory.
     *
     * @param file the {@code .npy} file
     * @return a new host tensor of the stored dtype and shape (a transposed view for Fortran order)
     * @throws FileFormatException if the file is not a valid {@code .npy} file of a supported type
     * @throws IOException         if it cannot be read
     */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            String name = file.toString();
            long size = ch.size();
            Header h = readHeader(new ChannelSource(ch), name, size);
            requireExactLength(name, h, size);
            Tensor flat = Buffers.allocate(h.dtype, storageShape(h));
            try {
                Buffers.read(ch, h.dataOffset, flat.segment());
            } catch (EOFException e) {
                flat.close();
                throw new FileFormatException(name, "truncated data: " + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                flat.close();
                throw e;
            }
            return finish(flat, h);
        }
    }

    /**
     * Reads a {@code .npy} file by memory-mapping it: the tensor's memory is a read-only mapping of the
     * file, unmapped when the tensor and all its views are closed; it is not counted by
     * {@link dev.proxima.tensor.Memory}. Tensor operations only read their inputs, so this is invisible
     * except to code that writes into {@link Tensor#segment()} (which fails). The file must not be
     * truncated while mapped. Files that cannot be used in place — big-endian data, data not
     * starting at a multiple of 64 bytes, or no elements — are read as by {@link #read(Path)}.
     * Fortran-order files give a transposed view, as with {@code read}.
     *
     * @param file the {@code .npy} file
     * @return a new host tensor of the stored dtype and shape over the mapped file
     * @throws FileFormatException if the file is not a valid {@code .npy} file of a supported type
     * @throws IOException         if it cannot be read or mapped
     */
    public static Tensor map(Path file) throws IOException {
        Header h;
        long size;
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            h = readHeader(new ChannelSource(ch), name, size);
            requireExactLength(name, h, size);
            boolean inPlace = h.dataBytes > 0 && h.dataOffset % ALIGN == 0
                    && (h.bigEndian == !Buffers.nativeLittleEndian() || h.dtype.byteSize() == 1)
                    && h.dtype != DType.BOOL;
            if (inPlace) {
                Arena arena = Arena.ofShared();
                Storage storage;
                try {
                    MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                    // the mapping is unmapped when the last tensor over it is closed
                    storage = HostStorages.external(all.asSlice(h.dataOffset, h.dataBytes), arena::close);
                } catch (IOException | RuntimeException e) {
                    arena.close();
                    throw e;
                }
                return finish(Buffers.wrap(storage, h.dtype, storageShape(h)), h);
            }
        }
        return read(file);
    }

    /**
     * Reads one {@code .npy} image from a stream (for example an archive entry), which must end right
     * after the data. The stream's length is not known in advance, so the tensor's memory is allocated
     * as the data arrives (1 MiB first, then doubling, up to what the header announces): a header that
     * announces more than the stream holds fails with a {@link FileFormatException} having allocated at
     * most about twice what arrived.
     *
     * @param in        the bytes of a {@code .npy} file; not closed
     * @param name      names the source in error messages
     * @param maxLength an upper bound on the stream's length (the file size, or what an archive entry can
     *                  hold); the data size announced by the header must not exceed it
     * @return the array, as {@link #read(Path)} gives it
     * @throws FileFormatException if the bytes are not a valid {@code .npy} file of a supported type
     * @throws IOException         if the stream fails
     */
    public static Tensor read(InputStream in, String name, long maxLength) throws IOException {
        return read(in, name, maxLength, 0);
    }

    /**
     * {@link #read(InputStream, String, long)}, where {@code presentBytes} bytes of the stream are known to
     * exist (they lie in a file): that much memory is allocated at once, more only as the data arrives.
     */
    private static Tensor read(InputStream in, String name, long maxLength, long presentBytes) throws IOException {
        Header h = readHeader(new StreamSource(in), name, maxLength);
        if (h.dataBytes > maxLength - h.dataOffset) {
            throw new FileFormatException(name, "header announces " + h.dataBytes + " data bytes but at most "
                    + (maxLength - h.dataOffset) + " can follow the header");
        }
        return finish(readData(in, h, name, presentBytes), h);
    }

    /**
     * Reads exactly the data bytes a header announces from a stream that must end right after them, into
     * a new tensor. Memory is allocated as the data arrives: {@code max(1 MiB, presentBytes)} at first
     * (never more than announced), then doubling, so a header that announces more than the stream holds
     * costs at most about twice what the stream holds.
     */
    private static Tensor readData(InputStream in, Header h, String name, long presentBytes) throws IOException {
        long want = h.dataBytes;
        BufferAllocator alloc = Memory.allocator();
        long capacity = Math.min(want, Math.max(FIRST_ALLOCATION, presentBytes));
        ArrowBuf buf = alloc.buffer(capacity);
        try {
            byte[] chunk = new byte[(int) Math.min(STREAM_CHUNK, Math.max(1, want))];
            long have = 0;
            while (have < want) {
                if (have == capacity) {
                    capacity = capacity > want / 2 ? want : 2 * capacity;
                    ArrowBuf bigger = alloc.buffer(capacity);
                    MemorySegment.copy(segment(buf, have), 0, segment(bigger, have), 0, have);
                    buf.close();
                    buf = bigger;
                }
                int len = (int) Math.min(chunk.length, capacity - have);
                int got = in.readNBytes(chunk, 0, len);
                MemorySegment.copy(chunk, 0, segment(buf, capacity), ValueLayout.JAVA_BYTE, have, got);
                have += got;
                if (got < len) {
                    throw new FileFormatException(name, "truncated data: the header announces " + want + " data bytes for "
                            + h.dtype + Arrays.toString(h.shape) + " but the stream ends after " + have);
                }
            }
            if (in.read() != -1) {
                throw new FileFormatException(name, "unexpected bytes after the " + want + " data bytes");
            }
            return Buffers.wrap(HostStorages.share(buf), h.dtype, storageShape(h));
        } finally {
            buf.close(); // the tensor holds its own reference
        }
    }

    private static MemorySegment segment(ArrowBuf buf, long bytes) {
        try {
            return MemorySegment.ofAddress(buf.memoryAddress()).reinterpret(bytes);
        } catch (IllegalCallerException e) { // a JVM that denies this module native access
            throw MissingJvmFlagException.diagnose(e).orElseThrow(() -> e);
        }
    }

    private static void requireExactLength(String name, Header h, long size) throws FileFormatException {
        long expected = h.dataOffset + h.dataBytes;
        if (size < expected) {
            throw new FileFormatException(name, "truncated: the header announces " + h.dataBytes + " data bytes for "
                    + h.dtype + Arrays.toString(h.shape) + " but the file has " + (size - h.dataOffset) + " after the header");
        }
        if (size > expected) {
            throw new FileFormatException(name, (size - expected) + " unexpected bytes after the data of "
                    + h.dtype + Arrays.toString(h.shape));
        }
    }

    /** The shape of the data as stored: the reversed shape for Fortran order. */
    private static long[] storageShape(Header h) {
        if (!h.fortran) {
            return h.shape;
        }
        long[] r = new long[h.shape.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = h.shape[r.length - 1 - i];
        }
        return r;
    }

    /** Byte order and booleans fixed, Fortran order turned into a transposed view. */
    private static Tensor finish(Tensor flat, Header h) {
        try {
            if (h.bigEndian == Buffers.nativeLittleEndian() && h.dtype.byteSize() > 1) {
                Buffers.swapBytes(flat.segment(), h.dtype.byteSize());
            }
            if (h.dtype == DType.BOOL) {
                Buffers.normaliseBooleans(flat.segment());
            }
            if (!h.fortran || h.shape.length < 2) {
                return flat;
            }
            int[] axes = new int[h.shape.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = axes.length - 1 - i;
            }
            Tensor view = flat.permute(axes);
            flat.close();
            return view;
        } catch (RuntimeException e) {
            flat.close();
            throw e;
        }
    }

    // =================================================================== header parsing

    /** Reads the next bytes of a file or stream. */
    private interface Source {
        /** Fills {@code dst} completely or throws EOFException. */
        void readFully(byte[] dst) throws IOException;
    }

    private static final class ChannelSource implements Source {
        private final FileChannel ch;
        private long pos;

        ChannelSource(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public void readFully(byte[] dst) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(dst);
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + bb.position());
                if (r < 0) {
                    throw new EOFException();
                }
            }
            pos += dst.length;
        }
    }

    private record StreamSource(InputStream in) implements Source {
        @Override
        public void readFully(byte[] dst) throws IOException {
            if (in.readNBytes(dst, 0, dst.length) < dst.length) {
                throw new EOFException();
            }
        }
    }

    private static Header readHeader(Source src, String name, long length) throws IOException {
        byte[] pre = new byte[10];
        if (length < 10) {
            throw new FileFormatException(name, "too short for a .npy file (" + length + " bytes)");
        }
        try {
            src.readFully(pre);
        } catch (EOFException e) {
            throw new FileFormatException(name, "too short for a .npy file", e);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre[i] != MAGIC[i]) {
                throw new FileFormatException(name, "not a .npy file (bad magic string)");
            }
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        long headerLen;
        int prefix;
        if (major == 1) {
            headerLen = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
            prefix = 10;
        } else if (major == 2 || major == 3) {
            byte[] more = new byte[2];
            try {
                src.readFully(more);
            } catch (EOFException e) {
                throw new FileFormatException(name, "truncated header length", e);
            }
            headerLen = ByteBuffer.wrap(new byte[]{pre[8], pre[9], more[0], more[1]}).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            prefix = 12;
        } else {
            throw new FileFormatException(name, "unsupported .npy format version " + major + "." + minor);
        }
        if (minor != 0) {
            throw new FileFormatException(name, "unsupported .npy format version " + major + "." + minor);
        }
        if (headerLen > MAX_HEADER) {
            throw new FileFormatException(name, "header of " + headerLen + " bytes is larger than the 1 MiB this reader accepts");
        }
        if (headerLen > length - prefix) {
            throw new FileFormatException(name, "truncated: header of " + headerLen + " bytes but only " + (length - prefix) + " follow");
        }
        byte[] hb = new byte[(int) headerLen];
        try {
            src.readFully(hb);
        } catch (EOFException e) {
            throw new FileFormatException(name, "truncated header", e);
        }
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict = new HeaderParser(text, name).parseDict();
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new FileFormatException(name, "header must have exactly the keys descr, fortran_order and shape, got " + dict.keySet());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new FileFormatException(name, "structured dtypes are not supported (descr " + dict.get("descr") + ")");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new FileFormatException(name, "fortran_order must be True or False, got " + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new FileFormatException(name, "shape must be a tuple of integers, got " + dict.get("shape"));
        }
        if (shape.length > 64) {
            throw new FileFormatException(name, "shape has " + shape.length + " dimensions (at most 64 supported)");
        }
        DType dtype = dtypeOf(descr, name);
        boolean big = descr.charAt(0) == '>' || (descr.charAt(0) == '=' && !Buffers.nativeLittleEndian());
        long n = 1;
        try {
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            long bytes = Math.multiplyExact(n, (long) dtype.byteSize());
            return new Header(dtype, big, fortran, shape, prefix + headerLen, bytes);
        } catch (ArithmeticException e) {
            throw new FileFormatException(name, "shape " + Arrays.toString(shape) + " is too large");
        }
    }

    private static DType dtypeOf(String descr, String name) throws FileFormatException {
        if (descr.length() != 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
            throw new FileFormatException(name, "unsupported dtype descr '" + descr + "'");
        }
        DType t = switch (descr.substring(1)) {
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "i4" -> DType.I32;
            case "i8" -> DType.I64;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            case "f2" -> DType.F16;
            default -> throw new FileFormatException(name, "unsupported dtype descr '" + descr
                    + "' (supported: f2 f4 f8 i1 i4 i8 u1 b1)");
        };
        if (descr.charAt(0) == '|' && t.byteSize() > 1) {
            throw new FileFormatException(name, "dtype descr '" + descr + "' lacks a byte order");
        }
        return t;
    }

    /** A parser for the Python dict literal of a {@code .npy} header: strings, booleans, int tuples. */
    private static final class HeaderParser {
        private final String s;
        private final String name;
        private int i;

        HeaderParser(String s, String name) {
            this.s = s;
            this.name = name;
        }

        Map<String, Object> parseDict() throws FileFormatException {
            Map<String, Object> out = new LinkedHashMap<>();
            skip();
            expect('{');
            while (true) {
                skip();
                if (peek() == '}') {
                    i++;
                    break;
                }
                String key = string();
                skip();
                expect(':');
                skip();
                Object v = value();
                if (out.put(key, v) != null) {
                    throw fail("duplicate key '" + key + "'");
                }
                skip();
                char c = peek();
                if (c == ',') {
                    i++;
                } else if (c != '}') {
                    throw fail("expected ',' or '}' at offset " + i);
                }
            }
            skip();
            if (i != s.length()) {
                throw fail("unexpected text after the header dict at offset " + i);
            }
            return out;
        }

        private Object value() throws FileFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(' || c == '[') {
                return tuple(c == '(' ? ')' : ']');
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            throw fail("unsupported value at offset " + i);
        }

        private long[] tuple(char close) throws FileFormatException {
            i++;
            List<Long> dims = new ArrayList<>();
            while (true) {
                skip();
                if (peek() == close) {
                    i++;
                    break;
                }
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
                    i++;
                }
                if (start == i || i - start > 18) {
                    throw fail("expected a non-negative dimension of at most 18 digits at offset " + start);
                }
                dims.add(Long.parseLong(s.substring(start, i)));
                if (peek() == 'L') {
                    i++;
                }
                skip();
                char c = peek();
                if (c == ',') {
                    i++;
                } else if (c != close) {
                    throw fail("expected ',' or '" + close + "' in the shape at offset " + i);
                }
                if (dims.size() > 64) {
                    throw fail("more than 64 dimensions");
                }
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private String string() throws FileFormatException {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw fail("expected a quoted string at offset " + i);
            }
            int end = s.indexOf(q, i + 1);
            if (end < 0) {
                throw fail("unterminated string at offset " + i);
            }
            String v = s.substring(i + 1, end);
            if (v.indexOf('\\') >= 0) {
                throw fail("escapes in header strings are not supported");
            }
            i = end + 1;
            return v;
        }

        private void skip() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\t' || s.charAt(i) == '\r')) {
                i++;
            }
        }

        private char peek() throws FileFormatException {
            if (i >= s.length()) {
                throw fail("header ends unexpectedly");
            }
            return s.charAt(i);
        }

        private void expect(char c) throws FileFormatException {
            if (peek() != c) {
                throw fail("expected '" + c + "' at offset " + i);
            }
            i++;
        }

        private FileFormatException fail(String problem) {
            return new FileFormatException(name, "malformed header: " + problem);
        }
    }

    // =================================================================== .npy writing

    /**
     * Writes a tensor as a {@code .npy} file (replacing an existing one).
     *
     * @param file   where to write
     * @param tensor the host tensor to write, any dtype but BF16, any layout (written in C order)
     * @throws IllegalArgumentException for {@code BF16} (no NumPy type; cast to F32) or a non-host tensor
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Tensor tensor) throws IOException {
        Prepared p = prepare(tensor);
        try (p; FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer hb = ByteBuffer.wrap(p.header);
            while (hb.hasRemaining()) {
                ch.write(hb);
            }
            Buffers.write(ch, p.data);
        }
    }

    /**
     * Writes a tensor in {@code .npy} format to a stream (not closed).
     *
     * @param out    where to write
     * @param tensor the host tensor to write, any dtype but BF16, any layout (written in C order)
     * @throws IllegalArgumentException for {@code BF16} (no NumPy type; cast to F32) or a non-host tensor
     * @throws IOException              if the stream fails
     */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        try (Prepared p = prepare(tensor)) {
            out.write(p.header);
            Buffers.write(out, p.data);
        }
    }

    /** Header bytes plus the data segment of a tensor (or of a contiguous copy, closed afterwards). */
    private record Prepared(byte[] header, MemorySegment data, Tensor copy) implements AutoCloseable {
        @Override
        public void close() {
            if (copy != null) {
                copy.close();
            }
        }
    }

    private static Prepared prepare(Tensor t) {
        String descr = switch (t.dtype()) {
            case F32 -> "<f4";
            case F64 -> "<f8";
            case I32 -> "<i4";
            case I64 -> "<i8";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            case F16 -> "<f2";
            case BF16 -> throw new IllegalArgumentException("BF16 has no NumPy type code; cast to F32 (exact) before writing .npy");
        };
        if (!Buffers.nativeLittleEndian()) {
            throw new UnsupportedOperationException("writing .npy on a big-endian host is not supported");
        }
        long[] shape = t.shape();
        boolean fortran = false;
        Tensor copy = null;
        MemorySegment data;
        if (!t.device().equals(Device.CPU)) {
            copy = t.to(Device.CPU); // dense, row-major
            data = copy.segment();
        } else if (t.isContiguous()) {
            data = t.segment();
        } else if (shape.length >= 2 && isFortranContiguous(t)) {
            fortran = true;
            data = t.segment();
        } else {
            copy = t.contiguous();
            data = copy.segment();
        }
        // segment() spans element 0 to the last element; for contiguous data that is exactly the payload
        long bytes = t.size() * t.dtype().byteSize();
        data = data.asSlice(0, Math.min(bytes, data.byteSize()));
        return new Prepared(header(descr, fortran, shape), data, copy);
    }

    private static boolean isFortranContiguous(Tensor t) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long expected = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    private static byte[] header(String descr, boolean fortran, long[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': ")
                .append(fortran ? "True" : "False").append(", 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            sb.append(shape[i]);
            if (i < shape.length - 1 || shape.length == 1) {
                sb.append(',');
            }
            if (i < shape.length - 1) {
                sb.append(' ');
            }
        }
        sb.append("), }");
        int base = sb.length() + 1; // + '\n'
        int prefix = 10;
        if (prefix + base > 65535 + 10) {
            prefix = 12;
        }
        int total = prefix + base;
        int pad = (ALIGN - total % ALIGN) % ALIGN;
        sb.append(" ".repeat(pad)).append('\n');
        byte[] text = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer bb = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC);
        if (prefix == 10) {
            bb.put((byte) 1).put((byte) 0).putShort((short) text.length);
        } else {
            bb.put((byte) 2).put((byte) 0).putInt(text.length);
        }
        bb.put(text);
        return bb.array();
    }

    // =================================================================== .npz

    /**
     * Reads every array of an {@code .npz} archive (stored or deflated entries), keyed by entry name
     * without the {@code .npy} suffix, in archive order. If any entry is invalid, the tensors already
     * read are closed and the exception names the archive and the entry.
     *
     * @param file the {@code .npz} archive
     * @return a new insertion-ordered map from entry name to a new host tensor; the caller closes them
     * @throws FileFormatException if the archive or an entry is invalid, or an entry is not a {@code .npy}
     * @throws IOException         if it cannot be read
     */
    public static Map<String, Tensor> readNpz(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long fileSize = Files.size(file);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | java.io.EOFException | IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file.toString(), "not a valid zip archive: " + e, e);
        }
        try (zip) {
            List<? extends ZipEntry> entries = Collections.list((Enumeration<? extends ZipEntry>) zip.entries());
            for (ZipEntry e : entries) {
                if (e.isDirectory()) {
                    continue;
                }
                String entryName = file + "!" + e.getName();
                if (!e.getName().endsWith(".npy")) {
                    throw new FileFormatException(entryName, "entry is not a .npy file");
                }
                String key = e.getName().substring(0, e.getName().length() - 4);
                if (out.containsKey(key)) {
                    throw new FileFormatException(entryName, "duplicate entry");
                }
                // the sizes in the directory are claims: an entry's compressed bytes lie in the file, and
                // deflate expands at most MAX_DEFLATE_RATIO:1; memory beyond the compressed size is only
                // allocated as the inflated data arrives
                long compressed = Math.min(e.getCompressedSize() >= 0 ? e.getCompressedSize() : fileSize, fileSize);
                long bound = Math.min(e.getSize() >= 0 ? e.getSize() : Long.MAX_VALUE,
                        e.getMethod() == ZipEntry.STORED ? compressed : compressed * MAX_DEFLATE_RATIO);
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, read(in, entryName, bound, compressed));
                } catch (FileFormatException ffe) {
                    throw ffe;
                } catch (IOException ioe) {
                    throw new FileFormatException(entryName, "corrupt entry: " + ioe, ioe);
                }
            }
        } catch (IOException | RuntimeException ex) {
            out.values().forEach(Tensor::close);
            if (ex instanceof IOException io) {
                throw io;
            }
            if (ex instanceof MissingJvmFlagException missing) {
                throw missing; // the archive is fine: the JVM lacks a flag
            }
            if (ex instanceof IllegalStateException || ex instanceof IllegalArgumentException) {
                throw new FileFormatException(file.toString(), "invalid archive: " + ex.getMessage(), ex);
            }
            throw (RuntimeException) ex;
        }
        return out;
    }

    /**
     * Writes tensors as an {@code .npz} archive, one {@code <key>.npy} entry each, in map order.
     *
     * @param file    where to write; an existing file is replaced
     * @param tensors the host tensors by key; each becomes the entry {@code <key>.npy}
     * @param compress deflate the entries ({@code numpy.savez_compressed}) or store them ({@code numpy.savez})
     * @throws IllegalArgumentException for a {@code BF16} tensor, or a key that is empty or contains '/'
     * @throws IOException              if the file cannot be written
     */
    public static void writeNpz(Path file, Map<String, Tensor> tensors, boolean compress) throws IOException {
        for (String k : tensors.keySet()) {
            if (k.isEmpty() || k.indexOf('/') >= 0 || k.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("invalid .npz key '" + k + "'");
            }
        }
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            for (Map.Entry<String, Tensor> en : tensors.entrySet()) {
                try (Prepared p = prepare(en.getValue())) {
                    ZipEntry e = new ZipEntry(en.getKey() + ".npy");
                    if (compress) {
                        e.setMethod(ZipEntry.DEFLATED);
                    } else {
                        e.setMethod(ZipEntry.STORED);
                        long size = p.header.length + p.data.byteSize();
                        CRC32 crc = new CRC32();
                        crc.update(p.header);
                        for (long off = 0; off < p.data.byteSize(); off += 1L << 30) {
                            crc.update(p.data.asSlice(off, Math.min(1L << 30, p.data.byteSize() - off)).asByteBuffer());
                        }
                        e.setSize(size);
                        e.setCompressedSize(size);
                        e.setCrc(crc.getValue());
                    }
                    zip.putNextEntry(e);
                    zip.write(p.header);
                    Buffers.write(zip, p.data);
                    zip.closeEntry();
                }
            }
        }
    }
}
