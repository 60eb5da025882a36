package dev.proxima.io.arrow;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.arrow.ArrowTensors.Format;
import dev.proxima.io.testing.Patterns;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Columns and batches the writer never makes but other Arrow writers do: several record batches, duplicate column
 * names, null tensors, and the writer's own edges (contiguous slices with an offset, a failure after a copy).
 */
@ExtendWith(NoLeaks.class)
class ArrowColumnsEdgeTest {

    /** A fixed-shape [2] I32 column of {@code rows} rows holding {@code first, first + 1, …}; row {@code nullRow} null (or -1). */
    private static FieldVector column(BufferAllocator alloc, String name, int rows, int first, int nullRow) {
        FixedShapeTensorType type = new FixedShapeTensorType(new long[] {2}, null, null);
        FixedShapeTensorType.Vector v = (FixedShapeTensorType.Vector) type.getNewVector(name, FieldType.nullable(type), alloc);
        FixedSizeListVector list = v.getUnderlyingVector();
        list.addOrGetVector(FieldType.notNullable(new ArrowType.Int(32, true)));
        list.allocateNew();
        IntVector values = (IntVector) list.getDataVector();
        values.allocateNew(2 * rows);
        for (int i = 0; i < 2 * rows; i++) {
            values.set(i, first + i);
        }
        values.setValueCount(2 * rows);
        for (int r = 0; r < rows; r++) {
            if (r == nullRow) {
                list.setNull(r);
            } else {
                list.setNotNull(r);
            }
        }
        list.setValueCount(rows);
        v.setValueCount(rows);
        return v;
    }

    /** Writes a stream of the given batches, each a list of columns (same names and types in every batch). */
    private static void writeStream(Path file, List<List<FieldVector>> batches) throws IOException {
        List<Field> fields = batches.getFirst().stream().map(FieldVector::getField).toList();
        try (OutputStream out = Files.newOutputStream(file);
             VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(fields), batches.getFirst().getFirst().getAllocator());
             ArrowStreamWriter w = new ArrowStreamWriter(root, null, out)) {
            w.start();
            for (List<FieldVector> batch : batches) {
                int rows = batch.getFirst().getValueCount();
                for (int c = 0; c < batch.size(); c++) {
                    batch.get(c).makeTransferPair(root.getVector(c)).transfer();
                }
                root.setRowCount(rows);
                w.writeBatch();
            }
            w.end();
        } finally {
            batches.forEach(b -> b.forEach(FieldVector::close));
        }
    }

    @Test
    void batchesOfAStreamAreConcatenatedAndAStateFileHasOnlyOne(@TempDir Path tmp) throws IOException {
        FixedShapeTensorType.register();
        Path p = tmp.resolve("two.arrows");
        try (BufferAllocator alloc = new RootAllocator()) {
            writeStream(p, List.of(List.of(column(alloc, "t", 1, 0, -1)), List.of(column(alloc, "t", 2, 100, -1))));
        }
        try (Tensor t = ArrowTensors.readBatch(p, "t")) {
            assertArrayEquals(new long[] {3, 2}, t.shape());
            assertArrayEquals(new double[] {0, 1, 100, 101, 102, 103}, t.toDoubleArray());
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readState(p));
        assertEquals(p + " batch 1: a state file holds one record batch", e.getMessage());
    }

    @Test
    void theFirstOfTwoColumnsWithOneNameIsReadAndAStateRefusesThem(@TempDir Path tmp) throws IOException {
        FixedShapeTensorType.register();
        Path p = tmp.resolve("dup.arrows");
        try (BufferAllocator alloc = new RootAllocator()) {
            writeStream(p, List.of(List.of(column(alloc, "t", 1, 0, -1), column(alloc, "t", 1, 50, -1))));
        }
        try (Tensor t = ArrowTensors.readBatch(p, "t")) {
            assertArrayEquals(new double[] {0, 1}, t.toDoubleArray());
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readState(p));
        assertEquals(p + " batch 0: duplicate column 't'", e.getMessage());
    }

    @Test
    void nullTensorsAreRefusedAndNothingIsLeftAllocated(@TempDir Path tmp) throws IOException {
        FixedShapeTensorType.register();
        Path p = tmp.resolve("null.arrows");
        try (BufferAllocator alloc = new RootAllocator()) {
            writeStream(p, List.of(List.of(column(alloc, "a", 1, 0, -1), column(alloc, "b", 1, 0, 0))));
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readState(p));
        assertEquals(p + " batch 0 column 'b': null tensors or elements are not supported", e.getMessage());
        e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(p, "b"));
        assertTrue(e.getMessage().endsWith("null tensors or elements are not supported"), e.getMessage());
        try (Tensor a = ArrowTensors.readBatch(p, "a")) {
            assertArrayEquals(new double[] {0, 1}, a.toDoubleArray());
        }
    }

    @Test
    void aContiguousSliceIsWrittenFromItsOffset(@TempDir Path tmp) throws IOException {
        for (Format f : Format.values()) {
            try (Scope s = Scope.open()) {
                Tensor whole = Patterns.tensor(DType.F32, 6, 5);
                Tensor rows = whole.slice(0, 2, 5, 1); // rows 2..4: contiguous, offset 10 elements
                assertTrue(rows.isContiguous());
                Path p = tmp.resolve("slice-" + f);
                ArrowTensors.writeBatch(p, "x", rows, f);
                Tensor back = ArrowTensors.readBatch(p, "x");
                assertArrayEquals(rows.toDoubleArray(), back.toDoubleArray());
                Tensor flags = Patterns.tensor(DType.BOOL, 4, 9).slice(0, 1, 4, 1);
                ArrowTensors.writeBatch(p, "m", flags, f);
                assertArrayEquals(flags.toDoubleArray(), ArrowTensors.readBatch(p, "m").toDoubleArray());
            }
        }
    }

    @Test
    void aFailureAfterACopyFreesTheCopy(@TempDir Path tmp) {
        try (Scope s = Scope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("copied", Patterns.tensor(DType.F64, 3, 4).transpose()); // not contiguous: copied first
            state.put("bad", Tensor.zeros(DType.BF16, 2));
            assertThrows(IllegalArgumentException.class, () -> ArrowTensors.writeState(tmp.resolve("s.arrow"), state, Format.FILE));
        }
    }

    @Test
    void filesLargerThanTheReadAllocatorsFloorAreRead(@TempDir Path tmp) throws IOException {
        // the read allocator's limit is twice the file size (at least 1 MiB): a 4 MiB column needs the factor
        Path p = tmp.resolve("big.arrow");
        try (Scope s = Scope.open()) {
            Tensor t = Patterns.tensor(DType.F64, 8, 65536);
            ArrowTensors.writeBatch(p, "x", t, Format.FILE);
            Tensor back = ArrowTensors.readBatch(p, "x");
            assertTrue(back.allClose(t, 0, 0));
            ArrowTensors.writeBatch(p, "x", t, Format.STREAM);
            assertTrue(ArrowTensors.readBatch(p, "x").allClose(t, 0, 0));
        }
    }
}
