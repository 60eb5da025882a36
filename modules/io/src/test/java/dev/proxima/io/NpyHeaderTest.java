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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The .npy header parser on the variations NumPy and other writers produce (whitespace of every kind
 * anywhere, either quote, list or tuple shapes with or without a trailing comma, Python 2 {@code L}
 * suffixes, any key order, format versions 1 to 3), each read back to its values; every parser error with its
 * message and offset; and stream reads longer than the first allocation, whose buffer grows while the
 * data arrives.
 */
@ExtendWith(NoLeaks.class)
class NpyHeaderTest {

    /** A .npy file of format {@code major}.{@code minor} with header text {@code dict} and data {@code data}. */
    static byte[] file(int major, int minor, String dict, byte[] data) {
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor});
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) text.length);
        } else {
            len.putInt(text.length);
        }
        out.writeBytes(len.array());
        out.writeBytes(text);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** Little-endian int32 1, 2, …, n. */
    static byte[] ints(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 1; i <= n; i++) {
            b.putInt(i);
        }
        return b.array();
    }

    private static Tensor read(Path dir, byte[] bytes) throws IOException {
        Path p = dir.resolve("h.npy");
        Files.write(p, bytes);
        return Npy.read(p);
    }

    @Test
    void acceptsTheHeaderVariationsWritersProduce(@TempDir Path tmp) throws IOException {
        String[] sixAsTwoByThree = {
                "{'descr':'<i4','fortran_order':False,'shape':(2,3)}",
                "{ \t'descr' :\r\n '<i4' ,\n'fortran_order'\t: False ,  'shape' : ( 2 , 3 , ) , }   \n",
                "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": [2, 3]}\n",
                "{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 3L), }\n",
                "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4'}\n",
                "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3)}" + " ".repeat(40) + "\n",
        };
        for (int major = 1; major <= 3; major++) {
            for (String h : sixAsTwoByThree) {
                try (Scope s = Scope.open()) {
                    Tensor t = read(tmp, file(major, 0, h, ints(6)));
                    assertEquals(DType.I32, t.dtype(), h);
                    assertArrayEquals(new long[]{2, 3}, t.shape(), major + ": " + h);
                    assertArrayEquals(new long[]{1, 2, 3, 4, 5, 6}, t.toLongArray(), major + ": " + h);
                }
            }
        }
        try (Scope s = Scope.open()) {
            Tensor scalar = read(tmp, file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': ()}", ints(1)));
            assertEquals(0, scalar.rank());
            assertEquals(1, scalar.getLong());
            Tensor vector = read(tmp, file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (6,)}", ints(6)));
            assertArrayEquals(new long[]{6}, vector.shape());
            Tensor empty = read(tmp, file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (0, 3)}", ints(0)));
            assertArrayEquals(new long[]{0, 3}, empty.shape());
            Tensor fortran = read(tmp, file(2, 0, "{'descr': '<i4', 'fortran_order': True, 'shape': [2, 3]}", ints(6)));
            assertArrayEquals(new long[]{2, 3}, fortran.shape());
            assertArrayEquals(new long[]{1, 3, 5, 2, 4, 6}, fortran.toLongArray()); // column-major data
            // 64 dimensions are allowed; the 18-digit dimension parses (and then the data is missing)
            Tensor deep = read(tmp, file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (" + "1, ".repeat(64) + ")}", ints(1)));
            assertEquals(64, deep.rank());
            FileFormatException e = assertThrows(FileFormatException.class,
                    () -> read(tmp, file(1, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (123456789012345678,)}", ints(1))));
            assertEquals(tmp.resolve("h.npy") + ": truncated: the header announces 123456789012345678 data bytes for U8[123456789012345678]"
                    + " but the file has 4 after the header", e.getMessage());
        }
    }

    @Test
    void namesEachMalformedHeaderAndWhere(@TempDir Path tmp) {
        String ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)}";
        String[][] cases = {
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (1,)", "header ends unexpectedly"},
                {"  'descr': '<i4'}", "expected '{' at offset 2"},
                {"{'descr' '<i4', 'fortran_order': False, 'shape': (1,)}", "expected ':' at offset 9"},
                {"{descr: '<i4', 'fortran_order': False, 'shape': (1,)}", "expected a quoted string at offset 1"},
                {"{'descr: 1}", "unterminated string at offset 1"},
                {"{'de\\scr': '<i4', 'fortran_order': False, 'shape': (1,)}", "escapes in header strings are not supported"},
                {"{'descr': '<i4', 'descr': '<i4', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"},
                {"{'descr': '<i4' 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}' at offset 16"},
                {"{'descr': None, 'fortran_order': False, 'shape': (1,)}", "unsupported value at offset 10"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (2 3)}", "expected ',' or ')' in the shape at offset 53"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': [2, 3)}", "expected ',' or ']' in the shape at offset 55"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}", "expected a non-negative dimension of at most 18 digits at offset 51"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (1234567890123456789,)}",
                        "expected a non-negative dimension of at most 18 digits at offset 51"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (\u0663,)}",
                        "expected a non-negative dimension of at most 18 digits at offset 51"},
                {"{'descr': '<i4', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + ")}", "more than 64 dimensions"},
                {ok + " x", "unexpected text after the header dict at offset " + (ok.length() + 1)},
        };
        for (String[] c : cases) {
            FileFormatException e = assertThrows(FileFormatException.class, () -> read(tmp, file(3, 0, c[0], ints(1))), c[0]);
            assertEquals(tmp.resolve("h.npy") + ": malformed header: " + c[1], e.getMessage(), c[0]);
        }
    }

    @Test
    void rejectsBadPreambles(@TempDir Path tmp) {
        String ok = "{'descr': '<i4', 'fortran_order': False, 'shape': (1,)}";
        String p = tmp.resolve("h.npy").toString();
        String[][] cases = {
                {"1.1", p + ": unsupported .npy format version 1.1"},
                {"2.5", p + ": unsupported .npy format version 2.5"},
                {"4.0", p + ": unsupported .npy format version 4.0"},
                {"0.0", p + ": unsupported .npy format version 0.0"},
        };
        for (String[] c : cases) {
            int major = c[0].charAt(0) - '0';
            int minor = c[0].charAt(2) - '0';
            byte[] bytes = file(major == 2 || major == 3 ? major : 1, minor, ok, ints(1)); // then the version byte is set
            bytes[6] = (byte) major;
            FileFormatException e = assertThrows(FileFormatException.class, () -> read(tmp, bytes), c[0]);
            assertEquals(c[1], e.getMessage());
        }
        byte[] good = file(1, 0, ok, ints(1));
        good[3] = 'X';
        assertEquals(p + ": not a .npy file (bad magic string)", assertThrows(FileFormatException.class, () -> read(tmp, good)).getMessage());
        assertEquals(p + ": too short for a .npy file (9 bytes)",
                assertThrows(FileFormatException.class, () -> read(tmp, java.util.Arrays.copyOf(good, 9))).getMessage());
        // a header length past the end of the file, and past the 1 MiB limit (whatever the file size)
        byte[] longer = file(2, 0, ok, ints(1));
        ByteBuffer.wrap(longer, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(longer.length - 11);
        assertEquals(p + ": truncated: header of " + (longer.length - 11) + " bytes but only " + (longer.length - 12) + " follow",
                assertThrows(FileFormatException.class, () -> read(tmp, longer)).getMessage());
        ByteBuffer.wrap(longer, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((1 << 20) + 1);
        assertEquals(p + ": header of 1048577 bytes is larger than the 1 MiB this reader accepts",
                assertThrows(FileFormatException.class, () -> read(tmp, longer)).getMessage());
        ByteBuffer.wrap(longer, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 20);
        assertEquals(p + ": truncated: header of 1048576 bytes but only " + (longer.length - 12) + " follow",
                assertThrows(FileFormatException.class, () -> read(tmp, longer)).getMessage());
    }

    @Test
    void streamReadsGrowTheirBufferAsTheDataArrives() throws IOException {
        int n = 700_000; // 2.8 MB: past the first 1 MiB allocation and one doubling
        byte[] bytes = file(1, 0, "{'descr': '<i4', 'fortran_order': False, 'shape': (" + n + ",), }", ints(n));
        try (Scope s = Scope.open()) {
            Tensor t = Npy.read(new ByteArrayInputStream(bytes), "stream", bytes.length);
            long[] v = t.toLongArray();
            assertEquals(n, v.length);
            for (int i = 0; i < n; i++) {
                if (v[i] != i + 1) {
                    assertEquals(i + 1, v[i], "element " + i);
                }
            }
            // the exact length is enough; one byte less is refused before reading
            FileFormatException e = assertThrows(FileFormatException.class,
                    () -> Npy.read(new ByteArrayInputStream(bytes), "stream", bytes.length - 1));
            int headerEnd = bytes.length - 4 * n;
            assertEquals("stream: header announces " + 4L * n + " data bytes but at most " + (4L * n - 1) + " can follow the header",
                    e.getMessage(), "header ends at " + headerEnd);
        }
    }
}
