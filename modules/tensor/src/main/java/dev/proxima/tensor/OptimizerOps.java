package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;

import java.util.Arrays;

/**
 * Fused optimizer updates of the explicit-output tier ({@link Into#adamStep}): the argument rules and the kernel
 * call ({@link Kernels#ADAM_STEP}). They write parameters and optimizer state in place and are not recorded by
 * autodiff (no derivative), like every {@link Into} operation.
 */
final class OptimizerOps {

    private OptimizerOps() {
    }

    /** One Adam/AdamW step in place on {@code param}, {@code expAvg} and {@code expAvgSq}; see {@link Into#adamStep}. */
    static Tensor adamStepInto(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step, double lr, double beta1,
                               double beta2, double eps, double weightDecay, boolean decoupledWeightDecay) {
        String op = "adamStep";
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
        checkRange(op, "lr", lr);
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException(op + ": beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": beta2 must be in [0, 1), got " + beta2);
        }
        checkRange(op, "eps", eps);
        checkRange(op, "weightDecay", weightDecay);
        param.live();
        DType type = param.dtype;
        if (type != DType.F32 && type != DType.F64) {
            throw new DTypeMismatchException(op + ": the parameter must be F32 or F64, got " + type);
        }
        Tensor[] others = {grad, expAvg, expAvgSq};
        String[] names = {"gradient", "first moment", "second moment"};
        for (int i = 0; i < others.length; i++) {
            others[i].live();
            if (others[i].dtype != type) {
                throw new DTypeMismatchException(op + ": the " + names[i] + " is " + others[i].dtype + ", the parameter " + type
                        + "; all four must have one dtype");
            }
            if (!Arrays.equals(others[i].shape, param.shape)) {
                throw new ShapeMismatchException(op + ": the " + names[i] + " has shape " + Shapes.str(others[i].shape)
                        + ", the parameter " + Shapes.str(param.shape) + "; all four must have one shape");
            }
        }
        Tensor[] all = {param, grad, expAvg, expAvgSq};
        String[] allNames = {"parameter", "gradient", "first moment", "second moment"};
        for (int i = 0; i < all.length; i++) {
            for (int k = i + 1; k < all.length; k++) {
                if (all[i].storage == all[k].storage) {
                    throw new IllegalArgumentException(op + ": the " + allNames[i] + " and the " + allNames[k]
                            + " share memory; each needs its own tensor");
                }
            }
        }
        Into.check(op, param, type, param.shape, grad, expAvg, expAvgSq);
        Into.check(op, expAvg, type, param.shape, grad, param, expAvgSq);
        Into.check(op, expAvgSq, type, param.shape, grad, param, expAvg);
        Kernels.AdamStep p = new Kernels.AdamStep(step, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay);
        return Ops.write(param, Kernels.ADAM_STEP, p, grad.kernelView(), param.kernelView(), expAvg.kernelView(), expAvgSq.kernelView());
    }

    private static void checkRange(String op, String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite and ≥ 0, got " + value);
        }
    }
}
