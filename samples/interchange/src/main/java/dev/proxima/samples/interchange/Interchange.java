package dev.proxima.samples.interchange;

import dev.proxima.io.Npy;
import dev.proxima.io.Png;
import dev.proxima.io.Safetensors;
import dev.proxima.io.arrow.ArrowTensors;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Round trips through every interchange format of {@code dev.proxima.io}: writes tensors to a folder (the
 * first argument, else a new temporary folder), reads them back, and prints sizes, timings and whether
 * the values came back exactly.
 */
public final class Interchange {

    private Interchange() {
    }

    /** Runs the round trips; optional argument: the output folder. */
    public static void main(String[] args) throws IOException {
        Locale.setDefault(Locale.ROOT);
        Path dir = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("proxima-interchange");
        System.out.println("Writing to " + dir.toAbsolutePath());
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(1);
            Tensor weights = rng.normal(DType.F32, 0, 1, 256, 128);
            Tensor bias = rng.uniform(DType.F64, -1, 1, 128);
            Tensor labels = rng.randint(0, 10, DType.I64, 1000);

            Path npy = dir.resolve("weights.npy");
            long t0 = System.nanoTime();
            Npy.write(npy, weights);
            Tensor back = Npy.read(npy);
            report(".npy", npy, t0, weights, back);

            Path npz = dir.resolve("state.npz");
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("weights", weights);
            state.put("bias", bias);
            state.put("labels", labels);
            t0 = System.nanoTime();
            Npy.writeNpz(npz, state, true);
            Map<String, Tensor> npzBack = Npy.readNpz(npz);
            report(".npz (deflated)", npz, t0, bias, npzBack.get("bias"));

            Path safetensors = dir.resolve("state.safetensors");
            t0 = System.nanoTime();
            Safetensors.write(safetensors, state, Map.of("format", "pt"));
            Map<String, Tensor> safetensorsBack = Safetensors.read(safetensors);
            report("safetensors", safetensors, t0, weights, safetensorsBack.get("weights"));

            Path arrow = dir.resolve("state.arrow");
            t0 = System.nanoTime();
            ArrowTensors.writeState(arrow, state, ArrowTensors.Format.FILE);
            Map<String, Tensor> arrowBack = ArrowTensors.readState(arrow);
            report("Arrow IPC file (arrow.fixed_shape_tensor)", arrow, t0, labels, arrowBack.get("labels"));

            // a 64×64 RGB gradient image, written as 16-bit PNG and read back
            Tensor ys = Tensor.linspace(0, 1, 64, DType.F32).reshape(64, 1, 1);
            Tensor xs = Tensor.linspace(0, 1, 64, DType.F32).reshape(1, 64, 1);
            Tensor image = Tensor.concat(2, ys.broadcastTo(64, 64, 1), xs.broadcastTo(64, 64, 1), ys.mul(xs).broadcastTo(64, 64, 1));
            Path png = dir.resolve("gradient.png");
            t0 = System.nanoTime();
            Png.write(png, image, 16);
            Tensor pngBack = Png.read(png);
            double maxError = pngBack.sub(image).abs().max().item();
            System.out.printf("%-44s %8d bytes %7.1f ms  max error %.2e (16-bit quantization: 7.6e-6)%n", "PNG 16-bit RGB",
                    Files.size(png), (System.nanoTime() - t0) / 1e6, maxError);
        }
        System.out.println("Host memory still allocated: " + Memory.allocatedBytes() + " bytes");
    }

    private static void report(String what, Path file, long t0, Tensor expected, Tensor actual) throws IOException {
        boolean same = java.util.Arrays.equals(expected.shape(), actual.shape()) && expected.dtype() == actual.dtype()
                && java.util.Arrays.equals(expected.toDoubleArray(), actual.toDoubleArray());
        System.out.printf("%-44s %8d bytes %7.1f ms  %s%n", what, Files.size(file), (System.nanoTime() - t0) / 1e6,
                same ? "round trip exact" : "MISMATCH");
    }
}
