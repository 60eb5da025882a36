package dev.proxima.io;

import dev.proxima.io.testing.FuzzHarness;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of {@link Safetensors#read(Path)} and {@link Safetensors#readMetadata(Path)}: well-formed
 * tensors, or a {@link FileFormatException}. Seeds: {@code fixtures/safetensors} (written by
 * {@code src/test/interop/safetensors_fixtures.py}). See {@link FuzzHarness}.
 */
@ExtendWith(NoLeaks.class)
class SafetensorsFuzzTest {

    static final String INPUTS = "SafetensorsFuzzTestInputs/safetensors";
    static final Path FILE = FuzzHarness.scratchFile("input.safetensors");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void safetensors(byte[] input) {
        FuzzHarness.check(INPUTS, FILE.toString(), input, SafetensorsFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, FILE.toString(),
                FuzzHarness.seeds(INPUTS, SafetensorsTest.FIXTURES, "*.safetensors"), SafetensorsFuzzTest::read, null);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    static String read(byte[] input) throws IOException {
        Files.write(FILE, input);
        Map<String, String> metadata = Safetensors.readMetadata(FILE);
        Map<String, Tensor> all = Safetensors.read(FILE);
        try {
            all.values().forEach(FuzzHarness::requireWellFormed);
            return all.size() + " tensors, " + metadata.size() + " metadata: "
                    + all.values().stream().map(FuzzHarness::describe).toList();
        } finally {
            all.values().forEach(Tensor::close);
        }
    }
}
