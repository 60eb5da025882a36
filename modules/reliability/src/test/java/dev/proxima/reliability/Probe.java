package dev.proxima.reliability;

/**
 * One reliability probe: a hostile use of the library that must end cleanly. It returns normally when the library
 * behaved (a correct result, or the clear exception the probe expects) and throws an {@link AssertionError} saying
 * what went wrong otherwise. The runner checks in addition that no {@link Error} escaped, that no native memory
 * was left allocated and (from the parent JVM) that the JVM did not crash, hang or print native diagnostics.
 */
@FunctionalInterface
interface Probe {

    /**
     * Runs the probe.
     *
     * @throws Exception whatever the library threw that the probe did not expect (a failure)
     */
    void run() throws Exception;
}
