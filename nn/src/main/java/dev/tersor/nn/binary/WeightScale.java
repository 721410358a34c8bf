package dev.tersor.nn.binary;

/**
 * The per-output-channel factor α a binary layer multiplies its output by:
 * {@code y = α ⊙ (sign(x) ⊛ sign(W))}.
 */
public enum WeightScale {
    /** No factor (BNN; batch norm after the layer absorbs the scale). */
    NONE,
    /** XNOR-Net's {@code α_o = mean |W_o|} over each output channel's latent weights, recomputed every forward (gradient flows). */
    MEAN_ABS,
    /** A learned parameter {@code alpha}, initialised to {@code mean |W_o|} (RBNN). */
    LEARNED
}
