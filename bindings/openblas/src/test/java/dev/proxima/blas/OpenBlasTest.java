package dev.proxima.blas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library loader's report and the thread controls. */
class OpenBlasTest {

    @Test
    void libraryReportsPathAndConfig() {
        OpenBlas.Library lib = OpenBlas.library();
        assertNotNull(lib.origin());
        assertNotNull(lib.path());
        assertFalse(lib.path().isBlank());
        assertTrue(lib.path().contains("openblas"), lib.path());
        assertTrue(lib.config().contains("OpenBLAS"), lib.config());
        assertFalse(lib.coreName().isBlank());
        assertNotNull(lib.notes());
        String line = lib.toString();
        assertTrue(line.startsWith(lib.origin().name() + " " + lib.path()), line);
        assertTrue(line.contains(lib.config()), line);
    }

    @Test
    void libraryIsLoadedOnce() {
        assertTrue(OpenBlas.library() == OpenBlas.library());
    }

    @Test
    void setThreadsRejectsNonPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenBlas.setThreads(0));
        assertTrue(e.getMessage().contains(">= 1"), e.getMessage());
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpenBlas.setThreads(-3));
    }

    @Test
    void setThreadsRoundTrips() {
        int before = OpenBlas.threads();
        assertTrue(before >= 1);
        try {
            OpenBlas.setThreads(1);
            assertEquals(1, OpenBlas.threads());
        } finally {
            OpenBlas.setThreads(before);
        }
        assertEquals(before, OpenBlas.threads());
    }

    @Test
    void configuredThreadsReadsTheProperty() {
        String old = System.getProperty("proxima.threads");
        try {
            System.clearProperty("proxima.threads");
            assertEquals(Runtime.getRuntime().availableProcessors(), OpenBlas.configuredThreads());
            System.setProperty("proxima.threads", " 3 ");
            assertEquals(3, OpenBlas.configuredThreads());
            System.setProperty("proxima.threads", "0");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, OpenBlas::configuredThreads);
            assertTrue(e.getMessage().contains("'0'"), e.getMessage());
            System.setProperty("proxima.threads", "many");
            assertThrows(IllegalArgumentException.class, OpenBlas::configuredThreads);
        } finally {
            if (old == null) {
                System.clearProperty("proxima.threads");
            } else {
                System.setProperty("proxima.threads", old);
            }
        }
    }
}
