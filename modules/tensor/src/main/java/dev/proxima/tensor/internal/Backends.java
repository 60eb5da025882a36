package dev.proxima.tensor.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The backends found by {@link ServiceLoader}, by device kind (the CPU backend is always there). Device
 * backends are provider modules: {@code dev.proxima.tensor.cuda}, and {@code dev.proxima.tensor.sim} for
 * testing device code without a GPU.
 */
public final class Backends {

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());
    private static final Map<String, Backend> BY_KIND = load();

    private Backends() {
    }

    private static Map<String, Backend> load() { // immutable once loaded
        Map<String, Backend> map = new LinkedHashMap<>();
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            map.putIfAbsent(b.kind(), b);
        }
        map.putIfAbsent("cpu", new CpuBackend());
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            map.values().forEach(b -> LOG.log(System.Logger.Level.DEBUG, "backend {0}: {1}{2}", b.kind(),
                    b.isAvailable() ? "" : "unavailable, ", b.describe()));
        }
        return Collections.unmodifiableMap(map);
    }

    /** The backend for {@code device}. */
    public static Backend of(Device device) {
        Backend b = BY_KIND.get(device.kind());
        if (b == null) {
            throw new IllegalArgumentException("no backend for device " + device + " (known: " + BY_KIND.keySet() + ")");
        }
        if (!b.isAvailable()) {
            throw new IllegalStateException("device " + device + " is not available: " + b.describe());
        }
        return b;
    }

    /** All backends, available or not. */
    public static Map<String, Backend> all() {
        return BY_KIND;
    }
}
