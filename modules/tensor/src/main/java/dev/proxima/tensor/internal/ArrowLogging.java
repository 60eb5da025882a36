package dev.proxima.tensor.internal;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;

/**
 * Keeps Apache Arrow's logging from printing at start-up in applications that chose no SLF4J provider.
 *
 * <p>Arrow's memory module (under every host tensor) logs through the SLF4J API, only at debug level. An
 * application with no SLF4J provider would see SLF4J's three-line "No SLF4J providers were found" warning the
 * first time a tensor is allocated. When no provider is visible (no module provides
 * {@code org.slf4j.spi.SLF4JServiceProvider}, no class-path {@code META-INF/services} entry for it, no
 * {@code slf4j.provider} property) and the application has not set {@code slf4j.internal.verbosity} itself,
 * this sets that property to {@code ERROR}, which silences SLF4J's own warnings; SLF4J then uses its no-op
 * logger as it would anyway. An application that adds a provider (for example {@code org.slf4j:slf4j-nop}, or
 * its logging backend) is left untouched and gets Arrow's messages there.
 */
final class ArrowLogging {

    static final String SERVICE = "org.slf4j.spi.SLF4JServiceProvider";
    static final String VERBOSITY = "slf4j.internal.verbosity";

    private ArrowLogging() {
    }

    /** Applies the rule above; called before the first use of Arrow's allocator. */
    static void quietWithoutProvider() {
        try {
            if (System.getProperty(VERBOSITY) == null && System.getProperty("slf4j.provider") == null && !providerVisible()) {
                System.setProperty(VERBOSITY, "ERROR");
            }
        } catch (SecurityException | IOException e) {
            // leave SLF4J's defaults: at worst its warning is printed
        }
    }

    static boolean providerVisible() throws IOException {
        for (Module m : ModuleLayer.boot().modules()) {
            for (ModuleDescriptor.Provides p : m.getDescriptor().provides()) {
                if (p.service().equals(SERVICE)) {
                    return true;
                }
            }
        }
        ClassLoader loader = ArrowLogging.class.getClassLoader();
        if (loader == null) {
            loader = ClassLoader.getSystemClassLoader();
        }
        return loader.getResources("META-INF/services/" + SERVICE).hasMoreElements()
                || ClassLoader.getSystemClassLoader().getResources("META-INF/services/" + SERVICE).hasMoreElements();
    }
}
