package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor trees: structure, paths, transforms, comparisons, and differentiation over trees. */
@ExtendWith(NoLeaks.class)
class TensorTreeTest {

    private static SequencedMap<String, TensorTree> entries(Object... keysAndTrees) {
        SequencedMap<String, TensorTree> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTrees.length; i += 2) {
            m.put((String) keysAndTrees[i], (TensorTree) keysAndTrees[i + 1]);
        }
        return m;
    }

    /** {encoder: {weight, bias}, layers: [{w}, {w, scale}]} with distinct values. */
    private static TensorTree model() {
        return TensorTree.dict(entries(
                "encoder", TensorTree.dict(entries(
                        "weight", TensorTree.leaf(Tensor.fromArray(new double[][]{{1, 2}, {3, 4}})),
                        "bias", TensorTree.leaf(Tensor.of(0.5, -0.5)))),
                "layers", TensorTree.sequence(
                        TensorTree.dict(entries("w", TensorTree.leaf(Tensor.of(2.0, 3.0, 4.0)))),
                        TensorTree.dict(entries("w", TensorTree.leaf(Tensor.of(-1.0)), "scale", TensorTree.leaf(Tensor.scalar(2, DType.F64)))))));
    }

    @Test
    void flattenListsLeavesDepthFirstWithDottedPaths() {
        try (Scope s = Scope.open()) {
            TensorTree t = model();
            assertEquals(List.of("encoder.weight", "encoder.bias", "layers.0.w", "layers.1.w", "layers.1.scale"), List.copyOf(t.flatten().keySet()));
            assertEquals(t.structure().paths(), List.copyOf(t.flatten().keySet()));
            assertEquals(5, t.leafCount());
            assertEquals(4 + 2 + 3 + 1 + 1, t.elementCount());
            assertEquals("{encoder: {weight: *, bias: *}, layers: [{w: *}, {w: *, scale: *}]}", t.structure().toString());
            assertSame(t.leaves().get(2), t.get("layers.0.w"));
            assertArrayEquals(new double[]{0.5, -0.5}, t.get("encoder.bias").toDoubleArray());
            assertEquals(TensorTree.Structure.leaf(), t.subtree("layers.1.scale").structure());
            assertSame(t, t.subtree(""));
            // a tree that is one leaf has one leaf, at the empty path
            TensorTree single = TensorTree.leaf(t.get("encoder.bias"));
            assertEquals(List.of(""), List.copyOf(single.flatten().keySet()));
            assertSame(single.leaves().getFirst(), single.get(""));
        }
    }

    @Test
    void unflattenRebuildsTheStructureAndStructuresCompare() {
        try (Scope s = Scope.open()) {
            TensorTree t = model();
            TensorTree.Structure st = t.structure();
            TensorTree back = st.unflatten(t.leaves());
            assertEquals(t, back, "same structure, same tensors");
            assertTrue(back.structureEquals(t));
            TensorTree doubled = t.withLeaves(t.leaves().stream().map(x -> x.mul(2)).toList());
            assertTrue(doubled.structureEquals(t));
            assertNotEquals(t, doubled);
            assertArrayEquals(new double[]{4, 6, 8}, doubled.get("layers.0.w").toDoubleArray());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> st.unflatten(t.leaves().subList(0, 4)));
            assertTrue(count.getMessage().contains("5 leaves") && count.getMessage().contains("4 tensors"), count.getMessage());
            // key order is part of the structure: it fixes the leaf order
            Tensor a = Tensor.of(1.0);
            Tensor b = Tensor.of(2.0);
            TensorTree ab = TensorTree.dict(entries("a", TensorTree.leaf(a), "b", TensorTree.leaf(b)));
            TensorTree ba = TensorTree.dict(entries("b", TensorTree.leaf(b), "a", TensorTree.leaf(a)));
            assertFalse(ab.structureEquals(ba));
            assertNotEquals(ab, ba);
            assertNotEquals(ab.structure(), ba.structure());
            TreeMap<String, TensorTree> sorted = new TreeMap<>(entries("b", TensorTree.leaf(b), "a", TensorTree.leaf(a)));
            assertEquals(ab, TensorTree.dict(sorted), "a TreeMap gives sorted keys");
            assertFalse(TensorTree.sequence(TensorTree.leaf(a)).structureEquals(TensorTree.leaf(a)));
        }
    }

    @Test
    void mapAndZipKeepTheStructure() {
        try (Scope s = Scope.open()) {
            TensorTree t = model();
            TensorTree squared = t.map(Tensor::square);
            assertArrayEquals(new double[]{1, 4, 9, 16}, squared.get("encoder.weight").toDoubleArray());
            TensorTree decayed = t.mapWithPath((path, x) -> path.endsWith("bias") ? x : x.mul(0.5));
            assertArrayEquals(new double[]{0.5, -0.5}, decayed.get("encoder.bias").toDoubleArray());
            assertArrayEquals(new double[]{1, 1.5, 2}, decayed.get("layers.0.w").toDoubleArray());
            TensorTree sum = t.zip(squared, Tensor::add);
            assertArrayEquals(new double[]{2, 6, 12, 20}, sum.get("encoder.weight").toDoubleArray());
            assertEquals(6, sum.get("layers.1.scale").item());
            TensorTree fma = TensorTree.zip(List.of(t, squared, sum), xs -> xs.get(0).mul(xs.get(1)).sub(xs.get(2)));
            assertArrayEquals(new double[]{2 * 4 - 6, 3 * 9 - 12, 4 * 16 - 20}, fma.get("layers.0.w").toDoubleArray());
            NullPointerException nul = assertThrows(NullPointerException.class, () -> t.map(x -> null));
            assertTrue(nul.getMessage().contains("encoder.weight"), nul.getMessage());
            assertEquals(t.structure(), t.zerosLike().structure());
            assertEquals(0, t.zerosLike().l2Norm().item());
        }
    }

    @Test
    void structureMismatchesNameThePath() {
        try (Scope s = Scope.open()) {
            TensorTree t = model();
            Tensor x = Tensor.of(1.0);
            TensorTree otherKeys = TensorTree.dict(entries("encoder", t.subtree("encoder"),
                    "layers", TensorTree.sequence(t.subtree("layers.0"), TensorTree.dict(entries("w", TensorTree.leaf(x), "shift", TensorTree.leaf(x))))));
            IllegalArgumentException keys = assertThrows(IllegalArgumentException.class, () -> t.zip(otherKeys, Tensor::add));
            assertTrue(keys.getMessage().contains("'layers.1'") && keys.getMessage().contains("[w, scale]") && keys.getMessage().contains("[w, shift]"),
                    keys.getMessage());
            TensorTree shorter = TensorTree.dict(entries("encoder", t.subtree("encoder"), "layers", TensorTree.sequence(t.subtree("layers.0"))));
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> t.zip(shorter, Tensor::add));
            assertTrue(length.getMessage().contains("'layers'") && length.getMessage().contains("2 and 1 items"), length.getMessage());
            TensorTree leafForDict = TensorTree.dict(entries("encoder", TensorTree.leaf(x), "layers", t.subtree("layers")));
            IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> t.allClose(leafForDict, 0, 0));
            assertTrue(kind.getMessage().contains("'encoder'") && kind.getMessage().contains("a leaf"), kind.getMessage());
            IllegalArgumentException third = assertThrows(IllegalArgumentException.class,
                    () -> TensorTree.zip(List.of(t, t, shorter), xs -> xs.get(0)));
            assertTrue(third.getMessage().startsWith("tree 2 does not match tree 0"), third.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> t.get("layers.1.bias"));
            assertTrue(missing.getMessage().contains("'layers.1.bias'") && missing.getMessage().contains("[w, scale]"), missing.getMessage());
            IllegalArgumentException index = assertThrows(IllegalArgumentException.class, () -> t.get("layers.2.w"));
            assertTrue(index.getMessage().contains("sequence of 2 items"), index.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.get("encoder"), "a dict is not a leaf");
            assertThrows(IllegalArgumentException.class, () -> t.get("encoder.weight.x"), "below a leaf");
        }
    }

    @Test
    void reductionsAndCloseness() {
        try (Scope s = Scope.open()) {
            TensorTree t = model();
            // Σ of squares: 1+4+9+16 + 0.25+0.25 + 4+9+16 + 1 + 4
            assertEquals(64.5, t.vdot(t).item(), 1e-12);
            assertEquals(Math.sqrt(64.5), t.l2Norm().item(), 1e-12);
            assertEquals(2 * 64.5, t.vdot(t.map(x -> x.mul(2))).item(), 1e-12);
            TensorTree near = t.map(x -> x.add(1e-9));
            assertTrue(t.allClose(near, 0, 1e-8));
            assertFalse(t.allClose(near, 0, 1e-10));
            TensorTree reshaped = t.mapWithPath((p, x) -> p.equals("encoder.weight") ? x.reshape(4) : x);
            assertFalse(t.allClose(reshaped, 1, 1), "different leaf shapes are not close");
            assertThrows(ShapeMismatchException.class, () -> t.vdot(reshaped));
            assertEquals(0, TensorTree.sequence().vdot(TensorTree.sequence()).item());
        }
    }

    @Test
    void fromPathsNestsStateDicts() {
        try (Scope s = Scope.open()) {
            SequencedMap<String, Tensor> state = new LinkedHashMap<>();
            state.put("0.weight", Tensor.ones(DType.F32, 2, 2));
            state.put("0.bias", Tensor.zeros(DType.F32, 2));
            state.put("2.weight", Tensor.ones(DType.F32, 1, 2));
            TensorTree t = TensorTree.fromPaths(state);
            assertEquals("{0: {weight: *, bias: *}, 2: {weight: *}}", t.structure().toString());
            assertEquals(state, t.flatten());
            assertEquals(TensorTree.ofTensors(new LinkedHashMap<>(java.util.Map.of("weight", state.get("2.weight")))), t.subtree("2"));
            assertEquals(List.of("0", "1"), TensorTree.ofTensors(List.of(state.get("0.bias"), state.get("0.bias"))).structure().paths());
            SequencedMap<String, Tensor> clash = new LinkedHashMap<>();
            clash.put("a.b", state.get("0.bias"));
            clash.put("a", state.get("0.bias"));
            assertThrows(IllegalArgumentException.class, () -> TensorTree.fromPaths(clash));
            SequencedMap<String, Tensor> below = new LinkedHashMap<>();
            below.put("a", state.get("0.bias"));
            below.put("a.b", state.get("0.bias"));
            IllegalArgumentException under = assertThrows(IllegalArgumentException.class, () -> TensorTree.fromPaths(below));
            assertTrue(under.getMessage().contains("below the leaf 'a'"), under.getMessage());
            SequencedMap<String, Tensor> empty = new LinkedHashMap<>();
            empty.put("a..b", state.get("0.bias"));
            assertThrows(IllegalArgumentException.class, () -> TensorTree.fromPaths(empty));
            IllegalArgumentException dotted = assertThrows(IllegalArgumentException.class,
                    () -> TensorTree.dict(entries("a.b", TensorTree.leaf(state.get("0.bias")))));
            assertTrue(dotted.getMessage().contains("'a.b'"), dotted.getMessage());
            assertThrows(NullPointerException.class, () -> TensorTree.leaf(null));
        }
    }

    // ================================================================== differentiation over trees

    /** f(w, b) = Σ (w·x + b)² for fixed x: ∇_w = 2r·xᵀ, ∇_b = 2r with r = w·x + b. */
    private static final double[][] W = {{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}};
    private static final double[] B = {0.1, -0.3};
    private static final double[] X = {1.0, 2.0, -1.0};

    private static TensorTree params() {
        return TensorTree.dict(entries("w", TensorTree.leaf(Tensor.fromArray(W)), "b", TensorTree.leaf(Tensor.of(B))));
    }

    private static Tensor loss(TensorTree p) {
        return p.get("w").matmul(Tensor.of(X)).add(p.get("b")).square().sum();
    }

    private static double[] residual() {
        double[] r = new double[2];
        for (int i = 0; i < 2; i++) {
            r[i] = B[i];
            for (int j = 0; j < 3; j++) {
                r[i] += W[i][j] * X[j];
            }
        }
        return r;
    }

    @Test
    void gradAndValueAndGradOverATree() {
        double[] r = residual();
        try (Scope s = Scope.open()) {
            TensorTree p = params();
            Autodiff.TreeValueAndGrad vg = Autodiff.valueAndGrad(TensorTreeTest::loss, p);
            assertEquals(r[0] * r[0] + r[1] * r[1], vg.value().item(), 1e-12);
            assertFalse(vg.value().requiresGrad());
            assertTrue(vg.grad().structureEquals(p));
            double[] gw = new double[6];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    gw[i * 3 + j] = 2 * r[i] * X[j];
                }
            }
            assertArrayEquals(gw, vg.grad().get("w").toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{2 * r[0], 2 * r[1]}, vg.grad().get("b").toDoubleArray(), 1e-12);
            assertTrue(vg.grad().allClose(Autodiff.grad(TensorTreeTest::loss, p), 0, 0));
            // a leaf the function ignores gets zeros; the tensors of the tree are not modified
            TensorTree extra = TensorTree.dict(entries("w", p.subtree("w"), "b", p.subtree("b"), "unused", TensorTree.leaf(Tensor.ones(DType.F32, 4))));
            TensorTree g = Autodiff.grad(TensorTreeTest::loss, extra);
            assertEquals(DType.F32, g.get("unused").dtype());
            assertArrayEquals(new float[4], g.get("unused").toFloatArray());
            assertFalse(p.get("w").requiresGrad());
        }
    }

    @Test
    void vjpJvpAndHvpOverATree() {
        double[] r = residual();
        try (Scope s = Scope.open()) {
            TensorTree p = params();
            // the residual map p ↦ w·x + b: vᵀJ gives (v·xᵀ, v), J·(dw, db) gives dw·x + db
            Tensor v = Tensor.of(1.0, -2.0);
            Autodiff.TreeValueAndProduct vjp = Autodiff.vjp(q -> q.get("w").matmul(Tensor.of(X)).add(q.get("b")), p, v);
            assertArrayEquals(r, vjp.value().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{1, 2, -1, -2, -4, 2}, vjp.product().get("w").toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{1, -2}, vjp.product().get("b").toDoubleArray(), 1e-12);
            TensorTree dir = TensorTree.dict(entries("w", TensorTree.leaf(Tensor.fromArray(new double[][]{{1, 0, 0}, {0, 0, 1}})),
                    "b", TensorTree.leaf(Tensor.of(0.5, 0.25))));
            Autodiff.ValueAndProduct jvp = Autodiff.jvp(q -> q.get("w").matmul(Tensor.of(X)).add(q.get("b")), p, dir);
            assertArrayEquals(new double[]{1 + 0.5, -1 + 0.25}, jvp.product().toDoubleArray(), 1e-12);
            // the loss is quadratic: H·(dw, db) = 2·(J·d)·(xᵀ, 1) with J·d = dw·x + db = [1.5, −0.75]
            TensorTree hv = Autodiff.hvp(TensorTreeTest::loss, p, dir);
            double[] jd = {1.5, -0.75};
            assertArrayEquals(new double[]{2 * jd[0] * X[0], 2 * jd[0] * X[1], 2 * jd[0] * X[2], 2 * jd[1] * X[0], 2 * jd[1] * X[1], 2 * jd[1] * X[2]},
                    hv.get("w").toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{2 * jd[0], 2 * jd[1]}, hv.get("b").toDoubleArray(), 1e-12);
            // tree calls nest like tensor calls: the gradient of ½‖∇f‖² is H·∇f
            TensorTree grad = Autodiff.grad(TensorTreeTest::loss, p);
            TensorTree viaNesting = Autodiff.grad(q -> {
                TensorTree gq = Autodiff.grad(TensorTreeTest::loss, q);
                return gq.vdot(gq).mul(0.5);
            }, p);
            assertTrue(viaNesting.allClose(Autodiff.hvp(TensorTreeTest::loss, p, grad), 1e-12, 1e-12));
        }
    }

    @Test
    void treeArgumentsAreChecked() {
        try (Scope s = Scope.open()) {
            TensorTree p = params();
            TensorTree withIndex = TensorTree.dict(entries("w", p.subtree("w"), "idx", TensorTree.leaf(Tensor.of(1L, 2L))));
            DTypeMismatchException integer = assertThrows(DTypeMismatchException.class, () -> Autodiff.grad(q -> q.get("w").sum(), withIndex));
            assertTrue(integer.getMessage().contains("'idx'") && integer.getMessage().contains("I64"), integer.getMessage());
            TensorTree wrongDir = TensorTree.dict(entries("w", p.subtree("w")));
            IllegalArgumentException structure = assertThrows(IllegalArgumentException.class, () -> Autodiff.hvp(TensorTreeTest::loss, p, wrongDir));
            assertTrue(structure.getMessage().contains("[w, b]") && structure.getMessage().contains("[w]"), structure.getMessage());
            TensorTree badShape = p.map(t -> t.reshape(-1));
            ShapeMismatchException shape = assertThrows(ShapeMismatchException.class, () -> Autodiff.jvp(TensorTreeTest::loss, p, badShape));
            assertTrue(shape.getMessage().contains("'w'") && shape.getMessage().contains("[6]"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Autodiff.grad(q -> q.get("w"), p), "not a scalar");
        }
    }
}
