package dev.proxima.tensor.internal;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The backends found by {@link ServiceLoader}, by device kind, plus any added with {@link #register}.
 *
 * <p>{@link #register} is a hook for tests: they run patched into this module, where a {@code provides}
 * clause cannot be added, and register a simulated device backend with it. Production backends are
 * provider modules found by the service loader.
 */
public final class Backends {

    private static final Map<String, Backend> BY_KIND = Collections.synchronizedMap(load());

    private Backends() {
    }

    private static Map<String, Backend> load() {
        Map<String, Backend> map = new LinkedHashMap<>();
        for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            map.putIfAbsent(b.kind(), b);
        }
        map.putIfAbsent("cpu", new CpuBackend());
        return map;
    }

    /**
     * Adds {@code backend} for its {@link Backend#kind()} unless a backend of that kind is already known.
     * For tests (a simulated device); not exported to applications.
     *
     * @return the backend now serving that kind (the given one, or the one found earlier)
     */
    public static Backend register(Backend backend) {
        return BY_KIND.computeIfAbsent(backend.kind(), k -> backend);
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

    /** All backends, available or not (a snapshot). */
    public static Map<String, Backend> all() {
        synchronized (BY_KIND) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(BY_KIND));
        }
    }
}
