package dev.proxima.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What NVRTC should build for a device, and the option list that says so.
 *
 * <p>Why a CUBIN where possible: PTX carries a PTX ISA version, and a driver refuses PTX newer than it
 * knows ({@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}), so PTX from an NVRTC newer than the driver (13.1
 * wheels on a 13.0 driver) does not load. A CUBIN for the device's exact {@code sm_XY} needs no JIT and
 * loads under CUDA's minor-version compatibility. PTX is the fallback for a device NVRTC has no CUBIN
 * target for (a GPU newer than the compiler): PTX for the highest architecture not above the device,
 * which the (then newer) driver JIT-compiles.
 */
public final class CompileOptions {

    private CompileOptions() {
    }

    /**
     * A compile target.
     *
     * @param output PTX or CUBIN
     * @param arch   {@code 10 * major + minor}, e.g. 90: {@code compute_90} for PTX, {@code sm_90} for a CUBIN
     */
    public record Target(Nvrtc.Output output, int arch) {
        /** Validates the fields. */
        public Target {
            if (output == null) {
                throw new IllegalArgumentException("output must not be null");
            }
            if (arch < 50 || arch > 209) {
                throw new IllegalArgumentException("implausible architecture " + arch + " (expected 10 * major + minor, e.g. 90)");
            }
        }

        /** {@return {@code --gpu-architecture=compute_XY} (PTX) or {@code --gpu-architecture=sm_XY} (CUBIN)} */
        public String option() {
            return "--gpu-architecture=" + (output == Nvrtc.Output.PTX ? "compute_" : "sm_") + arch;
        }
    }

    /**
     * The target for a device of compute capability {@code major.minor}, given the real architectures the
     * NVRTC at hand supports ({@link Nvrtc#supportedArchs()}): a CUBIN for {@code sm_XY} if it is in the
     * list, else PTX for the highest listed architecture below the device's. A pure function.
     *
     * @param supportedArchs the architectures NVRTC supports, as {@code 10 * major + minor}
     * @param major          the device's compute capability major number
     * @param minor          the device's compute capability minor number
     * @return CUBIN for the device's own architecture, or PTX for the best older one
     * @throws IllegalArgumentException for an implausible capability, or a device older than every
     *                                  supported architecture (e.g. sm_70 with NVRTC 13, which starts at sm_75)
     */
    public static Target target(int[] supportedArchs, int major, int minor) {
        checkCapability(major, minor);
        if (supportedArchs == null || supportedArchs.length == 0) {
            throw new IllegalArgumentException("NVRTC reported no supported architectures");
        }
        int device = 10 * major + minor;
        int best = -1;
        for (int a : supportedArchs) {
            if (a == device) {
                return new Target(Nvrtc.Output.CUBIN, device);
            }
            if (a < device && a > best) {
                best = a;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("this NVRTC cannot compile for sm_" + device + ": it supports "
                    + Arrays.toString(supportedArchs) + "; use an NVRTC old enough to support the device");
        }
        return new Target(Nvrtc.Output.PTX, best);
    }

    /**
     * Options for compiling Proxima's kernels for {@code target}: the architecture, {@code -std=c++17},
     * {@code -default-device}, {@code --use_fast_math} off (results must match the CPU), and
     * {@code -lineinfo} only if asked for.
     *
     * @param target   what to compile for
     * @param lineInfo true to add {@code -lineinfo} (source lines for profilers)
     * @return an immutable list of NVRTC options
     * @throws IllegalArgumentException if {@code target} is null
     */
    public static List<String> forTarget(Target target, boolean lineInfo) {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        List<String> o = new ArrayList<>();
        o.add(target.option());
        o.add("-std=c++17");
        o.add("-default-device");
        if (lineInfo) {
            o.add("-lineinfo");
        }
        return List.copyOf(o);
    }

    /**
     * Options for compute capability {@code major.minor} exactly: {@code compute_XY} for PTX or
     * {@code sm_XY} for a CUBIN (see {@link #forTarget}).
     *
     * @param major    the compute capability major number, 5 to 20
     * @param minor    the compute capability minor number, 0 to 9
     * @param output   PTX or CUBIN
     * @param lineInfo true to add {@code -lineinfo}
     * @return an immutable list of NVRTC options
     * @throws IllegalArgumentException for an implausible capability or a null {@code output}
     */
    public static List<String> forDevice(int major, int minor, Nvrtc.Output output, boolean lineInfo) {
        checkCapability(major, minor);
        if (output == null) {
            throw new IllegalArgumentException("output must not be null");
        }
        return forTarget(new Target(output, 10 * major + minor), lineInfo);
    }

    private static void checkCapability(int major, int minor) {
        if (major < 5 || major > 20 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("implausible compute capability " + major + "." + minor);
        }
    }
}
