package dev.proxima.io;

import dev.proxima.io.testing.Patterns;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class NpyTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/npy");
    /** Files for the manual NumPy check: {@code python3 src/test/interop/npy_fixtures.py verify target/interop/npy}. */
    static final Path INTEROP = Path.of("target/interop/npy");

    @Test
    void readsNumpyFixturesOfEveryTypeByteOrderAndLayout() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(FIXTURES)) {
            files = s.filter(p -> p.getFileName().toString().matches("[a-z][0-9]_(le|be|na)_[cf]\\.npy")).sorted().toList();
        }
        assertEquals(26, files.size(), "fixtures: " + files);
        for (Path p : files) {
            String name = p.getFileName().toString();
            DType t = Patterns.ofCode(name.substring(0, 2));
            boolean fortran = name.endsWith("_f.npy");
            try (Scope scope = Scope.open()) {
                Tensor read = Npy.read(p);
                Patterns.check(name, read, t, 2, 3, 4);
                assertEquals(!fortran, read.isContiguous(), name + ": Fortran order is a transposed view");
                Tensor mapped = Npy.map(p);
                Patterns.check(name + " (mapped)", mapped, t, 2, 3, 4);
            }
        }
    }

    @Test
    void readsFormatVersionsScalarsEmptyAndVectors() throws IOException {
        try (Scope scope = Scope.open()) {
            for (int v = 1; v <= 3; v++) {
                Patterns.check("v" + v, Npy.read(FIXTURES.resolve("f4_v" + v + ".npy")), DType.F32, 2, 3, 4);
            }
            Tensor s = Npy.read(FIXTURES.resolve("f8_scalar.npy"));
            assertEquals(0, s.rank());
            assertEquals(2.5, s.item());
            Tensor e = Npy.map(FIXTURES.resolve("i4_empty.npy"));
            assertEquals(DType.I32, e.dtype());
            assertEquals(List.of(0L, 3L), List.of(e.shape()[0], e.shape()[1]));
            Patterns.check("vector", Npy.read(FIXTURES.resolve("f4_vector.npy")), DType.F32, 5);
        }
    }

    @Test
    void readsStoredAndDeflatedNpz() throws IOException {
        for (String f : List.of("stored.npz", "deflated.npz")) {
            try (Scope scope = Scope.open()) {
                Map<String, Tensor> m = Npy.readNpz(FIXTURES.resolve(f));
                assertEquals(List.of("x", "idx", "mask"), List.copyOf(m.keySet()), f);
                Patterns.check(f + " x", m.get("x"), DType.F32, 3, 4);
                Patterns.check(f + " idx", m.get("idx"), DType.I64, 6);
                Patterns.check(f + " mask", m.get("mask"), DType.BOOL, 2, 2);
            }
        }
    }

    @Test
    void roundTripsEveryNumpyTypeInBothLayouts(@TempDir Path tmp) throws IOException {
        Files.createDirectories(INTEROP);
        for (DType t : DType.values()) {
            if (t == DType.BF16) {
                continue;
            }
            String code = Patterns.codeOf(t);
            try (Scope scope = Scope.open()) {
                Tensor c = Patterns.tensor(t, 2, 3, 4);
                Path pc = INTEROP.resolve(code + "_c.npy");
                Npy.write(pc, c);
                Patterns.check(code + " C", Npy.read(pc), t, 2, 3, 4);
                // a Fortran-ordered tensor: the transpose of a contiguous one
                Tensor fView = Patterns.tensor(t, 2, 3, 4).permute(2, 1, 0).contiguous().permute(2, 1, 0);
                assertFalse(fView.isContiguous());
                Path pf = INTEROP.resolve(code + "_f.npy");
                Npy.write(pf, fView);
                assertTrue(Files.readString(pf, java.nio.charset.StandardCharsets.ISO_8859_1).contains("'fortran_order': True"));
                Tensor back = Npy.read(pf);
                Patterns.check(code + " F", back, t, 2, 3, 4);
                assertEquals(0, (Files.size(pf) - t.byteSize() * 24) % 64, "data starts on a 64-byte boundary");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(code + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void writesNonContiguousViewsInCOrder(@TempDir Path tmp) throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor t = Patterns.tensor(DType.F64, 4, 6);
            Tensor sliced = t.slice(1, 1, 6, 2); // [4, 3], strides (6, 2)
            Path p = tmp.resolve("s.npy");
            Npy.write(p, sliced);
            Tensor back = Npy.read(p);
            assertTrue(back.isContiguous());
            assertTrue(back.allClose(sliced, 0, 0));
        }
    }

    @Test
    void rejectsBf16OnWrite(@TempDir Path tmp) {
        try (Scope scope = Scope.open()) {
            Tensor b = Tensor.zeros(DType.BF16, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.write(tmp.resolve("b.npy"), b));
            assertTrue(e.getMessage().contains("BF16"));
        }
    }

    @Test
    void writesNpzThatReadsBack(@TempDir Path tmp) throws IOException {
        Files.createDirectories(INTEROP);
        for (boolean compress : new boolean[]{false, true}) {
            try (Scope scope = Scope.open()) {
                Map<String, Tensor> m = new LinkedHashMap<>();
                m.put("f4_a", Patterns.tensor(DType.F32, 3, 5));
                m.put("i8_b", Patterns.tensor(DType.I64, 7));
                m.put("b1_c", Patterns.tensor(DType.BOOL, 2, 2));
                m.put("f2_d", Patterns.tensor(DType.F16, 4, 1));
                Path p = INTEROP.resolve(compress ? "deflated.npz" : "stored.npz");
                Npy.writeNpz(p, m, compress);
                try (ZipFile z = new ZipFile(p.toFile())) {
                    int method = compress ? ZipEntry.DEFLATED : ZipEntry.STORED;
                    z.stream().forEach(e -> assertEquals(method, e.getMethod()));
                }
                Map<String, Tensor> back = Npy.readNpz(p);
                assertEquals(m.keySet(), back.keySet());
                for (String k : m.keySet()) {
                    assertTrue(back.get(k).allClose(m.get(k), 0, 0), k);
                }
            }
        }
    }

    @Test
    void mappedTensorOutlivesNothingButItsViews(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("big.npy");
        try (Tensor t = Patterns.tensor(DType.F32, 256, 1024)) {
            Npy.write(p, t);
        }
        long before = Memory.allocatedBytes();
        Tensor m = Npy.map(p);
        assertEquals(before, Memory.allocatedBytes(), "a mapped file is not allocator memory");
        Tensor row = m.select(0, 3);
        m.close();
        assertEquals(Patterns.value(DType.F32, 3 * 1024 + 7), row.getDouble(7));
        row.close();
        assertThrows(IllegalStateException.class, () -> row.getDouble(0));
    }

    @Test
    void rejectsTruncatedAndTrailingData(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("t.npy");
        Files.copy(FIXTURES.resolve("f8_le_c.npy"), p);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() - 1);
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        assertThrows(FileFormatException.class, () -> Npy.map(p));
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(f.length() + 9);
        }
        e = assertThrows(FileFormatException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
    }

    @Test
    void rejectsHostileHeadersBeforeAllocating(@TempDir Path tmp) throws IOException {
        String[] headers = {
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
                "{'descr': '<f4', 'shape': (1,), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': True}",
                "{'descr': '|f4', 'fortran_order': False, 'shape': (1,), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} trailing",
        };
        for (String h : headers) {
            byte[] text = (h + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] file = new byte[10 + text.length + 4];
            System.arraycopy(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length, 0}, 0, file, 0, 10);
            System.arraycopy(text, 0, file, 10, text.length);
            Path p = tmp.resolve("h.npy");
            Files.write(p, file);
            FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(p), h);
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        }
    }

    /** A .npy header (version 1.0, padded to 64 bytes) for {@code descr} and {@code shape}. */
    static byte[] npyHeader(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + text.length];
        System.arraycopy(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length, (byte) (text.length >> 8)}, 0, out, 0, 10);
        System.arraycopy(text, 0, out, 10, text.length);
        return out;
    }

    static byte[] deflate(byte[] b) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(b);
        d.finish();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /**
     * A zip archive of one deflated entry whose local header and central directory claim the given
     * compressed and uncompressed sizes (the data is {@code deflated}, whatever they say).
     */
    static byte[] zipClaiming(String entry, byte[] plain, byte[] deflated, long claimedCompressed, long claimedSize) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(200 + deflated.length + 2 * entry.length()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(plain);
        byte[] name = entry.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8).putInt(0)
                .putInt((int) crc.getValue()).putInt((int) claimedCompressed).putInt((int) claimedSize)
                .putShort((short) name.length).putShort((short) 0).put(name).put(deflated);
        int cen = b.position();
        b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 8).putInt(0)
                .putInt((int) crc.getValue()).putInt((int) claimedCompressed).putInt((int) claimedSize)
                .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putInt(0).putInt(0).put(name);
        int cenSize = b.position() - cen;
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
                .putInt(cenSize).putInt(cen).putShort((short) 0);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Reliability issue, item 7: a 198-byte archive whose directory claims 2 GiB compressed / 4 GiB plain
     * made the reader allocate the 3.8 GB its entry's header announces before failing (and, under
     * {@code proxima.memory.limit}, which the io tests run with, fail with Arrow's OutOfMemoryException).
     */
    @Test
    void npzSizeClaimsOfTheDirectoryAreBoundedByTheArchive(@TempDir Path tmp) throws IOException {
        byte[] header = npyHeader("<f4", "(950000000,)");
        byte[] zip = zipClaiming("x.npy", header, deflate(header), 0x7FFFFFF0L, 0xF0000000L); // 180 bytes
        Path p = tmp.resolve("bomb.npz");
        Files.write(p, zip);
        long peak = Memory.peakBytes();
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.readNpz(p));
        assertEquals(p + "!x.npy: header announces 3800000000 data bytes but at most 197872 can follow the header", e.getMessage());
        assertEquals(peak, Memory.peakBytes(), "nothing was allocated");
    }

    /** A stream (or a deflated entry) announcing more data than it holds costs memory only for what arrives. */
    @Test
    void streamsAllocateAsTheDataArrives(@TempDir Path tmp) throws IOException {
        byte[] header = npyHeader("<f8", "(137438953472,)"); // 1 TiB of doubles
        byte[] file = java.util.Arrays.copyOf(header, header.length + 100);
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> Npy.read(new java.io.ByteArrayInputStream(file), "s.npy", Long.MAX_VALUE));
        assertEquals("s.npy: truncated data: the header announces 1099511627776 data bytes for F64[137438953472] but the stream ends after 100",
                e.getMessage());
        // a deflated entry announcing 40 MB (its directory agrees, and deflate's ratio allows it) that holds 1 MiB
        byte[] big = npyHeader("<f4", "(10000000,)");
        byte[] plain = java.util.Arrays.copyOf(big, big.length + (1 << 20));
        new java.util.SplittableRandom(3).nextBytes(plain);
        System.arraycopy(big, 0, plain, 0, big.length); // incompressible data after the header
        byte[] deflated = deflate(plain);
        byte[] zip = zipClaiming("z.npy", plain, deflated, deflated.length, big.length + 40_000_000L);
        Path p = tmp.resolve("cut.npz");
        Files.write(p, zip);
        long before = Memory.peakBytes();
        e = assertThrows(FileFormatException.class, () -> Npy.readNpz(p));
        assertTrue(e.getMessage().endsWith("but the stream ends after 1048576"), e.getMessage());
        assertTrue(Memory.peakBytes() - before <= 3 << 20,
                "1 MiB arrived, at most 1 + 2 MiB were allocated: the peak rose by " + (Memory.peakBytes() - before));
        // and a complete stream gives the values, allocated exactly
        try (Tensor t = Npy.read(new java.io.ByteArrayInputStream(java.util.Arrays.copyOf(big, big.length + 40_000_000)), "z.npy", Long.MAX_VALUE)) {
            assertArrayEquals(new long[]{10_000_000}, t.shape());
            assertEquals(0.0, t.getDouble(9_999_999));
        }
    }
}
