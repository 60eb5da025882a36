package dev.proxima.optim;

/**
 * AdamW (Loshchilov and Hutter 2019) with PyTorch's {@code torch.optim.AdamW} semantics: Adam's update
 * ({@link Adam}) with decoupled weight decay, {@code p −= lr·weightDecay·p}, and PyTorch's default weight decay 1e-2.
 *
 * {@snippet :
 * Optimizer opt = AdamW.builder().lr(1e-3).weightDecay(1e-2).build(model.parameters());
 * }
 */
public final class AdamW {

    private AdamW() {
    }

    /** {@return a builder with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2)} */
    public static Adam.Builder builder() {
        return new Adam.Builder(1e-3, 1e-2, true);
    }
}
