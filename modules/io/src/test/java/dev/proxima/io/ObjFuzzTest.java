package dev.proxima.io;

import dev.proxima.io.testing.FuzzHarness;

import dev.proxima.testkit.NoLeaks;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of {@link Obj#read(Path)}: a well-formed {@link Mesh} (every face index in range), or a
 * {@link FileFormatException}. Seeds: {@code fixtures/obj} (every face-corner form, negative indices,
 * polygons, vertex colours, ignored statements). See {@link FuzzHarness}.
 */
@ExtendWith(NoLeaks.class)
class ObjFuzzTest {

    static final String INPUTS = "ObjFuzzTestInputs/obj";
    static final Path FILE = FuzzHarness.scratchFile("obj-input.obj");
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/obj");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void obj(byte[] input) {
        FuzzHarness.check(INPUTS, FILE.toString(), input, ObjFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, FILE.toString(), FuzzHarness.seeds(INPUTS, FIXTURES, "*.obj"),
                ObjFuzzTest::read, null);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    static String read(byte[] input) throws IOException {
        Files.write(FILE, input);
        try (Mesh m = Obj.read(FILE)) {
            FuzzHarness.requireWellFormed(m);
            return FuzzHarness.describe(m);
        }
    }
}
