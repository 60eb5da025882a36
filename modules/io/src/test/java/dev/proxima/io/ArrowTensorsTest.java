package dev.proxima.io;

import dev.proxima.io.ArrowTensors.Format;
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

    @Test
    void fuzzArrowIpc(@TempDir Path tmp) throws IOException {
        Path s = tmp.resolve("s.arrows");
        Path f = tmp.resolve("f.arrow");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("w", Patterns.tensor(DType.F32, 3, 4));
            state.put("m", Patterns.tensor(DType.BOOL, 5));
            ArrowTensors.writeState(s, state, Format.STREAM);
            ArrowTensors.writeBatch(f, "t", Patterns.tensor(DType.I64, 3, 2), Format.FILE);
        }
        byte[][] valid = {
                Files.readAllBytes(FIXTURES.resolve("fixed_shape_tensor.arrow")),
                Files.readAllBytes(s),
                Files.readAllBytes(f),
        };
        Fuzz.run(tmp, 1234, 1200, file -> {
            try {
                ArrowTensors.readState(file).values().forEach(Tensor::close);
            } catch (FileFormatException e) {
                ArrowTensors.readBatch(file, "t").close();
            }
        }, valid);
    }
}
