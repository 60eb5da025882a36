package dev.proxima.samples.transport;

import dev.proxima.io.Png;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.CostMatrix;
import dev.proxima.transport.LinearProblem;
import dev.proxima.transport.NetworkSimplex;
import dev.proxima.transport.NetworkSimplexOutput;
import dev.proxima.transport.Ot;
import dev.proxima.transport.Sinkhorn;
import dev.proxima.transport.SinkhornOutput;

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
    /** The entropic regularisation of the Sinkhorn solves (costs are squared distances of order 0.1 to 1). */
    static final double EPSILON = 0.01;
    /** Sinkhorn stops when the column-marginal error ‖Pᵀ1 − b‖₂ is below this, or after 1000 iterations. */
    static final double SINKHORN_TOLERANCE = 1e-6;
    static final int SINKHORN_MAX_ITERATIONS = 1000;

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
            err.println("transport: cannot create the output folder " + args[0] + ": " + reason(e));
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
            err.println("transport: cannot write into " + dir + ": " + reason(e));
            return 1;
        }
        out.println("Wrote the pictures and results.json to " + dir);
        out.println("Host memory still allocated: " + Memory.allocatedBytes() + " bytes");
        return 0;
    }

    /** Why a file operation failed, in words: the exception's kind and the path or message it gives. */
    static String reason(Exception e) {
        String what = switch (e) {
            case java.nio.file.FileAlreadyExistsException x -> "a file (not a folder) is in the way";
            case java.nio.file.NoSuchFileException x -> "no such file or folder";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.NotDirectoryException x -> "a file (not a folder) is in the way";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason().toLowerCase(Locale.ROOT);
            default -> e.getClass().getSimpleName();
        };
        return e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? what + " (" + f.getFile() + ")"
                : what + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
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

    /**
     * The colour samples of the two photographs: {@link #COLOUR_SAMPLES} distinct pixels of each, drawn with seed
     * {@link #SEED} (source first), so that a test can rebuild the demo's transport problem.
     *
     * @param source the source pixels {@code (N, 3)}
     * @param target the target pixels {@code (M, 3)}
     * @return new tensors {source samples, target samples}
     */
    static Tensor[] colourSamples(Tensor source, Tensor target) {
        Rng rng = Rng.seed(SEED);
        Tensor xs = ColourTransfer.sample(source, COLOUR_SAMPLES, rng);
        return new Tensor[] {xs, ColourTransfer.sample(target, COLOUR_SAMPLES, rng)};
    }

    /**
     * A transport plan with what the demo reports about its solve; {@code regularizedCost} is NaN for EMD.
     */
    private record Solution(String solver, Tensor plan, double cost, double regularizedCost, long iterations,
                            boolean converged, double millis) {
    }

    private static Solution emd(Tensor a, Tensor b, Tensor costs) {
        long t0 = System.nanoTime();
        NetworkSimplexOutput out = NetworkSimplex.create().solve(a, b, costs);
        double millis = (System.nanoTime() - t0) / 1e6;
        return new Solution("emd", out.plan(), out.cost(), Double.NaN, out.iterations(), out.optimal(), millis);
    }

    private static Solution sinkhorn(Tensor a, Tensor b, Tensor costs) {
        long t0 = System.nanoTime();
        Sinkhorn solver = Sinkhorn.builder(EPSILON).maxIterations(SINKHORN_MAX_ITERATIONS).tolerance(SINKHORN_TOLERANCE).build();
        SinkhornOutput out = solver.solve(LinearProblem.of(CostMatrix.of(costs), a, b));
        Tensor plan = out.plan();
        double millis = (System.nanoTime() - t0) / 1e6;
        return new Solution("sinkhorn", plan, out.cost().item(), out.regularizedCost().item(), out.iterations(),
                out.converged(), millis);
    }

    private static void report(Results results, String prefix, Solution s, Tensor a, Tensor b, PrintStream out) {
        double[] p = s.plan().toDoubleArray();
        long nonzeros = 0;
        for (double v : p) {
            nonzeros += v > 0 ? 1 : 0;
        }
        double rowError;
        double columnError;
        try (Scope scope = Scope.open()) {
            rowError = s.plan().sum(1).sub(a).abs().max().item();
            columnError = s.plan().sum(0).sub(b).abs().max().item();
        }
        String key = prefix + "." + s.solver() + ".";
        results.put(key + "cost", s.cost());
        if (!Double.isNaN(s.regularizedCost())) {
            results.put(key + "epsilon", EPSILON);
            results.put(key + "regularizedCost", s.regularizedCost());
        }
        results.put(key + "iterations", s.iterations());
        results.put(key + "converged", s.converged());
        results.put(key + "millis", s.millis());
        results.put(key + "planNonzeros", nonzeros);
        results.put(key + "marginalError", Math.max(rowError, columnError));
        out.printf("  %-9s cost %.6g  %d iterations%s  %.1f ms  %d nonzeros in the %d x %d plan%n", s.solver(), s.cost(),
                s.iterations(), s.converged() ? "" : " (not converged)", s.millis(), nonzeros, s.plan().dim(0), s.plan().dim(1));
    }

    private static void colourTransfer(Path dir, Results results, PrintStream out) throws IOException {
        out.printf("Colour transfer: %s.png <-> %s.png, %d sampled colours each%n", SOURCE_IMAGE, TARGET_IMAGE, COLOUR_SAMPLES);
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
            results.put("colourTransfer.meanColour." + SOURCE_IMAGE, source.mean(0).toDoubleArray());
            results.put("colourTransfer.meanColour." + TARGET_IMAGE, target.mean(0).toDoubleArray());

            Tensor[] samples = colourSamples(source, target);
            Tensor xs = samples[0];
            Tensor xt = samples[1];
            Tensor a = Tensor.full(1.0 / COLOUR_SAMPLES, DType.F64, COLOUR_SAMPLES);
            Tensor costs = Ot.dist(xs, xt);
            long t0 = System.nanoTime();
            Tensor sourceNearest = ColourTransfer.nearest(source, xs);
            Tensor targetNearest = ColourTransfer.nearest(target, xt);
            out.printf("  nearest sampled colour of every pixel (%.0f ms)%n", (System.nanoTime() - t0) / 1e6);
            for (String solver : new String[] {"emd", "sinkhorn"}) {
                out.printf("  solving by %s ...%n", solver);
                Solution s = solver.equals("emd") ? emd(a, a, costs) : sinkhorn(a, a, costs);
                report(results, "colourTransfer", s, a, a, out);
                String forward = SOURCE_IMAGE + "-to-" + TARGET_IMAGE + "-" + s.solver();
                String backward = TARGET_IMAGE + "-to-" + SOURCE_IMAGE + "-" + s.solver();
                t0 = System.nanoTime();
                try (Scope step = Scope.open()) {
                    Tensor recoloured = ColourTransfer.recolour(source, sourceNearest, xs, ColourTransfer.barycentricProjection(s.plan(), xt));
                    Png.write(dir.resolve(forward + ".png"), ColourTransfer.image(recoloured, sourceImage.dim(0), sourceImage.dim(1)));
                    results.put("colourTransfer.meanColour." + forward, recoloured.mean(0).toDoubleArray());
                    recoloured = ColourTransfer.recolour(target, targetNearest, xt, ColourTransfer.barycentricProjection(s.plan().transpose(), xs));
                    Png.write(dir.resolve(backward + ".png"), ColourTransfer.image(recoloured, targetImage.dim(0), targetImage.dim(1)));
                    results.put("colourTransfer.meanColour." + backward, recoloured.mean(0).toDoubleArray());
                }
                out.printf("  wrote %s.png and %s.png (%.0f ms)%n", forward, backward, (System.nanoTime() - t0) / 1e6);
            }
        }
    }

    private static void pointClouds(Path dir, Results results, PrintStream out) throws IOException {
        out.printf("Point clouds: a ring and a Gaussian blob, %d points each%n", CLOUD_POINTS);
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(SEED + 1);
            Tensor x = PointClouds.ring(CLOUD_POINTS, 0.05, rng);
            Tensor y = PointClouds.blob(CLOUD_POINTS, new double[] {0.25, -0.15}, 0.3, rng);
            Tensor a = Tensor.full(1.0 / CLOUD_POINTS, DType.F64, CLOUD_POINTS);
            Tensor costs = Ot.dist(x, y);
            results.put("pointClouds.points", CLOUD_POINTS);
            out.println("  solving by emd and by sinkhorn ...");
            Solution exact = emd(a, a, costs);
            report(results, "pointClouds", exact, a, a, out);
            Solution entropic = sinkhorn(a, a, costs);
            report(results, "pointClouds", entropic, a, a, out);
            Canvas canvas = new Canvas(2 * PANEL, PANEL, PointClouds.BACKGROUND);
            PointClouds.panel(canvas, 0, PANEL, x, y, PointClouds.linkOpacities(exact.plan(), PointClouds.LINK_SHARE));
            PointClouds.panel(canvas, PANEL, PANEL, x, y, PointClouds.linkOpacities(entropic.plan(), PointClouds.LINK_SHARE));
            Png.write(dir.resolve("point-clouds.png"), canvas.toImage());
            out.println("  wrote point-clouds.png");
        }
    }
}
