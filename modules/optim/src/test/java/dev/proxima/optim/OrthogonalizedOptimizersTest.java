package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.internal.LowRankProjection;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import dev.proxima.testkit.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Function;

import static dev.proxima.testkit.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Muon's and ROOT's first steps against NumPy, GaLore's projections, convergence, bad input. */
@ExtendWith(NoLeaks.class)
class OrthogonalizedOptimizersTest {

    static ReferenceTable fixtures;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = OrthogonalizedOptimizersTest.class.getResourceAsStream("/fixtures/ortho/ortho_fixtures.txt")) {
            fixtures = ReferenceTable.read(in);
        }
    }

    /** Runs {@code steps} closure steps on 0.5‖W A − B‖² and compares W after each with the fixture's. */
    private static void matchesFixture(String name, Function<List<Parameter>, Optimizer> make) {
        try (Scope scope = Scope.open()) {
            Tensor a = fixtures.tensor(name + "/a");
            Tensor b = fixtures.tensor(name + "/b");
            try (Parameter w = new Parameter(fixtures.tensor(name + "/w0"), true); Optimizer opt = make.apply(List.of(w))) {
                for (int i = 1; i <= 3; i++) {
                    try (Scope ignored = Scope.open()) {
                        opt.step(() -> {
                            opt.zeroGrad();
                            Tensor loss = w.value().matmul(a).sub(b).square().sum().mul(0.5);
                            loss.backward();
                            return loss;
                        });
                    }
                    assertClose(fixtures.tensor(name + "/step" + i), w.value(), new Tolerance(1e-12, 1e-12), name + " step " + i);
                }
            }
        }
    }

    @Test
    void muonFirstStepsMatchNumPy() {
        matchesFixture("muon", Muon.builder().lr(0.05).momentum(0.95).nesterov(true).weightDecay(0.1)::build);
    }

    @Test
    void rootFirstStepsMatchNumPy() {
        matchesFixture("root", Root.builder().lr(0.05).momentum(0.9).outlierThreshold(1.5)::build);
    }

    @Test
    void suppressOutliersClipsAtKappaTimesTheRms() {
        try (Scope scope = Scope.open()) {
            // RMS of (3, −4, 0, 0) is 2.5; κ = 1 clips at ±2.5
            TensorTree u = TensorTree.ofTensors(List.of(Tensor.of(3.0, -4.0, 0.0, 0.0)));
            GradientTransform t = MatrixTransforms.suppressOutliers(1);
            Tensor out = t.update(u, t.init(u), u).updates().leaves().get(0);
            assertClose(new double[]{2.5, -2.5, 0, 0}, out, Tolerance.EXACT);
        }
    }

    @Test
    void splitByRankRoutesMatricesAndTheRestSeparately() {
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            TensorTree params = TensorTree.ofTensors(List.of(Tensor.zeros(DType.F64, 3), Tensor.zeros(DType.F64, 2, 2),
                    Tensor.zeros(DType.F64, 2, 1, 2)));
            TensorTree grads = params.map(p -> p.add(1.0));
            GradientTransform t = MatrixTransforms.splitByRank(Transforms.scale(2), Transforms.scale(-1));
            List<Tensor> u = t.update(grads, t.init(params), params).updates().leaves();
            assertEquals(-1, u.get(0).getDouble(0));
            assertEquals(2, u.get(1).getDouble(1, 1));
            assertEquals(2, u.get(2).getDouble(1, 0, 1));
        }
    }

    @Test
    void galoreWithAnIdentityInnerTransformProjectsOntoTheTopSingularSubspace() {
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor g0 = Rng.seed(21).normal(DType.F64, 0, 1, 6, 9);
            Tensor g1 = Rng.seed(22).normal(DType.F64, 0, 1, 6, 9);
            TensorTree params = TensorTree.ofTensors(List.of(Tensor.zeros(DType.F64, 6, 9)));
            GradientTransform t = MatrixTransforms.projectLowRank(2, 2, 1.0, MatrixTransforms.Projection.SVD, Transforms.scale(1));
            TensorTree state = t.init(params);
            GradientTransform.Update first = t.update(TensorTree.ofTensors(List.of(g0)), state, params);
            // step 0 builds P from g0: the update is P Pᵀ g0, the best rank-2 approximation of g0
            Linalg.SVD svd = Linalg.svd(g0, false);
            Tensor u2 = svd.u().slice(1, 0, 2, 1);
            Tensor best = u2.mul(svd.s().slice(0, 0, 2, 1)).matmul(svd.vt().slice(0, 0, 2, 1));
            assertClose(best, first.updates().leaves().get(0), new Tolerance(1e-11, 1e-11));
            // step 1 keeps P (T = 2): g1 is projected on g0's subspace, not its own
            GradientTransform.Update second = t.update(TensorTree.ofTensors(List.of(g1)), first.state(), params);
            assertClose(u2.matmul(u2.transpose()).matmul(g1), second.updates().leaves().get(0), new Tolerance(1e-11, 1e-11));
            assertTrue(second.state().get("projector.0") == first.state().get("projector.0"), "the projector is kept between refreshes");
            // step 2 refreshes from g1
            GradientTransform.Update third = t.update(TensorTree.ofTensors(List.of(g1)), second.state(), params);
            Tensor p1 = LowRankProjection.svdProjector(g1, 2);
            assertClose(p1.matmul(p1.transpose()).matmul(g1), third.updates().leaves().get(0), new Tolerance(1e-11, 1e-11));
            // at full rank the projection is the identity, for the SVD and the DCT projector alike
            for (MatrixTransforms.Projection kind : MatrixTransforms.Projection.values()) {
                GradientTransform full = MatrixTransforms.projectLowRank(6, 1, 1.0, kind, Transforms.scale(1));
                Tensor back = full.update(TensorTree.ofTensors(List.of(g0)), full.init(params), params).updates().leaves().get(0);
                assertClose(g0, back, new Tolerance(1e-11, 1e-11), kind.toString());
            }
        }
    }

    @Test
    void galoreKeepsAdamsMomentsInTheProjectedSpace() {
        try (Scope scope = Scope.open(); Parameter tall = new Parameter(Tensor.zeros(DType.F64, 10, 4), true);
             Parameter wide = new Parameter(Tensor.zeros(DType.F64, 4, 10), true);
             Parameter bias = new Parameter(Tensor.zeros(DType.F64, 4), true);
             Optimizer opt = GaLore.builder().rank(3).build(List.of(tall, wide, bias))) {
            var shapes = new java.util.TreeMap<String, String>();
            opt.state().flatten().forEach((k, v) -> shapes.put(k, java.util.Arrays.toString(v.shape())));
            String all = shapes.toString();
            assertTrue(all.contains("[10, 3]") && all.contains("[3, 10]"), "projected moments " + all);
            assertTrue(all.contains("[4, 3]"), "projectors on the smaller side " + all);
            assertTrue(!all.contains("[10, 4]") && !all.contains("[4, 10]"), "no full-size moment " + all);
        }
    }

    /** A consistent least-squares problem: W* A = B with W* 8 × 16, A 16 × 32. */
    private static double trainLeastSquares(Function<List<Parameter>, Optimizer> make, int steps) {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(77);
            Tensor a = rng.split().normal(DType.F64, 0, 0.25, 16, 32);
            Tensor b = rng.split().normal(DType.F64, 0, 1, 8, 16).matmul(a);
            try (Parameter w = new Parameter(Tensor.zeros(DType.F64, 8, 16), true); Optimizer opt = make.apply(List.of(w))) {
                double first = Double.NaN;
                double last = Double.NaN;
                for (int i = 0; i < steps; i++) {
                    try (Scope ignored = Scope.open()) {
                        Tensor loss = opt.step(() -> {
                            opt.zeroGrad();
                            Tensor l = w.value().matmul(a).sub(b).square().mean();
                            l.backward();
                            return l;
                        });
                        last = loss.item();
                        first = i == 0 ? last : first;
                    }
                }
                return last / first;
            }
        }
    }

    @Test
    void eachConvergesOnALeastSquaresMatrixProblem() {
        int steps = 150;
        double muon = trainLeastSquares(Muon.builder().lr(Schedule.linear(0.1, 0.001, steps)).weightDecay(0)::build, steps);
        double root = trainLeastSquares(Root.builder().lr(Schedule.linear(0.1, 0.001, steps))::build, steps);
        double galore = trainLeastSquares(GaLore.builder().lr(0.05).rank(4).updateProjGap(10).scale(1)::build, steps);
        double dct = trainLeastSquares(GaLore.builder().lr(0.05).rank(4).updateProjGap(10).scale(1)
                .projection(MatrixTransforms.Projection.DCT)::build, steps);
        assertTrue(muon < 1e-2, "Muon: loss ratio " + muon);
        assertTrue(root < 1e-2, "ROOT: loss ratio " + root);
        assertTrue(galore < 2e-2, "GaLore: loss ratio " + galore);
        assertTrue(dct < 5e-2, "GaLore with the DCT projector: loss ratio " + dct);
    }

    @Test
    void badHyperParametersAreRefusedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Muon.builder().momentum(1.0)).getMessage().contains("momentum"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Muon.builder().nsSteps(0)).getMessage().contains("nsSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Muon.builder().nsCoefficients(1, Double.NaN, 1)).getMessage()
                .contains("b"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Root.builder().outlierThreshold(0)).getMessage()
                .contains("outlierThreshold"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GaLore.builder().rank(0)).getMessage().contains("rank"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GaLore.builder().updateProjGap(0)).getMessage()
                .contains("updateProjGap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GaLore.builder().scale(-1)).getMessage().contains("scale"));
        assertThrows(IllegalArgumentException.class, () -> MatrixTransforms.orthogonalize(1, 1, 1, -1, MatrixTransforms.ShapeScale.NONE));
        try (Scope scope = Scope.open()) {
            TensorTree vector = TensorTree.ofTensors(List.of(Tensor.zeros(DType.F64, 3)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatrixTransforms.projectLowRank(
                    1, 1, 1, MatrixTransforms.Projection.SVD, Transforms.scale(1)).init(vector));
            assertTrue(e.getMessage().contains("splitByRank"), e.getMessage());
        }
    }
}
