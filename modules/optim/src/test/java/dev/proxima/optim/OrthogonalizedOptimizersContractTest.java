package dev.proxima.optim;

import dev.proxima.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The contract over Muon, ROOT, GaLore (SVD and DCT projectors) and the matrix transforms they are made of. */
class OrthogonalizedOptimizersContractTest extends OptimizerContract {

    @Override
    protected Map<String, Function<List<Parameter>, Optimizer>> optimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("muon", Muon.builder().lr(0.02).weightDecay(0).fallback(AdamW.builder().lr(0.01).weightDecay(0))::build);
        m.put("muon wd skip", Muon.builder().lr(0.02).momentum(0.9).nesterov(false)
                .adjustLr(MatrixTransforms.ShapeScale.MATCH_RMS_ADAMW).nonFinite(Optimizer.NonFinitePolicy.SKIP_STEP)::build);
        m.put("root", Root.builder().lr(0.02).fallback(Adam.builder().lr(0.01))::build);
        m.put("galore svd", GaLore.builder().lr(0.01).rank(1).updateProjGap(2)::build);
        m.put("galore dct wd", GaLore.builder().lr(0.01).rank(1).updateProjGap(2).weightDecay(0.01)
                .projection(MatrixTransforms.Projection.DCT)::build);
        return m;
    }

    @Override
    protected Map<String, GradientTransform> transforms() {
        Map<String, GradientTransform> m = new LinkedHashMap<>();
        m.put("emaMomentum nesterov", MatrixTransforms.emaMomentum(0.95, true));
        m.put("orthogonalize", MatrixTransforms.orthogonalize());
        m.put("orthogonalizeAdaptive", MatrixTransforms.orthogonalizeAdaptive(5, MatrixTransforms.ShapeScale.NONE));
        m.put("suppressOutliers", MatrixTransforms.suppressOutliers(2));
        m.put("splitByRank", MatrixTransforms.splitByRank(MatrixTransforms.orthogonalize(), Transforms.scale(-1)));
        m.put("projectLowRank dct", MatrixTransforms.splitByRank(
                MatrixTransforms.projectLowRank(1, 3, 0.5, MatrixTransforms.Projection.DCT, Transforms.scaleByAdam(0.9, 0.99, 1e-8, false)),
                Transforms.scaleByAdam(0.9, 0.99, 1e-8, false)));
        return m;
    }

    @Override
    protected boolean zeroGradientIsFixedPoint(String name) {
        return !Set.of("muon wd skip", "galore dct wd").contains(name);
    }
}
