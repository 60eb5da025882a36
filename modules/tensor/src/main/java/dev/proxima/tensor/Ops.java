package dev.proxima.tensor;

import dev.proxima.tensor.internal.Dispatcher;
import dev.proxima.tensor.spi.KernelKey;
import dev.proxima.tensor.spi.StridedView;

/**
 * What every op family shares: the checks an op makes before it allocates, and the one way an op runs a kernel
 * (through the {@link Dispatcher}, which stages device calls through the host when the device has no kernel).
 *
 * <p>The op families ({@code ElementwiseOps}, {@code ReductionOps}, {@code MatmulOps}, {@code SoftmaxOps},
 * {@code ViewOps}, {@code ShapingOps}, {@code IndexingOps}, {@code SortingOps}, {@code Einsum},
 * {@code CreationOps}, {@code ConversionOps}) each hold, per op, its argument/shape/dtype rule, the kernel call
 * and its derivative rule ({@link GradNode#record}); {@link Tensor}'s methods delegate to them in one line.
 */
final class Ops {

    private Ops() {
    }

    /**
     * Runs {@code key} with {@code args} (inputs, then outputs) and returns {@code out}; if the kernel throws,
     * {@code out} (a fresh result of the caller's) is closed first, so no failed op leaks its result.
     */
    static <P> Tensor run(Tensor out, KernelKey<P> key, P params, StridedView... args) {
        try {
            Dispatcher.run(key, params, args);
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
        return out;
    }

    /**
     * Runs {@code key} with {@code args} writing into the caller's {@code out} (the explicit-output tier): unlike
     * {@link #run} the output is the caller's and stays open if the kernel throws.
     */
    static <P> Tensor write(Tensor out, KernelKey<P> key, P params, StridedView... args) {
        Dispatcher.run(key, params, args);
        return out;
    }

    /**
     * The device all non-null operands share.
     *
     * @throws IllegalArgumentException naming both devices if two operands are on different devices
     */
    static Device commonDevice(String op, Tensor... operands) {
        return commonDevice(op, false, operands);
    }

    /**
     * The device all non-null operands share; with {@code hostScalarsJoin}, 0-d host tensors count as scalars that
     * join any device (PyTorch's rule for CPU scalars in elementwise operations).
     *
     * @throws IllegalArgumentException naming both devices if two operands are on different devices
     */
    static Device commonDevice(String op, boolean hostScalarsJoin, Tensor... operands) {
        Device device = null;
        for (Tensor t : operands) {
            if (t == null) {
                continue;
            }
            t.live();
            Device d = t.device();
            if (hostScalarsJoin && t.shape.length == 0 && d.equals(Device.CPU)) {
                continue;
            }
            if (device == null) {
                device = d;
            } else if (!device.equals(d)) {
                throw new IllegalArgumentException(op + ": tensors are on different devices: " + device + " and " + d
                        + "; move them to one device with to(Device)");
            }
        }
        return device == null ? Device.CPU : device;
    }
}
