package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.tensor.TensorMathTest.throwsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Device names and what happens for a device no backend serves. */
@ExtendWith(AllocatorCheck.class)
class DeviceTest {

    @Test
    void parseAndPrint() {
        assertSame(Device.CPU, Device.parse("cpu"));
        assertEquals(new Device("cuda", 1), Device.parse("cuda:1"));
        assertEquals(new Device("metal", 0), Device.parse("metal"));
        assertEquals("cuda:1", new Device("cuda", 1).toString());
        assertEquals("cpu", Device.CPU.toString());
        assertEquals(Device.CPU, Device.parse("cpu:0"));
        throwsWith(IllegalArgumentException.class, () -> new Device("cuda", -1), "-1");
        assertThrows(NullPointerException.class, () -> new Device(null, 0));
        assertThrows(NumberFormatException.class, () -> Device.parse("cuda:x"));
    }

    @Test
    void unknownDevices() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.zeros(DType.F32, 2);
            assertEquals(Device.CPU, t.device());
            throwsWith(IllegalArgumentException.class, () -> t.to(new Device("nosuch", 0)), "no backend", "nosuch:0");
            assertEquals(Device.CPU, t.to(Device.CPU).device());
        }
    }
}
