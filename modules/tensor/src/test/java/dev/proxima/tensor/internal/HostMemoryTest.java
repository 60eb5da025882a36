package dev.proxima.tensor.internal;

import dev.proxima.tensor.AllocatorCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parsing of the memory system properties. */
@ExtendWith(AllocatorCheck.class)
class HostMemoryTest {

    @Test
    void aMissingOrBlankValueGivesTheDefault() {
        assertEquals(Long.MAX_VALUE, HostMemory.bytesProperty("proxima.memory.limit", null, Long.MAX_VALUE, false));
        assertEquals(Long.MAX_VALUE, HostMemory.bytesProperty("proxima.memory.limit", "  ", Long.MAX_VALUE, false));
        assertEquals(HostMemory.DEFAULT_CACHE_BYTES, HostMemory.bytesProperty("proxima.memory.cache", "", HostMemory.DEFAULT_CACHE_BYTES, true));
    }

    @Test
    void wholeNumbersOfBytesAreAccepted() {
        assertEquals(1073741824L, HostMemory.bytesProperty("proxima.memory.limit", " 1073741824 ", Long.MAX_VALUE, false));
        assertEquals(0, HostMemory.bytesProperty("proxima.memory.cache", "0", 1, true));
    }

    @Test
    void malformedValuesNameTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostMemory.bytesProperty("proxima.memory.limit", "12x", Long.MAX_VALUE, false));
        assertEquals("system property proxima.memory.limit must be a positive whole number of bytes (such as 1073741824),"
                + " got '12x'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostMemory.bytesProperty("proxima.memory.limit", "0", Long.MAX_VALUE, false));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.bytesProperty("proxima.memory.limit", "-5", Long.MAX_VALUE, false));
        assertThrows(IllegalArgumentException.class, () -> HostMemory.bytesProperty("proxima.memory.limit", "1e9", Long.MAX_VALUE, false));
        e = assertThrows(IllegalArgumentException.class, () -> HostMemory.bytesProperty("proxima.memory.cache", "-1", 1, true));
        assertEquals("system property proxima.memory.cache must be a non-negative whole number of bytes (such as 1073741824),"
                + " got '-1'", e.getMessage());
    }
}
