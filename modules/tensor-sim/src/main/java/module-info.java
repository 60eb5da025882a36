/**
 * A simulated device backend ({@code "sim"}) for testing device-generic code without a GPU: see
 * {@link dev.proxima.tensor.sim.SimBackend}. Put this module on the module path (of your tests) and
 * {@code new Device("sim", 0)} becomes available.
 */
module dev.proxima.tensor.sim {
    requires dev.proxima.tensor;

    exports dev.proxima.tensor.sim;

    uses dev.proxima.tensor.spi.Backend;
    provides dev.proxima.tensor.spi.Backend with dev.proxima.tensor.sim.SimBackend;
}
