package dev.proxima.tensor;

import dev.proxima.blas.OpenBlas;
import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.internal.Parallel;
import dev.proxima.tensor.spi.Backend;
import jdk.incubator.vector.FloatVector;

import java.util.List;

/** Facts about the running platform: Java, vector width, threads, OpenBLAS, devices. */
public final class Proxima {

    private Proxima() {
    }

    /**
     * A snapshot of the platform.
     *
     * @param javaVersion   {@code Runtime.version()}
     * @param vectorBits    width of the Vector API's preferred species
     * @param threads       worker threads for elementwise loops and OpenBLAS ({@code proxima.threads})
     * @param openBlas      the loaded OpenBLAS library
     * @param openBlasThreads threads OpenBLAS reports
     * @param devices       one line per backend: available or not, and why
     */
    public record Info(String javaVersion, int vectorBits, int threads, OpenBlas.Library openBlas, int openBlasThreads,
                       List<String> devices) {
        /** A multi-line human-readable report. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("Java            ").append(javaVersion).append('\n');
            sb.append("Vector API      ").append(vectorBits).append("-bit preferred species\n");
            sb.append("Threads         ").append(threads).append(" (OpenBLAS: ").append(openBlasThreads).append(")\n");
            sb.append("OpenBLAS        ").append(openBlas.origin()).append(' ').append(openBlas.path()).append('\n');
            sb.append("  config        ").append(openBlas.config()).append('\n');
            sb.append("  core          ").append(openBlas.coreName()).append('\n');
            for (String note : openBlas.notes()) {
                sb.append("  note          ").append(note).append('\n');
            }
            for (String d : devices) {
                sb.append("Device          ").append(d).append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * Describes the platform; loads OpenBLAS if it is not loaded yet.
     *
     * @return the Java version, vector width, thread counts, the loaded OpenBLAS and one line per backend
     */
    public static Info info() {
        List<String> devices = Backends.all().values().stream()
                .map(b -> (b.isAvailable() ? "" : "unavailable ") + b.describe()).toList();
        return new Info(Runtime.version().toString(), FloatVector.SPECIES_PREFERRED.vectorBitSize(), Parallel.threads(),
                OpenBlas.library(), OpenBlas.threads(), devices);
    }

    /**
     * How many kernel calls so far ran on the host because their device's backend has no kernel for them (or
     * declined the operands): the dispatcher copied the operands to host memory, ran the CPU kernel and copied
     * the results back. A benchmark or test can watch this number to check that work stays on a device.
     *
     * @return the number of staged kernel calls since the process started
     */
    public static long hostStagings() {
        return dev.proxima.tensor.internal.Dispatcher.hostStagings();
    }

    /** What {@link #version()} returns when no version is recorded anywhere. */
    public static final String UNKNOWN_VERSION = "unknown";

    /**
     * The version of Proxima in use, e.g. {@code "0.1.0"}: the {@code Implementation-Version} of the
     * {@code proxima-tensor} jar's manifest; when the classes do not come from that jar (run from a build's
     * {@code target/classes}, as the tests do), the version recorded in the {@code dev.proxima.tensor} module
     * descriptor ({@code javac --module-version}, which the Maven build sets); {@link #UNKNOWN_VERSION} when the
     * classes are on the class path outside a jar.
     *
     * {@snippet :
     * System.out.println("Proxima " + Proxima.version());   // Proxima 0.1.0
     * }
     *
     * @return the version string, or {@link #UNKNOWN_VERSION}
     */
    public static String version() {
        Module module = Proxima.class.getModule();
        String moduleVersion = module.isNamed() && module.getDescriptor() != null
                ? module.getDescriptor().rawVersion().orElse(null) : null;
        return version(Proxima.class.getPackage().getImplementationVersion(), moduleVersion);
    }

    /** The first non-blank of the manifest's and the module descriptor's version, else {@link #UNKNOWN_VERSION}. */
    static String version(String implementationVersion, String moduleVersion) {
        if (implementationVersion != null && !implementationVersion.isBlank()) {
            return implementationVersion.trim();
        }
        if (moduleVersion != null && !moduleVersion.isBlank()) {
            return moduleVersion.trim();
        }
        return UNKNOWN_VERSION;
    }

    /** The backends this process knows. */
    static List<Backend> backends() {
        return List.copyOf(Backends.all().values());
    }
}
