package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cublas;
import dev.proxima.cuda.Cuda;
import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.CudaException;
import dev.proxima.cuda.KernelArgs;
import dev.proxima.cuda.Nvrtc;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA shim's own checks (native/cuda-shim): what it refuses and reports, and that its block scheduler and cuBLAS
 * loops have CUDA's semantics, on hand-computed cases. Runs only where the driver in use is the shim (the
 * {@code cuda-shim} build profile); skipped per test, with the reason, elsewhere. A test that makes a launch fail
 * clears the context's sticky error afterwards through the shim's {@code pxshim_reset_context} (hardware has no such
 * call: the context would be lost).
 */
@Tag("gpu")
@ExtendWith({RequiresCudaDevice.class, NoLeaks.class})
class CudaShimTest {

    /** Kernels written for the checks: valid CUDA C++ for NVRTC as well as for the shim. */
    private static final String SOURCE = """
            extern "C" __global__ void block_sum(const float* x, float* out) {
                __shared__ float part[256];
                part[threadIdx.x] = x[blockIdx.x * blockDim.x + threadIdx.x];
                __syncthreads();
                for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
                    if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
                    __syncthreads();
                }
                if (threadIdx.x == 0) out[blockIdx.x] = part[0];
            }
            extern "C" __global__ void warp_shift(const int* x, int* out) {
                int v = x[threadIdx.x];
                out[threadIdx.x] = __shfl_down_sync(0xffffffffu, v, 1);
            }
            extern "C" __global__ void split_barriers(int* out) {
                int v = threadIdx.x;
                if (threadIdx.x < 16) __syncthreads();
                else v = __shfl_down_sync(0xffffffffu, v, 1);
                out[threadIdx.x] = v;
            }
            extern "C" __global__ void trap_in(unsigned thread, int* out) {
                if (threadIdx.x == thread) __trap();
                out[threadIdx.x] = 1;
            }
            """;

    private static MethodHandle reset;
    private static MemorySegment module;

    private CudaContext c;

    @BeforeEach
    void requireShim() {
        String driver = System.getProperty("proxima.cuda.driver", "");
        Assumptions.assumeTrue(driver.endsWith("cuda-shim/libcuda.so.1") && Files.isRegularFile(Path.of(driver)),
                "the CUDA driver in use is not the shim (proxima.cuda.driver = '" + driver + "')");
        if (reset == null) {
            SymbolLookup shim = SymbolLookup.libraryLookup(Path.of(driver), Arena.global());
            reset = Linker.nativeLinker().downcallHandle(shim.find("pxshim_reset_context").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_INT));
        }
        c = CudaContext.of(0);
        c.makeCurrent();
        if (module == null) {
            module = CudaDriver.moduleLoadData(Nvrtc.compile(SOURCE, "shim_checks.cu", List.of("--gpu-architecture=sm_90"), Nvrtc.Output.CUBIN));
        }
    }

    @AfterAll
    static void unload() {
        if (module != null) {
            CudaContext.of(0).makeCurrent();
            CudaDriver.moduleUnload(module);
            module = null;
        }
    }

    private static void resetContext(int device) {
        try {
            reset.invokeExact(device);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void launch(String kernel, int grid, int block, KernelArgs args) {
        CudaDriver.launchKernel(CudaDriver.moduleGetFunction(module, kernel), new int[] {grid, 1, 1}, new int[] {block, 1, 1}, 0,
                MemorySegment.NULL, args.segment());
    }

    @Test
    void reportsTwoDevicesWithTheShimsNvrtcVersion() {
        assertTrue(Cuda.devices().size() >= 2, Cuda.availability().reason());
        assertEquals("sm_90", Cuda.devices().getFirst().arch());
        assertArrayEquals(new int[] {0, 1}, Nvrtc.version(), "the shim's own NVRTC version keeps its images out of real caches");
    }

    @Test
    void syncthreadsOrdersSharedMemoryInATreeReduction() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_FLOAT, 3 * 256);
            for (int i = 0; i < 3 * 256; i++) {
                host.setAtIndex(JAVA_FLOAT, i, i % 256);   // each block sums 0..255 = 32640, exact in float
            }
            long x = CudaDriver.memAlloc(host.byteSize());
            long out = CudaDriver.memAlloc(3 * 4);
            try {
                CudaDriver.memcpyHtoD(x, host, host.byteSize());
                launch("block_sum", 3, 256, new KernelArgs(a).ptr(x).ptr(out));
                MemorySegment sums = a.allocate(JAVA_FLOAT, 3);
                CudaDriver.memcpyDtoH(sums, out, 12);
                assertArrayEquals(new float[] {32640, 32640, 32640}, sums.toArray(JAVA_FLOAT));
            } finally {
                CudaDriver.memFree(x);
                CudaDriver.memFree(out);
            }
        }
    }

    @Test
    void shuffleDownReadsTheNextLaneAndTheLastLaneKeepsItsValue() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(JAVA_INT, 40);
            for (int i = 0; i < 40; i++) {
                host.setAtIndex(JAVA_INT, i, 100 + i);
            }
            long x = CudaDriver.memAlloc(160);
            long out = CudaDriver.memAlloc(160);
            try {
                CudaDriver.memcpyHtoD(x, host, 160);
                launch("warp_shift", 1, 32, new KernelArgs(a).ptr(x).ptr(out));
                MemorySegment got = a.allocate(JAVA_INT, 32);
                CudaDriver.memcpyDtoH(got, out, 128);
                for (int lane = 0; lane < 32; lane++) {
                    assertEquals(lane < 31 ? 101 + lane : 131, got.getAtIndex(JAVA_INT, lane), "lane " + lane);
                }
            } finally {
                CudaDriver.memFree(x);
                CudaDriver.memFree(out);
            }
        }
    }

    @Test
    void aDeadlockAtBarriersFailsTheLaunch() {
        try (Arena a = Arena.ofConfined()) {
            long out = CudaDriver.memAlloc(128);
            try {
                CudaException e = assertThrows(CudaException.class, () -> launch("split_barriers", 1, 32, new KernelArgs(a).ptr(out)));
                assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.errorName());
                assertThrows(CudaException.class, CudaDriver::ctxSynchronize, "the error is sticky, as on hardware");
            } finally {
                resetContext(0);
                CudaDriver.memFree(out);
            }
        }
    }

    @Test
    void trapAbortsTheLaunch() {
        try (Arena a = Arena.ofConfined()) {
            long out = CudaDriver.memAlloc(256);
            try {
                CudaException e = assertThrows(CudaException.class, () -> launch("trap_in", 1, 64, new KernelArgs(a).i32(5).ptr(out)));
                assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.errorName());
            } finally {
                resetContext(0);
                CudaDriver.memFree(out);
            }
        }
    }

    @Test
    void aKernelArgumentInAnotherDevicesMemoryIsAnIllegalAddress() {
        try (Arena a = Arena.ofConfined()) {
            CudaContext other = CudaContext.of(1);
            other.makeCurrent();
            long x = CudaDriver.memAlloc(1024);
            c.makeCurrent();
            long out = CudaDriver.memAlloc(4);
            try {
                CudaException e = assertThrows(CudaException.class, () -> launch("block_sum", 1, 256, new KernelArgs(a).ptr(x).ptr(out)));
                assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", e.errorName());
            } finally {
                resetContext(0);
                CudaDriver.memFree(out);
                other.makeCurrent();
                CudaDriver.memFree(x);
                c.makeCurrent();
            }
        }
    }

    @Test
    void copiesOutsideAnAllocationOrWithoutAContextAreRefused() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            long p = CudaDriver.memAlloc(64);
            try {
                MemorySegment host = a.allocate(128);
                CudaException past = assertThrows(CudaException.class, () -> CudaDriver.memcpyHtoD(p + 32, host, 64));
                assertEquals("CUDA_ERROR_INVALID_VALUE", past.errorName());
                CudaDriver.memcpyHtoD(p + 32, host, 32);                        // the last 32 bytes: inside
                AtomicReference<String> fromFreshThread = new AtomicReference<>("no exception");
                Thread t = Thread.ofPlatform().start(() -> {
                    try (Arena own = Arena.ofConfined()) {
                        CudaDriver.memcpyHtoD(p, own.allocate(8), 8);            // no context is current on this thread
                    } catch (CudaException e) {
                        fromFreshThread.set(e.errorName());
                    }
                });
                t.join();
                assertEquals("CUDA_ERROR_INVALID_CONTEXT", fromFreshThread.get());
                CudaContext.of(1).makeCurrent();
                CudaException wrongDevice = assertThrows(CudaException.class, () -> CudaDriver.memcpyHtoD(p, host, 8));
                assertEquals("CUDA_ERROR_INVALID_VALUE", wrongDevice.errorName());
            } finally {
                c.makeCurrent();
                CudaDriver.memFree(p);
            }
        }
    }

    /** Issue 18, item 5: the unsigned char reaches the driver zero-extended (the shim refuses a sign-extended one). */
    @Test
    void memsetD8WritesBytesWithTheHighBitSet() {
        try (Arena a = Arena.ofConfined()) {
            long p = CudaDriver.memAlloc(16);
            try {
                CudaDriver.memsetD8(p, (byte) 0x80, 16);
                MemorySegment back = a.allocate(16);
                CudaDriver.memcpyDtoH(back, p, 16);
                for (int i = 0; i < 16; i++) {
                    assertEquals((byte) 0x80, back.get(JAVA_BYTE, i), "byte " + i);
                }
            } finally {
                CudaDriver.memFree(p);
            }
        }
    }

    /**
     * cuBLAS's column-major semantics on a hand-computed case: C (2×2, ldc 3) = 2 · Aᵀ · B + 0 · C with A stored 3×2
     * (lda 3), B 3×2 (ldb 4); C starts as the shim's poison (NaN), which beta = 0 must not read.
     */
    @Test
    void sgemmFollowsColumnMajorSemanticsAndChecksExtents() {
        try (Arena a = Arena.ofConfined()) {
            // A (3×2, column-major, lda 3): columns (1,2,3), (4,5,6); B (3×2, ldb 4): columns (1,0,2,_), (0,1,1,_)
            float[] av = {1, 2, 3, 4, 5, 6};
            float[] bv = {1, 0, 2, 9, 0, 1, 1, 9};
            long dA = CudaDriver.memAlloc(av.length * 4L);
            long dB = CudaDriver.memAlloc(bv.length * 4L);
            long dC = CudaDriver.memAlloc(3 * 2 * 4L);
            try {
                CudaDriver.memcpyHtoD(dA, a.allocateFrom(JAVA_FLOAT, av), av.length * 4L);
                CudaDriver.memcpyHtoD(dB, a.allocateFrom(JAVA_FLOAT, bv), bv.length * 4L);
                MemorySegment h = c.cublas();
                Cublas.sgemm(h, Cublas.OP_T, Cublas.OP_N, 2, 2, 3, 2f, dA, 3, dB, 4, 0f, dC, 3);
                MemorySegment got = a.allocate(JAVA_FLOAT, 6);
                CudaDriver.memcpyDtoH(got, dC, 24);
                // Aᵀ·B = [[1·1+3·2, 2+3], [4+6·2, 5+6]] = [[7, 5], [16, 11]]; times 2, column-major with ldc 3
                assertEquals(14f, got.getAtIndex(JAVA_FLOAT, 0));
                assertEquals(32f, got.getAtIndex(JAVA_FLOAT, 1));
                assertTrue(Float.isNaN(got.getAtIndex(JAVA_FLOAT, 2)), "row 2 of the ldc-3 column is not part of C");
                assertEquals(10f, got.getAtIndex(JAVA_FLOAT, 3));
                assertEquals(22f, got.getAtIndex(JAVA_FLOAT, 4));
                // ldc 5 makes C's second column end past its 24-byte allocation (element 1 + 5 = 6 is the 7th float)
                CudaException e = assertThrows(CudaException.class,
                        () -> Cublas.sgemm(h, Cublas.OP_T, Cublas.OP_N, 2, 2, 3, 2f, dA, 3, dB, 4, 0f, dC, 5));
                assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", e.errorName());
            } finally {
                CudaDriver.memFree(dA);
                CudaDriver.memFree(dB);
                CudaDriver.memFree(dC);
            }
        }
    }

    @Test
    void anImageOfARealCompilerIsRefused() {
        CudaException e = assertThrows(CudaException.class, () -> CudaDriver.moduleLoadData("//\n.version 9.0\n.target sm_90\n".getBytes()));
        assertEquals("CUDA_ERROR_INVALID_IMAGE", e.errorName());
    }
}
