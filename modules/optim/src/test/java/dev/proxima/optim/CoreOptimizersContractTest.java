package dev.proxima.optim;

import dev.proxima.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** The contract over this module's torch-style optimizers and the transforms they are made of. */
class CoreOptimizersContractTest extends OptimizerContract {

    @Override
    protected Map<String, Function<List<Parameter>, Optimizer>> optimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("sgd", SGD.builder().lr(0.05)::build);
        m.put("sgd nesterov wd", SGD.builder().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)::build);
        m.put("adam", Adam.builder().lr(0.01)::build);
        m.put("adam amsgrad skip", Adam.builder().lr(0.01).amsgrad(true).nonFinite(Optimizer.NonFinitePolicy.SKIP_STEP)::build);
        m.put("adamw", AdamW.builder().lr(0.01)::build);
        m.put("sgd cosine schedule", SGD.builder().lr(Schedule.cosine(0.1, 10, 0.01)).momentum(0.5)::build);
        m.put("adagrad", Adagrad.builder().lr(0.1).lrDecay(0.01).initialAccumulatorValue(0.1)::build);
        m.put("rmsprop centered momentum", RMSprop.builder().centered(true).momentum(0.5)::build);
        m.put("lion", Lion.builder().lr(0.01)::build);
        m.put("adagrad-norm", AdaGradNorm.builder().lr(0.5)::build);
        m.put("lbfgs", LBFGS.builder().maxIter(4).historySize(3)::build);
        m.put("lbfgs strong wolfe", LBFGS.builder().maxIter(4).historySize(2).lineSearch(LBFGS.LineSearch.STRONG_WOLFE)::build);
        return m;
    }

    @Override
    protected Map<String, GradientTransform> transforms() {
        Map<String, GradientTransform> m = new LinkedHashMap<>();
        m.put("scale", Transforms.scale(-2));
        m.put("clipByGlobalNorm", Transforms.clipByGlobalNorm(0.5));
        m.put("clipByValue", Transforms.clipByValue(0.3));
        m.put("addDecayedWeights", Transforms.addDecayedWeights(0.1));
        m.put("momentum", Transforms.momentum(0.9, 0.1, false));
        m.put("trace nesterov", Transforms.trace(0.9, true));
        m.put("scaleByAdam amsgrad", Transforms.scaleByAdam(0.9, 0.999, 1e-8, true));
        m.put("scaleByRms centered", Transforms.scaleByRms(0.9, 1e-8, true));
        m.put("scaleByRss", Transforms.scaleByRss(0.1, 1e-10));
        m.put("scaleByAdaGradNorm", Transforms.scaleByAdaGradNorm(0.1));
        m.put("scaleByLion", Transforms.scaleByLion(0.9, 0.99));
        m.put("scaleByLearningRate", Transforms.scaleByLearningRate(0.1));
        m.put("chain", GradientTransform.chain(Transforms.clipByGlobalNorm(1), Transforms.scaleByAdam(0.9, 0.99, 1e-8, false),
                Transforms.scaleByLearningRate(Schedule.linear(0.1, 0.01, 5))));
        return m;
    }

    @Override
    protected boolean zeroGradientIsFixedPoint(String name) {
        return !Set.of("sgd nesterov wd", "adamw", "addDecayedWeights").contains(name);
    }
}
