package dev.proxima.io.arrow;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.testing.Patterns;

import dev.proxima.io.arrow.ArrowTensors.Format;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ArrowTensorsTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/arrow");
    /** Files for the manual Arrow JS check: {@code node src/test/interop/arrow_fixtures.js verify target/interop/arrow}. */
    static final Path INTEROP = Path.of("target/interop/arrow");

    @Test
    void readsTheArrowJsFixture() throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor t = ArrowTensors.readBatch(FIXTURES.resolve("fixed_shape_tensor.arrow"), "t");
            Patterns.check("t", t, DType.F32, 4, 2, 3);
            Tensor p = ArrowTensors.readBatch(FIXTURES.resolve("fixed_shape_tensor.arrow"), "p");
            assertArrayEquals(new long[]{4, 3, 2}, p.shape(), "permutation [1, 0] gives the logical shape");
            Tensor expected = Patterns.tensor(DType.I32, 4, 2, 3).permute(0, 2, 1);
            assertTrue(p.allClose(expected, 0, 0));
        }
    }

    @Test
    void readsTheArrowJsStateAndTwoBatchFixtures() throws IOException {
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> state = ArrowTensors.readState(FIXTURES.resolve("state.arrows"));
            assertEquals(List.of("w", "m", "n", "u", "i"), List.copyOf(state.keySet()));
            Patterns.check("w", state.get("w"), DType.F64, 3, 2);
            Patterns.check("m", state.get("m"), DType.BOOL, 5);
            Patterns.check("n", state.get("n"), DType.I64);
            Patterns.check("u", state.get("u"), DType.U8, 4);
            Patterns.check("i", state.get("i"), DType.I8, 2, 2);
            for (String f : List.of("two_batches.arrows", "two_batches.arrow")) {
                Patterns.check(f, ArrowTensors.readBatch(FIXTURES.resolve(f), "t"), DType.F32, 5, 2);
            }
        }
    }

    @Test
    void roundTripsBatchesOfEveryTypeInBothFormats(@TempDir Path tmp) throws IOException {
        for (DType d : DType.values()) {
            if (d == DType.BF16) {
                continue;
            }
            for (Format f : Format.values()) {
                try (Scope scope = Scope.open()) {
                    Tensor t = Patterns.tensor(d, 5, 2, 3);
                    Path p = tmp.resolve(d + "-" + f);
                    ArrowTensors.writeBatch(p, "x", t, f);
                    Tensor back = ArrowTensors.readBatch(p, "x");
                    Patterns.check(d + " " + f, back, d, 5, 2, 3);
                }
            }
        }
    }

    @Test
    void writesNonContiguousTensorsByCopy(@TempDir Path tmp) throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor t = Patterns.tensor(DType.F64, 3, 4).transpose();
            Path p = tmp.resolve("t.arrow");
            ArrowTensors.writeBatch(p, "x", t, Format.FILE);
            assertTrue(ArrowTensors.readBatch(p, "x").allClose(t, 0, 0));
        }
    }

    @Test
    void readCopiesIntoAccountedMemoryAndFreesArrowBuffers(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("big.arrow");
        try (Tensor t = Patterns.tensor(DType.F32, 64, 1024)) {
            ArrowTensors.writeBatch(p, "x", t, Format.FILE);
        }
        long before = Memory.allocatedBytes();
        Tensor back = ArrowTensors.readBatch(p, "x");
        assertEquals(64 * 1024 * 4, Memory.allocatedBytes() - before, "only the tensor stays allocated");
        Tensor row = back.select(0, 5);
        back.close();
        assertEquals(Patterns.value(DType.F32, 5 * 1024 + 9), row.getDouble(9));
        row.close();
        assertEquals(before, Memory.allocatedBytes());
    }

    @Test
    void roundTripsNamedStateAndWritesInteropFiles() throws IOException {
        Files.createDirectories(INTEROP);
        try (Scope scope = Scope.open()) {
            ArrowTensors.writeBatch(INTEROP.resolve("batch.arrow"), "t", Patterns.tensor(DType.F32, 5, 2, 3), Format.FILE);
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("w", Patterns.tensor(DType.F32, 3, 4));
            state.put("b", Patterns.tensor(DType.F64, 4));
            state.put("n", Tensor.scalar(-5, DType.I64));
            state.put("mask", Patterns.tensor(DType.BOOL, 2, 5));
            Path p = INTEROP.resolve("state.arrows");
            ArrowTensors.writeState(p, state, Format.STREAM);
            Map<String, Tensor> back = ArrowTensors.readState(p);
            assertEquals(List.copyOf(state.keySet()), List.copyOf(back.keySet()));
            for (String k : state.keySet()) {
                assertArrayEquals(state.get(k).shape(), back.get(k).shape(), k);
                assertEquals(state.get(k).dtype(), back.get(k).dtype(), k);
                assertTrue(back.get(k).allClose(state.get(k), 0, 0), k);
            }
        }
    }

    @Test
    void rejectsBf16MissingColumnsAndNonArrowFiles(@TempDir Path tmp) throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor b = Tensor.zeros(DType.BF16, 2, 2);
            assertThrows(IllegalArgumentException.class, () -> ArrowTensors.writeBatch(tmp.resolve("b"), "x", b, Format.FILE));
        }
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> ArrowTensors.readBatch(FIXTURES.resolve("fixed_shape_tensor.arrow"), "nope"));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        Path junk = tmp.resolve("junk.arrow");
        Files.writeString(junk, "this is not an Arrow file at all");
        e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(junk, "x"));
        assertTrue(e.getMessage().startsWith(junk.toString()), e.getMessage());
    }

    /** Reliability issue, item 6: an 8-byte stream announcing a 2 GiB message made Arrow allocate it on the heap. */
    @Test
    void rejectsStreamMessagesLongerThanTheFileBeforeArrowAllocatesThem(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("huge-message.arrows");
        Files.write(p, new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F});
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(p, "t"));
        assertEquals(p + ": IPC message at byte 0 announces 2147483632 metadata bytes but only 0 follow", e.getMessage());
        e = assertThrows(FileFormatException.class, () -> ArrowTensors.readState(p));
        assertTrue(e.getMessage().contains("announces 2147483632 metadata bytes"), e.getMessage());
        // without the continuation marker (the pre-1.0 framing) and with a negative length
        Files.write(p, new byte[]{(byte) 0xF0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4});
        e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(p, "t"));
        assertEquals(p + ": IPC message at byte 0 announces 4294967280 metadata bytes but only 4 follow", e.getMessage());
    }

    @Test
    void rejectsAStreamCutInsideARecordBatchBody(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("cut.arrows");
        try (Scope scope = Scope.open()) {
            ArrowTensors.writeBatch(p, "t", Patterns.tensor(DType.F64, 4, 64), Format.STREAM);
        }
        byte[] whole = Files.readAllBytes(p);
        // the stream ends with the 8-byte end-of-stream marker after the record batch's body: validity bitmaps
        // of 4 rows and 256 values (1 and 32 bytes, each padded to 8) and 256 doubles; cut 100 bytes of it
        Files.write(p, java.util.Arrays.copyOf(whole, whole.length - 8 - 100));
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(p, "t"));
        assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(p.toString())
                + ": IPC message at byte \\d+ announces a body of 2088 bytes but only 1988 follow"), e.getMessage());
    }

    /**
     * Arrow parses a schema's nested fields recursively: a schema nested deeply enough (or, with Java's
     * signed flatbuffer offsets, a field that is its own child) overflows the stack. The reader reports a
     * FileFormatException instead of letting the StackOverflowError escape.
     */
    @Test
    void rejectsASchemaNestedTooDeeplyForArrowsParser(@TempDir Path tmp) throws Exception {
        Path p = tmp.resolve("deep.arrows");
        Runnable write = () -> {
            org.apache.arrow.vector.types.pojo.Field f = new org.apache.arrow.vector.types.pojo.Field("leaf",
                    org.apache.arrow.vector.types.pojo.FieldType.notNullable(new org.apache.arrow.vector.types.pojo.ArrowType.Int(32, true)), null);
            for (int depth = 0; depth < 100_000; depth++) {
                f = new org.apache.arrow.vector.types.pojo.Field("l", org.apache.arrow.vector.types.pojo.FieldType.notNullable(
                        org.apache.arrow.vector.types.pojo.ArrowType.List.INSTANCE), List.of(f));
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                org.apache.arrow.vector.ipc.WriteChannel out = new org.apache.arrow.vector.ipc.WriteChannel(ch);
                org.apache.arrow.vector.ipc.message.MessageSerializer.serialize(out,
                        new org.apache.arrow.vector.types.pojo.Schema(List.of(f)));
                out.writeIntLittleEndian(0xFFFFFFFF);
                out.writeIntLittleEndian(0); // end of stream
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Thread writer = new Thread(null, write, "deep-schema-writer", 1L << 30); // Arrow's writer recurses too
        writer.start();
        writer.join();
        assertTrue(Files.size(p) > 1_000_000, "a schema of 100000 nested lists");
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readState(p));
        assertEquals(p + ": invalid Arrow IPC data: the schema nests too deeply (or is cyclic)", e.getMessage());
    }

    /** Reliability issue, item 12: the element count of a shape overflowed silently (listSize() was 2). */
    @Test
    void fixedShapeTensorTypeChecksTheElementCountForOverflow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FixedShapeTensorType(new long[]{2147483649L, 8589934593L, 2}, null, null));
        assertTrue(e.getMessage().contains("overflows"), e.getMessage());
        // 2^32 * 2^31 = 2^63 wraps to Long.MIN_VALUE without an exact check
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(new long[]{1L << 32, 1L << 31}, null, null));
        e = assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(new long[]{46341, 46341}, null, null));
        assertTrue(e.getMessage().contains("2147488281 elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(new long[]{1L << 40, 1L << 40, 0}, null, null));
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(new long[]{3, -1}, null, null));
        assertEquals(Integer.MAX_VALUE, new FixedShapeTensorType(new long[]{Integer.MAX_VALUE, 1}, null, null).listSize());
        assertEquals(0, new FixedShapeTensorType(new long[]{1L << 40, 0}, null, null).listSize());
        assertEquals(24, new FixedShapeTensorType(new long[]{2, 3, 4}, null, null).listSize());
        assertEquals(1, new FixedShapeTensorType(new long[0], null, null).listSize());
    }
}
