package dev.proxima.tensor.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrowLoggingTest {

    /** The tests have org.slf4j:slf4j-nop, a provider, on their path: it is seen, so nothing is changed. */
    @Test
    void aVisibleProviderIsFoundAndLeftAlone() throws IOException {
        assertTrue(ArrowLogging.providerVisible());
        String before = System.getProperty(ArrowLogging.VERBOSITY);
        ArrowLogging.quietWithoutProvider();
        assertEquals(before, System.getProperty(ArrowLogging.VERBOSITY));
    }

    @Test
    void aVerbosityTheApplicationSetIsNeverChanged() {
        String before = System.getProperty(ArrowLogging.VERBOSITY);
        try {
            System.setProperty(ArrowLogging.VERBOSITY, "DEBUG");
            ArrowLogging.quietWithoutProvider();
            assertEquals("DEBUG", System.getProperty(ArrowLogging.VERBOSITY));
        } finally {
            if (before == null) {
                System.clearProperty(ArrowLogging.VERBOSITY);
            } else {
                System.setProperty(ArrowLogging.VERBOSITY, before);
            }
        }
    }
}
