package dev.proxima.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Entry point: whether CUDA can be used here, and what the devices are.
 *
 * <p>{@link #availability()} never throws: it loads the driver lazily, calls {@code cuInit} and counts
 * devices, and turns every failure into a one-line reason, e.g. {@code "CUDA driver /usr/lib/libcuda.so.1
 * failed to initialise: cuInit returned CUDA_ERROR_NO_DEVICE (100)"} (checked with a real driver 535
 * library on a machine without a GPU, see {@code DriverLibraryTest}).
 */
public final class Cuda {

    /**
     * Whether CUDA works here.
     *
     * @param available true if the driver loaded, initialised and reports at least one device
     * @param reason    why not (one line), or a summary of the driver and devices
     */
    public record Availability(boolean available, String reason) {
    }

    /**
     * One device's properties.
     *
     * @param ordinal        the CUDA ordinal
     * @param name           e.g. "NVIDIA H100 80GB HBM3"
     * @param major          compute capability major
     * @param minor          compute capability minor
     * @param multiprocessors SM count
     * @param totalMemory    bytes of device memory
     */
    public record DeviceInfo(int ordinal, String name, int major, int minor, int multiprocessors, long totalMemory) {
        /**
         * The real architecture of this device.
         *
         * @return the real architecture name of this device, {@code "sm_" + major + minor}, e.g. "sm_90"
         */
        public String arch() {
            return "sm_" + major + minor;
        }
    }

    private static volatile Availability availability;
    private static volatile List<DeviceInfo> devices = List.of();

    private Cuda() {
    }

    /**
     * Probes the driver once per process.
     *
     * @return whether the driver loaded, initialised and reports a device, with the reason; the same object on every call
     */
    public static Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (Cuda.class) {
                a = availability;
                if (a == null) {
                    a = probe();
                    availability = a;
                }
            }
        }
        return a;
    }

    private static Availability probe() {
        try {
            LibraryLocator.Loaded l = CudaDriver.loaded();
            if (l.library() == null) {
                return new Availability(false, "no CUDA driver (" + l.failure().replaceFirst("^CUDA driver: ", "") + ")");
            }
            try {
                CudaDriver.init();
            } catch (CudaException e) {
                return new Availability(false, "CUDA driver " + l.library().path() + " failed to initialise: cuInit returned "
                        + e.errorName() + " (" + e.code() + ")");
            }
            int n = CudaDriver.deviceCount();
            if (n == 0) {
                return new Availability(false, "CUDA driver " + l.library().path() + " reports no devices");
            }
            List<DeviceInfo> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int d = CudaDriver.device(i);
                list.add(new DeviceInfo(i, CudaDriver.deviceName(d),
                        CudaDriver.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR, d),
                        CudaDriver.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR, d),
                        CudaDriver.deviceAttribute(CudaDriver.ATTR_MULTIPROCESSOR_COUNT, d),
                        CudaDriver.deviceTotalMem(d)));
            }
            devices = List.copyOf(list);
            int v = CudaDriver.driverVersion();
            StringBuilder sb = new StringBuilder("driver " + v / 1000 + "." + (v % 1000) / 10 + " (" + l.library().path() + ")");
            for (DeviceInfo di : list) {
                sb.append("; ").append(di.ordinal()).append(": ").append(di.name()).append(' ').append(di.arch())
                        .append(", ").append(di.multiprocessors()).append(" SMs, ").append(di.totalMemory() >> 20).append(" MiB");
            }
            LibraryLocator.Loaded cb = Cublas.loaded();
            LibraryLocator.Loaded rt = Nvrtc.loaded();
            sb.append("; cuBLAS ").append(cb.library() != null ? cb.library().path() : "missing (" + cb.failure() + ")");
            sb.append("; NVRTC ").append(rt.library() != null ? rt.library().path() : "missing (" + rt.failure() + ")");
            return new Availability(true, sb.toString());
        } catch (RuntimeException | LinkageError e) {
            return new Availability(false, "CUDA probe failed: " + e);
        }
    }

    /** {@return the devices found by {@link #availability()} (empty when unavailable)} */
    public static List<DeviceInfo> devices() {
        availability();
        return devices;
    }

    /** {@return true if cuBLAS was found} */
    public static boolean hasCublas() {
        return Cublas.loaded().library() != null;
    }

    /** {@return true if NVRTC was found} */
    public static boolean hasNvrtc() {
        return Nvrtc.loaded().library() != null;
    }

    /** {@return why cuBLAS is missing, or null} */
    public static String cublasProblem() {
        return Cublas.loaded().failure();
    }

    /** {@return why NVRTC is missing, or null} */
    public static String nvrtcProblem() {
        return Nvrtc.loaded().failure();
    }
}
