package dev.proxima.reliability;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/** The registry of every probe by name ({@code group.name}), in a fixed order. */
final class Probes {

    private final SequencedMap<String, Probe> probes = new LinkedHashMap<>();

    private Probes() {
    }

    /** @return every probe of every group, by name */
    static SequencedMap<String, Probe> all() {
        Probes p = new Probes();
        MisuseProbes.register(p);
        ConcurrencyProbes.register(p);
        NativeBoundaryProbes.register(p);
        DeviceAndLayerProbes.register(p);
        HostileFileProbes.register(p);
        return p.probes;
    }

    /** Adds a probe; names are unique. */
    void add(String name, Probe probe) {
        if (probes.putIfAbsent(name, probe) != null) {
            throw new IllegalStateException("two probes named " + name);
        }
    }

    /** @return every probe by name, and the harness's self-test probes (which fail on purpose) */
    static Map<String, Probe> byName() {
        Probes p = new Probes();
        p.probes.putAll(all());
        SelfTestProbes.register(p);
        return p.probes;
    }
}
