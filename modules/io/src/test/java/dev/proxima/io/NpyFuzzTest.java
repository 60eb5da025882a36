package dev.proxima.io;

import dev.proxima.io.testing.FuzzHarness;

import dev.proxima.testkit.NoLeaks;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the {@code .npy} readers: {@link Npy#read(Path)}, {@link Npy#map(Path)} and
 * {@link Npy#read(java.io.InputStream, String, long)} on the same bytes must all accept them, giving the
 * same well-formed tensor, or all reject them with a {@link FileFormatException}. Seeds: the NumPy
 * fixtures in {@code fixtures/npy}. See {@link FuzzHarness} for the contract, the budget and the longer
 * run documented in {@code modules/io/README.md}.
 */
@ExtendWith(NoLeaks.class)
class NpyFuzzTest {

    static final String INPUTS = "NpyFuzzTestInputs/npy";
    static final Path FILE = FuzzHarness.scratchFile("npy-input.npy");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void npy(byte[] input) {
        FuzzHarness.check(INPUTS, FILE.toString(), input, NpyFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, FILE.toString(),
                FuzzHarness.seeds(INPUTS, NpyTest.FIXTURES, "*.npy"), NpyFuzzTest::read, null);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    static String read(byte[] input) throws IOException {
        Files.write(FILE, input);
        Tensor read;
        try {
            read = Npy.read(FILE);
        } catch (FileFormatException e) {
            assertThrows(FileFormatException.class, () -> Npy.map(FILE).close(), "map accepts what read rejects: " + e.getMessage());
            assertThrows(FileFormatException.class, () -> fromStream(input).close(), "a stream read accepts what read rejects: " + e.getMessage());
            throw e;
        }
        try (read; Tensor mapped = Npy.map(FILE); Tensor streamed = fromStream(input)) {
            FuzzHarness.requireWellFormed(read);
            FuzzHarness.assertSame(read, mapped, "read and map");
            FuzzHarness.assertSame(read, streamed, "read and a stream read");
            assertEquals(read.isContiguous(), streamed.isContiguous());
            return FuzzHarness.describe(read);
        }
    }

    private static Tensor fromStream(byte[] input) throws IOException {
        return Npy.read(new ByteArrayInputStream(input), FILE.toString(), input.length);
    }
}
