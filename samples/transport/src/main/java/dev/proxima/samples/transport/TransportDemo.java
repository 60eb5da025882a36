package dev.proxima.samples.transport;

import dev.proxima.io.Png;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The optimal transport demo, run as {@code transport <output folder>}: colour transfer between two bundled
 * photographs and a point-cloud matching picture, written as PNG files, with the numbers in
 * {@code results.json}. Prints its progress and the folder it wrote to; exits with status 0, or with a message
 * and status 2 (bad arguments) or 1 (the folder cannot be written).
 */
public final class TransportDemo {

    /** The bundled photographs (resources of this package), source first. */
    static final String SOURCE_IMAGE = "coffee";
    static final String TARGET_IMAGE = "rocket";
    /** Pixels sampled from each photograph for the transport problems. */
    static final int COLOUR_SAMPLES = 1000;
    /** Points in each cloud of the matching picture. */
    static final int CLOUD_POINTS = 200;
    /** The side of one panel of the matching picture, in pixels. */
    static final int PANEL = 480;
    static final long SEED = 2026;

    private TransportDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args one argument: the output folder (created if missing)
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the demo and returns its exit status instead of exiting.
     *
     * @param args the command-line arguments
     * @param out  where progress goes
     * @param err  where error messages go
     * @return 0 on success, 2 for bad arguments, 1 when the folder cannot be created or written
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Locale.setDefault(Locale.ROOT);
        if (args.length != 1 || args[0].isBlank()) {
            err.println("usage: transport <output folder>   (writes the demo's PNG pictures and results.json there)");
            return 2;
        }
        Path dir;
        try {
            dir = Path.of(args[0]).toAbsolutePath();
            Files.createDirectories(dir);
        } catch (InvalidPathException | IOException | UnsupportedOperationException e) {
            err.println("transport: cannot create the output folder " + args[0] + ": " + e);
            return 1;
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            err.println("transport: the output folder " + dir + " is not a writable directory");
            return 1;
        }
        out.println("Writing to " + dir);
        Results results = new Results();
        try (Scope scope = Scope.open()) {
            colourTransfer(dir, results, out);
            pointClouds(dir, results, out);
            Files.writeString(dir.resolve("results.json"), results.json());
        } catch (IOException | UncheckedIOException e) {
            err.println("transport: cannot write into " + dir + ": " + e);
            return 1;
        }
        out.println("Wrote the pictures and results.json to " + dir);
        out.println("Host memory still allocated: " + Memory.allocatedBytes() + " bytes");
        return 0;
    }

    /**
     * Reads a bundled photograph.
     *
     * @param name the resource's name without {@code .png}
     * @return a new image tensor {@code (H, W, 3)}
     * @throws IOException if it cannot be read or decoded
     */
    static Tensor bundledImage(String name) throws IOException {
        try (InputStream in = TransportDemo.class.getResourceAsStream(name + ".png")) {
            if (in == null) {
                throw new IOException("the bundled image " + name + ".png is missing from the module");
            }
            return Png.decode(in.readAllBytes(), name + ".png");
        }
    }

    private static void colourTransfer(Path dir, Results results, PrintStream out) throws IOException {
        out.printf("Colour transfer: %s.png -> palette of %s.png%n", SOURCE_IMAGE, TARGET_IMAGE);
        try (Scope scope = Scope.open()) {
            Tensor sourceImage = bundledImage(SOURCE_IMAGE);
            Tensor targetImage = bundledImage(TARGET_IMAGE);
            Png.write(dir.resolve(SOURCE_IMAGE + ".png"), sourceImage);
            Png.write(dir.resolve(TARGET_IMAGE + ".png"), targetImage);
            Tensor source = ColourTransfer.pixels(sourceImage);
            Tensor target = ColourTransfer.pixels(targetImage);
            results.put("colourTransfer.source", SOURCE_IMAGE + ".png " + sourceImage.dim(1) + "x" + sourceImage.dim(0));
            results.put("colourTransfer.target", TARGET_IMAGE + ".png " + targetImage.dim(1) + "x" + targetImage.dim(0));
            results.put("colourTransfer.samples", COLOUR_SAMPLES);
            results.put("colourTransfer.meanColour.source", source.mean(0).toDoubleArray());
            results.put("colourTransfer.meanColour.target", target.mean(0).toDoubleArray());
        }
    }

    private static void pointClouds(Path dir, Results results, PrintStream out) throws IOException {
        out.printf("Point clouds: a ring and a Gaussian blob, %d points each%n", CLOUD_POINTS);
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(SEED + 1);
            Tensor x = PointClouds.ring(CLOUD_POINTS, 0.05, rng);
            Tensor y = PointClouds.blob(CLOUD_POINTS, new double[] {0.25, -0.15}, 0.3, rng);
            Canvas canvas = new Canvas(2 * PANEL, PANEL, PointClouds.BACKGROUND);
            double[] none = new double[CLOUD_POINTS * CLOUD_POINTS];
            PointClouds.panel(canvas, 0, PANEL, x, y, none);
            PointClouds.panel(canvas, PANEL, PANEL, x, y, none);
            Png.write(dir.resolve("point-clouds.png"), canvas.toImage());
            results.put("pointClouds.points", CLOUD_POINTS);
        }
    }
}
