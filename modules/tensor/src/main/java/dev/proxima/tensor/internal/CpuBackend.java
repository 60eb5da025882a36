package dev.proxima.tensor.internal;

import dev.proxima.blas.OpenBlas;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.RandomOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * The host backend: Vector API loops split over {@link Parallel} workers, OpenBLAS for matmul. Its kernels compute
 * F16/BF16 in F32: the unary, binary, mulAdd, matmul and reduce kernels take half views as the SPI allows and widen
 * them in one place ({@code widened}), rounding a half result once.
 */
public final class CpuBackend implements Backend {

    /** Creates the backend (called by the service loader). */
    public CpuBackend() {
    }

    @Override
    public String kind() {
        return "cpu";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public String describe() {
        return "cpu: " + Parallel.threads() + " threads, Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + "-bit, OpenBLAS " + OpenBlas.library();
    }

    @Override
    public Storage allocate(Device device, long bytes) {
        if (!device.equals(Device.CPU)) {
            throw new IllegalArgumentException("the cpu backend cannot allocate on " + device);
        }
        return HostStorage.allocate(bytes);
    }

    /** Registers every core kernel: the CPU runs all of them (and device backends stage through them). */
    @Override
    public void registerKernels(KernelRegistry r) {
        r.register(Kernels.FILL, (value, v) -> {
            fillKernel(v[0], value);
            return true;
        });
        r.register(Kernels.IOTA, (p, v) -> {
            iotaKernel(v[0], p.start(), p.step());
            return true;
        });
        r.register(Kernels.UNARY, (op, v) -> {
            unaryKernel(op, v[0], v[1]);
            return true;
        });
        r.register(Kernels.BINARY, (op, v) -> {
            binaryKernel(op, v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.MUL_ADD, (none, v) -> {
            mulAddKernel(v[0], v[1], v[2], v[3]);
            return true;
        });
        r.register(Kernels.WHERE, (none, v) -> {
            whereKernel(v[0], v[1], v[2], v[3]);
            return true;
        });
        r.register(Kernels.REDUCE, (p, v) -> {
            reduceKernel(p.op(), v[0], p.axes(), v[1]);
            return true;
        });
        r.register(Kernels.MATMUL, (none, v) -> {
            matmulKernel(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.SOFTMAX, (p, v) -> {
            softmaxKernel(p.op(), v[0], p.axis(), v[1]);
            return true;
        });
        r.register(Kernels.RANDOM, (p, v) -> {
            randomKernel(p.op(), p.key(), p.draw(), p.a(), p.b(), v[0]);
            return true;
        });
        registerIndexing(r);
        ConvKernels.register(r);
        FftKernels.register(r);
        LinalgKernels.register(r);
        OptimizerKernels.register(r);
        SoftMinKernels.register(r);
    }

    /** Registers the indexing, sorting and scan kernels. */
    private static void registerIndexing(KernelRegistry r) {
        r.register(Kernels.GATHER, (check, v) -> {
            checkIndices(check, v[1]);
            Indexing.gather(v[0], check.axis(), v[1], v[2]);
            return true;
        });
        r.register(Kernels.SCATTER, (p, v) -> {
            checkIndices(p.check(), v[0]);
            Indexing.scatter(v[0], v[1], p.check().axis(), v[2], p.add());
            return true;
        });
        r.register(Kernels.COUNT_TRUE, (none, v) -> {
            long n = Indexing.countTrue(v[0]);
            Elementwise.fill(v[1], n);
            return true;
        });
        r.register(Kernels.COMPRESS, (none, v) -> {
            Indexing.compress(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.SORT, (p, v) -> {
            Sorting.sort(v[0], p.axis(), p.descending(), p.k(), v[1], v[2]);
            return true;
        });
        r.register(Kernels.KTH_VALUE, (p, v) -> {
            Sorting.kthValue(v[0], p.axis(), p.descending(), p.k(), v[1], v[2]);
            return true;
        });
        r.register(Kernels.SEARCH_SORTED, (right, v) -> {
            Sorting.searchSorted(v[0], v[1], right, v[2]);
            return true;
        });
        r.register(Kernels.SCAN, (p, v) -> {
            Scan.scan(p.product(), v[0], p.axis(), v[1]);
            return true;
        });
    }

    private static void checkIndices(Kernels.IndexCheck check, StridedView index) {
        long[] shape = check.shape();
        int axis = check.axis();
        long extent = shape[axis];
        Indexing.checkIndices(index, extent, check.allowNegative(), v -> check.op() + ": index " + v
                + " is out of bounds for axis " + axis + " with extent " + extent + " (shape " + java.util.Arrays.toString(shape) + ")");
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        Elementwise.copy(src, dst);
    }

    private void fillKernel(StridedView dst, double value) {
        Elementwise.fill(dst, value);
    }

    private void iotaKernel(StridedView dst, double start, double step) {
        Elementwise.iota(dst, start, step);
    }

    private void unaryKernel(UnaryOp op, StridedView src, StridedView dst) {
        if (anyHalf(src, dst)) {
            widened(new StridedView[] {src, dst}, v -> Elementwise.unary(op, v[0], v[1]));
            return;
        }
        Elementwise.unary(op, src, dst);
    }

    private void binaryKernel(BinaryOp op, StridedView a, StridedView b, StridedView dst) {
        if (anyHalf(a, b, dst)) {
            widened(new StridedView[] {a, b, dst}, v -> Elementwise.binary(op, v[0], v[1], v[2]));
            return;
        }
        Elementwise.binary(op, a, b, dst);
    }

    private void mulAddKernel(StridedView a, StridedView b, StridedView c, StridedView dst) {
        if (anyHalf(a, b, c, dst)) {
            widened(new StridedView[] {a, b, c, dst}, v -> Elementwise.mulAdd(v[0], v[1], v[2], v[3]));
            return;
        }
        Elementwise.mulAdd(a, b, c, dst);
    }

    private void whereKernel(StridedView condition, StridedView a, StridedView b, StridedView dst) {
        Elementwise.where(condition, a, b, dst);
    }

    private void reduceKernel(ReduceOp op, StridedView src, int[] axes, StridedView dst) {
        if (anyHalf(src)) {
            // the source only: Reduce stores into any dtype, a half output rounded once from the accumulator
            widened(new StridedView[] {src}, 0, v -> Reduce.reduce(op, v[0], axes, dst));
            return;
        }
        Reduce.reduce(op, src, axes, dst);
    }

    private void matmulKernel(StridedView a, StridedView b, StridedView dst) {
        if (anyHalf(a, b, dst)) {
            widened(new StridedView[] {a, b, dst}, v -> Matmul.matmul(v[0], v[1], v[2])); // no half GEMM in OpenBLAS
            return;
        }
        Matmul.matmul(a, b, dst);
    }

    private static boolean anyHalf(StridedView... views) {
        for (StridedView v : views) {
            if (v.dtype() == DType.F16 || v.dtype() == DType.BF16) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one place where F16/BF16 views are widened for the CPU kernels, which compute halves in F32: runs
     * {@code op} with every F16/BF16 view replaced by a dense F32 copy (widening is exact), then rounds a half output
     * once, to nearest even, on the way back. {@code views} are the kernel's inputs and then, unless
     * {@code outputs} is 0, its one output (last).
     */
    private void widened(StridedView[] views, Consumer<StridedView[]> op) {
        widened(views, 1, op);
    }

    /** {@link #widened(StridedView[], Consumer)} where the last {@code outputs} (0 or 1) of {@code views} are outputs. */
    private void widened(StridedView[] views, int outputs, Consumer<StridedView[]> op) {
        StridedView[] w = views.clone();
        Storage[] temps = new Storage[views.length];
        int inputs = views.length - outputs;
        try {
            for (int i = 0; i < views.length; i++) {
                StridedView v = views[i];
                if (v.dtype() == DType.F16 || v.dtype() == DType.BF16) {
                    temps[i] = HostStorage.allocate(v.size() * 4);
                    w[i] = denseF32(temps[i], v);
                    if (i < inputs) {
                        copy(v, w[i]);
                    }
                }
            }
            op.accept(w);
            for (int i = inputs; i < views.length; i++) {
                if (temps[i] != null) {
                    copy(w[i], views[i]);
                }
            }
        } finally {
            for (Storage t : temps) {
                if (t != null) {
                    t.release();
                }
            }
        }
    }

    /** A row-major F32 view of {@code v}'s shape over {@code s}. */
    private static StridedView denseF32(Storage s, StridedView v) {
        long[] shape = v.shape();
        long[] strides = new long[shape.length];
        long st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = st;
            st *= shape[d];
        }
        return new StridedView(s, DType.F32, shape, strides, 0);
    }

    private void softmaxKernel(SoftmaxOp op, StridedView src, int axis, StridedView dst) {
        SoftmaxKernels.softmax(op, src, axis, dst);
    }

    private void randomKernel(RandomOp op, long key, long draw, double a, double b, StridedView dst) {
        if (!dst.isContiguous()) {
            throw new IllegalArgumentException("random needs a contiguous output");
        }
        DType t = dst.dtype();
        boolean ok = op == RandomOp.BERNOULLI ? t == DType.BOOL : t == DType.F32 || t == DType.F64;
        if (!ok) {
            throw new IllegalArgumentException(op + " cannot fill " + t);
        }
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        MemorySegment out = dst.storage().segment().asSlice(dst.offset() * t.byteSize(), dst.size() * t.byteSize());
        switch (op) {
            case UNIFORM -> RandomKernels.parallel(dst.size(), t == DType.F32 ? 3 : 4, (s, e) -> {
                if (t == DType.F32) {
                    RandomKernels.uniformF32(out, s, e, k0, k1, draw, a, b);
                } else {
                    RandomKernels.uniformF64(out, s, e, k0, k1, draw, a, b);
                }
            });
            case NORMAL -> RandomKernels.parallel(dst.size(), 24, (s, e) -> RandomKernels.normal(out, t, s, e, k0, k1, draw, a, b));
            case BERNOULLI -> RandomKernels.parallel(dst.size(), 3, (s, e) -> RandomKernels.bernoulli(out, s, e, k0, k1, draw, a));
        }
    }
}
