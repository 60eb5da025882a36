package dev.proxima.io.arrow;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.arrow.internal.ArenaAllocationManager;
import dev.proxima.io.internal.Buffers;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.MissingJvmFlagException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.spi.HostStorages;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensors in Apache Arrow IPC files and streams, as columns of the canonical extension type
 * {@code arrow.fixed_shape_tensor} ({@link FixedShapeTensorType}).
 *
 * <ul>
 *   <li>{@link #writeBatch}/{@link #readBatch}: a tensor {@code [N, d1, …, dk]} is one column of
 *       {@code N} rows, each a {@code [d1, …, dk]} tensor.</li>
 *   <li>{@link #writeState}/{@link #readState}: named tensors (a model state) are one record batch of
 *       one row, one column per tensor.</li>
 * </ul>
 * Element types: F32, F64, F16 (Arrow float16), I8, I32, I64, U8 (Arrow uint8), BOOL (Arrow bool,
 * bit-packed: always copied). {@code BF16} has no Arrow type and is rejected; cast it to F32.
 *
 * <h2>Zero copy</h2>
 * Writing: a contiguous tensor's memory is handed to Arrow's writer as the column's value buffer
 * (a reference, no copy); others are copied once into a contiguous buffer. Reading copies the values
 * once into new tensors: Arrow 19's readers leak the message body when a record batch is malformed,
 * so reading uses a private allocator over an arena that is closed after the read (freeing whatever
 * Arrow left behind), and buffers cannot move from it into Proxima's allocator. A column with a
 * {@code permutation} is read as a permuted view.
 *
 * <h2>Safety</h2>
 * Before Arrow reads a stream, every message's announced metadata and body lengths are checked against
 * the bytes that follow in the file (Arrow would allocate the metadata on the heap at the announced
 * length); before it reads a file's record batches, every block the footer lists is checked to lie
 * inside the file. Arrow's buffers come from that private allocator, limited to twice the file size
 * (at least 1 MiB), so a hostile header cannot make Arrow allocate more. Row counts, value counts and
 * the sizes of the validity, value and bit buffers are checked before they are read; nulls are
 * rejected; types are checked against the schema. Any problem, including a schema nested too deeply
 * for Arrow's recursive parser, raises {@link FileFormatException} naming the file.
 */
public final class ArrowTensors {

    /** Arrow IPC container formats. */
    public enum Format {
        /** The random-access file format ({@code ARROW1} magic, footer). */
        FILE,
        /** The streaming format (a sequence of messages). */
        STREAM
    }

    static {
        FixedShapeTensorType.register();
    }

    private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    private ArrowTensors() {
    }

    // =================================================================== writing

    /**
     * Writes a tensor {@code [N, d1, …, dk]} as one {@code arrow.fixed_shape_tensor} column of {@code N}
     * rows (shape {@code [d1, …, dk]}) in one record batch.
     *
     * @param file   where to write; an existing file is replaced
     * @param column the column name
     * @param batch  the host tensor {@code [N, d1, …, dk]}; row i is {@code batch[i]}
     * @param format file or stream format
     * @throws IllegalArgumentException if the tensor has rank 0, is BF16, or a row has 2^31 or more elements
     * @throws IOException              if the file cannot be written
     */
    public static void writeBatch(Path file, String column, Tensor batch, Format format) throws IOException {
        if (batch.rank() == 0) {
            throw new IllegalArgumentException("a batch needs a leading dimension; got a scalar");
        }
        long[] s = batch.shape();
        write(file, format, List.of(column), List.of(batch), Arrays.copyOfRange(s, 1, s.length), s[0]);
    }

    /**
     * Writes named tensors as one record batch of one row: column {@code name} holds the tensor as a
     * one-row {@code arrow.fixed_shape_tensor} column with the tensor's shape.
     *
     * @param file   where to write; an existing file is replaced
     * @param state  the host tensors by column name, in column order
     * @param format file or stream format
     * @throws IllegalArgumentException for a BF16 tensor, or one with 2^31 or more elements
     * @throws IOException              if the file cannot be written
     */
    public static void writeState(Path file, Map<String, Tensor> state, Format format) throws IOException {
        write(file, format, List.copyOf(state.keySet()), List.copyOf(state.values()), null, 1);
    }

    /** Writes columns; rowShape null means each tensor is one row of its own shape. */
    private static void write(Path file, Format format, List<String> names, List<Tensor> tensors, long[] rowShape, long rows)
            throws IOException {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an Arrow record batch holds at most 2^31 - 1 rows, got " + rows);
        }
        BufferAllocator alloc = Memory.allocator();
        List<Field> fields = new ArrayList<>();
        List<ArrowFieldNode> nodes = new ArrayList<>();
        List<ArrowBuf> buffers = new ArrayList<>();
        List<ArrowBuf> owned = new ArrayList<>();
        try {
            for (int c = 0; c < names.size(); c++) {
                Tensor t = tensors.get(c);
                long[] shape = rowShape != null ? rowShape : t.shape();
                FixedShapeTensorType type = new FixedShapeTensorType(shape, null, null);
                Field child = new Field("item", FieldType.notNullable(arrowType(t.dtype())), null);
                fields.add(new Field(names.get(c), FieldType.notNullable(type), List.of(child)));
                long n = Math.multiplyExact(rows, (long) type.listSize());
                nodes.add(new ArrowFieldNode(rows, 0));
                nodes.add(new ArrowFieldNode(n, 0));
                buffers.add(alloc.getEmpty());
                buffers.add(alloc.getEmpty());
                ArrowBuf data = valueBuffer(t, n, owned);
                buffers.add(data);
            }
            ArrowRecordBatch batch = new ArrowRecordBatch((int) rows, nodes, buffers);
            try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), alloc)) {
                try (batch) {
                    new VectorLoader(root).load(batch);
                }
                owned.forEach(ArrowBuf::close);
                owned.clear();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                     ArrowWriter w = format == Format.FILE ? new ArrowFileWriter(root, null, ch) : new ArrowStreamWriter(root, null, ch)) {
                    w.start();
                    w.writeBatch();
                    w.end();
                }
            }
        } catch (RuntimeException e) {
            throw MissingJvmFlagException.diagnose(e).orElseThrow(() -> e);
        } finally {
            owned.forEach(ArrowBuf::close);
        }
    }

    /** The values of {@code t} as an Arrow buffer: its own memory when contiguous, else a copy (added to owned). */
    private static ArrowBuf valueBuffer(Tensor t, long n, List<ArrowBuf> owned) {
        DType d = t.dtype();
        if (d == DType.BOOL) {
            ArrowBuf bits = Memory.allocator().buffer((n + 7) / 8);
            owned.add(bits);
            bits.setZero(0, bits.capacity());
            try (Tensor c = Buffers.hostContiguous(t)) {
                MemorySegment src = c.segment();
                MemorySegment dst = MemorySegment.ofAddress(bits.memoryAddress()).reinterpret(bits.capacity());
                for (long i = 0; i < n; i++) {
                    if (src.get(ValueLayout.JAVA_BYTE, i) != 0) {
                        long byteIndex = i >>> 3;
                        dst.set(ValueLayout.JAVA_BYTE, byteIndex, (byte) (dst.get(ValueLayout.JAVA_BYTE, byteIndex) | (1 << (i & 7))));
                    }
                }
            }
            return bits;
        }
        long bytes = n * d.byteSize();
        ArrowBuf own = HostStorages.arrowBuffer(t.view().storage()).orElse(null);
        if (own != null && t.isContiguous()) {
            // zero copy: a slice of the tensor's own buffer (the record batch takes its reference)
            return own.slice(t.view().offset() * d.byteSize(), bytes);
        }
        ArrowBuf copy = Memory.allocator().buffer(bytes);
        owned.add(copy);
        try (Tensor c = Buffers.hostContiguous(t)) {
            MemorySegment.copy(c.segment(), 0, MemorySegment.ofAddress(copy.memoryAddress()).reinterpret(bytes), 0, bytes);
        }
        return copy;
    }

    private static ArrowType arrowType(DType t) {
        return switch (t) {
            case F32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case F64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case F16 -> new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case I8 -> new ArrowType.Int(8, true);
            case I32 -> new ArrowType.Int(32, true);
            case I64 -> new ArrowType.Int(64, true);
            case U8 -> new ArrowType.Int(8, false);
            case BOOL -> ArrowType.Bool.INSTANCE;
            case BF16 -> throw new IllegalArgumentException("BF16 has no Arrow type; cast to F32 (exact) before writing Arrow IPC");
        };
    }

    private static DType dtypeOf(ArrowType a, String where) throws FileFormatException {
        if (a instanceof ArrowType.FloatingPoint fp) {
            return switch (fp.getPrecision()) {
                case HALF -> DType.F16;
                case SINGLE -> DType.F32;
                case DOUBLE -> DType.F64;
            };
        }
        if (a instanceof ArrowType.Int i) {
            if (i.getIsSigned()) {
                switch (i.getBitWidth()) {
                    case 8: return DType.I8;
                    case 32: return DType.I32;
                    case 64: return DType.I64;
                    default: break;
                }
            } else if (i.getBitWidth() == 8) {
                return DType.U8;
            }
        }
        if (a instanceof ArrowType.Bool) {
            return DType.BOOL;
        }
        throw new FileFormatException(where, "tensor value type " + a + " has no Proxima dtype");
    }

    // =================================================================== reading

    /**
     * Reads column {@code column} ({@code arrow.fixed_shape_tensor}) of every record batch as one tensor
     * {@code [rows, logical shape…]}; the format (file or stream) is detected.
     *
     * @param file   the Arrow IPC file or stream
     * @param column the name of the tensor column
     * @return a new host tensor {@code [rows, logical shape…]} with the rows of all batches in order
     * @throws FileFormatException if the file is not Arrow IPC, lacks the column, or the column is not a
     *                             null-free fixed-shape tensor column of a supported type
     * @throws IOException         if it cannot be read
     */
    public static Tensor readBatch(Path file, String column) throws IOException {
        List<Tensor> parts = new ArrayList<>();
        read(file, (root, where) -> {
            List<Field> fields = root.getSchema().getFields();
            int index = -1;
            for (int i = 0; i < fields.size() && index < 0; i++) {
                if (fields.get(i).getName().equals(column)) {
                    index = i;
                }
            }
            if (index < 0) {
                throw new FileFormatException(where, "no column '" + column + "' (columns: "
                        + fields.stream().map(Field::getName).toList() + ")");
            }
            parts.add(column(root, index, true, where + " column '" + column + "'"));
        }, parts);
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        if (parts.isEmpty()) {
            throw new FileFormatException(file.toString(), "no record batches");
        }
        try {
            return Tensor.concat(0, parts.toArray(Tensor[]::new));
        } finally {
            parts.forEach(Tensor::close);
        }
    }

    /**
     * Reads named tensors written by {@link #writeState}: one record batch of one row, each column an
     * {@code arrow.fixed_shape_tensor}. Keys are in column order.
     *
     * @param file the Arrow IPC file or stream
     * @return a new insertion-ordered map from column name to a new host tensor of the column's shape
     * @throws FileFormatException if the file is not Arrow IPC of that form
     * @throws IOException         if it cannot be read
     */
    public static Map<String, Tensor> readState(Path file) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Tensor> all = new ArrayList<>();
        int[] batches = {0};
        read(file, (root, where) -> {
            if (++batches[0] > 1) {
                throw new FileFormatException(where, "a state file holds one record batch");
            }
            if (root.getRowCount() != 1) {
                throw new FileFormatException(where, "a state record batch holds one row, got " + root.getRowCount());
            }
            List<Field> fields = root.getSchema().getFields();
            for (int i = 0; i < fields.size(); i++) {
                String name = fields.get(i).getName();
                if (out.containsKey(name)) {
                    throw new FileFormatException(where, "duplicate column '" + name + "'");
                }
                Tensor t = column(root, i, false, where + " column '" + name + "'");
                all.add(t);
                out.put(name, t);
            }
        }, all);
        if (batches[0] == 0) {
            throw new FileFormatException(file.toString(), "no record batches");
        }
        return out;
    }

    /** A private root allocator over an arena, for one read; closing tolerates Arrow's own leaks. */
    private static final class ReadAllocator implements AutoCloseable {
        final RootAllocator root;

        ReadAllocator(Arena arena, long limit) {
            root = new RootAllocator(RootAllocator.configBuilder()
                    .allocationManagerFactory(ArenaAllocationManager.factory(arena)).roundingPolicy(s -> s)
                    .maxAllocation(limit).build());
        }

        @Override
        public void close() {
            try {
                root.close();
            } catch (IllegalStateException leakedByArrow) {
                // Arrow's reader did not release a buffer on a failure path; the arena frees it
            }
        }
    }

    private interface BatchConsumer {
        void accept(VectorSchemaRoot root, String where) throws IOException;
    }

    /** Runs {@code consumer} on each record batch; on failure closes {@code results} and wraps Arrow's errors. */
    private static void read(Path file, BatchConsumer consumer, List<Tensor> results) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long limit = Math.max(1L << 20, Math.min(Long.MAX_VALUE / 4, size) * 2);
            ByteBuffer magic = ByteBuffer.allocate(6);
            ch.read(magic, 0);
            boolean fileFormat = Arrays.equals(magic.array(), FILE_MAGIC);
            if (!fileFormat) {
                checkStreamFraming(ch, size, name);
            }
            try (Arena arena = Arena.ofShared(); ReadAllocator alloc = new ReadAllocator(arena, limit)) {
                try (ArrowReader r = fileFormat ? new ArrowFileReader(ch, alloc.root)
                        : new ArrowStreamReader(Channels.newInputStream(ch.position(0)), alloc.root)) {
                    if (r instanceof ArrowFileReader f) {
                        checkBlocks(f.getDictionaryBlocks(), "dictionary", size, name);
                        checkBlocks(f.getRecordBlocks(), "record batch", size, name);
                    }
                    int b = 0;
                    while (r.loadNextBatch()) {
                        consumer.accept(r.getVectorSchemaRoot(), name + " batch " + b++);
                    }
                }
            }
        } catch (FileFormatException e) {
            results.forEach(Tensor::close);
            throw e;
        } catch (IOException | RuntimeException e) {
            results.forEach(Tensor::close);
            MissingJvmFlagException.diagnose(e).ifPresent(missing -> {
                throw missing; // the file is fine: the JVM lacks a flag (native access, java.nio opened to Arrow)
            });
            if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                throw (IOException) e;
            }
            throw new FileFormatException(name, "invalid Arrow IPC data: " + e, e);
        } catch (StackOverflowError e) {
            // Arrow parses a schema's nested fields recursively; flatbuffer offsets are signed in Java, so
            // a hostile schema can nest without end (a field that is its own child)
            results.forEach(Tensor::close);
            throw new FileFormatException(name, "invalid Arrow IPC data: the schema nests too deeply (or is cyclic)", e);
        }
    }

    /**
     * Checks the framing of an IPC stream before Arrow reads it. Arrow allocates each message's
     * metadata on the heap at the length the stream announces, so every announced metadata and body
     * length is checked against the bytes that follow it in the file. The messages are walked as Arrow
     * reads them: an optional continuation marker {@code 0xFFFFFFFF}, an int32 metadata length (0 ends
     * the stream), the {@code Message} flatbuffer, whose {@code bodyLength} gives the body that follows.
     */
    private static void checkStreamFraming(FileChannel ch, long size, String name) throws IOException {
        long pos = 0;
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (size - pos >= 4) {
            long at = pos;
            int len = readInt(ch, pos, word);
            pos += 4;
            if (len == -1) {
                if (size - pos < 4) {
                    throw new FileFormatException(name, "IPC message at byte " + at + ": continuation marker without a length");
                }
                len = readInt(ch, pos, word);
                pos += 4;
            }
            if (len == 0) {
                return; // end-of-stream marker
            }
            if (len < 0 || len > size - pos) {
                throw new FileFormatException(name, "IPC message at byte " + at + " announces " + Integer.toUnsignedString(len)
                        + " metadata bytes but only " + (size - pos) + " follow");
            }
            ByteBuffer meta = ByteBuffer.allocate(len);
            while (meta.hasRemaining()) {
                if (ch.read(meta, pos + meta.position()) < 0) {
                    throw new FileFormatException(name, "IPC message at byte " + at + ": file ends in its metadata");
                }
            }
            meta.flip();
            long body;
            try {
                body = org.apache.arrow.flatbuf.Message.getRootAsMessage(meta).bodyLength();
            } catch (RuntimeException e) {
                throw new FileFormatException(name, "IPC message at byte " + at + " has corrupt metadata: " + e, e);
            }
            pos += len;
            if (body < 0 || body > size - pos) {
                throw new FileFormatException(name, "IPC message at byte " + at + " announces a body of " + body
                        + " bytes but only " + (size - pos) + " follow");
            }
            pos += body;
        }
    }

    private static int readInt(FileChannel ch, long pos, ByteBuffer word) throws IOException {
        word.clear();
        while (word.hasRemaining()) {
            if (ch.read(word, pos + word.position()) < 0) {
                throw new java.io.EOFException("file ends at byte " + (pos + word.position()));
            }
        }
        return word.getInt(0);
    }

    /** Checks that the blocks a file footer lists lie inside the file, before Arrow allocates and reads them. */
    private static void checkBlocks(List<org.apache.arrow.vector.ipc.message.ArrowBlock> blocks, String what, long size, String name)
            throws FileFormatException {
        for (int i = 0; i < blocks.size(); i++) {
            var b = blocks.get(i);
            long offset = b.getOffset();
            long meta = b.getMetadataLength();
            long body = b.getBodyLength();
            if (offset < 0 || meta < 8 || body < 0 || offset > size || meta > size - offset || body > size - offset - meta) {
                throw new FileFormatException(name, what + " block " + i + " (offset " + offset + ", metadata " + meta
                        + " bytes, body " + body + " bytes) does not lie inside the file of " + size + " bytes");
            }
        }
    }

    /**
     * The tensor(s) of column {@code index}, a fixed-shape tensor column: [rows, shape…] if batched, else
     * the single row's shape. Every count and buffer size that the record batch announces is checked
     * before a buffer is read.
     */
    private static Tensor column(VectorSchemaRoot root, int index, boolean batched, String where) throws IOException {
        // an extension vector reports its storage's field; the schema has the extension type
        ArrowType declared = root.getSchema().getFields().get(index).getType();
        FieldVector v = root.getVector(index);
        if (!(declared instanceof FixedShapeTensorType type) || !(v instanceof FixedShapeTensorType.Vector ext)) {
            throw new FileFormatException(where, "not an arrow.fixed_shape_tensor column: " + declared);
        }
        int rows = root.getRowCount();
        FixedSizeListVector list = ext.getUnderlyingVector();
        FieldVector values = (FieldVector) list.getDataVector();
        DType dtype = dtypeOf(values.getField().getType(), where);
        long n = (long) rows * type.listSize();
        if (rows < 0 || list.getValueCount() != rows) {
            throw new FileFormatException(where, "the record batch has " + rows + " rows but the column " + list.getValueCount());
        }
        if (values.getValueCount() < n) {
            throw new FileFormatException(where, "holds " + values.getValueCount() + " values, " + n + " needed");
        }
        // Arrow 19's loader grows short buffers when it sets the row count; these checks keep the reads below
        // in bounds whatever the loader does
        requireBits(list.getValidityBuffer(), rows, "validity", where);
        requireBits(values.getValidityBuffer(), values.getValueCount(), "value validity", where);
        if (list.getNullCount() != 0 || values.getNullCount() != 0) {
            throw new FileFormatException(where, "null tensors or elements are not supported");
        }
        if (dtype == DType.BOOL) {
            requireBits(values.getDataBuffer(), n, "value", where);
        }
        long[] phys = type.shape();
        long[] shape = phys;
        if (batched) {
            shape = new long[phys.length + 1];
            shape[0] = rows;
            System.arraycopy(phys, 0, shape, 1, phys.length);
        }
        Tensor t = dtype == DType.BOOL ? unpackBits((BitVector) values, n, shape) : values(values.getDataBuffer(), dtype, n, shape, where);
        int[] perm = type.permutation();
        if (perm == null) {
            return t;
        }
        int off = batched ? 1 : 0;
        int[] axes = new int[perm.length + off];
        for (int i = 0; i < perm.length; i++) {
            axes[i + off] = perm[i] + off;
        }
        try (t) {
            return t.permute(axes);
        }
    }

    /** Checks that a bitmap buffer holds at least {@code bits} bits. */
    private static void requireBits(ArrowBuf buf, long bits, String what, String where) throws FileFormatException {
        if (buf.capacity() < (bits + 7) / 8) {
            throw new FileFormatException(where, what + " bitmap of " + buf.capacity() + " bytes is shorter than the "
                    + (bits + 7) / 8 + " that " + bits + " entries need");
        }
    }

    private static Tensor values(ArrowBuf data, DType dtype, long n, long[] shape, String where) throws IOException {
        long bytes = n * dtype.byteSize();
        if (data.capacity() < bytes) {
            throw new FileFormatException(where, "value buffer of " + data.capacity() + " bytes is shorter than " + bytes);
        }
        Tensor t = Buffers.allocate(dtype, shape);
        MemorySegment.copy(MemorySegment.ofAddress(data.memoryAddress()).reinterpret(bytes), 0, t.segment(), 0, bytes);
        return t;
    }

    private static Tensor unpackBits(BitVector bits, long n, long[] shape) {
        Tensor t = Buffers.allocate(DType.BOOL, shape);
        MemorySegment dst = t.segment();
        ArrowBuf src = bits.getDataBuffer();
        for (long i = 0; i < n; i++) {
            dst.set(ValueLayout.JAVA_BYTE, i, (byte) BitVectorHelper.get(src, (int) i));
        }
        return t;
    }
}
