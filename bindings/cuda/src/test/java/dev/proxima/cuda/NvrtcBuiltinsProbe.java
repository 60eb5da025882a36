package dev.proxima.cuda;

import java.util.List;

/**
 * Run in a fresh JVM by {@code NvrtcCompileTest} (the builtins library, once loaded, stays loaded for the
 * life of a process): loads NVRTC as {@code PROXIMA_NVRTC} says, compiles one kernel, and prints
 * {@code "compiled"} or {@code "code <n>: <message>"}.
 */
public final class NvrtcBuiltinsProbe {

    private NvrtcBuiltinsProbe() {
    }

    /** Entry point; no arguments. */
    public static void main(String[] args) {
        System.out.println("nvrtc " + Nvrtc.libraryPath() + " preloaded " + Nvrtc.preloaded());
        try {
            Nvrtc.compile("extern \"C\" __global__ void k(int* x) { x[0] = 1; }", "k.cu",
                    List.of("--gpu-architecture=compute_90"), Nvrtc.Output.PTX);
            System.out.println("compiled");
        } catch (CudaException e) {
            System.out.println("code " + e.code() + ": " + e.getMessage());
        }
    }
}
