package dev.proxima.samples.optim;

import dev.proxima.io.Png;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the sample's {@code main} with a reduced budget into a temporary folder and checks what it wrote. */
class OptimizerRaceTest {

    @TempDir
    Path dir;

    @Test
    void mainWritesTheCurvesThePlotAndTheSummary() throws IOException {
        int steps = 6;
        Path out = dir.resolve("race");
        OptimizerRace.main(new String[]{out.toString(), Integer.toString(steps)});
        assertEquals(0, Memory.allocatedBytes(), "the sample frees every tensor");

        List<String> csv = Files.readAllLines(out.resolve("loss_curves.csv"));
        String header = "step," + String.join(",", OptimizerRace.optimizers().keySet());
        assertEquals(header, csv.get(0));
        assertEquals(steps + 2, csv.size(), "a header and steps 0 … " + steps);
        String[] first = csv.get(1).split(",");
        String[] last = csv.get(steps + 1).split(",");
        for (int c = 1; c < first.length; c++) {
            double before = Double.parseDouble(first[c]);
            double after = Double.parseDouble(last[c]);
            assertEquals(Math.log(10), before, 0.3, "an untrained 10-class model starts near ln 10");
            assertTrue(after < before - 0.05, header.split(",")[c] + " lowers the training loss: " + before + " → " + after);
        }
        // every optimizer starts from the same weights
        for (int c = 2; c < first.length; c++) {
            assertEquals(first[1], first[c]);
        }

        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(1 + OptimizerRace.optimizers().size(), summary.size());
        for (String row : summary.subList(1, summary.size())) {
            double accuracy = Double.parseDouble(row.split(",")[4]);
            assertTrue(accuracy > 0.3 && accuracy <= 1, "test accuracy after " + steps + " steps: " + row);
        }

        try (Scope scope = Scope.open()) {
            Tensor image = Png.read(out.resolve("loss_curves.png"));
            assertArrayEquals(new long[]{400, 640, 3}, image.shape());
            // white background, dark axes, and coloured curves
            assertEquals(1.0, image.getDouble(0, 639, 0), 1e-6);
            assertTrue(image.min().item() < 0.05, "the axes are drawn");
            Tensor r = image.select(2, 0);
            Tensor b = image.select(2, 2);
            assertTrue(b.sub(r).max().item() > 0.5, "the first curve is drawn in blue");
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerRace.main(new String[]{dir.toString(), "zero"}));
        assertThrows(IllegalArgumentException.class, () -> OptimizerRace.main(new String[]{dir.toString(), "10", "0"}));
    }
}
