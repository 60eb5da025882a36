package dev.proxima.cuda;

import java.util.ArrayList;
import java.util.List;

/** NVRTC option lists for a device's compute capability. */
public final class CompileOptions {

    private CompileOptions() {
    }

    /**
     * Options for compiling Proxima's kernels for compute capability {@code major.minor}:
     * {@code --gpu-architecture=compute_XY} for PTX (JIT-compiled by the driver, so it also runs on newer
     * GPUs) or {@code sm_XY} for a CUBIN; {@code -std=c++17}, {@code --use_fast_math} off (results must
     * match the CPU), {@code -default-device}, and {@code -lineinfo} only if asked for.
     */
    public static List<String> forDevice(int major, int minor, Nvrtc.Output output, boolean lineInfo) {
        if (major < 5 || major > 20 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("implausible compute capability " + major + "." + minor);
        }
        if (output == null) {
            throw new IllegalArgumentException("output must not be null");
        }
        List<String> o = new ArrayList<>();
        o.add("--gpu-architecture=" + (output == Nvrtc.Output.PTX ? "compute_" : "sm_") + major + minor);
        o.add("-std=c++17");
        o.add("-default-device");
        if (lineInfo) {
            o.add("-lineinfo");
        }
        return List.copyOf(o);
    }
}
