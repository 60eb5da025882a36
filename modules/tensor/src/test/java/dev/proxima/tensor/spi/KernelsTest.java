package dev.proxima.tensor.spi;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel keys: fixed, distinct codes; argument counts checked; the CPU registers every core key. */
class KernelsTest {

    private static Map<String, KernelKey<?>> coreKeys() throws IllegalAccessException {
        Map<String, KernelKey<?>> keys = new HashMap<>();
        for (Field f : Kernels.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == KernelKey.class) {
                keys.put(f.getName(), (KernelKey<?>) f.get(null));
            }
        }
        return keys;
    }

    @Test
    void codesAreFixedAndDistinct() throws IllegalAccessException {
        Map<String, KernelKey<?>> keys = coreKeys();
        Map<Integer, String> byCode = new HashMap<>();
        for (Map.Entry<String, KernelKey<?>> e : keys.entrySet()) {
            String earlier = byCode.put(e.getValue().code(), e.getKey());
            assertNull(earlier, "code " + e.getValue().code() + " is used by " + earlier + " and " + e.getKey());
            assertTrue(e.getValue().code() >= 1 && e.getValue().code() < 10_000, e.getKey() + " has a module-range code");
        }
        // codes never change once given out (renumbering would remap every backend's table)
        String[] names = {"FILL", "IOTA", "UNARY", "BINARY", "MUL_ADD", "WHERE", "REDUCE", "MATMUL", "SOFTMAX", "RANDOM",
                "GATHER", "SCATTER", "COUNT_TRUE", "COMPRESS", "SORT", "SEARCH_SORTED", "SCAN",
                "CONV2D", "CONV_TRANSPOSE2D", "MAX_POOL2D", "MAX_POOL2D_BACKWARD", "AVG_POOL2D", "RESIZE", "CORRELATE2D",
                "FFT", "RFFT", "IRFFT", "HERMITIAN_FILL",
                "LU_SOLVE", "INVERSE", "SLOGDET", "CHOLESKY", "TRIANGULAR_SOLVE", "QR", "SVD", "EIGH", "EIG", "LSTSQ"};
        for (int i = 0; i < names.length; i++) {
            assertEquals(i + 1, keys.get(names[i]).code(), names[i]);   // codes 1, 2, … in this order
        }
        assertEquals(40, keys.get("SOFT_MIN").code(), "SOFT_MIN");
        assertEquals(41, keys.get("SOFT_MIN_SQUARED_DISTANCES").code(), "SOFT_MIN_SQUARED_DISTANCES");
    }

    @Test
    void everyCoreKeyHasACpuKernel() throws IllegalAccessException {
        Backend cpu = Backend.of(Device.CPU);
        Map<KernelKey<?>, Kernel<?>> registered = new HashMap<>();
        cpu.registerKernels(new KernelRegistry() {
            @Override
            public <P> void register(KernelKey<P> key, Kernel<P> kernel) {
                registered.put(key, kernel);
            }
        });
        for (Map.Entry<String, KernelKey<?>> e : coreKeys().entrySet()) {
            assertTrue(registered.containsKey(e.getValue()), "the CPU backend registers no kernel for " + e.getKey());
        }
    }

    @Test
    void keysValidateTheirShape() {
        assertThrows(IllegalArgumentException.class, () -> new KernelKey<>(0, "zero", Void.class, 1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new KernelKey<>(10_001, "noOutput", Void.class, 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new KernelKey<>(10_002, "negative", Void.class, -1, 1, false));
        KernelKey<Void> k = new KernelKey<>(10_003, "mine", Void.class, 2, 1, true);
        assertEquals("mine#10003", k.toString());
        assertEquals(2, k.inputs());
        assertTrue(k.readsOutputs());
    }

    @Test
    void aCallWithTheWrongNumberOfViewsIsRefused() {
        try (Tensor a = Tensor.ones(DType.F32, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> dev.proxima.tensor.internal.Dispatcher.run(Kernels.BINARY, BinaryOp.ADD, a.view(), a.view()));
            assertTrue(e.getMessage().contains("binary#4") && e.getMessage().contains("2 inputs"), e.getMessage());
        }
    }

    @Test
    void theDefaultRegistrationIsEmpty() {
        Backend bare = new Backend() {
            @Override
            public String kind() {
                return "bare";
            }

            @Override
            public boolean isAvailable() {
                return true;
            }

            @Override
            public String describe() {
                return "bare";
            }

            @Override
            public Storage allocate(Device device, long bytes) {
                throw new UnsupportedOperationException("a test backend that allocates nothing");
            }

            @Override
            public void copy(StridedView src, StridedView dst) {
                throw new UnsupportedOperationException("a test backend that copies nothing");
            }
        };
        int[] count = {0};
        bare.registerKernels(new KernelRegistry() {
            @Override
            public <P> void register(KernelKey<P> key, Kernel<P> kernel) {
                count[0]++;
            }
        });
        assertEquals(0, count[0]);
    }
}
