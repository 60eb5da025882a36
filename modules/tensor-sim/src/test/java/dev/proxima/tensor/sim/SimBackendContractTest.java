package dev.proxima.tensor.sim;

import dev.proxima.tensor.Device;
import dev.proxima.testkit.BackendContract;
import org.junit.jupiter.api.AfterEach;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backend contract on the simulated device {@code sim:0}: every op family on memory the front end
 * cannot read, against plain-Java reference values; ops without a sim kernel are staged through the host.
 */
class SimBackendContractTest extends BackendContract {

    @Override
    protected Device device() {
        return SimBackend.SIM;
    }

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }
}
