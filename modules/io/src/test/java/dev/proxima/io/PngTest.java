package dev.proxima.io;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class PngTest {

    // ------------------------------------------------------------------ helpers to build PNGs by hand

    static byte[] png(int w, int h, int depth, int colorType, byte[] rawFiltered, byte[]... extraChunksBeforeIdat) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{(byte) 137, 'P', 'N', 'G', '\r', '\n', 26, '\n'});
        byte[] ihdr = new byte[13];
        be32(ihdr, 0, w);
        be32(ihdr, 4, h);
        ihdr[8] = (byte) depth;
        ihdr[9] = (byte) colorType;
        chunk(out, "IHDR", ihdr);
        for (byte[] c : extraChunksBeforeIdat) {
            out.writeBytes(c);
        }
        Deflater d = new Deflater();
        d.setInput(rawFiltered);
        d.finish();
        byte[] buf = new byte[rawFiltered.length + 1024];
        int n = d.deflate(buf);
        d.end();
        chunk(out, "IDAT", Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static byte[] chunkBytes(String type, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunk(out, type, data);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        be32(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        be32(c, 0, crc.getValue());
        out.writeBytes(c);
    }

    static void be32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static Tensor decode(byte[] png) throws IOException {
        return Png.decode(png, "test.png");
    }

    static void assertPixels(Tensor t, long h, long w, long c, float[] expected) {
        assertArrayEquals(new long[]{h, w, c}, t.shape());
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(expected, t.toFloatArray(), 1e-6f);
    }

    static float[] div(int d, int... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i] / (float) d;
        }
        return f;
    }

    // ------------------------------------------------------------------ hand-made files

    @Test
    void decodesEachFilterTypeOnAHandMadeGrayImage() throws IOException {
        // 3x2 gray 8-bit, pixels row0 = 10 20 30, row1 = 40 60 90
        int[][] rows = {{10, 20, 30}, {40, 60, 90}};
        float[] expected = div(255, 10, 20, 30, 40, 60, 90);
        for (int f = 0; f <= 4; f++) {
            byte[] raw = new byte[2 * 4];
            for (int y = 0; y < 2; y++) {
                raw[y * 4] = (byte) f;
                for (int x = 0; x < 3; x++) {
                    int v = rows[y][x];
                    int a = x > 0 ? rows[y][x - 1] : 0;
                    int b = y > 0 ? rows[y - 1][x] : 0;
                    int c = x > 0 && y > 0 ? rows[y - 1][x - 1] : 0;
                    int pred = switch (f) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) / 2;
                        default -> Png.paeth(a, b, c);
                    };
                    raw[y * 4 + 1 + x] = (byte) (v - pred);
                }
            }
            try (Tensor t = decode(png(3, 2, 8, 0, raw))) {
                assertPixels(t, 2, 3, 1, expected);
            }
        }
    }

    @Test
    void paethFollowsTheSpec() {
        assertEquals(10, Png.paeth(10, 20, 20));   // p = 10: pa = 0
        assertEquals(20, Png.paeth(10, 20, 10));   // p = 20: pb = 0
        assertEquals(10, Png.paeth(10, 20, 25));   // p = 5: pa = 5 < pb, pc
        assertEquals(20, Png.paeth(10, 20, 5));    // p = 25: pb = 5
        assertEquals(11, Png.paeth(10, 12, 11));   // p = 11: pc = 0
        assertEquals(10, Png.paeth(10, 12, 12));   // tie pa = pb: a wins
    }

    @Test
    void decodesRgbSixteenBitAndSubByteGray() throws IOException {
        // 2x1 RGB 16-bit with Sub filter on the second pixel (bpp = 6)
        int[] px = {0x0000, 0x8000, 0xffff, 0x1234, 0xffff, 0x0001};
        byte[] raw = new byte[1 + 12];
        raw[0] = 1;
        byte[] plain = new byte[12];
        for (int i = 0; i < 6; i++) {
            plain[2 * i] = (byte) (px[i] >>> 8);
            plain[2 * i + 1] = (byte) px[i];
        }
        for (int i = 0; i < 12; i++) {
            raw[1 + i] = (byte) (plain[i] - (i >= 6 ? plain[i - 6] : 0));
        }
        try (Tensor t = decode(png(2, 1, 16, 2, raw))) {
            assertPixels(t, 1, 2, 3, div(65535, px));
        }
        // 5x1 gray 2-bit: 0 1 2 3 1 -> 00011011 01000000
        try (Tensor t = decode(png(5, 1, 2, 0, bytes(0, 0b00011011, 0b01000000)))) {
            assertPixels(t, 1, 5, 1, div(3, 0, 1, 2, 3, 1));
        }
        // 3x1 gray 1-bit: 1 0 1
        try (Tensor t = decode(png(3, 1, 1, 0, bytes(0, 0b10100000)))) {
            assertPixels(t, 1, 3, 1, new float[]{1, 0, 1});
        }
    }

    @Test
    void decodesPaletteImagesWithAndWithoutTransparency() throws IOException {
        byte[] plte = chunkBytes("PLTE", bytes(255, 0, 0, 0, 255, 0, 0, 0, 255));
        // 4x1, 2-bit indices 2 1 0 1 -> 10 01 00 01
        byte[] raw = bytes(0, 0b10010001);
        try (Tensor t = decode(png(4, 1, 2, 3, raw, plte))) {
            assertPixels(t, 1, 4, 3, new float[]{0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0});
        }
        byte[] trns = chunkBytes("tRNS", bytes(0, 128)); // entry 2 has no alpha value: opaque
        try (Tensor t = decode(png(4, 1, 2, 3, raw, plte, trns))) {
            assertPixels(t, 1, 4, 4, new float[]{0, 0, 1, 1, 0, 1, 0, 128 / 255f, 1, 0, 0, 0, 0, 1, 0, 128 / 255f});
        }
        // 8-bit palette
        try (Tensor t = decode(png(2, 1, 8, 3, bytes(0, 1, 2), plte))) {
            assertPixels(t, 1, 2, 3, new float[]{0, 1, 0, 0, 0, 1});
        }
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void roundTripsEveryChannelCountAndBitDepth(@TempDir Path tmp) throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int c = 1; c <= 4; c++) {
            for (int depth : new int[]{8, 16}) {
                int h = 7, w = 13;
                int max = (1 << depth) - 1;
                float[] v = new float[h * w * c];
                for (int i = 0; i < v.length; i++) {
                    // smooth gradient plus noise so all filters get used, with exact sample values
                    v[i] = (i % 5 == 0 ? rnd.nextInt(max + 1) : (i * 37) % (max + 1)) / (float) max;
                }
                Path f = tmp.resolve("c" + c + "_" + depth + ".png");
                try (Scope s = Scope.open()) {
                    Tensor img = Tensor.of(v).reshape(h, w, c);
                    Png.write(f, img, depth);
                    Tensor back = Png.read(f);
                    assertPixels(back, h, w, c, v);
                }
            }
        }
    }

    @Test
    void writeClampsRoundsAndAcceptsOtherLayouts(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("clamp.png");
        try (Scope s = Scope.open()) {
            Tensor img = Tensor.of(-1f, 0.5f, 2f, Float.NaN, 0.2f, 1f).reshape(2, 3);
            Png.write(f, img);
            assertPixels(Png.read(f), 2, 3, 1, div(255, 0, 128, 255, 0, 51, 255));
            // a transposed (non-contiguous) F64 view
            Tensor t = Tensor.of(0.0, 1.0, 0.0, 1.0, 1.0, 0.0).reshape(3, 2).transpose().unsqueeze(2);
            Png.write(f, t, 16);
            assertPixels(Png.read(f), 2, 3, 1, new float[]{0, 0, 1, 1, 1, 0});
        }
        try (Scope s = Scope.open()) {
            Tensor bad = Tensor.zeros(DType.F32, 2, 2, 5);
            assertThrows(IllegalArgumentException.class, () -> Png.write(f, bad));
            assertThrows(IllegalArgumentException.class, () -> Png.write(f, bad.slice(2, 0, 3, 1), 12));
        }
    }

    // ------------------------------------------------------------------ bad input

    static byte[] validRgba() throws IOException {
        try (Scope s = Scope.open()) {
            float[] v = new float[5 * 6 * 4];
            for (int i = 0; i < v.length; i++) {
                v[i] = ((i * 53) % 256) / 255f;
            }
            return Png.encode(Tensor.of(v).reshape(5, 6, 4), 8);
        }
    }

    @Test
    void decodesTheSeedFixtures() throws IOException {
        Path dir = Path.of("src/test/resources/fixtures/png");
        try (Tensor t = Png.read(dir.resolve("rgb8.png"))) { // filter 0: the samples are the bytes (37 k) % 256
            float[] want = new float[18];
            for (int y = 0; y < 2; y++) {
                for (int i = 0; i < 9; i++) {
                    want[9 * y + i] = (37 * (9 * y + i)) % 256 / 255f;
                }
            }
            assertPixels(t, 2, 3, 3, want);
        }
        try (Tensor t = Png.read(dir.resolve("gray16.png"))) {
            float[] want = new float[6];
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    int hi = (37 * (6 * y + 2 * x)) % 256;
                    int lo = (37 * (6 * y + 2 * x + 1)) % 256;
                    want[3 * y + x] = (hi * 256 + lo) / 65535f;
                }
            }
            assertPixels(t, 2, 3, 1, want);
        }
        try (Tensor t = Png.read(dir.resolve("palette2_trns.png"))) { // indices 0 1 2 3 / 3 2 1 0, alpha 0 and 128
            float h = 128 / 255f;
            assertPixels(t, 2, 4, 4, new float[]{1, 0, 0, 0, 0, 1, 0, h, 0, 0, 1, 1, 1, 1, 1, 1,
                    1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, h, 1, 0, 0, 0});
        }
        String[][] shapes = {{"gray1", "3", "7", "1"}, {"gray2", "3", "7", "1"}, {"gray4", "3", "7", "1"},
                {"gray8_filters", "5", "5", "1"}, {"graya8", "2", "3", "2"}, {"rgb16", "2", "2", "3"}, {"rgba8", "2", "3", "4"},
                {"palette1", "2", "5", "3"}, {"palette2", "2", "5", "3"}, {"palette4", "2", "5", "3"}, {"palette8", "2", "5", "3"},
                {"rgb8_chunks", "3", "4", "3"}};
        for (String[] s : shapes) {
            try (Tensor t = Png.read(dir.resolve(s[0] + ".png"))) {
                assertArrayEquals(new long[]{Long.parseLong(s[1]), Long.parseLong(s[2]), Long.parseLong(s[3])}, t.shape(), s[0]);
            }
        }
    }

    static void assertRejected(Path f, byte[] b, String fragment) throws IOException {
        Files.write(f, b);
        FileFormatException e = assertThrows(FileFormatException.class, () -> Png.read(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void rejectsBadFilesNamingTheFileAndProblem(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.png");
        byte[] ok = validRgba();
        byte[] magic = ok.clone();
        magic[1] = 'Q';
        assertRejected(f, magic, "signature");
        assertRejected(f, Arrays.copyOf(ok, ok.length - 20), "truncated");
        byte[] crc = ok.clone();
        crc[20] ^= 1; // inside IHDR's data
        assertRejected(f, crc, "bad CRC");
        byte[] raw = new byte[1 + 4];
        assertRejected(f, png(1 << 25, 1, 8, 0, raw), "outside");
        assertRejected(f, png(1 << 24, 1 << 24, 8, 6, raw), "limit");
        assertRejected(f, png(100000, 100000, 8, 0, raw), "limit");
        assertRejected(f, png(8000, 8000, 8, 0, raw), "compressed bytes cannot hold");
        assertRejected(f, png(4, 4, 8, 0, new byte[3]), "decompresses to");
        assertRejected(f, png(1, 1, 8, 0, bytes(5, 0)), "filter type 5");
        assertRejected(f, png(1, 1, 3, 0, bytes(0, 0)), "bit depth 3");
        assertRejected(f, png(1, 1, 8, 3, bytes(0, 0)), "PLTE");
        byte[] interlaced = png(1, 1, 8, 0, bytes(0, 0));
        interlaced[8 + 8 + 12] = 1;
        CRC32 c = new CRC32();
        c.update(interlaced, 12, 17);
        be32(interlaced, 29, c.getValue());
        assertRejected(f, interlaced, "interlaced");
    }

    /**
     * Reliability issue, item 8: a 130 KB file (1-bit gray, 32768 x 32767, IDAT the deflate of zeros) made
     * the reader allocate a 4 GiB tensor. The decoded size is limited (256 MiB by default).
     */
    @Test
    void limitsTheDecodedSizeOfSmallFilesDescribingHugeImages() throws IOException {
        int w = 32768;
        int h = 32767;
        byte[] bomb = png(w, h, 1, 0, new byte[h * (1 + w / 8)]);
        assertTrue(bomb.length < 140_000, "the file has " + bomb.length + " bytes");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Png.decode(bomb, "bomb.png"));
        assertEquals("bomb.png: image 32768x32767x1 decodes to a tensor of 4294836224 bytes, more than the limit of 268435456 bytes"
                + " (raise it with Png.read(file, new Png.Limits(bytes)) or system property proxima.png.maxDecodedBytes)", e.getMessage());
        assertEquals(256L << 20, Png.Limits.defaults().maxDecodedBytes());
    }

    @Test
    void decodedSizeLimitIsSetPerCallOrBySystemProperty() throws IOException {
        byte[] gray = png(512, 256, 8, 0, new byte[256 * 513]); // decodes to 256 * 512 * 1 * 4 = 524288 bytes
        byte[] palette = png(4, 1, 2, 3, bytes(0, 0b10010001), chunkBytes("PLTE", bytes(255, 0, 0, 0, 255, 0, 0, 0, 255)),
                chunkBytes("tRNS", bytes(0))); // RGBA: 4 * 1 * 4 * 4 = 64 bytes
        try (Tensor t = Png.decode(gray, "g", new Png.Limits(524288))) {
            assertArrayEquals(new long[]{256, 512, 1}, t.shape());
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Png.decode(gray, "g", new Png.Limits(524287)));
        assertTrue(e.getMessage().contains("524288 bytes, more than the limit of 524287 bytes"), e.getMessage());
        // the tRNS chunk turns RGB (48 bytes) into RGBA (64 bytes), after the header's check
        try (Tensor t = Png.decode(palette, "p", new Png.Limits(64))) {
            assertArrayEquals(new long[]{1, 4, 4}, t.shape());
        }
        e = assertThrows(FileFormatException.class, () -> Png.decode(palette, "p", new Png.Limits(63)));
        assertTrue(e.getMessage().contains("image 4x1x4 decodes to a tensor of 64 bytes"), e.getMessage());
        e = assertThrows(FileFormatException.class, () -> Png.decode(palette, "p", new Png.Limits(47)));
        assertTrue(e.getMessage().contains("image 4x1x3 decodes to a tensor of 48 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Png.Limits(0));
        try {
            System.setProperty(Png.Limits.PROPERTY, "524287");
            assertEquals(524287, Png.Limits.defaults().maxDecodedBytes());
            e = assertThrows(FileFormatException.class, () -> Png.decode(gray, "g"));
            assertTrue(e.getMessage().contains("more than the limit of 524287 bytes"), e.getMessage());
            System.setProperty(Png.Limits.PROPERTY, " 524288 ");
            Png.decode(gray, "g").close();
            System.setProperty(Png.Limits.PROPERTY, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Png.decode(gray, "g"));
            assertTrue(bad.getMessage().contains(Png.Limits.PROPERTY), bad.getMessage());
        } finally {
            System.clearProperty(Png.Limits.PROPERTY);
        }
    }

    @Test
    void writerChoosesFiltersPerRow() throws IOException {
        float[] v = new float[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                v[y * 32 + x] = y < 8 ? 0 : y < 16 ? x / 31f : y < 24 ? y / 31f : ((x * 7 + y * 13) % 32) / 31f;
            }
        }
        byte[] png;
        try (Scope s = Scope.open()) {
            png = Png.encode(Tensor.of(v).reshape(32, 32, 1), 8);
        }
        // the only IDAT starts after signature (8) + IHDR (25) and its 8-byte header
        int len = ((png[33] & 0xff) << 24) | ((png[34] & 0xff) << 16) | ((png[35] & 0xff) << 8) | (png[36] & 0xff);
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        inf.setInput(png, 41, len);
        byte[] raw = new byte[32 * 33];
        try {
            assertEquals(raw.length, inf.inflate(raw));
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inf.end();
        }
        java.util.Set<Integer> filters = new java.util.TreeSet<>();
        for (int y = 0; y < 32; y++) {
            filters.add((int) raw[y * 33]);
        }
        assertTrue(filters.size() >= 2, "filters used: " + filters);
        try (Tensor t = decode(png)) {
            assertArrayEquals(v, t.toFloatArray(), 0.5f / 255);
        }
    }
}
