package dev.proxima.io;

import dev.proxima.io.testing.Patterns;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
class SafetensorsTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/safetensors");
    /** Files for the manual NumPy check: {@code python3 src/test/interop/safetensors_fixtures.py verify target/interop/safetensors}. */
    static final Path INTEROP = Path.of("target/interop/safetensors");

    /** The tensors of {@code model.safetensors}, as {@code safetensors_fixtures.py} lists them. */
    private static final Object[][] MODEL = {
            {"encoder.weight", DType.F32, new long[]{2, 3, 4}},
            {"encoder.bias", DType.F32, new long[]{4}},
            {"empty", DType.F32, new long[]{0, 3}},
            {"head.weight", DType.F64, new long[]{3, 2}},
            {"scalar", DType.F64, new long[]{}},
            {"half", DType.F16, new long[]{2, 3}},
            {"brain", DType.BF16, new long[]{4}},
            {"positions", DType.I64, new long[]{6}},
            {"counts", DType.I32, new long[]{2, 2}},
            {"small", DType.I8, new long[]{5}},
            {"pixels", DType.U8, new long[]{3, 3}},
            {"mask", DType.BOOL, new long[]{2, 2}},
    };

    // =================================================================== interop with the Python script

    @Test
    void readsTheFileWrittenByTheScriptWithEveryDtypeScalarAndEmptyTensor() throws IOException {
        Path file = FIXTURES.resolve("model.safetensors");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> m = Safetensors.read(file);
            assertEquals(MODEL.length, m.size());
            // data order: descending alignment (I64, F64, F32, I32, BF16, F16, U8/I8/BOOL), then name
            assertEquals(List.of("positions", "head.weight", "scalar", "empty", "encoder.bias", "encoder.weight", "counts",
                    "brain", "half", "small", "pixels", "mask"), List.copyOf(m.keySet()));
            for (Object[] row : MODEL) {
                Patterns.check((String) row[0], m.get((String) row[0]), (DType) row[1], (long[]) row[2]);
                assertTrue(m.get((String) row[0]).isContiguous());
            }
            assertEquals(-3.0, m.get("scalar").item());
            assertEquals(Map.of("format", "pt", "source", "safetensors_fixtures.py"), Safetensors.readMetadata(file));
        }
    }

    @Test
    void writesTheBytesTheReferenceLayoutGives(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("model.safetensors");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Object[] row : MODEL) { // in the script's order, not the file's: the writer sorts
                tensors.put((String) row[0], Patterns.tensor((DType) row[1], (long[]) row[2]));
            }
            Safetensors.write(out, tensors, Map.of("source", "safetensors_fixtures.py", "format", "pt"));
        }
        assertArrayEquals(Files.readAllBytes(FIXTURES.resolve("model.safetensors")), Files.readAllBytes(out));
        Files.createDirectories(INTEROP);
        Files.copy(out, INTEROP.resolve("proxima-model.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void readsAnIndentedHeaderInAnyKeyOrderWithEscapedNames() throws IOException {
        Path file = FIXTURES.resolve("pretty.safetensors");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> m = Safetensors.read(file);
            assertEquals(List.of("z.first", "gewicht.\u00e4\u4e2d", "quote\"back\\slash"), List.copyOf(m.keySet()));
            Patterns.check("z.first", m.get("z.first"), DType.I32, 3);
            Patterns.check("gewicht", m.get("gewicht.\u00e4\u4e2d"), DType.F16, 2, 2);
            Patterns.check("quote", m.get("quote\"back\\slash"), DType.F64, 2);
            assertEquals(Map.of("w\u00e4hrung", "\u20ac"), Safetensors.readMetadata(file));
        }
    }

    @Test
    void writesNonContiguousTensorsAsTheirRowMajorValues(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.safetensors");
        try (Scope scope = Scope.open()) {
            Tensor a = Patterns.tensor(DType.F32, 3, 2).transpose(0, 1); // 2 x 3, strided
            Safetensors.write(file, Map.of("a\nb", a));
            Tensor back = Safetensors.read(file).get("a\nb");
            assertArrayEquals(new long[]{2, 3}, back.shape());
            assertArrayEquals(a.contiguous().toFloatArray(), back.toFloatArray());
        }
        // the control character is escaped in the header, as serde_json writes it
        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a\\nb\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
    }

    // =================================================================== the reference implementation's test vectors

    /** The F32 values 0, 1, …, 5, little-endian. */
    private static byte[] zeroToFive() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i);
        }
        return b.array();
    }

    private static byte[] file(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    /** {@code test_serialization} of safetensors/src/tensor.rs: "attn.0", F32 [1, 2, 3]; a 64-byte header needs no padding. */
    @Test
    void referenceVectorAttn0(@TempDir Path dir) throws IOException {
        byte[] expected = file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", zeroToFive());
        assertEquals(64, expected[0]);
        assertWritesAndReads(dir, expected, "attn.0", 1, 2, 3);
    }

    /** {@code test_serialization_forced_alignement}: "attn0", F32 [1, 1, 2, 3]; the header is padded with 7 spaces to 72 bytes. */
    @Test
    void referenceVectorForcedAlignment(@TempDir Path dir) throws IOException {
        byte[] expected = file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", zeroToFive());
        assertEquals(72, expected[0]);
        assertWritesAndReads(dir, expected, "attn0", 1, 1, 2, 3);
    }

    private static void assertWritesAndReads(Path dir, byte[] expected, String name, long... shape) throws IOException {
        Path out = dir.resolve(name + ".safetensors");
        try (Scope scope = Scope.open()) {
            Safetensors.write(out, Map.of(name, Tensor.arange(6).cast(DType.F32).reshape(shape)));
            assertArrayEquals(expected, Files.readAllBytes(out));
            Tensor t = Safetensors.read(out).get(name);
            assertArrayEquals(shape, t.shape());
            assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, t.toFloatArray());
        }
    }

    /** {@code test_empty}: no tensors gives {@code {}} and 6 spaces; with metadata framework=pt, 40 header bytes. */
    @Test
    void referenceVectorsEmpty(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("e.safetensors");
        Safetensors.write(out, Map.of());
        assertArrayEquals(file("{}      ", new byte[0]), Files.readAllBytes(out));
        assertEquals(Map.of(), Safetensors.read(out));
        Safetensors.write(out, Map.of(), Map.of("framework", "pt"));
        assertArrayEquals(file("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]), Files.readAllBytes(out));
        assertEquals(Map.of("framework", "pt"), Safetensors.readMetadata(out));
    }

    /** The example of the reference's {@code SafeTensors::deserialize} documentation: I32 [2, 2], a 60-byte header, 16 zero bytes. */
    @Test
    void referenceDocumentationExample(@TempDir Path dir) throws IOException {
        byte[] bytes = file("{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", new byte[16]);
        assertEquals('<', bytes[0]);
        Path f = dir.resolve("doc.safetensors");
        Files.write(f, bytes);
        try (Scope scope = Scope.open()) {
            Tensor t = Safetensors.read(f).get("test");
            assertEquals(DType.I32, t.dtype());
            assertArrayEquals(new int[4], t.toIntArray());
        }
    }

    // =================================================================== hostile files

    private static String reject(Path dir, byte[] bytes) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertThrows(FileFormatException.class, () -> Safetensors.readMetadata(f));
        return e.getMessage();
    }

    private static String rejectHeader(Path dir, String json, int dataBytes) throws IOException {
        return reject(dir, file(json, new byte[dataBytes]));
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        }
    }

    @Test
    void rejectsHeaderLengthsTheFileCannotHold(@TempDir Path dir) throws IOException {
        assertMentions(reject(dir, new byte[5]), "8-byte header length", "5 bytes");
        byte[] huge = new byte[12];
        java.util.Arrays.fill(huge, 0, 8, (byte) 0xFF);
        assertMentions(reject(dir, huge), "18446744073709551615", "exceeds the limit");
        byte[] longer = file("{}", new byte[0]);
        longer[0] = 3;
        assertMentions(reject(dir, longer), "header length 3 exceeds the 2 bytes");
        byte[] limit = file("{}", new byte[0]);
        ByteBuffer.wrap(limit).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
        assertMentions(reject(dir, limit), "100000001", "limit of 100000000");
    }

    @Test
    void rejectsHeadersThatAreNotOneUtf8JsonObject(@TempDir Path dir) throws IOException {
        assertMentions(reject(dir, file("{\"\u00e4\":1}", new byte[0])), "expected an object");
        byte[] notUtf8 = file("{\"ab\":{}}", new byte[0]);
        notUtf8[10] = (byte) 0xC3; // a lead byte followed by an ASCII byte
        assertMentions(reject(dir, notUtf8), "not valid UTF-8");
        assertMentions(rejectHeader(dir, " {}", 0), "must start with '{'");
        assertMentions(rejectHeader(dir, "[]", 0), "must start with '{'");
        assertMentions(rejectHeader(dir, "{} x", 0), "unexpected 'x' after the JSON value");
        assertMentions(rejectHeader(dir, "{\"a\":01}", 0), "leading zero");
        assertMentions(rejectHeader(dir, "{\"a\":1e99999999999}", 0), "number out of range");
        assertMentions(rejectHeader(dir, "{\"a\":\"\\q\"}", 0), "invalid escape");
        assertMentions(rejectHeader(dir, "{\"a\":\"\\ud800\"}", 0), "unpaired surrogate");
        assertMentions(rejectHeader(dir, "{\"a\":\"x\ny\"}", 0), "control character");
        assertMentions(rejectHeader(dir, "{\"a\":tru}", 0), "unexpected 't'");
        assertMentions(rejectHeader(dir, "{\"a\":[1,2}", 0), "expected ',' or ']'");
        assertMentions(rejectHeader(dir, "{\"a\"", 0), "expected ':'");
        String deep = "{\"a\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}";
        assertMentions(rejectHeader(dir, deep, 0), "nested deeper than 16 levels");
    }

    @Test
    void rejectsDuplicateNames(@TempDir Path dir) throws IOException {
        String t = "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}";
        assertMentions(rejectHeader(dir, "{\"w\":" + t + ",\"w\":" + t + "}", 1), "duplicate key \"w\"");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "duplicate key \"dtype\"");
    }

    @Test
    void rejectsMalformedTensorEntries(@TempDir Path dir) throws IOException {
        assertMentions(rejectHeader(dir, "{\"w\":[]}", 0), "tensor 'w'", "expected an object");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}", 1), "unknown key \"x\"");
        assertMentions(rejectHeader(dir, "{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "dtype must be a string, found nothing");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"F7\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "dtype \"F7\" is unknown");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2),
                "dtype \"U16\" is not supported by Proxima", "supported: F64");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", 1),
                "shape entry 0 must be a non-negative integer", "-1");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}", 1), "shape entry 0");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", 1), "data_offsets must have 2 entries");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,18446744073709551616]}}", 1),
                "data_offsets entry 1");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,0]}}", 1), "end before they begin");
        assertMentions(rejectHeader(dir, "{\"__metadata__\":{\"a\":1}}", 0), "__metadata__ value of \"a\" must be a string, found a number");
        assertMentions(rejectHeader(dir, "{\"__metadata__\":[]}", 0), "__metadata__ must be an object");
    }

    @Test
    void rejectsSizesThatDisagreeWithTheDtypeAndShape(@TempDir Path dir) throws IOException {
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
                "F32[2, 3] needs 24 bytes but data_offsets [0, 20] span 20");
        assertMentions(rejectHeader(dir, "{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0),
                "overflows 64 bits");
    }

    @Test
    void rejectsOffsetsThatOverlapLeaveGapsOrMissTheEndOfTheFile(@TempDir Path dir) throws IOException {
        String a = "\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        assertMentions(rejectHeader(dir, "{" + a + ",\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "'b' begins at 4, expected 8", "overlaps");
        assertMentions(rejectHeader(dir, "{" + a + ",\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16),
                "'b' begins at 12, expected 8", "gap");
        assertMentions(rejectHeader(dir, "{\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "begins at 4, expected 0");
        assertMentions(rejectHeader(dir, "{" + a + "}", 7), "ends at 8 but the file has 7", "truncated");
        assertMentions(rejectHeader(dir, "{" + a + "}", 9), "ends at 8 but the file has 9", "trailing");
    }

    @Test
    void limitsAreConfigurableAndChecked(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("nested.safetensors");
        Files.write(f, file("{\"__metadata__\":{}, \"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[]{7}));
        try (Scope scope = Scope.open()) {
            assertEquals(7L, Safetensors.read(f, new Safetensors.Limits(1000, 3)).get("w").toLongArray()[0]);
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Safetensors.read(f, new Safetensors.Limits(16, 3)));
        assertMentions(e.getMessage(), "exceeds the limit of 16 bytes");
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.Limits(1, 3));
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.Limits(100, 2));
    }

    @Test
    void writerRejectsReservedAndEmptyNamesBeforeWriting(@TempDir Path dir) {
        Path f = dir.resolve("w.safetensors");
        try (Scope scope = Scope.open()) {
            Tensor t = Tensor.of(1f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Safetensors.write(f, Map.of("__metadata__", t)));
            assertMentions(e.getMessage(), "__metadata__");
            assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("", t)));
            Tensor closed = Tensor.of(2f);
            closed.close();
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("c", closed))).getMessage(),
                    "'c' is closed");
        }
        assertTrue(Files.notExists(f));
    }

    @Test
    void bf16AndF16KeepTheirBitsThroughAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("half.safetensors");
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(1.0f, -2.5f, 65504f, 1.0f / 1024);
            Safetensors.write(f, Map.of("h", x.cast(DType.F16), "b", x.cast(DType.BF16)));
            Map<String, Tensor> m = Safetensors.read(f);
            assertArrayEquals(x.cast(DType.F16).cast(DType.F32).toFloatArray(), m.get("h").cast(DType.F32).toFloatArray());
            assertArrayEquals(x.cast(DType.BF16).cast(DType.F32).toFloatArray(), m.get("b").cast(DType.F32).toFloatArray());
        }
        // F16 1.0 is 0x3C00, BF16 1.0 is 0x3F80, both little-endian; BF16 sorts first (higher in the reference's enum)
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int data = (int) (8 + n);
        assertEquals(0x80, all[data] & 0xFF);
        assertEquals(0x3F, all[data + 1] & 0xFF);
        assertEquals(0x00, all[data + 8] & 0xFF);
        assertEquals(0x3C, all[data + 9] & 0xFF);
    }
}
