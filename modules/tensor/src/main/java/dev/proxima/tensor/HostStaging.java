package dev.proxima.tensor;

import java.util.function.Function;

/**
 * Runs an operation that has no {@link dev.proxima.tensor.spi.Backend} primitive (gather, scatter, sort,
 * scans, convolution, pooling, FFT, LAPACK…) on tensors that live on another device: the operands are
 * copied to the host through the backends' {@code copy}, the CPU implementation runs on the copies, and
 * the results are copied back to the operands' device, as PyTorch users expect of a GPU tensor.
 *
 * <p>Every such operation starts with
 * {@snippet :
 * if (HostStaging.offHost("gather", this, index)) {
 *     return HostStaging.run(h -> h[0].gather(axis, h[1]), this, index);
 * }
 * }
 * so host operands take the CPU path unchanged (no copy, no allocation). The copies are made with
 * {@link Tensor#to(Device)}, which is differentiable: the recorded graph runs device → host → operation
 * → device, and gradients flow back to the device tensors and end up there. Temporaries belong to a
 * scope closed before returning; the autodiff graph keeps what its backward pass needs.
 *
 * <p>This is the single place where device tensors fall back to the host. When a device backend gains a
 * kernel for one of these operations (a Backend SPI method), the operation's call site can dispatch to it
 * before reaching here.
 */
final class HostStaging {

    private HostStaging() {
    }

    /**
     * True if the operands (null entries skipped) live on a device other than the host, so {@code op}
     * must be staged through {@link #run}.
     *
     * @throws IllegalArgumentException if the operands are on different devices
     */
    static boolean offHost(String op, Tensor... operands) {
        Device device = commonDevice(op, operands);
        return device != null && !device.equals(Device.CPU);
    }

    /**
     * The device all non-null operands share, or null if every operand is null.
     *
     * @throws IllegalArgumentException naming both devices if two operands are on different devices
     */
    static Device commonDevice(String op, Tensor... operands) {
        Device device = null;
        for (Tensor t : operands) {
            if (t == null) {
                continue;
            }
            Device d = t.device();
            if (device == null) {
                device = d;
            } else if (!device.equals(d)) {
                throw new IllegalArgumentException(op + ": tensors are on different devices: " + device + " and " + d
                        + "; move them to one device with to(Device)");
            }
        }
        return device;
    }

    /**
     * {@code hostOp} applied to host copies of {@code operands} (null entries stay null), its result copied
     * to the operands' device. The result belongs to the caller's scope.
     */
    static Tensor run(Function<Tensor[], Tensor> hostOp, Tensor... operands) {
        return runAll(h -> new Tensor[]{hostOp.apply(h)}, operands)[0];
    }

    /**
     * {@code hostOp} applied to host copies of {@code operands} (null entries stay null), each of its results
     * (null entries stay null) copied to the operands' device, for operations with several results. The
     * results belong to the caller's scope.
     */
    static Tensor[] runAll(Function<Tensor[], Tensor[]> hostOp, Tensor... operands) {
        Device device = commonDevice("host staging", operands);
        Tensor[] out;
        try (Scope scope = Scope.open()) {
            Tensor[] host = new Tensor[operands.length];
            for (int i = 0; i < operands.length; i++) {
                host[i] = operands[i] == null ? null : operands[i].to(Device.CPU);
            }
            Tensor[] results = hostOp.apply(host);
            out = new Tensor[results.length];
            try {
                for (int i = 0; i < results.length; i++) {
                    if (results[i] != null) {
                        out[i] = results[i].to(device);
                        Tensor.disown(out[i]); // owned here until every copy succeeded
                    }
                }
            } catch (RuntimeException e) {
                for (Tensor t : out) {
                    if (t != null) {
                        t.close();
                    }
                }
                throw e;
            }
        }
        Scope current = Scope.current();
        for (Tensor t : out) {
            if (t != null && current != null) {
                current.adopt(t);
            }
        }
        return out;
    }
}
