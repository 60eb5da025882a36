package dev.proxima.io;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static dev.proxima.io.NpyHeaderTest.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The bytes the .npy and .npz writers produce, compared with NumPy's format: the exact header text of
 * {@code numpy.save} (trailing comma for 1-D shapes only, padding to a multiple of 64 bytes, version 1.0),
 * stored and deflated .npz entries with their sizes and CRCs; and reader details: booleans other than 0/1,
 * native-order descriptors, header lengths above 255, header text decoded per version, and stream reads
 * whose buffer grows (with fresh values each run, so that recycled memory cannot hide a lost copy).
 */
@ExtendWith(NoLeaks.class)
class NpyWriteFormatTest {

    private static byte[] written(Tensor t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        return out.toByteArray();
    }

    /** NumPy's header for the dict text {@code dict}: version 1.0, padded with spaces and a newline to 64·k bytes. */
    private static byte[] numpyHeader(String dict) {
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - total) + "\n";
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    @Test
    void headersAreNumpys() throws IOException {
        try (Scope s = Scope.open()) {
            String[][] cases = {
                    {"", "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"},
                    {"5", "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"},
                    {"2,3", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"},
                    {"2,1,4", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 4), }"},
            };
            for (String[] c : cases) {
                long[] shape = c[0].isEmpty() ? new long[0] : java.util.Arrays.stream(c[0].split(",")).mapToLong(Long::parseLong).toArray();
                Tensor t = shape.length == 0 ? Tensor.scalar(1.5, DType.F32) : Tensor.ones(DType.F32, shape);
                byte[] bytes = written(t);
                byte[] expected = numpyHeader(c[1]);
                assertArrayEquals(expected, java.util.Arrays.copyOf(bytes, expected.length), c[1]);
                assertEquals(expected.length + 4 * t.size(), bytes.length, c[1]);
            }
            // a transposed (Fortran-contiguous) view is written as is, with fortran_order True
            Tensor f = Tensor.of(1, 2, 3, 4, 5, 6).reshape(2, 3).transpose();
            byte[] bytes = written(f);
            byte[] expected = numpyHeader("{'descr': '<i4', 'fortran_order': True, 'shape': (3, 2), }");
            assertArrayEquals(expected, java.util.Arrays.copyOf(bytes, expected.length));
            ByteBuffer data = ByteBuffer.wrap(bytes, expected.length, 24).order(ByteOrder.LITTLE_ENDIAN);
            for (int v = 1; v <= 6; v++) {
                assertEquals(v, data.getInt());
            }
        }
    }

    @Test
    void npzEntriesAreStoredOrDeflatedWithTheirSizes(@TempDir Path tmp) throws IOException {
        try (Scope s = Scope.open()) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("a", Tensor.of(1.0, 2.0, 3.0));
            m.put("b", Tensor.zeros(DType.I64, 100, 10));
            for (boolean compress : new boolean[]{false, true}) {
                Path p = tmp.resolve(compress + ".npz");
                Npy.writeNpz(p, m, compress);
                try (ZipFile zip = new ZipFile(p.toFile())) {
                    List<? extends ZipEntry> entries = java.util.Collections.list(zip.entries());
                    assertEquals(List.of("a.npy", "b.npy"), entries.stream().map(ZipEntry::getName).toList());
                    for (ZipEntry e : entries) {
                        byte[] content = zip.getInputStream(e).readAllBytes();
                        Tensor t = m.get(e.getName().substring(0, 1));
                        assertArrayEquals(written(t), content, e.getName());
                        assertEquals(compress ? ZipEntry.DEFLATED : ZipEntry.STORED, e.getMethod(), e.getName());
                        assertEquals(content.length, e.getSize(), e.getName());
                        CRC32 crc = new CRC32();
                        crc.update(content);
                        assertEquals(crc.getValue(), e.getCrc(), e.getName());
                        if (compress) {
                            assertFalse(e.getCompressedSize() == content.length && e.getName().equals("b.npy"), "8000 zero bytes compress");
                        } else {
                            assertEquals(content.length, e.getCompressedSize(), e.getName());
                        }
                    }
                }
                Map<String, Tensor> back = Npy.readNpz(p);
                assertArrayEquals(new double[]{1, 2, 3}, back.get("a").toDoubleArray());
                assertArrayEquals(new long[]{100, 10}, back.get("b").shape());
                back.values().forEach(Tensor::close);
            }
            assertEquals("invalid .npz key 'x/y'", assertThrows(IllegalArgumentException.class,
                    () -> Npy.writeNpz(tmp.resolve("k.npz"), Map.of("x/y", m.get("a")), false)).getMessage());
            for (String key : new String[]{"/x", "\\x"}) { // separators at the start count too
                assertEquals("invalid .npz key '" + key + "'", assertThrows(IllegalArgumentException.class,
                        () -> Npy.writeNpz(tmp.resolve("k.npz"), Map.of(key, m.get("a")), false)).getMessage());
            }
            assertEquals("invalid .npz key ''", assertThrows(IllegalArgumentException.class,
                    () -> Npy.writeNpz(tmp.resolve("k.npz"), Map.of("", m.get("a")), false)).getMessage());
            assertEquals("invalid .npz key 'a\\b'", assertThrows(IllegalArgumentException.class,
                    () -> Npy.writeNpz(tmp.resolve("k.npz"), Map.of("a\\b", m.get("a")), false)).getMessage());
        }
    }

    @Test
    void readerDetails(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("r.npy");
        try (Scope s = Scope.open()) {
            // booleans other than 0 and 1 read as true, for both read and map
            Files.write(p, file(1, 0, "{'descr': '|b1', 'fortran_order': False, 'shape': (5,)}", new byte[]{0, 1, 2, (byte) 255, 0}));
            for (Tensor b : new Tensor[]{Npy.read(p), Npy.map(p)}) {
                assertEquals(DType.BOOL, b.dtype());
                assertArrayEquals(new long[]{0, 1, 1, 1, 0}, b.cast(DType.I64).toLongArray());
            }
            // '=' is the native order (little-endian on every supported platform)
            Files.write(p, file(1, 0, "{'descr': '=i4', 'fortran_order': False, 'shape': (2,)}", NpyHeaderTest.ints(2)));
            assertArrayEquals(new long[]{1, 2}, Npy.read(p).toLongArray());
            // a version 1.0 header longer than 255 bytes: both length bytes count
            String padded = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,)}" + " ".repeat(300) + "\n";
            Files.write(p, file(1, 0, padded, NpyHeaderTest.ints(2)));
            assertArrayEquals(new long[]{1, 2}, Npy.read(p).toLongArray());
            // version 3.0 headers are UTF-8, earlier ones Latin-1
            String odd = "{'descr': '<\u00e9', 'fortran_order': False, 'shape': (2,)}";
            Files.write(p, file(3, 0, odd, NpyHeaderTest.ints(2)));
            assertEquals(p + ": unsupported dtype descr '<\u00e9'", assertThrows(FileFormatException.class, () -> Npy.read(p)).getMessage());
            byte[] latin = file(1, 0, odd.replace("\u00e9", "\u00c3\u00a9"), NpyHeaderTest.ints(2)); // the same bytes as UTF-8 'é'
            Files.write(p, latin);
            assertEquals(p + ": unsupported dtype descr '<\u00c3\u00a9' (supported: f2 f4 f8 i1 i4 i8 u1 b1)",
                    assertThrows(FileFormatException.class, () -> Npy.read(p)).getMessage());
            // exactly 10 bytes: the preamble is read, then the header is missing
            byte[] ten = java.util.Arrays.copyOf(file(1, 0, "{}", new byte[0]), 10);
            Files.write(p, ten);
            assertEquals(p + ": truncated: header of 2 bytes but only 0 follow", assertThrows(FileFormatException.class, () -> Npy.read(p)).getMessage());
        }
    }

    @Test
    void streamReadsKeepEveryByteWhenTheBufferGrows() throws IOException {
        int n = 600_000; // 2.4 MB: the 1 MiB first buffer is copied into a larger one twice
        int salt = (int) System.nanoTime(); // fresh values each run: recycled memory cannot hold them already
        ByteBuffer data = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            data.putInt(i ^ salt);
        }
        byte[] bytes = file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (" + n + ",)}", data.array());
        try (Scope s = Scope.open()) {
            long[] v = Npy.read(new ByteArrayInputStream(bytes), "s", bytes.length).toLongArray();
            for (int i = 0; i < n; i++) {
                if (v[i] != (i ^ salt)) {
                    assertEquals(i ^ salt, v[i], "element " + i + " (salt " + salt + ")");
                }
            }
        }
    }
}
