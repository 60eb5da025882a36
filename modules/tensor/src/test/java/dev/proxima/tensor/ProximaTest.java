package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The platform report. */
@ExtendWith(AllocatorCheck.class)
class ProximaTest {

    @Test
    void infoDescribesThePlatform() {
        Proxima.Info info = Proxima.info();
        assertEquals(Runtime.version().toString(), info.javaVersion());
        assertTrue(info.vectorBits() >= 64, "vector bits " + info.vectorBits());
        assertTrue(info.threads() >= 1);
        assertTrue(info.openBlasThreads() >= 1);
        assertTrue(info.openBlas().config().contains("OpenBLAS"), info.openBlas().config());
        assertTrue(info.devices().stream().anyMatch(d -> d.startsWith("cpu:")), info.devices().toString());
        String text = info.toString();
        assertTrue(text.startsWith("Java            " + info.javaVersion() + "\n"), text);
        assertTrue(text.contains("OpenBLAS        " + info.openBlas().origin()), text);
        assertTrue(text.contains("Device          cpu: "), text);
        assertTrue(Proxima.backends().stream().anyMatch(b -> b.kind().equals("cpu") && b.isAvailable()));
    }
}
