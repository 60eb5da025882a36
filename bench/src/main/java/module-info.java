/**
 * Proxima's JMH benchmarks.
 *
 * <p>This descriptor is for compilation only: it makes javac check the benchmarks against the
 * modules' exported API, as every other Proxima module is checked. The benchmarks run from the
 * class-path uber jar {@code bench/target/benchmarks.jar}, whose shading drops every
 * {@code module-info.class}, so at run time all code is in the unnamed module (see bench/README.md).
 * {@code jmh.core} is the automatic module name derived from the jmh-core jar's file name.
 */
module dev.proxima.bench {
    requires dev.proxima.tensor;
    requires dev.proxima.nn;
    requires dev.proxima.io;
    requires dev.proxima.io.arrow;
    requires dev.proxima.tensor.cuda;
    requires dev.proxima.transport;
    requires jmh.core;

    // JMH instantiates the benchmark classes and its generated subclasses reflectively.
    opens dev.proxima.bench.tensor to jmh.core;
    opens dev.proxima.bench.tensor.jmh_generated to jmh.core;
    opens dev.proxima.bench.nn to jmh.core;
    opens dev.proxima.bench.nn.jmh_generated to jmh.core;
    opens dev.proxima.bench.io to jmh.core;
    opens dev.proxima.bench.io.jmh_generated to jmh.core;
    opens dev.proxima.bench.cuda to jmh.core;
    opens dev.proxima.bench.cuda.jmh_generated to jmh.core;
    opens dev.proxima.bench.transport to jmh.core;
    opens dev.proxima.bench.transport.jmh_generated to jmh.core;
}
