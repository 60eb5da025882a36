package dev.proxima.tensor.sim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.Conv;
import dev.proxima.tensor.CustomOp;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Fft;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.LinalgException;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.PadMode;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TopK;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every operation on a device tensor: the simulated {@code sim:0} device ({@link SimBackend}), whose
 * memory the front end cannot read, against the same computation on the CPU. Operations with a Backend
 * primitive run on the device; the others are staged through the host. The sim allocator must be back
 * to zero after every test, and the host allocator where it was before ({@link NoLeaks}).
 */
@ExtendWith(NoLeaks.class)
class SimDeviceTest {

    static final Device SIM = SimBackend.SIM;

    /** Sim results come from the CPU kernels on the same values, so most agree exactly. */
    private static final double EXACT = 0;
    private static final double TIGHT = 1e-12;

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    /** Asserts {@code call} throws {@code type} with a message containing every fragment. */
    static <T extends Throwable> T throwsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    private static Tensor data(long... shape) {
        return Rng.seed(11 + shape.length).uniform(DType.F64, -2, 2, shape);
    }

    /**
     * f on sim copies of {@code host} equals f on {@code host} within {@code tol}: same dtype, shape and
     * values, and the result is on sim. Call inside a scope.
     */
    private static void same(double tol, Function<Tensor[], Tensor> f, Tensor... host) {
        Tensor expected = f.apply(host);
        Tensor[] dev = new Tensor[host.length];
        for (int i = 0; i < host.length; i++) {
            dev[i] = host[i].to(SIM);
            assertEquals(SIM, dev[i].device());
        }
        Tensor actual = f.apply(dev);
        assertEquals(SIM, actual.device(), "result device");
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
    }

    @Test
    void segmentIsNotReachableAndTransfersRoundTrip() {
        try (Scope s = Scope.open()) {
            Tensor x = data(3, 4);
            Tensor d = x.to(SIM);
            throwsWith(IllegalStateException.class, () -> d.view().storage().segment(), "not host addressable");
            assertThrows(IllegalStateException.class, d::segment);
            assertEquals(SIM, d.device());
            Tensor back = d.transpose().to(Device.CPU);
            assertEquals(Device.CPU, back.device());
            assertArrayEquals(x.transpose().toDoubleArray(), back.toDoubleArray(), EXACT);
            assertTrue(SimBackend.allocatedBytes() >= 12 * 8);
        }
    }

    @Test
    void deviceFactoriesAndDifferentiableTransfers() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensor.zeros(DType.F32, SIM, 2, 3);
            Tensor o = Tensor.ones(DType.I64, SIM, 4);
            Tensor f = Tensor.full(2.5, DType.F64, SIM, 2);
            Tensor c = Tensor.scalar(-1, DType.F64, SIM);
            for (Tensor t : new Tensor[]{z, o, f, c}) {
                assertEquals(SIM, t.device());
            }
            assertArrayEquals(new float[6], z.toFloatArray());
            assertArrayEquals(new long[]{1, 1, 1, 1}, o.toLongArray());
            assertArrayEquals(new double[]{2.5, 2.5}, f.toDoubleArray());
            assertEquals(-1, c.item());
            // a host leaf used on the device gets its gradient on the host: to() is differentiable both ways
            Tensor x = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
            x.to(SIM).square().sum().backward();
            assertEquals(Device.CPU, x.grad().device());
            assertArrayEquals(new double[]{2, 4, 6}, x.grad().toDoubleArray());
            x.clearGrad();
            // an input the output does not depend on gets zeros on its own device
            Tensor a = Tensor.of(1.0, 2.0).to(SIM).requiresGrad(true);
            Tensor b = Tensor.of(3.0).to(SIM).requiresGrad(true);
            Tensor[] g = Autodiff.gradients(a.sum(), null, BackwardOptions.defaults(), a, b);
            assertEquals(SIM, g[1].device());
            assertArrayEquals(new double[]{0}, g[1].toDoubleArray());
        }
    }

    @Test
    void theSimBackendRejectsHostOperandsOutsideCopy() {
        try (Scope s = Scope.open()) {
            Tensor dev = Tensor.of(1.0, 2.0).to(SIM);
            Tensor host = Tensor.of(1.0, 2.0);
            Tensor out = Tensor.zeros(DType.F64, SIM, 2);
            SimBackend sim = new SimBackend();
            throwsWith(IllegalStateException.class, () -> sim.binary(BinaryOp.ADD, dev.view(), host.view(), out.view()),
                    "sim backend got an operand on cpu");
            sim.copy(host.view(), out.view());
            assertArrayEquals(new double[]{1, 2}, out.toDoubleArray());
        }
    }

    @Test
    void readingValues() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{1.5, -2}, {3, 4}});
            Tensor d = x.to(SIM);
            assertArrayEquals(new double[]{1.5, -2, 3, 4}, d.toDoubleArray());
            assertArrayEquals(new float[]{1.5f, 3, -2, 4}, d.transpose().toFloatArray());
            assertArrayEquals(new int[]{1, -2, 3, 4}, d.toIntArray());
            assertArrayEquals(new long[]{1, -2, 3, 4}, d.toLongArray());
            assertArrayEquals(new boolean[]{true, true, true, true}, d.toBooleanArray());
            assertEquals(-2, d.getDouble(0, 1));
            assertEquals(3, d.getLong(-1, 0));
            assertEquals(4, d.select(0, 1).select(0, 1).item());
            assertEquals(6.5, d.sum().item(), TIGHT);
            assertEquals("tensor([[ 1.5, -2. ],\n        [ 3. ,  4. ]], dtype=F64, device=sim:0)", d.toString());
            assertEquals("tensor([7, 8, 9], dtype=I64, device=sim:0)", Tensor.of(7L, 8, 9).to(SIM).toString());
            assertEquals("tensor([ true, false], dtype=BOOL, device=sim:0)", Tensor.of(true, false).to(SIM).toString());
            assertTrue(d.allClose(x, 0, 0));
            assertTrue(x.allClose(d, 0, 0));
        }
    }

    @Test
    void elementwiseAndBroadcasting() {
        try (Scope s = Scope.open()) {
            Tensor a = data(3, 1, 5);
            Tensor b = data(4, 5);
            Tensor pos = data(4, 5).abs().add(0.1);
            same(EXACT, t -> t[0].add(t[1]).mul(t[0]).sub(t[1].div(3)), a, b);
            same(EXACT, t -> t[0].maximum(t[1]).minimum(0.5).neg().abs(), a, b);
            same(EXACT, t -> t[0].pow(t[1]), pos, b);
            same(EXACT, t -> t[0].exp().tanh().sigmoid().sin().cos().erf(), a);
            same(EXACT, t -> t[0].sqrt().log().reciprocal().square().sign(), pos);
            same(EXACT, t -> t[0].mulAdd(t[1], t[0]), a, b);
            same(EXACT, t -> Tensor.where(t[0].gt(t[1]), t[0], t[1].mul(2)), a, b);
            same(EXACT, t -> t[0].lt(t[1]).logicalXor(t[0].ge(0)).logicalNot(), a, b);
            same(EXACT, t -> t[0].cast(DType.F32).add(t[1].cast(DType.I32)), a, b);
            same(EXACT, t -> t[0].cast(DType.F16).mul(t[0].cast(DType.BF16)), a);
            same(EXACT, t -> t[0].clamp(-1, 1).eq(1), a);
            same(EXACT, t -> t[0].triu(1).add(t[0].tril(-1)), b);
            same(EXACT, t -> t[0].reshape(5, 4).transpose().contiguous(), b);
            same(EXACT, t -> t[0].broadcastTo(2, 4, 5).slice(2, 1, 5, 2).copy(), b);
            // a 0-d host tensor is a scalar on any device (PyTorch's rule); its result is on the device
            same(EXACT, t -> t[0].mul(Tensor.scalar(3, DType.F64)).add(Tensor.scalar(1, DType.F64).sub(t[0])), a);
            same(EXACT, t -> Tensor.where(t[0].gt(0), Tensor.scalar(1, DType.F64), t[0]), a);
        }
    }

    @Test
    void mixedDevicesAreAClearError() {
        try (Scope s = Scope.open()) {
            Tensor host = data(2, 3);
            Tensor dev = data(2, 3).to(SIM);
            Tensor idx = Tensor.fromArray(new long[][]{{0, 1, 0}});
            throwsWith(IllegalArgumentException.class, () -> dev.add(host), "different devices", "sim:0", "cpu");
            throwsWith(IllegalArgumentException.class, () -> host.mul(dev), "different devices", "cpu", "sim:0");
            throwsWith(IllegalArgumentException.class, () -> Tensor.where(host.gt(0), dev, host), "different devices", "sim:0");
            throwsWith(IllegalArgumentException.class, () -> dev.matmul(host.transpose()), "different devices", "sim:0", "cpu");
            throwsWith(IllegalArgumentException.class, () -> dev.gather(0, idx), "gather", "different devices", "sim:0", "cpu");
            throwsWith(IllegalArgumentException.class, () -> host.scatterAdd(0, idx.to(SIM), dev), "scatterAdd", "cpu", "sim:0");
            throwsWith(IllegalArgumentException.class, () -> Tensor.concat(0, dev, host), "different devices", "sim:0", "cpu");
            throwsWith(IllegalArgumentException.class, () -> Linalg.solve(dev.matmul(dev.transpose()), host.select(1, 0)),
                    "solve", "sim:0", "cpu");
            throwsWith(IllegalArgumentException.class,
                    () -> Conv.conv2d(dev.reshape(1, 1, 2, 3), host.reshape(1, 1, 2, 3), null, 1, 0, 1), "conv2d", "sim:0", "cpu");
        }
    }

    @Test
    void reductions() {
        try (Scope s = Scope.open()) {
            Tensor x = data(3, 4, 5);
            same(TIGHT, t -> t[0].sum(0, 2), x);
            same(TIGHT, t -> t[0].mean(new int[]{1, 2}, true), x);
            same(EXACT, t -> t[0].max(new int[]{0, 1}, false), x);
            same(EXACT, t -> t[0].min(2), x);
            same(TIGHT, t -> t[0].prod(1), x);
            same(EXACT, t -> t[0].argmax(1, false), x);
            same(EXACT, t -> t[0].argmin(), x);
            same(TIGHT, t -> t[0].norm(2, new int[]{0, 2}, false), x);
            same(TIGHT, t -> t[0].norm(3, new int[]{1}, true), x);
            same(TIGHT, t -> t[0].gt(0).sum(), x);
            same(TIGHT, t -> t[0].softmax(1), x);
            same(TIGHT, t -> t[0].logSoftmax(-1), x);
            same(TIGHT, t -> t[0].logsumexp(new int[]{0, 2}, false), x);
        }
    }

    @Test
    void matmulAndEinsum() {
        try (Scope s = Scope.open()) {
            Tensor a = data(2, 3, 4);
            Tensor b = data(4, 5);
            Tensor v = data(4);
            same(TIGHT, t -> t[0].matmul(t[1]), a, b);
            same(TIGHT, t -> t[1].transpose().matmul(t[0].transpose(-1, -2)), a, b);
            same(TIGHT, t -> t[0].matmul(t[1]), a, v);
            same(TIGHT, t -> t[1].matmul(t[0].select(0, 1).transpose()), a, v);
            same(TIGHT, t -> t[0].cast(DType.F32).matmul(t[1].cast(DType.F32)), a, b);
            same(TIGHT, t -> Tensor.einsum("bij,jk->bik", t[0], t[1]), a, b);
            same(TIGHT, t -> Tensor.einsum("bij,j->bi", t[0], t[1]), a, v);
            same(TIGHT, t -> Tensor.einsum("ii", t[0].select(0, 0).slice(1, 0, 3, 1)), a);
            same(TIGHT, t -> Tensor.einsum("i,j->ij", t[0], t[0].cast(DType.I64)), v);
            same(TIGHT, t -> Tensor.einsum("ij,jk", t[0].cast(DType.I32), t[1].cast(DType.I32)), b.transpose(), b);
        }
    }

    @Test
    void indexingFamily() {
        try (Scope s = Scope.open()) {
            Tensor x = data(4, 6);
            Tensor idx = Tensor.fromArray(new long[][]{{0, 5, -1}, {2, 2, 1}, {3, 0, 4}});
            Tensor rows = Tensor.of(3L, 0, -1, 1);
            same(EXACT, t -> t[0].gather(1, t[1]), x, idx);
            same(EXACT, t -> t[0].takeAlongAxis(t[1].slice(0, 0, 1, 1), 1), x, idx);
            same(EXACT, t -> t[0].indexSelect(0, t[1]), x, rows);
            same(EXACT, t -> t[0].scatter(1, t[1], t[0].mul(10)), x, idx);
            same(EXACT, t -> t[0].scatterAdd(1, t[1], t[0].slice(0, 0, 3, 1)), x, idx);
            same(EXACT, t -> t[0].maskedSelect(t[0].gt(0)), x);
            same(EXACT, t -> t[0].sort(1, false), x);
            same(EXACT, t -> t[0].sort(0, true), x);
            same(EXACT, t -> t[0].argsort(1, true), x);
            same(EXACT, t -> t[0].topk(3, 1, true).values(), x);
            same(EXACT, t -> t[0].topk(2, 0, false).indices(), x);
            same(TIGHT, t -> t[0].cumsum(1), x);
            same(TIGHT, t -> t[0].cumprod(0), x);
            same(EXACT, t -> t[0].cumsum(0), idx);
            same(EXACT, t -> t[0].reshape(-1).sort(0, false).searchsorted(t[0].slice(0, 1, 3, 1), true), x);
            same(EXACT, t -> t[0].abs().oneHot(6, DType.F32), idx);
            same(EXACT, t -> Tensor.concat(1, t[0], t[0].mul(2), t[0].slice(1, 0, 2, 1)), x);
            same(EXACT, t -> Tensor.stack(1, t[0], t[0].neg()), x);
            same(EXACT, t -> t[0].pad(new long[]{1, 2, 0, 3}, PadMode.CONSTANT, 7), x);
            same(EXACT, t -> t[0].pad(new long[]{2, 1, 3, 2}, PadMode.REFLECT, 0), x);
            same(EXACT, t -> t[0].pad(new long[]{0, 2, 1, 1}, PadMode.REPLICATE, 0), x);
            same(EXACT, t -> t[0].flip(0, 1), x);
            same(EXACT, t -> t[0].roll(-2, 1), x);
            same(EXACT, t -> t[0].tile(2, 1, 2), x);
            same(EXACT, t -> t[0].repeatInterleave(2, 0), x);
            same(EXACT, t -> t[0].diag(1), x.select(0, 0));
            same(EXACT, t -> t[0].diagonal(-1, 0, 1).mul(1), x);
            same(EXACT, t -> t[0].split(1, 2, 4)[1].add(0), x);
            same(EXACT, t -> t[0].chunk(3, 1)[2].add(0), x);
            Tensor lanes = Tensor.fromArray(new double[][]{{3, 1, 2, 1}, {0, 5, 5, 4}}).to(SIM);
            try (TopK top = lanes.topk(2, 1, true)) {
                assertEquals(SIM, top.values().device());
                assertEquals(SIM, top.indices().device());
                assertArrayEquals(new double[]{3, 2, 5, 5}, top.values().toDoubleArray());
                assertArrayEquals(new long[]{0, 2, 1, 2}, top.indices().toLongArray());
            }
        }
    }

    @Test
    void convolutionAndPooling() {
        try (Scope s = Scope.open()) {
            Tensor x = data(2, 3, 7, 6);
            Tensor w = data(4, 3, 3, 3);
            Tensor b = data(4);
            same(1e-12, t -> Conv.conv2d(t[0], t[1], t[2], new int[]{2, 1}, new int[]{1, 1}, new int[]{1, 2}, 1), x, w, b);
            same(1e-5, t -> Conv.conv2d(t[0].cast(DType.F32), t[1].cast(DType.F32), null, 1, 1, 1), x, w);
            same(1e-12, t -> Conv.conv1d(t[0].select(3, 0), t[1].select(3, 0), null, 1, 0, 1, 1), x, w);
            same(1e-12, t -> Conv.convTranspose2d(t[0], t[1], null, new int[]{2, 2}, new int[]{1, 0},
                    new int[]{1, 0}, new int[]{1, 1}, 1), data(2, 4, 3, 3), w);
            same(EXACT, t -> Conv.maxPool2d(t[0], 3, 2, 1), x);
            same(TIGHT, t -> Conv.avgPool2d(t[0], 2, 2, 0, true), x);
            same(TIGHT, t -> Conv.resize(t[0], 5, 9, Conv.Mode.BILINEAR, false), x);
            same(EXACT, t -> Conv.resize(t[0], 14, 3, Conv.Mode.NEAREST, false), x);
            same(TIGHT, t -> Conv.correlate2d(t[0], t[1], Conv.Boundary.REFLECT), x, w.select(0, 0).select(0, 0));
        }
    }

    @Test
    void fft() {
        try (Scope s = Scope.open()) {
            Tensor c = data(3, 8, 2);
            Tensor r = data(4, 6);
            same(TIGHT, t -> Fft.fft(t[0]), c);
            same(TIGHT, t -> Fft.ifft(t[0], 0, Fft.Norm.ORTHO), c);
            same(TIGHT, t -> Fft.rfft(t[0]), r);
            same(TIGHT, t -> Fft.irfft(Fft.rfft(t[0], 0, Fft.Norm.FORWARD), 4, 0, Fft.Norm.FORWARD), r);
            same(TIGHT, t -> Fft.fft2(t[0]), c);
            same(TIGHT, t -> Fft.ifft2(t[0], Fft.Norm.ORTHO), c);
            same(TIGHT, t -> Fft.rfft2(t[0]), r);
            same(TIGHT, t -> Fft.irfft2(Fft.rfft2(t[0])), r);
            same(TIGHT, t -> Fft.fft2OfReal(t[0]), r);
            same(TIGHT, t -> Fft.fft2(t[0], new long[]{2, 9}, Fft.Norm.ORTHO), c);
            same(TIGHT, t -> Fft.irfft2(Fft.rfft2(t[0], new long[]{5, 4}, Fft.Norm.FORWARD), new long[]{3, 7}, Fft.Norm.FORWARD), r);
        }
    }

    @Test
    void linearAlgebra() {
        try (Scope s = Scope.open()) {
            Tensor m = data(2, 4, 4);
            Tensor spd = m.matmul(m.transpose(-1, -2)).add(Tensor.eye(4, DType.F64));
            Tensor rhs = data(2, 4, 3);
            Tensor tall = data(5, 3);
            same(TIGHT, t -> Linalg.solve(t[0], t[1]), spd, rhs);
            same(TIGHT, t -> Linalg.solve(t[0], t[1]), spd.select(0, 1), rhs);                 // A broadcast over b's batch
            same(TIGHT, t -> Linalg.solveTriangular(t[0], t[1], false, true), spd, rhs.select(0, 0).select(1, 2));
            same(TIGHT, t -> Linalg.inv(t[0]), m);
            same(TIGHT, t -> Linalg.det(t[0]), m);
            same(TIGHT, t -> Linalg.slogdet(t[0]).logAbsDet(), m);
            same(EXACT, t -> Linalg.slogdet(t[0]).sign(), m);
            same(TIGHT, t -> Linalg.cholesky(t[0], false), spd);
            same(TIGHT, t -> Linalg.solveTriangular(t[0], t[1], true, false), Linalg.cholesky(spd, false), rhs);
            same(TIGHT, t -> Linalg.qr(t[0], false).q(), tall);
            same(TIGHT, t -> Linalg.qr(t[0], true).r(), tall);
            same(TIGHT, t -> Linalg.svd(t[0], false).u(), tall);
            same(TIGHT, t -> Linalg.svd(t[0], false).s(), tall);
            same(TIGHT, t -> Linalg.svd(t[0], true).vt(), tall);
            same(TIGHT, t -> Linalg.svdvals(t[0]), m);
            same(TIGHT, t -> Linalg.eigh(t[0]).values(), spd);
            same(TIGHT, t -> Linalg.eigh(t[0]).vectors(), spd);
            same(TIGHT, t -> Linalg.eigvalsh(t[0]), spd);
            same(TIGHT, t -> Linalg.eig(t[0]).values(), m);
            same(TIGHT, t -> Linalg.eig(t[0]).vectors(), m);
            same(TIGHT, t -> Linalg.lstsq(t[0], t[1]).solution(), tall, data(5, 2));
            same(TIGHT, t -> Linalg.lstsq(t[0], t[1]).residuals(), tall, data(5));
            same(TIGHT, t -> Linalg.pinv(t[0], 1e-15), tall);
            same(TIGHT, t -> Linalg.matrixNorm(t[0], Linalg.MatrixNorm.NUCLEAR), m);
            same(TIGHT, t -> Linalg.matrixNorm(t[0], Linalg.MatrixNorm.MAX_ROW_SUM), m);
            same(TIGHT, t -> Linalg.matrixPower(t[0], 3), m);
            same(TIGHT, t -> Linalg.matrixPower(t[0], -2), m);
            same(EXACT, t -> Linalg.matrixPower(t[0], 0), m);
            Linalg.Lstsq l = Linalg.lstsq(tall.to(SIM), data(5).to(SIM));
            assertEquals(3, l.rank());
            assertEquals(SIM, l.singularValues().device());
            Linalg.Eigh valuesOnly = Linalg.eigh(spd.to(SIM));
            assertNotNull(valuesOnly.vectors());
        }
    }

    @Test
    void kernelsTheSimLacksAreStagedAndCounted() {
        try (Scope s = Scope.open()) {
            Tensor x = data(1, 2, 5, 5);
            Tensor w = data(3, 2, 3, 3);
            Tensor a = data(3, 3).add(Tensor.eye(3, DType.F64).mul(4));
            Tensor b = data(3);
            Tensor dx = x.to(SIM);
            Tensor dw = w.to(SIM);
            Tensor da = a.to(SIM);
            Tensor db = b.to(SIM);

            // the sim backend registers MATMUL: nothing is staged
            long before = Proxima.hostStagings();
            Tensor product = da.matmul(db);
            assertEquals(before, Proxima.hostStagings(), "matmul runs on the device");
            assertArrayEquals(a.matmul(b).toDoubleArray(), product.toDoubleArray(), TIGHT);

            // it has no convolution, LAPACK or FFT kernels: each such kernel call is staged once
            before = Proxima.hostStagings();
            Tensor y = Conv.conv2d(dx, dw, null, 1, 1, 1);
            assertEquals(before + 1, Proxima.hostStagings(), "conv2d: one staged kernel");
            assertEquals(SIM, y.device());
            assertArrayEquals(Conv.conv2d(x, w, null, 1, 1, 1).toDoubleArray(), y.toDoubleArray(), EXACT);

            before = Proxima.hostStagings();
            Tensor solution = Linalg.solve(da, db);
            assertEquals(before + 1, Proxima.hostStagings(), "solve: one staged kernel");
            assertEquals(SIM, solution.device());
            assertArrayEquals(Linalg.solve(a, b).toDoubleArray(), solution.toDoubleArray(), EXACT);
            assertArrayEquals(b.toDoubleArray(), a.matmul(solution.to(Device.CPU)).toDoubleArray(), 1e-12);

            before = Proxima.hostStagings();
            Fft.fft2(da.reshape(3, 3, 1).broadcastTo(3, 3, 2));
            assertEquals(before + 2, Proxima.hostStagings(), "fft2: one staged transform per axis");

            // the CPU never stages
            before = Proxima.hostStagings();
            Conv.conv2d(x, w, null, 1, 1, 1);
            Linalg.solve(a, b);
            assertEquals(before, Proxima.hostStagings(), "host operands run the CPU kernels directly");
        }
    }

    @Test
    void aStagedKernelThatThrowsFreesItsTemporariesAndItsResult() {
        try (Scope s = Scope.open()) {
            // the second matrix of the batch is singular: U[1,1] of its LU factors is exactly zero
            Tensor a = Tensor.fromArray(new double[][][]{{{2, 1}, {1, 3}}, {{1, 2}, {2, 4}}});
            Tensor b = Tensor.of(1.0, 1.0);
            LinalgException host = assertThrows(LinalgException.class, () -> Linalg.solve(a, b));
            Tensor da = a.to(SIM);
            Tensor db = b.to(SIM);
            Tensor negative = da.neg();
            long simBytes = SimBackend.allocatedBytes();
            long hostBytes = Memory.allocatedBytes();
            throwsWith(LinalgException.class, () -> Linalg.solve(da, db), host.getMessage());
            throwsWith(LinalgException.class, () -> Linalg.cholesky(negative, false), "cholesky (potrf)", "batch element 0",
                    "not positive definite");
            assertEquals(simBytes, SimBackend.allocatedBytes(), "sim memory after the failed solve and cholesky");
            assertEquals(hostBytes, Memory.allocatedBytes(), "host memory after the failed solve and cholesky");
        }
    }

    @Test
    void randomNumbersMovedToTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor u = Rng.seed(3).normal(DType.F32, 0, 1, 100, 3);
            Tensor d = Rng.seed(3).normal(DType.F32, 0, 1, 100, 3).to(SIM);
            assertEquals(SIM, d.device());
            assertArrayEquals(u.toFloatArray(), d.toFloatArray());
            assertEquals(u.mean().item(), d.mean().item(), 0);
            assertArrayEquals(u.sort(0, false).toFloatArray(), d.sort(0, false).toFloatArray());
        }
    }

    @Test
    void randomNumbersGeneratedOnTheDeviceFollowTheCpuStream() {
        try (Scope s = Scope.open()) {
            Rng host = Rng.seed(21);
            Rng device = Rng.seed(21).on(SIM);
            assertEquals(SIM, device.device());
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                Tensor u = device.uniform(t, -1, 3, 7, 5);
                Tensor n = device.normal(t, 2, 0.5, 33);
                assertEquals(SIM, u.device());
                assertEquals(SIM, n.device());
                assertArrayEquals(host.uniform(t, -1, 3, 7, 5).toDoubleArray(), u.toDoubleArray(), 0);
                assertArrayEquals(host.normal(t, 2, 0.5, 33).toDoubleArray(), n.toDoubleArray(), 0);
            }
            Tensor b = device.bernoulli(0.3, 40);
            assertEquals(SIM, b.device());
            assertArrayEquals(host.bernoulli(0.3, 40).toDoubleArray(), b.toDoubleArray(), 0);
            Tensor g = device.gamma(DType.F64, 2.5, 1, 9);   // generated on the host, then moved
            assertEquals(SIM, g.device());
            assertArrayEquals(host.gamma(DType.F64, 2.5, 1, 9).toDoubleArray(), g.toDoubleArray(), 0);
            assertEquals(host.draws(), device.draws());
        }
    }

    // ================================================================== autodiff on the device

    /** A two-layer network's loss: matmul, bias, tanh and exact GELU, softmax cross entropy, mean. */
    private static Tensor mlpLoss(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor labels) {
        Tensor h = x.matmul(w1).add(b1).tanh();
        Tensor gelu = h.mul(h.div(Math.sqrt(2)).erf().add(1)).mul(0.5);
        Tensor logits = gelu.matmul(w2).add(b2);
        Tensor logp = logits.logSoftmax(1);
        return logp.gather(1, labels.unsqueeze(1)).neg().mean();
    }

    @Test
    void mlpGradientsMatchTheCpuAndStayOnTheDevice() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seed(5);
            Tensor x = rng.normal(DType.F64, 0, 1, 6, 4);
            Tensor[] params = {rng.normal(DType.F64, 0, 0.5, 4, 5), rng.normal(DType.F64, 0, 0.1, 5),
                    rng.normal(DType.F64, 0, 0.5, 5, 3), rng.normal(DType.F64, 0, 0.1, 3)};
            Tensor labels = Tensor.of(0L, 2, 1, 1, 0, 2);
            Tensor[] cpu = new Tensor[4];
            Tensor[] sim = new Tensor[4];
            for (int i = 0; i < 4; i++) {
                cpu[i] = params[i].detach().requiresGrad(true);
                sim[i] = params[i].to(SIM).requiresGrad(true);
            }
            Tensor lossCpu = mlpLoss(x, cpu[0], cpu[1], cpu[2], cpu[3], labels);
            Tensor lossSim = mlpLoss(x.to(SIM), sim[0], sim[1], sim[2], sim[3], labels.to(SIM));
            assertEquals(SIM, lossSim.device());
            assertEquals(lossCpu.item(), lossSim.item(), TIGHT);
            lossCpu.backward();
            lossSim.backward();
            for (int i = 0; i < 4; i++) {
                Tensor g = sim[i].grad();
                assertNotNull(g, "gradient of parameter " + i);
                assertEquals(SIM, g.device(), "gradient of parameter " + i + " is on the parameter's device");
                assertArrayEquals(cpu[i].grad().toDoubleArray(), g.toDoubleArray(), TIGHT, "gradient of parameter " + i);
            }
            // a second backward pass accumulates on the device
            mlpLoss(x.to(SIM), sim[0], sim[1], sim[2], sim[3], labels.to(SIM)).backward();
            assertEquals(SIM, sim[0].grad().device());
            assertArrayEquals(cpu[0].grad().mul(2).toDoubleArray(), sim[0].grad().toDoubleArray(), TIGHT);
            for (Tensor p : sim) {
                p.clearGrad();
            }
            for (Tensor p : cpu) {
                p.clearGrad();
            }
        }
    }

    @Test
    void gradientsThroughStagedOperations() {
        try (Scope s = Scope.open()) {
            Tensor x = data(2, 3, 5, 5);
            Tensor w = data(4, 3, 3, 3);
            Function<Tensor[], Tensor> f = t -> {
                Tensor y = Conv.maxPool2d(Conv.conv2d(t[0], t[1], null, 1, 1, 1), 2, 2, 0);
                Tensor z = Fft.rfft(y.cumsum(3)).square().sum(new int[]{-1}, false);
                return z.sort(2, true).mul(Linalg.inv(t[2]).sum()).mean();
            };
            Tensor a = data(3, 3).add(Tensor.eye(3, DType.F64).mul(4));
            Tensor[] host = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), a.detach().requiresGrad(true)};
            Tensor[] dev = {x.to(SIM).requiresGrad(true), w.to(SIM).requiresGrad(true), a.to(SIM).requiresGrad(true)};
            Tensor[] gh = Autodiff.gradients(f.apply(host), null, BackwardOptions.defaults(), host);
            Tensor[] gd = Autodiff.gradients(f.apply(dev), null, BackwardOptions.defaults(), dev);
            for (int i = 0; i < 3; i++) {
                assertEquals(SIM, gd[i].device());
                assertArrayEquals(gh[i].toDoubleArray(), gd[i].toDoubleArray(), 1e-10, "gradient " + i);
            }
        }
    }

    @Test
    void derivativeRulesThatMakeConstantsMakeThemOnTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor m = data(3, 3);
            Tensor spd = m.matmul(m.transpose()).add(Tensor.eye(3, DType.F64).mul(3));
            Tensor img = data(1, 2, 6, 6);
            Tensor sig = data(2, 4, 6);
            Function<Tensor[], Tensor> f = t -> {
                Tensor sym = t[0].add(t[0].transpose());
                // eigh and svd: inverse eigenvalue/singular-value gaps built around an identity mask
                Tensor spectral = Linalg.eigh(sym).vectors().square().mul(t[0]).sum()
                        .add(Linalg.eigvalsh(sym).square().sum())
                        .add(Linalg.svd(t[0], false).u().select(1, 0).mul(Tensor.of(1.0, 2.0, 3.0).to(t[0].device())).sum())
                        .add(Linalg.svdvals(t[0]).sum())
                        .add(Linalg.cholesky(t[1], false).sum())
                        .add(Linalg.slogdet(t[1]).logAbsDet())
                        .add(Linalg.solveTriangular(Linalg.cholesky(t[1], true), t[0], false, false).sum());
                // average pooling without the padded zeros divides by counts of ones made on the gradient's device
                Tensor pooled = Conv.avgPool2d(t[2], 3, 2, 1, false).square().sum()
                        .add(Conv.convTranspose2d(t[2], t[2].slice(2, 0, 2, 1).slice(3, 0, 3, 1).transpose(0, 1), null,
                                new int[]{1, 2}, new int[]{0, 1}, new int[]{0, 1}, new int[]{1, 1}, 1).square().sum());
                // the rfft/irfft adjoints weight the bins with constants made on the gradient's device
                Tensor spectrum = Fft.irfft2(Fft.rfft2(t[3]).mul(t[3].select(2, 0).unsqueeze(2).unsqueeze(3).sum()), 6, Fft.Norm.ORTHO)
                        .square().sum()
                        .add(Fft.fft2OfReal(t[3]).square().sum().mul(0.01));
                return spectral.add(pooled).add(spectrum);
            };
            Tensor[] inputs = {m, spd, img, sig};
            Tensor[] host = new Tensor[inputs.length];
            Tensor[] dev = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                host[i] = inputs[i].detach().requiresGrad(true);
                dev[i] = inputs[i].to(SIM).requiresGrad(true);
            }
            Tensor[] gh = Autodiff.gradients(f.apply(host), null, BackwardOptions.defaults(), host);
            Tensor[] gd = Autodiff.gradients(f.apply(dev), null, BackwardOptions.defaults(), dev);
            for (int i = 0; i < inputs.length; i++) {
                assertEquals(SIM, gd[i].device(), "gradient " + i);
                assertArrayEquals(gh[i].toDoubleArray(), gd[i].toDoubleArray(), 1e-9, "gradient " + i);
            }
        }
    }

    @Test
    void gradcheckOnTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor x = data(2, 3).to(SIM);
            Tensor idx = Tensor.fromArray(new long[][]{{2, 0}, {1, 1}}).to(SIM);
            Function<Tensor, Tensor> f = t -> {
                assertEquals(SIM, t.device(), "gradcheck evaluates f on x's device");
                Tensor sorted = t.sort(1, false).cumsum(1);
                Tensor picked = sorted.gather(1, idx).mul(t.tanh().slice(1, 0, 2, 1));
                return Tensor.concat(0, picked.reshape(-1), t.matmul(t.transpose()).reshape(-1)).softmax(0);
            };
            Autodiff.GradcheckResult r = Autodiff.gradcheck(f, x, 1e-6, 1e-7, 1e-5);
            assertTrue(r.passed(), "max error " + r.maxAbsError());
            Autodiff.GradcheckResult r2 = Autodiff.gradgradcheck(t -> t.pow(3).mul(t.sin()).cumsum(1).sum(1), x, 1e-5, 1e-6, 1e-5);
            assertTrue(r2.passed(), "max error " + r2.maxAbsError());
        }
    }

    @Test
    void hessianVectorProductsOnTheDevice() {
        try (Scope s = Scope.open()) {
            Tensor x = data(5);
            Tensor v = data(5).mul(0.3);
            Function<Tensor, Tensor> f = t -> t.pow(3).sum().add(t.sin().mul(t.cumsum(0)).sum())
                    .add(t.reshape(5, 1).matmul(t.reshape(1, 5)).tanh().sum());
            Tensor hvCpu = Autodiff.hvp(f, x, v);
            Tensor hvSim = Autodiff.hvp(f, x.to(SIM), v.to(SIM));
            assertEquals(SIM, hvSim.device());
            assertArrayEquals(hvCpu.toDoubleArray(), hvSim.toDoubleArray(), 1e-12);
            // the nested functional form: the gradient of the gradient's sum
            Tensor ggCpu = Autodiff.grad(t -> Autodiff.grad(f, t).sum(), x);
            Tensor ggSim = Autodiff.grad(t -> Autodiff.grad(f, t).sum(), x.to(SIM));
            assertEquals(SIM, ggSim.device());
            assertArrayEquals(ggCpu.toDoubleArray(), ggSim.toDoubleArray(), 1e-12);
            // vjp and jvp seeds and zero gradients are made on the device too
            Autodiff.ValueAndProduct jv = Autodiff.jvp(t -> t.sort(0, false), x.to(SIM), v.to(SIM));
            assertEquals(SIM, jv.product().device());
            assertArrayEquals(Autodiff.jvp(t -> t.sort(0, false), x, v).product().toDoubleArray(), jv.product().toDoubleArray(), EXACT);
            Tensor constant = Autodiff.grad(t -> Tensor.scalar(2, DType.F64), x.to(SIM));
            assertEquals(SIM, constant.device());
            assertFalse(constant.toDoubleArray()[0] != 0);
        }
    }

    @Test
    void customOpsRecordDeviceTensorsAndCheckTheGradientsDevice() {
        boolean[] hostGradient = {false};
        CustomOp twoOutputs = new CustomOp() {
            @Override
            public Tensor[] forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(in[0]);
                return new Tensor[]{in[0].square(), in[0].exp()};
            }

            @Override
            public Tensor[] backward(Context ctx, Tensor... g) {
                Tensor x = ctx.saved(0);
                Tensor gx = x.mul(2).mul(g[0]).add(x.exp().mul(g[1]));
                return new Tensor[]{hostGradient[0] ? gx.to(Device.CPU) : gx};
            }
        };
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(0.5, -1.0).to(SIM).requiresGrad(true);
            Tensor[] out = twoOutputs.apply(x);
            assertEquals(SIM, out[0].device());
            assertEquals(SIM, out[1].device());
            Tensor g = Autodiff.gradients(out[0].add(out[1]).sum(), null, BackwardOptions.retainingGraph(), x)[0];
            assertEquals(SIM, g.device());
            assertArrayEquals(new double[]{1 + Math.exp(0.5), -2 + Math.exp(-1)}, g.toDoubleArray(), TIGHT);
            hostGradient[0] = true;
            throwsWith(IllegalArgumentException.class, () -> Autodiff.gradients(out[0].sum(), null, BackwardOptions.defaults(), x),
                    "input 0", "cpu", SIM.toString());
        }
    }
}
