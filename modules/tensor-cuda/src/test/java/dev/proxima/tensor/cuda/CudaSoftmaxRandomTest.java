package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cuda;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What runs without a GPU: the uniform clamp bounds passed to philox.cu, and Rng.on where CUDA is missing. */
class CudaSoftmaxRandomTest {

    @Test
    void clampBoundsAreTheCpus() {
        assertEquals(1f, CudaBackend.floatAtLeast(1.0));
        assertEquals(Math.nextUp(0.1f), CudaBackend.floatAtLeast(0.1f + 1e-12));
        assertEquals(Math.nextDown(3f), CudaBackend.floatBelow(3.0));
        assertEquals(Math.nextDown((float) 0.1), CudaBackend.floatBelow((float) 0.1));
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 10_000; i++) {
            double x = (r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(40) - 20);
            float lo = CudaBackend.floatAtLeast(x);
            float hi = CudaBackend.floatBelow(x);
            assertTrue(lo >= x && Math.nextDown(lo) < x, "floatAtLeast(" + x + ") = " + lo);
            assertTrue(hi < x && Math.nextUp(hi) >= x, "floatBelow(" + x + ") = " + hi);
        }
    }

    @Test
    void deviceViewNeedsAnAvailableBackend() {
        Rng rng = Rng.seed(1);
        if (Cuda.availability().available()) {
            assertEquals(new Device("cuda", 0), rng.on(new Device("cuda", 0)).device());
            return;
        }
        var e = assertThrows(IllegalStateException.class, () -> rng.on(new Device("cuda", 0)));
        assertTrue(e.getMessage().contains("not available"), e.getMessage());
        assertEquals(0, rng.draws());
    }
}
