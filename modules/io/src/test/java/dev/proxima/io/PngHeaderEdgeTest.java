package dev.proxima.io;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static dev.proxima.io.PngTest.bytes;
import static dev.proxima.io.PngTest.chunkBytes;
import static dev.proxima.io.PngTest.png;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The decoder's limits exactly at their edges (files of exactly the signature, chunks with exactly 12 bytes
 * left or one byte too many announced, chunk-type letters at the ends of the alphabet, palettes of exactly
 * 2^depth or 256 entries, tRNS with exactly one alpha per entry), the byte values in its messages, Paeth's
 * tie-breaking order, and the smallest images the encoder takes.
 */
@ExtendWith(NoLeaks.class)
class PngHeaderEdgeTest {

    private static final byte[] SIGNATURE = {(byte) 137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};

    private static String refused(byte[] file) {
        return assertThrows(FileFormatException.class, () -> Png.decode(file, "t.png").close()).getMessage();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] ihdr(int w, int h, int depth, int colorType, int compression, int filter) {
        byte[] d = new byte[13];
        PngTest.be32(d, 0, w);
        PngTest.be32(d, 4, h);
        d[8] = (byte) depth;
        d[9] = (byte) colorType;
        d[10] = (byte) compression;
        d[11] = (byte) filter;
        return chunkBytes("IHDR", d);
    }

    @Test
    void truncationAtEachEdge() {
        assertEquals("t.png: truncated: 7 bytes, shorter than the PNG signature", refused(Arrays.copyOf(SIGNATURE, 7)));
        assertEquals("t.png: truncated: chunk header at byte 8 but only 0 bytes left (no IEND chunk)", refused(SIGNATURE));
        byte[] header = ihdr(1, 1, 8, 0, 0, 0);
        assertEquals("t.png: truncated: chunk header at byte 8 but only 11 bytes left (no IEND chunk)",
                refused(concat(SIGNATURE, Arrays.copyOf(header, 11))));
        // exactly 12 bytes: an empty IHDR chunk is read (and refused for its length)
        assertEquals("t.png: IHDR has 0 bytes, not 13", refused(concat(SIGNATURE, chunkBytes("IHDR", new byte[0]))));
        // one data byte more announced than follows
        byte[] longer = header.clone();
        PngTest.be32(longer, 0, 14);
        assertEquals("t.png: truncated: chunk at byte 8 announces 14 data bytes but only 13 follow", refused(concat(SIGNATURE, longer)));
    }

    @Test
    void chunkOrderTypesAndHeaderBytes() {
        byte[] ok = ihdr(1, 1, 8, 0, 0, 0);
        assertEquals("t.png: first chunk is IEND, not IHDR", refused(concat(SIGNATURE, chunkBytes("IEND", new byte[0]))));
        assertEquals("t.png: second IHDR chunk", refused(concat(SIGNATURE, ok, ok)));
        // the letters at both ends of each range pass; their neighbours do not
        assertEquals("t.png: unknown critical chunk AZaz", refused(concat(SIGNATURE, ok, chunkBytes("AZaz", new byte[0]))));
        assertEquals("t.png: unknown critical chunk ZAza", refused(concat(SIGNATURE, ok, chunkBytes("ZAza", new byte[0]))));
        int[][] bad = {{'@', 38}, {'[', 38}, {'`', 38}, {'{', 38}}; // the type's second byte: 8 + 25 (IHDR) + 4 + 1
        for (int[] b : bad) {
            byte[] c = chunkBytes("aaaa", new byte[0]);
            c[4 + 1] = (byte) b[0];
            assertEquals("t.png: invalid chunk type byte " + b[0] + " at " + b[1], refused(concat(SIGNATURE, ok, c)));
        }
        assertEquals("t.png: unknown compression method 1", refused(concat(SIGNATURE, ihdr(1, 1, 8, 0, 1, 0))));
        assertEquals("t.png: unknown compression method 200", refused(concat(SIGNATURE, ihdr(1, 1, 8, 0, 200, 0))));
        assertEquals("t.png: unknown filter method 1", refused(concat(SIGNATURE, ihdr(1, 1, 8, 0, 0, 1))));
        assertEquals("t.png: unknown filter method 129", refused(concat(SIGNATURE, ihdr(1, 1, 8, 0, 0, 129))));
    }

    @Test
    void palettesAndTransparencyAtTheirLimits() throws IOException {
        // a 1-bit palette image may have 2 entries, not 3
        byte[] row = bytes(0, 0b0100_0000); // filter 0, pixels 0 and 1
        assertEquals("t.png: palette of 3 entries for a 1-bit image",
                refused(png(2, 1, 1, 3, row, chunkBytes("PLTE", bytes(1, 2, 3, 4, 5, 6, 7, 8, 9)))));
        byte[] two = bytes(10, 20, 30, 40, 50, 60);
        byte[] alphas = bytes(0, 255);
        try (Scope s = Scope.open()) {
            Tensor t = Png.decode(png(2, 1, 1, 3, row, chunkBytes("PLTE", two), chunkBytes("tRNS", alphas)), "t.png");
            assertArrayEquals(new long[]{1, 2, 4}, t.shape());
            assertArrayEquals(new float[]{10 / 255f, 20 / 255f, 30 / 255f, 0, 40 / 255f, 50 / 255f, 60 / 255f, 1}, t.toFloatArray(), 1e-7f);
            // 256 entries (768 bytes) for an 8-bit image: the largest palette; the last entry is used
            byte[] full = new byte[768];
            for (int i = 0; i < 768; i++) {
                full[i] = (byte) (i / 3);
            }
            Tensor p = Png.decode(png(1, 1, 8, 3, bytes(0, 255), chunkBytes("PLTE", full)), "t.png");
            assertArrayEquals(new float[]{1, 1, 1}, p.toFloatArray(), 0);
            assertEquals(DType.F32, p.dtype());
        }
        assertEquals("t.png: tRNS has 3 alpha values for 2 palette entries",
                refused(png(2, 1, 1, 3, row, chunkBytes("PLTE", two), chunkBytes("tRNS", bytes(1, 2, 3)))));
        assertEquals("t.png: PLTE chunk of 771 bytes (must be 3 to 768, a multiple of 3)",
                refused(png(1, 1, 8, 3, bytes(0, 0), chunkBytes("PLTE", new byte[771]))));
    }

    @Test
    void paethBreaksTiesTowardsAThenB() {
        assertEquals(0, Png.paeth(0, 3, 2));  // |p − a| = |p − c| = 1 < |p − b|: a, not c
        assertEquals(3, Png.paeth(0, 3, 1));  // |p − b| = |p − c| = 1 < |p − a|: b, not c
    }

    @Test
    void smallestImagesEncode() throws IOException {
        try (Scope s = Scope.open()) {
            for (long[] shape : new long[][]{{1, 1}, {1, 3}, {3, 1}, {1, 1, 4}}) {
                Tensor img = Tensor.full(0.5, DType.F32, shape);
                for (int depth : new int[]{8, 16}) {
                    Tensor back = Png.decode(Png.encode(img, depth), "t.png");
                    long channels = shape.length == 2 ? 1 : shape[2];
                    assertArrayEquals(new long[]{shape[0], shape[1], channels}, back.shape());
                    double step = depth == 8 ? 1 / 255.0 : 1 / 65535.0;
                    for (float v : back.toFloatArray()) {
                        assertEquals(0.5, v, step, Arrays.toString(shape) + " at depth " + depth);
                    }
                }
            }
        }
    }
}
