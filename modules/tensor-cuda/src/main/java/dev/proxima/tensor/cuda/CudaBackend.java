package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cublas;
import dev.proxima.cuda.Cuda;
import dev.proxima.cuda.CudaDriver;
import dev.proxima.cuda.CudaException;
import dev.proxima.cuda.KernelArgs;
import dev.proxima.cuda.KernelSource;
import dev.proxima.cuda.LaunchConfig;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.RandomOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code "cuda"} backend.
 *
 * <p>On the device: host↔device copies ({@code cuMemcpy}), same-type dense device copies
 * ({@code cuMemcpyDtoDAsync}), dtype conversion and strided device copies ({@code convert.cu}), fill, unary, binary, comparisons, mulAdd, where ({@code elementwise.cu}, strided up
 * to 8 dims, contiguous float4 fast path), reductions over any axes ({@code reduce.cu}: one block per row
 * when the reduced axes are a contiguous tail, else one thread per output element),
 * and matmul with cuBLAS (strided-batched when the batch dimensions collapse to one stride): F32/F64 with
 * {@code S/DgemmStridedBatched}, F16/BF16 with {@code cublasGemm(StridedBatched)Ex} (F32 accumulation).
 * F16 and BF16 are 16-bit storage types in every kernel: loaded to float, computed as F32 is, rounded
 * to nearest even on store, bit for bit as the CPU backend converts ({@code native/cuda/half.cuh}).
 * Softmax, log-softmax and logsumexp along any axis ({@code softmax.cu}: one block per row for the last
 * contiguous axis, else one thread per lane), and the Philox
 * uniform/normal/Bernoulli streams of {@code Rng.on(device)} ({@code philox.cu}) also run on the device.
 * Memory comes from a caching allocator per device ({@link #cachedBytes(int)}, {@link #emptyCache(int)});
 * all work is queued on the legacy default stream, so call {@link #synchronize(int)} before timing.
 * Everything else — integer NEG/ABS/SIGN and DIV/POW, empty reductions, ranks above 8, matmul
 * layouts cuBLAS cannot take — runs on the CPU backend over host copies of the operands' storages
 * (the dispatcher stages them and {@code Proxima.hostStagings()} counts them, so tests and benchmarks can see them); the dtype part of that
 * choice is in the package-private {@code *OnDevice} functions.
 */
public final class CudaBackend implements Backend {

    private static final Map<Integer, AtomicLong> ALLOCATED = new ConcurrentHashMap<>();
    private static final AtomicLong FALLBACKS = new AtomicLong();
    private static final Map<Integer, DeviceMemoryPool> POOLS = new ConcurrentHashMap<>();

    /** Creates the backend (called by the service loader); touches no native library. */
    public CudaBackend() {
    }

    /**
     * Bytes of device memory held by live tensors of this backend on {@code ordinal} (requested sizes).
     *
     * @param ordinal the device index, as in {@code cuda:ordinal}
     * @return the bytes requested by live tensors on that device
     */
    public static long allocatedBytes(int ordinal) {
        AtomicLong a = ALLOCATED.get(ordinal);
        return a == null ? 0 : a.get();
    }

    /**
     * Copies so far that ran on the CPU over host copies of the storages (dtype conversions and layouts the
     * device has no copy kernel for). Kernel calls staged through the host are counted by
     * {@code Proxima.hostStagings()}.
     *
     * @return the number of such copies
     */
    public static long hostCopies() {
        return FALLBACKS.get();
    }

    static void account(int ordinal, long delta) {
        ALLOCATED.computeIfAbsent(ordinal, k -> new AtomicLong()).addAndGet(delta);
    }

    @Override
    public String kind() {
        return "cuda";
    }

    @Override
    public boolean isAvailable() {
        return Cuda.availability().available();
    }

    @Override
    public String describe() {
        return "cuda: " + Cuda.availability().reason();
    }

    static Backend cpu() {
        return Backend.of(Device.CPU);
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Storage allocate(Device device, long bytes) {
        if (!device.kind().equals("cuda")) {
            throw new IllegalArgumentException("the cuda backend cannot allocate on " + device);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
        }
        DeviceMemoryPool pool = pool(device.index());
        long ptr = bytes == 0 ? 0 : pool.acquire(bytes);
        account(device.index(), bytes);
        return new DeviceStorage(device, ptr, bytes, pool);
    }

    /** The caching allocator of device {@code ordinal} (created with the device's context). */
    static DeviceMemoryPool pool(int ordinal) {
        return POOLS.computeIfAbsent(ordinal, o -> {
            CudaContext ctx = CudaContext.of(o);
            return new DeviceMemoryPool(bytes -> {
                ctx.makeCurrent();
                try {
                    return CudaDriver.memAlloc(bytes);
                } catch (CudaException e) {
                    if (e.errorName().equals("CUDA_ERROR_OUT_OF_MEMORY")) {
                        throw new DeviceMemoryPool.OutOfDeviceMemory("cuda:" + o + " is out of memory allocating " + bytes + " bytes", e);
                    }
                    throw e;
                }
            }, ptr -> {
                ctx.makeCurrent();
                CudaDriver.memFree(ptr);
            });
        });
    }

    /**
     * Waits until all work queued on device {@code ordinal} has finished, like
     * {@code torch.cuda.synchronize()}: kernels and cuBLAS calls run asynchronously, so time an operation
     * (or catch an error a kernel raised) only after this.
     *
     * @param ordinal the device index, as in {@code cuda:ordinal}
     */
    public static void synchronize(int ordinal) {
        CudaContext.of(ordinal).makeCurrent();
        CudaDriver.ctxSynchronize();
    }

    /**
     * Bytes of device memory on {@code ordinal} that freed tensors left in the backend's cache for reuse
     * (not counted by {@link #allocatedBytes(int)}).
     *
     * @param ordinal the device index, as in {@code cuda:ordinal}
     * @return the bytes of cached free blocks on that device
     */
    public static long cachedBytes(int ordinal) {
        DeviceMemoryPool p = POOLS.get(ordinal);
        return p == null ? 0 : p.cachedBytes();
    }

    /**
     * Returns the cached blocks of device {@code ordinal} to the driver, like PyTorch's
     * {@code torch.cuda.empty_cache()}; memory of live tensors is untouched.
     *
     * @param ordinal the device index, as in {@code cuda:ordinal}
     */
    public static void emptyCache(int ordinal) {
        DeviceMemoryPool p = POOLS.get(ordinal);
        if (p != null) {
            p.trim();
        }
    }

    private static boolean onDevice(StridedView v) {
        return v.storage() instanceof DeviceStorage;
    }

    private static CudaContext ctx(StridedView... views) {
        for (StridedView v : views) {
            if (v.storage() instanceof DeviceStorage d) {
                CudaContext c = CudaContext.of(d.device().index());
                c.makeCurrent();
                return c;
            }
        }
        throw new IllegalArgumentException("no device operand");
    }

    private static long address(StridedView v) {
        return ((DeviceStorage) v.storage()).pointer() + v.offset() * v.dtype().byteSize();
    }

    private static long base(StridedView v) {
        return ((DeviceStorage) v.storage()).pointer();
    }

    /** The C storage type of the kernels for {@code t} (F16 and BF16 travel as their 16 bits). */
    static String cType(DType t) {
        return switch (t) {
            case F32 -> "float";
            case F64 -> "double";
            case I32 -> "int";
            case I64 -> "long long";
            case I8 -> "signed char";
            case U8, BOOL -> "unsigned char";
            case F16, BF16 -> "unsigned short";
        };
    }

    /** The kernels' half-type code: 1 for F16, 2 for BF16, 0 otherwise ({@code PX_HALF} in common.cuh). */
    static int halfCode(DType t) {
        return t == DType.F16 ? 1 : t == DType.BF16 ? 2 : 0;
    }

    /**
     * The macros of {@code elementwise.cu} / {@code reduce.cu} for element type {@code t}: {@code PX_T},
     * {@code PX_IS_FLOAT} and {@code PX_HALF} (F16/BF16 are floats stored as {@code unsigned short}).
     */
    static Map<String, String> elementDefines(DType t) {
        Map<String, String> m = KernelSource.elementDefines(cType(t));
        m.put("PX_IS_FLOAT", t.isFloating() ? "1" : "0");
        m.put("PX_HALF", Integer.toString(halfCode(t)));
        return m;
    }

    /** The macros of {@code reduce.cu} reducing {@code src} into {@code dst} ({@code PX_OUT}, {@code PX_OUT_HALF}). */
    static Map<String, String> reduceDefines(ReduceOp op, DType src, DType dst) {
        Map<String, String> m = elementDefines(src);
        if (op != ReduceOp.ARGMAX && op != ReduceOp.ARGMIN) {
            m.put("PX_OUT", cType(dst));
            m.put("PX_OUT_HALF", Integer.toString(halfCode(dst)));
        }
        return m;
    }

    // ------------------------------------------------------------------ what runs on the device

    // The ops each kernel switch has a case for (native/cuda/opcodes.cuh names; OpCodesHeaderTest checks these lists
    // against the sources). Kernels get op.code() and trap on a code they do not handle, so an op constant added to
    // an SPI enum stays on the host until a kernel case and its entry here are added.

    /** The ops of {@code px_unary} ({@code unary_contig}, {@code unary_strided}); NOT has {@code not_strided}. */
    static final Set<UnaryOp> UNARY_KERNELS = Collections.unmodifiableSet(EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN,
            UnaryOp.EXP, UnaryOp.LOG, UnaryOp.SQRT, UnaryOp.TANH, UnaryOp.SIN, UnaryOp.COS, UnaryOp.SIGMOID, UnaryOp.SQUARE,
            UnaryOp.RECIPROCAL, UnaryOp.ERF, UnaryOp.FLOOR, UnaryOp.CEIL, UnaryOp.TRUNC, UnaryOp.RINT, UnaryOp.LOG1P, UnaryOp.EXPM1,
            UnaryOp.LOG2, UnaryOp.LOG10, UnaryOp.EXP2));
    /** The ops of {@code px_binary} ({@code binary_contig}, {@code binary_strided}). */
    static final Set<BinaryOp> BINARY_KERNELS = Collections.unmodifiableSet(EnumSet.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL,
            BinaryOp.DIV, BinaryOp.POW, BinaryOp.MIN, BinaryOp.MAX, BinaryOp.FMAX, BinaryOp.FMIN, BinaryOp.ATAN2, BinaryOp.HYPOT,
            BinaryOp.REMAINDER, BinaryOp.FLOOR_DIVIDE, BinaryOp.COPYSIGN));
    /** The ops of {@code px_compare} ({@code compare_strided}): BOOL outputs. */
    static final Set<BinaryOp> COMPARE_KERNELS = Collections.unmodifiableSet(EnumSet.of(BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT,
            BinaryOp.LE, BinaryOp.GT, BinaryOp.GE, BinaryOp.AND, BinaryOp.OR, BinaryOp.XOR));
    /** The ops of {@code reduce_last} and {@code reduce_strided}. */
    static final Set<ReduceOp> REDUCE_KERNELS = Collections.unmodifiableSet(EnumSet.of(ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX,
            ReduceOp.MIN, ReduceOp.SUM_ABS, ReduceOp.SUM_SQUARES, ReduceOp.MAX_ABS, ReduceOp.MIN_ABS, ReduceOp.COUNT_NONZERO));
    /** The ops of {@code argreduce_last} and {@code argreduce_strided} (I64 indices). */
    static final Set<ReduceOp> ARG_REDUCE_KERNELS = Collections.unmodifiableSet(EnumSet.of(ReduceOp.ARGMAX, ReduceOp.ARGMIN));
    /** The ops of {@code softmax.cu} ({@code softmax_strided}'s switch, one {@code *_last} kernel each). */
    static final Set<SoftmaxOp> SOFTMAX_KERNELS = Collections.unmodifiableSet(EnumSet.of(SoftmaxOp.SOFTMAX, SoftmaxOp.LOG_SOFTMAX,
            SoftmaxOp.LOGSUMEXP));

    /** True if {@code convert.cu} converts {@code from} to {@code to} (every pair, halves included). */
    static boolean convertOnDevice(DType from, DType to) {
        return cType(from) != null && cType(to) != null;
    }

    /**
     * True if {@code unary(op)} over {@code t} has a kernel that gives the CPU's result: every op of
     * {@link #UNARY_KERNELS} on floats (F16/BF16 computed in float), NOT on every type; integer NEG/ABS/SIGN/SQUARE
     * stay on the host, where Java's wrap-around rules are kept exactly.
     */
    static boolean unaryOnDevice(UnaryOp op, DType t) {
        return op == UnaryOp.NOT || t.isFloating() && UNARY_KERNELS.contains(op);
    }

    /**
     * True if {@code binary(op)} over {@code t} has a kernel that gives the CPU's result: every op of
     * {@link #BINARY_KERNELS} on floats, those of {@link #COMPARE_KERNELS} (comparisons and logical ops) on every
     * type, ADD/SUB/MUL/MIN/MAX on integers (not BOOL); the other integer ops (POW, FMAX/FMIN, REMAINDER,
     * FLOOR_DIVIDE: DIV, ATAN2, HYPOT and COPYSIGN never see integers) stay on the host.
     */
    static boolean binaryOnDevice(BinaryOp op, DType t) {
        if (t == DType.BOOL) {
            return false;
        }
        if (COMPARE_KERNELS.contains(op)) {
            return true;
        }
        return BINARY_KERNELS.contains(op) && (t.isFloating() || op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL
                || op == BinaryOp.MIN || op == BinaryOp.MAX);
    }

    /**
     * True if {@code iota} into {@code t} has a kernel: every type but BOOL, whose kernel type (unsigned char)
     * cannot tell it from U8, so the kernel could not store {@code value != 0}.
     */
    static boolean iotaOnDevice(DType t) {
        return t != DType.BOOL;
    }

    /** True if {@code mulAdd} over {@code t} has a kernel: floats (one rounding, in float for F32/F16/BF16). */
    static boolean mulAddOnDevice(DType t) {
        return t.isFloating();
    }

    /**
     * True if {@code reduce.cu} reduces {@code src} into {@code dst} as the CPU does: floats accumulate in
     * double and may be stored in any float type (a half result rounds double → float → half, like the
     * CPU's store); COUNT_NONZERO and the arg reductions write I64; integers accumulate in 64 bits, so an integer
     * sum into a floating result (a mean), which the CPU computes exactly in 128 bits and rounds once, is declined
     * and staged through the host: six values of 1.7·10¹⁸ average to 1.7·10¹⁸, not to a wrapped −1.37·10¹⁸. Only
     * the ops of {@link #REDUCE_KERNELS} and {@link #ARG_REDUCE_KERNELS}.
     */
    static boolean reduceOnDevice(ReduceOp op, DType src, DType dst) {
        if (ARG_REDUCE_KERNELS.contains(op)) {
            return dst == DType.I64;
        }
        if (!REDUCE_KERNELS.contains(op)) {
            return false;
        }
        if (src.isFloating()) {
            return dst.isFloating() || op == ReduceOp.COUNT_NONZERO;
        }
        return !(dst.isFloating() && (op == ReduceOp.SUM || op == ReduceOp.NAN_SUM));
    }

    /**
     * The cuBLAS data type of a matmul over {@code t}: {@link Cublas#R_32F}, {@link Cublas#R_64F} (the
     * S/D gemms), {@link Cublas#R_16F}, {@link Cublas#R_16BF} (gemmEx, F32 compute), or -1 for none.
     */
    static int gemmType(DType t) {
        return switch (t) {
            case F32 -> Cublas.R_32F;
            case F64 -> Cublas.R_64F;
            case F16 -> Cublas.R_16F;
            case BF16 -> Cublas.R_16BF;
            default -> -1;
        };
    }

    // ------------------------------------------------------------------ copies

    @Override
    public void copy(StridedView src, StridedView dst) {
        long n = dst.size();
        if (n == 0) {
            return;
        }
        boolean sd = onDevice(src);
        boolean dd = onDevice(dst);
        long es = dst.dtype().byteSize();
        if (sd != dd && src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()) {
            ctx(src, dst);
            if (dd) {
                CudaDriver.memcpyHtoD(address(dst), src.storage().segment().asSlice(src.offset() * es, n * es), n * es);
            } else {
                CudaDriver.memcpyDtoH(dst.storage().segment().asSlice(dst.offset() * es, n * es), address(src), n * es);
            }
            return;
        }
        if (sd && dd && ((DeviceStorage) src.storage()).device().index() != ((DeviceStorage) dst.storage()).device().index()) {
            copyBetweenDevices(src, dst);
            return;
        }
        if (sd && dd && src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()
                && ((DeviceStorage) src.storage()).device().equals(((DeviceStorage) dst.storage()).device())) {
            ctx(src, dst);
            // ordered on the legacy default stream like the kernels; no host synchronisation
            CudaDriver.memcpyDtoDAsync(address(dst), address(src), n * es, MemorySegment.NULL);
            return;
        }
        if (!sd && dd && dst.isContiguous()) {
            // convert / gather on the host into a dense buffer of dst's type, then one upload
            Storage tmp = cpu().allocate(Device.CPU, n * es);
            try {
                StridedView t = new StridedView(tmp, dst.dtype(), dst.shape(), contiguous(dst.shape()), 0);
                cpu().copy(src, t);
                copy(t, dst);
            } finally {
                tmp.release();
            }
            return;
        }
        if (sd && !dd && src.isContiguous()) {
            long ses = src.dtype().byteSize();
            Storage tmp = cpu().allocate(Device.CPU, n * ses);
            try {
                StridedView t = new StridedView(tmp, src.dtype(), src.shape(), contiguous(src.shape()), 0);
                copy(src, t);
                cpu().copy(t, dst);
            } finally {
                tmp.release();
            }
            return;
        }
        if (sd && dd && convertOnDevice(src.dtype(), dst.dtype()) && src.rank() <= 8) {
            CudaContext c = ctx(src, dst);
            Map<String, String> defs = convertDefines(src.dtype(), dst.dtype());
            try (Arena a = Arena.ofConfined()) {
                KernelArgs args = new KernelArgs(a).ptr(base(src)).ptr(base(dst)).bytes(shape(a, dst.shape()))
                        .bytes(view(a, src)).bytes(view(a, dst));
                launch(c, "convert.cu", defs, "convert_strided", n, args);
            }
            return;
        }
        copyOnHost(new StridedView[] {src}, new StridedView[] {dst}, v -> cpu().copy(v[0], v[1]));
    }

    /**
     * A copy from one GPU to another. A kernel may only touch memory of the device whose context launches it, so
     * the source is first brought to a dense buffer of the destination's type on the source device (a conversion
     * or gather there, when needed), then copied peer to peer ({@code cuMemcpyPeerAsync}), then scattered on the
     * destination device when the destination is not dense. Both devices are synchronised around the peer copy:
     * it runs on the destination's default stream, which does not order with the source device's work, and the
     * staging buffer goes back to the source device's cache afterwards.
     */
    private void copyBetweenDevices(StridedView src, StridedView dst) {
        long n = dst.size();
        long bytes = n * dst.dtype().byteSize();
        DeviceStorage from = (DeviceStorage) src.storage();
        DeviceStorage to = (DeviceStorage) dst.storage();
        CudaContext sc = CudaContext.of(from.device().index());
        CudaContext dc = CudaContext.of(to.device().index());
        boolean srcDense = src.dtype() == dst.dtype() && src.isContiguous();
        Storage staged = srcDense ? null : allocate(from.device(), bytes);
        Storage landed = null;
        try {
            StridedView dense = srcDense ? src
                    : new StridedView(staged, dst.dtype(), dst.shape(), contiguous(dst.shape()), 0);
            if (!srcDense) {
                copy(src, dense);                                         // on the source device
            }
            StridedView target = dst;
            if (!dst.isContiguous()) {
                landed = allocate(to.device(), bytes);
                target = new StridedView(landed, dst.dtype(), dst.shape(), contiguous(dst.shape()), 0);
            }
            sc.makeCurrent();
            CudaDriver.ctxSynchronize();                                  // the source bytes are written
            dc.makeCurrent();
            CudaDriver.memcpyPeerAsync(address(target), dc.handle(), address(dense), sc.handle(), bytes, MemorySegment.NULL);
            CudaDriver.ctxSynchronize();                                  // before the staging block can be reused
            if (target != dst) {
                copy(target, dst);                                        // on the destination device
            }
        } finally {
            if (staged != null) {
                staged.release();
            }
            if (landed != null) {
                landed.release();
            }
        }
    }

    static Map<String, String> convertDefines(DType from, DType to) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PX_SRC", cType(from));
        m.put("PX_DST", cType(to));
        m.put("PX_SRC_FLOAT", from.isFloating() ? "1" : "0");
        m.put("PX_SRC_HALF", Integer.toString(halfCode(from)));
        m.put("PX_DST_HALF", Integer.toString(halfCode(to)));
        int kind = to == DType.BOOL ? 3 : to.isFloating() ? 0 : (to == DType.U8 ? 2 : 1);
        m.put("PX_DST_KIND", Integer.toString(kind));
        double[] range = switch (to) {
            case I32 -> new double[] {-2147483648.0, 2147483647.0};
            case I64 -> new double[] {-9223372036854775808.0, 9223372036854775807.0};
            case I8 -> new double[] {-128, 127};
            case U8 -> new double[] {0, 255};
            default -> new double[] {0, 1};
        };
        m.put("PX_DST_MIN", "(" + range[0] + ")");
        m.put("PX_DST_MAX", "(" + range[1] + ")");
        return m;
    }

    static long[] contiguous(long[] shape) {
        long[] s = new long[shape.length];
        long st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = st;
            st *= shape[d];
        }
        return s;
    }

    // ------------------------------------------------------------------ kernels

    /** {@code struct PxShape { i64 rank; i64 n; i64 dim[8]; }}. */
    static MemorySegment shape(Arena a, long[] shape) {
        if (shape.length > 8) {
            throw new IllegalArgumentException("rank " + shape.length + " > 8");
        }
        MemorySegment s = a.allocate(8 * 10, 8);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        s.setAtIndex(JAVA_LONG, 0, shape.length);
        s.setAtIndex(JAVA_LONG, 1, n);
        for (int i = 0; i < shape.length; i++) {
            s.setAtIndex(JAVA_LONG, 2 + i, shape[i]);
        }
        return s;
    }

    /** {@code struct PxView { i64 offset; i64 stride[8]; }}. */
    static MemorySegment view(Arena a, StridedView v) {
        MemorySegment s = a.allocate(8 * 9, 8);
        s.setAtIndex(JAVA_LONG, 0, v.offset());
        for (int i = 0; i < v.rank(); i++) {
            s.setAtIndex(JAVA_LONG, 1 + i, v.strides()[i]);
        }
        return s;
    }

    private static void launch(CudaContext c, String file, Map<String, String> defs, String kernel, long n, KernelArgs args) {
        LaunchConfig lc = LaunchConfig.gridStride(n, c.info.multiprocessors());
        CudaDriver.launchKernel(c.function(file, defs, kernel), lc.grid(), lc.block(), 0, MemorySegment.NULL, args.segment());
    }

    private static boolean kernelable(StridedView... vs) {
        for (StridedView v : vs) {
            if (!onDevice(v) || cType(v.dtype()) == null || v.rank() > 8) {
                return false;
            }
        }
        return true;
    }

    /**
     * Registers the device kernels: elementwise (fill, iota, unary, binary, mulAdd, where), reductions, matmul
     * (cuBLAS), the softmax family and the Philox streams. Each declines (returns false) the operands it has no
     * code for, which the dispatcher then stages through the host.
     */
    @Override
    public void registerKernels(KernelRegistry r) {
        r.register(Kernels.FILL, (value, v) -> fillKernel(v[0], value));
        r.register(Kernels.IOTA, (p, v) -> iotaKernel(v[0], p.start(), p.step()));
        r.register(Kernels.UNARY, (op, v) -> unaryKernel(op, v[0], v[1]));
        r.register(Kernels.BINARY, (op, v) -> binaryKernel(op, v[0], v[1], v[2]));
        r.register(Kernels.MUL_ADD, (none, v) -> mulAddKernel(v[0], v[1], v[2], v[3]));
        r.register(Kernels.WHERE, (none, v) -> whereKernel(v[0], v[1], v[2], v[3]));
        r.register(Kernels.REDUCE, (p, v) -> reduceKernel(p.op(), v[0], p.axes(), v[1]));
        r.register(Kernels.MATMUL, (none, v) -> matmulKernel(v[0], v[1], v[2]));
        r.register(Kernels.SOFTMAX, (p, v) -> softmaxKernel(p.op(), v[0], p.axis(), v[1]));
        r.register(Kernels.RANDOM, (p, v) -> randomKernel(p.op(), p.key(), p.draw(), p.a(), p.b(), v[0]));
    }

    private boolean fillKernel(StridedView dst, double value) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(dst)) {
            return false;
        }
        CudaContext c = ctx(dst);
        Storage one = cpu().allocate(Device.CPU, dst.dtype().byteSize());
        try (Arena a = Arena.ofConfined()) {
            // the value converted by the CPU's rules, passed as the kernel's PX_T argument
            cpu().fill(new StridedView(one, dst.dtype(), new long[0], new long[0], 0), value);
            KernelArgs args = new KernelArgs(a).ptr(base(dst)).bytes(one.segment()).bytes(shape(a, dst.shape())).bytes(view(a, dst));
            launch(c, "elementwise.cu", elementDefines(dst.dtype()), "fill_strided", dst.size(), args);
        } finally {
            one.release();
        }
        return true;
    }

    private boolean iotaKernel(StridedView dst, double start, double step) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(dst) || !dst.isContiguous() || !iotaOnDevice(dst.dtype())) {
            return false;
        }
        CudaContext c = ctx(dst);
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).ptr(address(dst)).f64(start).f64(step).i64(dst.size());
            launch(c, "elementwise.cu", elementDefines(dst.dtype()), "iota_contig", dst.size(), args);
        }
        return true;
    }

    private boolean unaryKernel(UnaryOp op, StridedView src, StridedView dst) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(src, dst) || !unaryOnDevice(op, src.dtype())) {
            // integer NEG/ABS/SIGN follow Java's wrap-around rules on the CPU; kept there for exactness
            return false;
        }
        CudaContext c = ctx(src, dst);
        Map<String, String> defs = elementDefines(src.dtype());
        try (Arena a = Arena.ofConfined()) {
            if (op == UnaryOp.NOT) {
                launch(c, "elementwise.cu", defs, "not_strided", dst.size(), new KernelArgs(a).ptr(base(src)).ptr(base(dst))
                        .bytes(shape(a, dst.shape())).bytes(view(a, src)).bytes(view(a, dst)));
            } else if (src.isContiguous() && dst.isContiguous()) {
                launch(c, "elementwise.cu", defs, "unary_contig", dst.size(), new KernelArgs(a).i32(op.code()).ptr(address(src))
                        .ptr(address(dst)).i64(dst.size()));
            } else {
                launch(c, "elementwise.cu", defs, "unary_strided", dst.size(), new KernelArgs(a).i32(op.code()).ptr(base(src))
                        .ptr(base(dst)).bytes(shape(a, dst.shape())).bytes(view(a, src)).bytes(view(a, dst)));
            }
        }
        return true;
    }

    private boolean binaryKernel(BinaryOp op, StridedView x, StridedView y, StridedView dst) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(x, y, dst) || !binaryOnDevice(op, x.dtype())) {
            return false;
        }
        CudaContext c = ctx(x, y, dst);
        Map<String, String> defs = elementDefines(x.dtype());
        try (Arena a = Arena.ofConfined()) {
            if (!op.isComparison() && x.isContiguous() && y.isContiguous() && dst.isContiguous()) {
                launch(c, "elementwise.cu", defs, "binary_contig", dst.size(), new KernelArgs(a).i32(op.code()).ptr(address(x))
                        .ptr(address(y)).ptr(address(dst)).i64(dst.size()));
            } else {
                launch(c, "elementwise.cu", defs, op.isComparison() ? "compare_strided" : "binary_strided", dst.size(),
                        new KernelArgs(a).i32(op.code()).ptr(base(x)).ptr(base(y)).ptr(base(dst)).bytes(shape(a, dst.shape()))
                                .bytes(view(a, x)).bytes(view(a, y)).bytes(view(a, dst)));
            }
        }
        return true;
    }

    private boolean mulAddKernel(StridedView x, StridedView y, StridedView z, StridedView dst) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(x, y, z, dst) || !mulAddOnDevice(x.dtype())) {
            return false;
        }
        CudaContext c = ctx(x, y, z, dst);
        try (Arena a = Arena.ofConfined()) {
            launch(c, "elementwise.cu", elementDefines(x.dtype()), "muladd_strided", dst.size(),
                    new KernelArgs(a).ptr(base(x)).ptr(base(y)).ptr(base(z)).ptr(base(dst)).bytes(shape(a, dst.shape()))
                            .bytes(view(a, x)).bytes(view(a, y)).bytes(view(a, z)).bytes(view(a, dst)));
        }
        return true;
    }

    private boolean whereKernel(StridedView cond, StridedView x, StridedView y, StridedView dst) {
        if (dst.size() == 0) {
            return true;
        }
        if (!kernelable(cond, x, y, dst)) {
            return false;
        }
        CudaContext c = ctx(cond, x, y, dst);
        try (Arena a = Arena.ofConfined()) {
            launch(c, "elementwise.cu", elementDefines(x.dtype()), "where_strided", dst.size(),
                    new KernelArgs(a).ptr(base(cond)).ptr(base(x)).ptr(base(y)).ptr(base(dst)).bytes(shape(a, dst.shape()))
                            .bytes(view(a, cond)).bytes(view(a, x)).bytes(view(a, y)).bytes(view(a, dst)));
        }
        return true;
    }

    private boolean reduceKernel(ReduceOp op, StridedView src, int[] axes, StridedView dst) {
        int r = src.rank();
        long reduced = 1;
        for (int ax : axes) {
            reduced *= src.shape()[ax];
        }
        if (dst.size() == 0) {
            return true;
        }
        // empty reductions keep the CPU's rules (identities, or the error for MAX of nothing)
        if (r == 0 || reduced == 0 || !kernelable(src, dst) || !reduceOnDevice(op, src.dtype(), dst.dtype())) {
            return false;
        }
        CudaContext c = ctx(src, dst);
        Map<String, String> defs = reduceDefines(op, src.dtype(), dst.dtype());
        boolean arg = ARG_REDUCE_KERNELS.contains(op);
        if (trailingAxes(axes, r) && src.isContiguous() && dst.isContiguous()) {
            // the reduced axes form each row's contiguous tail: one block per row
            long rows = dst.size();
            LaunchConfig lc = LaunchConfig.perRow(rows, reduced, arg ? 1024 : 512);
            try (Arena a = Arena.ofConfined()) {
                KernelArgs args = new KernelArgs(a).i32(op.code()).ptr(address(src)).ptr(address(dst)).i64(rows).i64(reduced);
                CudaDriver.launchKernel(c.function("reduce.cu", defs, arg ? "argreduce_last" : "reduce_last"), lc.grid(), lc.block(), 0,
                        MemorySegment.NULL, args.segment());
            }
            return true;
        }
        // any other layout: one thread per output element over the reduced sub-space
        StridedView[] parts = splitAxes(src, axes);
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).i32(op.code()).ptr(base(src)).ptr(base(dst)).bytes(shape(a, dst.shape()))
                    .bytes(view(a, parts[0])).bytes(view(a, dst));
            if (arg) {
                args.i64(parts[1].shape()[0]).i64(parts[1].strides()[0]);
            } else {
                args.bytes(shape(a, parts[1].shape())).bytes(view(a, parts[1]));
            }
            launch(c, "reduce.cu", defs, arg ? "argreduce_strided" : "reduce_strided", dst.size(), args);
        }
        return true;
    }

    /** True if {@code axes} (sorted, distinct) are the last {@code axes.length} of {@code rank} dimensions. */
    static boolean trailingAxes(int[] axes, int rank) {
        for (int i = 0; i < axes.length; i++) {
            if (axes[axes.length - 1 - i] != rank - 1 - i) {
                return false;
            }
        }
        return axes.length > 0;
    }

    /**
     * src's geometry split for reduce_strided: [0] the kept dimensions (src's offset and strides), [1] the
     * reduced ones (offset 0); both over src's storage.
     */
    static StridedView[] splitAxes(StridedView src, int[] axes) {
        int r = src.rank();
        boolean[] isReduced = new boolean[r];
        for (int ax : axes) {
            isReduced[ax] = true;
        }
        long[] ks = new long[r - axes.length], kst = new long[r - axes.length];
        long[] rs = new long[axes.length], rst = new long[axes.length];
        for (int d = 0, k = 0, j = 0; d < r; d++) {
            if (isReduced[d]) {
                rs[j] = src.shape()[d];
                rst[j++] = src.strides()[d];
            } else {
                ks[k] = src.shape()[d];
                kst[k++] = src.strides()[d];
            }
        }
        return new StridedView[] {new StridedView(src.storage(), src.dtype(), ks, kst, src.offset()),
                new StridedView(src.storage(), src.dtype(), rs, rst, 0)};
    }

    // ------------------------------------------------------------------ matmul

    private boolean matmulKernel(StridedView x, StridedView y, StridedView dst) {
        int r = dst.rank();
        long m = dst.shape()[r - 2];
        long n = dst.shape()[r - 1];
        long k = x.shape()[r - 1];
        long batch = 1;
        for (int d = 0; d < r - 2; d++) {
            batch *= dst.shape()[d];
        }
        long sa = batchStride(x), sb = batchStride(y), sc = batchStride(dst);
        int type = gemmType(x.dtype());
        int[] la = gemmLayout(x), lb = gemmLayout(y), lc = gemmLayout(dst);
        boolean ok = kernelable(x, y, dst) && type >= 0 && y.dtype() == x.dtype() && dst.dtype() == x.dtype() && Cuda.hasCublas()
                && la != null && lb != null && lc != null && lc[0] == Cublas.OP_N && sa >= 0 && sb >= 0 && sc >= 0
                && m <= Integer.MAX_VALUE && n <= Integer.MAX_VALUE && k <= Integer.MAX_VALUE && batch <= Integer.MAX_VALUE;
        if (dst.size() == 0) {
            return true;
        }
        if (!ok || k == 0) {
            // half operands are widened to F32 for the CPU (whose matmul takes F32/F64) and the result rounded back
            return false;
        }
        CudaContext c = ctx(x, y, dst);
        MemorySegment h = c.cublas();
        // row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: swap the operands and m/n; a row-major operand is
        // already its own transpose in column-major terms (OP_N), a column-major one (a transposed view) is
        // passed with OP_T, each with the leading dimension its strides give
        int opb = lb[0], ldb = lb[1], opa = la[0], lda = la[1], ldc = lc[1];
        if (type == Cublas.R_16F || type == Cublas.R_16BF) {
            // F16/BF16 in and out, F32 accumulation (CUBLAS_COMPUTE_32F), F32 alpha/beta
            if (batch == 1) {
                Cublas.gemmEx(h, opb, opa, (int) n, (int) m, (int) k, 1f, address(y), type, ldb,
                        address(x), lda, 0f, address(dst), type, ldc);
            } else {
                Cublas.gemmStridedBatchedEx(h, opb, opa, (int) n, (int) m, (int) k, 1f, address(y), type, ldb, sb,
                        address(x), lda, sa, 0f, address(dst), type, ldc, sc, (int) batch);
            }
        } else if (x.dtype() == DType.F32) {
            Cublas.sgemmStridedBatched(h, opb, opa, (int) n, (int) m, (int) k, 1f, address(y), ldb, sb,
                    address(x), lda, sa, 0f, address(dst), ldc, sc, (int) batch);
        } else {
            Cublas.dgemmStridedBatched(h, opb, opa, (int) n, (int) m, (int) k, 1.0, address(y), ldb, sb,
                    address(x), lda, sa, 0.0, address(dst), ldc, sc, (int) batch);
        }
        return true;
    }

    /**
     * How cuBLAS (column-major) reads the last two dimensions (rows R, columns C, strides sr, sc) of a matmul
     * operand in the operand-swapped product: {@code {OP_N, sr}} for a row-major matrix ({@code sc = 1},
     * {@code sr >= C}; its column-major image is its transpose), {@code {OP_T, sc}} for a column-major one
     * ({@code sr = 1}, {@code sc >= R}, e.g. a transposed view), or null for any other layout (the host
     * computes it). A dimension of size 1 may have any stride; leading dimensions are at least 1.
     */
    static int[] gemmLayout(StridedView v) {
        int r = v.rank();
        long rows = v.shape()[r - 2], cols = v.shape()[r - 1];
        long sr = v.strides()[r - 2], sc = v.strides()[r - 1];
        if (rows <= 1 && cols <= 1) {
            return new int[] {Cublas.OP_N, 1};
        }
        if ((cols <= 1 || sc == 1) && (rows <= 1 || sr >= Math.max(1, cols))) {
            long ld = rows <= 1 ? Math.max(1, cols) : sr;
            return ld <= Integer.MAX_VALUE ? new int[] {Cublas.OP_N, (int) ld} : null;
        }
        if ((rows <= 1 || sr == 1) && (cols <= 1 || sc >= Math.max(1, rows))) {
            long ld = cols <= 1 ? Math.max(1, rows) : sc;
            return ld <= Integer.MAX_VALUE ? new int[] {Cublas.OP_T, (int) ld} : null;
        }
        return null;
    }

    /** One element stride for all batch dims (0 = broadcast), or -1 if they do not collapse. */
    static long batchStride(StridedView v) {
        int r = v.rank();
        long stride = -2;
        long expectedNext = -1;
        for (int d = r - 3; d >= 0; d--) {
            if (v.shape()[d] == 1) {
                continue;
            }
            long s = v.strides()[d];
            if (stride == -2) {
                stride = s;
                expectedNext = s * v.shape()[d];
            } else if (stride == 0 ? s != 0 : s != expectedNext) {
                return -1;
            } else {
                expectedNext = s * v.shape()[d];
            }
        }
        if (stride == -2) {
            return v.shape()[r - 2] * v.shape()[r - 1]; // no batch dims: any stride works
        }
        return stride;
    }

    // ------------------------------------------------------------------ softmax and random

    /**
     * {@code softmax.cu} (one block per row, double accumulation) when the axis is the last one and src
     * and dst are contiguous F32/F64 device views; other layouts are staged through the host.
     * F32 results may differ from the CPU's (which works in float) by about one float ulp.
     */
    private boolean softmaxKernel(SoftmaxOp op, StridedView src, int axis, StridedView dst) {
        if (dst.size() == 0) {
            return true;
        }
        int r = src.rank();
        long len = src.shape()[axis];
        boolean lastAxis = axis == r - 1 && src.isContiguous() && dst.isContiguous();
        boolean floats = src.dtype() == dst.dtype() && (src.dtype() == DType.F32 || src.dtype() == DType.F64);
        if (!floats || !SOFTMAX_KERNELS.contains(op) || !kernelable(src, dst) || len == 0) {
            return false;
        }
        CudaContext c = ctx(src, dst);
        Map<String, String> defs = KernelSource.elementDefines(cType(src.dtype()));
        if (!lastAxis) {
            // one thread per lane: src and dst geometry without the axis
            StridedView lanes = splitAxes(src, new int[] {axis})[0];
            StridedView dstLanes = op == SoftmaxOp.LOGSUMEXP ? dst : splitAxes(dst, new int[] {axis})[0];
            long dstStride = op == SoftmaxOp.LOGSUMEXP ? 0 : dst.strides()[axis];
            try (Arena a = Arena.ofConfined()) {
                KernelArgs args = new KernelArgs(a).i32(op.code()).ptr(base(src)).ptr(base(dst)).bytes(shape(a, lanes.shape()))
                        .bytes(view(a, lanes)).bytes(view(a, dstLanes)).i64(len).i64(src.strides()[axis]).i64(dstStride);
                launch(c, "softmax.cu", defs, "softmax_strided", lanes.size(), args);
            }
            return true;
        }
        long rows = src.size() / len;
        String kernel = switch (op) {
            case SOFTMAX -> "softmax_last";
            case LOG_SOFTMAX -> "log_softmax_last";
            case LOGSUMEXP -> "logsumexp_last";
        };
        LaunchConfig lc = LaunchConfig.perRow(rows, len, 512);
        try (Arena a = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(a).ptr(address(src)).ptr(address(dst)).i64(rows).i64(len);
            CudaDriver.launchKernel(c.function("softmax.cu", defs, kernel), lc.grid(),
                    lc.block(), 0, MemorySegment.NULL, args.segment());
        }
        return true;
    }

    /**
     * {@code philox.cu}, one thread per Philox block. Uniform and Bernoulli samples are the CPU's bit for
     * bit. Normal samples use CUDA's {@code log}, {@code sin} and {@code cos} (1 and 2 ulp) where the CPU
     * uses {@link StrictMath}: F64 values can differ from the CPU's by a few ulp, F32 values (rounded from
     * double) rarely by one float ulp. A non-contiguous or host dst runs on the host.
     */
    private boolean randomKernel(RandomOp op, long key, long draw, double a, double b, StridedView dst) {
        long n = dst.size();
        DType t = dst.dtype();
        boolean ok = op == RandomOp.BERNOULLI ? t == DType.BOOL : t == DType.F32 || t == DType.F64;
        if (!ok) {
            throw new IllegalArgumentException(op + " cannot fill " + t);
        }
        if (n == 0) {
            return true;
        }
        if (!onDevice(dst) || !dst.isContiguous()) {
            return false;
        }
        CudaContext c = ctx(dst);
        boolean f32 = t == DType.F32;
        long blocks = op != RandomOp.BERNOULLI && f32 ? (n + 3) / 4 : (n + 1) / 2;
        String kernel = switch (op) {
            case UNIFORM -> f32 ? "uniform_f32" : "uniform_f64";
            case NORMAL -> f32 ? "normal_f32" : "normal_f64";
            case BERNOULLI -> "bernoulli_u8";
        };
        try (Arena arena = Arena.ofConfined()) {
            KernelArgs args = new KernelArgs(arena).ptr(address(dst)).i64(n).i32((int) key).i32((int) (key >>> 32)).i64(draw).f64(a);
            switch (op) {
                case UNIFORM -> {
                    args.f64(b);
                    if (f32) {
                        args.f32(floatAtLeast(a)).f32(floatBelow(b));
                    } else {
                        args.f64(Math.nextDown(b));
                    }
                }
                case NORMAL -> args.f64(b);
                case BERNOULLI -> { }
            }
            LaunchConfig lc = LaunchConfig.gridStride(blocks, c.info.multiprocessors());
            CudaDriver.launchKernel(c.function("philox.cu", Map.of(), kernel), lc.grid(), lc.block(), 0, MemorySegment.NULL,
                    args.segment());
        }
        return true;
    }

    /** The smallest float {@code >= x} (the CPU's lower clamp of F32 uniforms). */
    static float floatAtLeast(double x) {
        float f = (float) x;
        return f < x ? Math.nextUp(f) : f;
    }

    /** The largest float {@code < x} (the CPU's upper clamp of F32 uniforms). */
    static float floatBelow(double x) {
        float f = (float) x;
        return f >= x ? Math.nextDown(f) : f;
    }

    // ------------------------------------------------------------------ host fallback

    /**
     * Runs a copy on the CPU: every device storage among the operands is downloaded whole into host
     * memory, the views are re-pointed at the copies, and the outputs' storages are uploaded back.
     */
    private static void copyOnHost(StridedView[] inputs, StridedView[] outputs, Consumer<StridedView[]> op) {
        FALLBACKS.incrementAndGet();
        Map<Storage, Storage> copies = new IdentityHashMap<>();
        StridedView[] all = new StridedView[inputs.length + outputs.length];
        try {
            for (int i = 0; i < all.length; i++) {
                StridedView v = i < inputs.length ? inputs[i] : outputs[i - inputs.length];
                Storage s = v.storage();
                Storage h = s;
                if (s instanceof DeviceStorage d) {
                    h = copies.get(s);
                    if (h == null) {
                        h = cpu().allocate(Device.CPU, d.byteSize());
                        copies.put(s, h);
                        if (d.byteSize() > 0) {
                            CudaContext.of(d.device().index()).makeCurrent();
                            CudaDriver.memcpyDtoH(h.segment(), d.pointer(), d.byteSize());
                        }
                    }
                }
                all[i] = new StridedView(h, v.dtype(), v.shape(), v.strides(), v.offset());
            }
            op.accept(all);
            for (StridedView out : outputs) {
                if (out.storage() instanceof DeviceStorage d && d.byteSize() > 0) {
                    CudaContext.of(d.device().index()).makeCurrent();
                    CudaDriver.memcpyHtoD(d.pointer(), copies.get(d).segment(), d.byteSize());
                }
            }
        } finally {
            copies.values().forEach(Storage::release);
        }
    }
}
