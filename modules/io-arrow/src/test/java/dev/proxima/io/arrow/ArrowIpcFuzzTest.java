package dev.proxima.io.arrow;

import dev.proxima.io.FileFormatException;
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
 * Fuzz target of the Arrow IPC readers: {@link ArrowTensors#readState(Path)} and
 * {@link ArrowTensors#readBatch(Path, String)} of columns {@code t} and {@code p} each give well-formed
 * tensors or a {@link FileFormatException}. Seeds: {@code fixtures/arrow} (files and streams written by
 * Arrow JS: permuted and named dimensions, every value type, one and two record batches). See
 * {@link FuzzHarness}.
 */
@ExtendWith(NoLeaks.class)
class ArrowIpcFuzzTest {

    static final String INPUTS = "arrow/ArrowIpcFuzzTestInputs/arrowIpc";
    static final Path FILE = FuzzHarness.scratchFile("arrow-input.arrow");

    /** Replays the committed inputs (Jazzer's regression mode); under {@code JAZZER_FUZZ=1}, Jazzer's fuzzer. */
    @FuzzTest
    void arrowIpc(byte[] input) {
        FuzzHarness.check(INPUTS, FILE.toString(), input, ArrowIpcFuzzTest::read);
    }

    @Test
    void mutationFuzzing() {
        FuzzHarness.Stats s = FuzzHarness.fuzz(INPUTS, FILE.toString(),
                FuzzHarness.seeds(INPUTS, ArrowTensorsTest.FIXTURES, "*.arrow*"), ArrowIpcFuzzTest::read, null);
        assertTrue(s.accepted() > 0 && s.rejected() > 0, s.toString());
    }

    /** Tries all three reads; if none succeeds, throws the first rejection with the others suppressed. */
    static String read(byte[] input) throws IOException {
        Files.write(FILE, input);
        FileFormatException first = null;
        StringBuilder read = new StringBuilder();
        try {
            Map<String, Tensor> state = ArrowTensors.readState(FILE);
            try {
                state.values().forEach(FuzzHarness::requireWellFormed);
                read.append("state ").append(state.values().stream().map(FuzzHarness::describe).toList());
            } finally {
                state.values().forEach(Tensor::close);
            }
        } catch (FileFormatException e) {
            first = e;
        }
        for (String column : new String[]{"t", "p"}) {
            try (Tensor t = ArrowTensors.readBatch(FILE, column)) {
                assertTrue(t.rank() >= 1, "a batch has a leading dimension");
                FuzzHarness.requireWellFormed(t);
                read.append(" ").append(column).append(' ').append(FuzzHarness.describe(t));
            } catch (FileFormatException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (read.isEmpty()) {
            throw first;
        }
        return read.toString().strip();
    }
}
