package dev.proxima.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** {@link Proxima#version()}: where the version comes from, and its fallback. */
class ProximaVersionTest {

    @Test
    void theTestsSeeTheVersionTheBuildRecordedInTheModuleDescriptor() {
        // surefire passes the project's version (parent pom); the tests run from target/classes,
        // patched into the named module, so the version comes from the module descriptor
        String built = System.getProperty("proxima.build.version");
        assertNotNull(built, "the build passes -Dproxima.build.version to the tests");
        assertEquals("dev.proxima.tensor", Proxima.class.getModule().getName());
        assertEquals(built, Proxima.version());
    }

    @Test
    void theManifestWinsThenTheModuleDescriptorThenUnknown() {
        assertEquals("1.2.3", Proxima.version("1.2.3", "0.9.0"));
        assertEquals("0.9.0", Proxima.version(null, "0.9.0"));
        assertEquals("0.9.0", Proxima.version("  ", "0.9.0"));
        assertEquals("1.2.3", Proxima.version(" 1.2.3 ", null));
        assertEquals(Proxima.UNKNOWN_VERSION, Proxima.version(null, null));
        assertEquals("unknown", Proxima.version("", ""));
    }
}
