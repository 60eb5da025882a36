package dev.proxima.io;

import dev.proxima.io.testing.FuzzHarness;

import dev.proxima.testkit.NoLeaks;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of {@link Npy#readNpz(Path)}: a well-formed tensor per entry, or a
 * {@link FileFormatException}. Seeds: {@code fixtures/npy/*.npz} (stored and deflated archives written by
 * NumPy). See {@link FuzzHarness}.
 */
@ExtendWith(NoLeaks.class)
class NpzFuzzTest {

    static final String INPUTS = "NpzFuzzTestInputs/npz";
    static final Path FILE = FuzzHarness.scratchFile("npz-input.npz");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void npz(byte[] input) {
        FuzzHarness.check(INPUTS, FILE.toString(), input, NpzFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, FILE.toString(),
                FuzzHarness.seeds(INPUTS, NpyTest.FIXTURES, "*.npz"), NpzFuzzTest::read, null);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    static String read(byte[] input) throws IOException {
        Files.write(FILE, input);
        Map<String, Tensor> all = Npy.readNpz(FILE);
        try {
            all.values().forEach(FuzzHarness::requireWellFormed);
            return all.size() + " arrays: " + all.values().stream().map(FuzzHarness::describe).toList();
        } finally {
            all.values().forEach(Tensor::close);
        }
    }
}
