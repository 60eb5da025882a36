package dev.proxima.nn;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.Safetensors;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ModuleTest {

    @TempDir
    Path dir;

    private static Sequential model(long seed) {
        Rng rng = Rng.seed(seed);
        return new Sequential(new Linear(3, 4, true, DType.F32, rng.split()), new BatchNorm(4, DType.F32),
                new Dropout(0.5, rng.split()), new Linear(4, 2, false, DType.F64, rng.split()));
    }

    @Test
    void namesOrderModesAndGrads() {
        try (Sequential m = model(1)) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight"), List.copyOf(m.namedParameters().keySet()));
            assertEquals(List.of("1.running_mean", "1.running_var"), List.copyOf(m.namedBuffers().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "1.running_mean", "1.running_var"),
                    List.copyOf(m.stateDict().keySet()));
            assertEquals(12 + 4 + 4 + 4 + 8, m.parameterCount());
            assertTrue(m.get(2).isTraining());
            m.eval();
            assertFalse(m.get(2).isTraining());
            m.train();
            assertTrue(m.get(1).isTraining());
            try (Scope s = Scope.open()) {
                Tensor y = m.forward(Tensor.ones(DType.F32, 5, 3)).cast(DType.F64);
                y.sum().backward();
                for (Parameter p : m.parameters()) {
                    assertNotNull(p.grad());
                }
                m.zeroGrad();
                for (Parameter p : m.parameters()) {
                    assertNull(p.grad());
                }
            }
        }
    }

    @Test
    void parametersOutliveScopesAndUpdatesSwapValues() {
        Linear lin;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                lin = new Linear(2, 1, true, DType.F64, Rng.seed(3));
            }
            assertEquals(0, outer.size());
            for (int step = 0; step < 3; step++) {
                try (Scope s = Scope.open()) {
                    Tensor loss = lin.forward(Tensor.of(1.0, 2.0).reshape(1, 2)).sum();
                    loss.backward();
                    try (var off = Autodiff.noGrad()) {
                        for (Parameter p : lin.parameters()) {
                            p.set(p.value().sub(p.grad().mul(0.1)));
                        }
                    }
                }
                assertTrue(lin.weight().value().requiresGrad());
                assertNull(lin.weight().grad());
            }
            assertEquals(0, outer.size());
        }
        assertFalse(lin.weight().value().isClosed());
        Tensor w = lin.weight().value();
        lin.close();
        assertTrue(w.isClosed());
        lin.close(); // twice is harmless
    }

    @Test
    void setRejectsMismatchesAndGraphOutputs() {
        try (Scope s = Scope.open(); Linear lin = new Linear(2, 3, true, DType.F64, Rng.seed(3))) {
            Parameter w = lin.weight();
            assertThrows(IllegalArgumentException.class, () -> w.set(Tensor.zeros(DType.F64, 2, 3)));
            assertThrows(IllegalArgumentException.class, () -> w.set(Tensor.zeros(DType.F32, 3, 2)));
            Tensor graph = w.value().mul(2.0);
            assertThrows(IllegalArgumentException.class, () -> w.set(graph));
        }
    }

    @Test
    void stateDictRoundTrip() throws IOException {
        for (String name : List.of("m.safetensors", "m.npz")) {
            Path file = dir.resolve(name);
            try (Sequential a = model(1); Sequential b = model(2); Scope s = Scope.open()) {
                a.forward(Rng.seed(5).normal(DType.F32, 0, 1, 6, 3)); // moves the running stats
                a.save(file);
                b.load(file);
                assertStatesEqual(a, b);
                try (Sequential c = model(3)) {
                    c.loadStateDict(a.stateDict());
                    assertStatesEqual(a, c);
                    // the copies are independent of a
                    a.close();
                    assertFalse(c.stateDict().get("0.weight").isClosed());
                }
                Map<String, Tensor> bad = new java.util.LinkedHashMap<>(b.stateDict());
                bad.remove("1.running_var");
                assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
            }
        }
    }

    @Test
    void savesSafetensorsNamedByParameterPaths() throws IOException {
        Path file = dir.resolve("names.safetensors");
        try (Sequential a = model(1); Scope s = Scope.open()) {
            a.save(file);
            Map<String, Tensor> read = Safetensors.read(file);
            assertEquals(new java.util.TreeSet<>(a.stateDict().keySet()), new java.util.TreeSet<>(read.keySet()));
            a.stateDict().forEach((k, t) -> {
                assertEquals(t.dtype(), read.get(k).dtype(), k);
                assertArrayEquals(t.shape(), read.get(k).shape(), k);
                assertArrayEquals(t.toDoubleArray(), read.get(k).toDoubleArray(), k);
            });
            assertTrue(read.containsKey("0.weight") && read.containsKey("1.running_mean") && read.containsKey("3.weight"), read.keySet().toString());
        }
    }

    /**
     * A state written under PyTorch's names for torch.nn.Sequential(Linear(3, 4), Tanh(), Linear(4, 2)) by
     * {@code src/test/interop/torch_state_fixture.py} (NumPy, the published safetensors format) loads into the
     * same Proxima network, which then computes the outputs NumPy computed.
     */
    @Test
    void loadsAPyTorchStyleStateWrittenByPython() throws IOException {
        Path fixtures = Path.of("src/test/resources/fixtures");
        Rng rng = Rng.seed(9);
        try (Sequential net = new Sequential(new Linear(3, 4, true, DType.F32, rng.split()), new Tanh(),
                new Linear(4, 2, true, DType.F32, rng.split())); Scope s = Scope.open()) {
            net.load(fixtures.resolve("mlp_3_4_2.safetensors"));
            Map<String, Tensor> io = Safetensors.read(fixtures.resolve("mlp_3_4_2_io.safetensors"));
            float[] expected = io.get("output").toFloatArray();
            float[] actual = net.forward(io.get("input")).toFloatArray();
            assertEquals(10, expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 2e-6, "output element " + i);
            }
        }
    }

    private static void assertStatesEqual(Module a, Module b) {
        Map<String, Tensor> sa = a.stateDict();
        Map<String, Tensor> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) {
            assertEquals(sa.get(k).dtype(), sb.get(k).dtype(), k);
            assertArrayEquals(sa.get(k).toDoubleArray(), sb.get(k).toDoubleArray(), k);
        }
    }

    @Test
    void corruptOrMismatchedFilesAreRejectedNamingTheFileAndChangeNothing() throws IOException {
        Path file = dir.resolve("good.safetensors");
        try (Sequential a = model(1)) {
            a.save(file);
        }
        byte[] good = Files.readAllBytes(file);
        try (Sequential b = model(2); Scope s = Scope.open()) {
            Map<String, double[]> before = snapshot(b);
            expectCorrupt(b, "truncated", Arrays.copyOf(good, good.length - 5), "truncated");
            expectCorrupt(b, "header-cut", Arrays.copyOf(good, 10), "exceeds the 2 bytes");
            expectCorrupt(b, "trailing", Arrays.copyOf(good, good.length + 3), "trailing");
            Map<String, Tensor> state = new java.util.LinkedHashMap<>(Safetensors.read(file));
            Map<String, Tensor> renamed = new java.util.LinkedHashMap<>(state);
            renamed.put("9.weight", renamed.remove("0.weight"));
            expectCorrupt(b, "renamed", renamed, "lacks tensor '0.weight'");
            Map<String, Tensor> extra = new java.util.LinkedHashMap<>(state);
            extra.put("9.weight", Tensor.zeros(DType.F32, 2));
            expectCorrupt(b, "extra", extra, "unexpected tensor '9.weight'");
            Map<String, Tensor> dtype = new java.util.LinkedHashMap<>(state);
            dtype.put("0.weight", state.get("0.weight").cast(DType.F64));
            expectCorrupt(b, "dtype", dtype, "'0.weight' is F64[4, 3], the module expects F32[4, 3]");
            Map<String, Tensor> shape = new java.util.LinkedHashMap<>(state);
            shape.put("0.bias", Tensor.zeros(DType.F32, 5));
            expectCorrupt(b, "shape", shape, "'0.bias' is F32[5], the module expects F32[4]");
            try (Sequential other = new Sequential(new Linear(3, 4, true, DType.F32, Rng.seed(1)))) {
                assertThrows(IOException.class, () -> other.load(file));
            }
            assertEquals(before.keySet(), snapshot(b).keySet());
            before.forEach((k, v) -> assertArrayEquals(v, snapshot(b).get(k), "unchanged after failed loads: " + k));
        }
    }

    private static Map<String, double[]> snapshot(Module m) {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        m.stateDict().forEach((k, t) -> out.put(k, t.toDoubleArray()));
        return out;
    }

    private void expectCorrupt(Module m, String name, Map<String, Tensor> state, String message) throws IOException {
        Path f = dir.resolve(name + ".safetensors");
        Safetensors.write(f, state);
        expectCorrupt(m, name, Files.readAllBytes(f), message);
    }

    private void expectCorrupt(Module m, String name, byte[] bytes, String message) throws IOException {
        Path f = dir.resolve(name + ".safetensors");
        Files.write(f, bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> m.load(f), name);
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(message), name + ": " + e.getMessage());
    }
}
