package dev.proxima.io;

import dev.proxima.io.testing.FuzzHarness;

import dev.proxima.testkit.NoLeaks;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of {@link Png#decode(byte[], String)}: an {@code (H, W, C)} tensor with {@code C} in 1..4
 * and every value in {@code [0, 1]}, or a {@link FileFormatException}. Seeds: {@code fixtures/png}
 * (every colour type and bit depth, palettes with and without transparency, all row filters, ancillary
 * chunks, split image data; written by {@code src/test/interop/seed_fixtures.py}). Three of four
 * mutants get their chunk CRCs repaired so that they reach the decoder behind the CRC check. See
 * {@link FuzzHarness}.
 */
@ExtendWith(NoLeaks.class)
class PngFuzzTest {

    static final String INPUTS = "PngFuzzTestInputs/png";
    static final String SOURCE = "fuzz.png";
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/png");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void png(byte[] input) {
        FuzzHarness.check(INPUTS, SOURCE, input, PngFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, SOURCE, FuzzHarness.seeds(INPUTS, FIXTURES, "*.png"),
                PngFuzzTest::read, PngFuzzTest::repairCrcs);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    static String read(byte[] input) throws IOException {
        try (Tensor t = Png.decode(input, SOURCE)) {
            assertEquals(3, t.rank());
            assertTrue(t.dim(0) >= 1 && t.dim(1) >= 1 && t.dim(2) >= 1 && t.dim(2) <= 4, "shape");
            FuzzHarness.requireWellFormed(t);
            for (float v : t.toFloatArray()) {
                assertTrue(v >= 0 && v <= 1, "value " + v);
            }
            return t.dim(2) + " channels";
        }
    }

    /** Recomputes the CRC of every chunk whose length fits (in place; returns {@code b}). */
    static byte[] repairCrcs(byte[] b) {
        int pos = 8;
        while (pos + 12 <= b.length) {
            long len = ((b[pos] & 0xffL) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
            if (len > b.length - pos - 12) {
                break;
            }
            CRC32 c = new CRC32();
            c.update(b, pos + 4, 4 + (int) len);
            PngTest.be32(b, pos + 8 + (int) len, c.getValue());
            pos += 12 + (int) len;
        }
        return b;
    }
}
