package dev.proxima.samples.transport;

import dev.proxima.io.Png;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.transport.Ot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class TransportDemoTest {

    @Test
    void writesThePicturesAndResultsIntoTheFolder(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("out");   // created by the demo
        TransportDemo.main(new String[] {dir.toString()});

        long[] sourceShape;
        try (Tensor source = Png.read(dir.resolve("coffee.png")); Tensor target = Png.read(dir.resolve("rocket.png"));
             Tensor bundled = TransportDemo.bundledImage("coffee")) {
            sourceShape = source.shape();
            assertArrayEquals(new long[] {213, 320, 3}, sourceShape);
            assertArrayEquals(new long[] {214, 320, 3}, target.shape());
            assertArrayEquals(bundled.toFloatArray(), source.toFloatArray(), "the input is written unchanged");
        }
        try (Tensor clouds = Png.read(dir.resolve("point-clouds.png"))) {
            assertArrayEquals(new long[] {TransportDemo.PANEL, 2 * TransportDemo.PANEL, 3}, clouds.shape());
        }
        String json = Files.readString(dir.resolve("results.json"));
        assertEquals(TransportDemo.COLOUR_SAMPLES, number(json, "colourTransfer", "samples"));
        assertEquals(TransportDemo.CLOUD_POINTS, number(json, "pointClouds", "points"));
        for (String solver : SOLVERS) {
            recolouredTowardsTheOtherPalette(dir, solver);
        }
        emdCostIsTheOptimumOfTheRebuiltProblem(json);
        for (String problem : new String[] {"colourTransfer", "pointClouds"}) {
            double exact = number(json, problem, "emd", "cost");
            double entropic = number(json, problem, "sinkhorn", "cost");
            // the entropic plan is feasible to the tolerance, so it cannot beat the exact optimum; with ε = 0.01
            // it stays within a few percent of it
            assertTrue(entropic >= exact * (1 - 1e-4) && entropic <= exact * 1.1, problem + ": " + entropic + " vs EMD " + exact);
            assertTrue(number(json, problem, "sinkhorn", "regularizedCost") > entropic, "⟨P, C⟩ + ε·KL(P ‖ a⊗b), KL > 0");
            assertTrue(number(json, problem, "sinkhorn", "marginalError") < 1e-5, problem);
            assertEquals(1, number(json, problem, "emd", "converged"));
            assertEquals(1, number(json, problem, "sinkhorn", "converged"));
        }
    }

    /** The solvers whose recoloured pictures the demo writes. */
    private static final String[] SOLVERS = {"emd", "sinkhorn"};

    /** Each recoloured picture has its input's size, and its mean colour moved most of the way to the other's. */
    private static void recolouredTowardsTheOtherPalette(Path dir, String solver) throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor coffee = Png.read(dir.resolve("coffee.png"));
            Tensor rocket = Png.read(dir.resolve("rocket.png"));
            Tensor forward = Png.read(dir.resolve("coffee-to-rocket-" + solver + ".png"));
            Tensor backward = Png.read(dir.resolve("rocket-to-coffee-" + solver + ".png"));
            assertArrayEquals(coffee.shape(), forward.shape());
            assertArrayEquals(rocket.shape(), backward.shape());
            double apart = distanceOfMeans(coffee, rocket);
            assertTrue(apart > 0.3, "the two palettes differ: " + apart);
            double forwardGap = distanceOfMeans(forward, rocket);
            double backwardGap = distanceOfMeans(backward, coffee);
            assertTrue(forwardGap < 0.1 * apart, solver + ": coffee's mean colour moved to rocket's: " + forwardGap + " of " + apart);
            assertTrue(backwardGap < 0.1 * apart, solver + ": rocket's mean colour moved to coffee's: " + backwardGap + " of " + apart);
        }
    }

    private static double distanceOfMeans(Tensor image, Tensor other) {
        return image.mean(0, 1).sub(other.mean(0, 1)).norm().item();
    }

    /** The EMD cost reported equals ⟨P, M⟩ of a fresh exact solve of the same sampled problem, and P is a plan. */
    private static void emdCostIsTheOptimumOfTheRebuiltProblem(String json) throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor[] samples = TransportDemo.colourSamples(
                    ColourTransfer.pixels(TransportDemo.bundledImage(TransportDemo.SOURCE_IMAGE)),
                    ColourTransfer.pixels(TransportDemo.bundledImage(TransportDemo.TARGET_IMAGE)));
            Tensor costs = Ot.dist(samples[0], samples[1]);
            Tensor uniform = Tensor.zeros(DType.F64, 0);   // POT's convention: empty weights are uniform
            Tensor plan = Ot.emd(uniform, uniform, costs);
            double n = TransportDemo.COLOUR_SAMPLES;
            assertEquals(0, plan.sum(1).sub(1 / n).abs().max().item(), 1e-15);
            assertEquals(0, plan.sum(0).sub(1 / n).abs().max().item(), 1e-15);
            double cost = plan.mul(costs).sum().item();
            assertEquals(cost, number(json, "colourTransfer", "emd", "cost"), 1e-9 * cost);
            assertEquals(0, number(json, "colourTransfer", "emd", "marginalError"), 1e-15);
        }
    }

    @Test
    void withoutAFolderItPrintsTheUsageAndFails() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TransportDemo.run(new String[0], System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: transport <output folder>"), err::toString);
        assertEquals(2, TransportDemo.run(new String[] {"a", "b"}, System.out, new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void aFolderThatCannotBeCreatedIsReportedAndFails(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "not a folder");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = TransportDemo.run(new String[] {file.resolve("sub").toString()}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("cannot create the output folder") && message.contains("plain-file"), message);

        err.reset();
        assertEquals(1, TransportDemo.run(new String[] {file.toString()}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8)));
        message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.contains("a file (not a folder) is in the way (" + file + ")"), message);
        assertEquals("not a folder", Files.readString(file), "the file is left alone");
    }

    /** The number (true = 1, false = 0) after the keys {@code path}, each looked up after the previous one, in the demo's own JSON. */
    static double number(String json, String... path) {
        int at = 0;
        for (String key : path) {
            at = json.indexOf('"' + key + '"', at);
            assertTrue(at >= 0, "key " + key + " missing from results.json");
            at += key.length() + 2;
        }
        int colon = json.indexOf(':', at);
        int end = colon + 1;
        while (end < json.length() && ",\n}]".indexOf(json.charAt(end)) < 0) {
            end++;
        }
        String value = json.substring(colon + 1, end).trim();
        return switch (value) {
            case "true" -> 1;
            case "false" -> 0;
            default -> Double.parseDouble(value);
        };
    }
}
