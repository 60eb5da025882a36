package dev.proxima.transport.internal;

import dev.proxima.tensor.CustomOp;
import dev.proxima.tensor.Tensor;

/**
 * The regularised objective of a balanced problem with its gradient by the envelope theorem: at the optimal
 * potentials the derivative of {@code OT_ε} is the partial derivative of the dual
 * {@code D(f, g) = ⟨a, f⟩ + ⟨b, g⟩ − ε·Σ_ij a_i b_j (exp((f_i + g_j − C_ij)/ε) − 1)} with f and g held fixed:
 * {@code ∂/∂C = P}, {@code ∂/∂a_i = f_i − ε·(Σ_j b_j E_ij − Σb)}, {@code ∂/∂b_j = g_j − ε·(Σ_i a_i E_ij − Σa)} with
 * {@code E_ij = exp((f_i + g_j − C_ij)/ε)}; for points x, y under the squared Euclidean cost,
 * {@code ∂/∂x_i = 2·Σ_j P_ij (x_i − y_j)} and {@code ∂/∂y_j = 2·Σ_i P_ij (y_j − x_i)}. No iteration is
 * differentiated; the backward pass forms the [n, m] plan once. Inputs: {@code (C, a, b)} or {@code (x, y, a, b)}.
 */
public final class Envelope implements CustomOp {

    private final Tensor value;
    private final Tensor f;
    private final Tensor g;
    private final double epsilon;
    private final boolean points;

    /**
     * The op that returns {@code value} (computed by the solver) and differentiates it by the envelope theorem.
     *
     * @param value   the objective, 0-d or {@code [B]}
     * @param f       the optimal source potential
     * @param g       the optimal target potential
     * @param epsilon ε
     * @param points  whether the inputs are {@code (x, y, a, b)} (squared Euclidean) instead of {@code (C, a, b)}
     */
    public Envelope(Tensor value, Tensor f, Tensor g, double epsilon, boolean points) {
        this.value = value;
        this.f = f;
        this.g = g;
        this.epsilon = epsilon;
        this.points = points;
    }

    @Override
    public String name() {
        return "sinkhornEnvelope";
    }

    @Override
    public Tensor[] forward(Context ctx, Tensor... inputs) {
        ctx.saveForBackward(inputs);
        ctx.saveForBackward(f, g);
        return new Tensor[]{value};
    }

    @Override
    public Tensor[] backward(Context ctx, Tensor... gradOutputs) {
        int k = points ? 2 : 1;
        Tensor a = ctx.saved(k);
        Tensor b = ctx.saved(k + 1);
        Tensor fs = ctx.saved(k + 2);
        Tensor gs = ctx.saved(k + 3);
        Tensor cost;
        Tensor x = null;
        Tensor y = null;
        if (points) {
            x = ctx.saved(0);
            y = ctx.saved(1);
            int yr = y.rank();
            cost = x.square().sum(new int[]{x.rank() - 1}, true)
                    .add(y.square().sum(new int[]{yr - 1}, true).transpose(yr - 2, yr - 1))
                    .sub(x.matmul(y.transpose(yr - 2, yr - 1)).mul(2.0));
        } else {
            cost = ctx.saved(0);
        }
        Tensor go = gradOutputs[0];
        Tensor e = fs.unsqueeze(fs.rank()).add(gs.unsqueeze(gs.rank() - 1)).sub(cost).div(epsilon).exp();   // E
        Tensor ab = a.unsqueeze(a.rank()).mul(b.unsqueeze(b.rank() - 1));
        Tensor wp = e.mul(ab).mul(go.unsqueeze(go.rank()).unsqueeze(go.rank()));   // g_out · P
        Tensor[] grads = new Tensor[points ? 4 : 3];
        if (!points && ctx.needsInputGrad(0)) {
            grads[0] = sumTo(wp, cost.rank());
        }
        if (points) {
            Tensor rows = wp.sum(new int[]{wp.rank() - 1}, true);
            Tensor cols = wp.sum(new int[]{wp.rank() - 2}, true).transpose(wp.rank() - 2, wp.rank() - 1);
            Tensor wpt = wp.transpose(wp.rank() - 2, wp.rank() - 1);
            if (ctx.needsInputGrad(0)) {
                grads[0] = sumTo(x.mul(rows).sub(wp.matmul(y)).mul(2.0), x.rank());
            }
            if (ctx.needsInputGrad(1)) {
                grads[1] = sumTo(y.mul(cols).sub(wpt.matmul(x)).mul(2.0), y.rank());
            }
        }
        Tensor massA = a.sum(new int[]{a.rank() - 1}, true);
        Tensor massB = b.sum(new int[]{b.rank() - 1}, true);
        Tensor gcol = go.unsqueeze(go.rank());
        if (ctx.needsInputGrad(k)) {
            Tensor rowE = e.mul(b.unsqueeze(b.rank() - 1)).sum(e.rank() - 1);   // Σ_j b_j E_ij
            grads[k] = sumTo(fs.sub(rowE.sub(massB).mul(epsilon)).mul(gcol), a.rank());
        }
        if (ctx.needsInputGrad(k + 1)) {
            Tensor colE = e.mul(a.unsqueeze(a.rank())).sum(e.rank() - 2);       // Σ_i a_i E_ij
            grads[k + 1] = sumTo(gs.sub(colE.sub(massA).mul(epsilon)).mul(gcol), b.rank());
        }
        return grads;
    }

    /** {@code t} summed over its leading axes down to {@code rank} (an input shared by a batch). */
    private static Tensor sumTo(Tensor t, int rank) {
        int extra = t.rank() - rank;
        if (extra == 0) {
            return t;
        }
        int[] axes = new int[extra];
        for (int i = 0; i < extra; i++) {
            axes[i] = i;
        }
        return t.sum(axes);
    }
}
