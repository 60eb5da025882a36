package dev.proxima.bench;

import dev.proxima.tensor.Proxima;

/**
 * Prints the platform a benchmark run measures (Java, vector width, threads, the OpenBLAS library and
 * core), for the "machine" line of {@code bench/RESULTS.md}. Run with {@code bench/run.sh --info}.
 */
public final class PlatformInfo {

    private PlatformInfo() {
    }

    public static void main(String[] args) {
        Runtime rt = Runtime.getRuntime();
        System.out.print(Proxima.info());
        System.out.println("CPUs            " + rt.availableProcessors() + " available");
        System.out.println("OS              " + System.getProperty("os.name") + ' ' + System.getProperty("os.version")
                + ' ' + System.getProperty("os.arch"));
    }
}
