package dev.tersor.tensor;

/**
 * The three bilinear maps of one convolution geometry ({@link ConvKernels}: big
 * {@code [N, C, H, W]}, small {@code [N, K, outH, outW]}, weight {@code [K, C/groups, kh, kw]})
 * as recorded ops, each differentiated by the other two:
 *
 * <pre>
 * lower(b, w)  = s   (conv2d)             ∂b = raise(g, w),   ∂w = weight(b, g)
 * raise(s, w)  = b   (conv_transpose2d)   ∂s = lower(g, w),   ∂w = weight(g, s)
 * weight(b, s) = w   (the weight gradient) ∂b = raise(s, g),   ∂s = lower(b, g)
 * </pre>
 *
 * since {@code ⟨lower(b, w), s⟩ = ⟨b, raise(s, w)⟩ = ⟨w, weight(b, s)⟩}. The create-graph
 * backward of conv2d and convTranspose2d is written with them, so convolutions can be
 * differentiated to any order (every stride, padding, dilation and group count).
 */
final class ConvMaps {
    private ConvMaps() {
    }

    /** {@code small = conv(big, w)}: [N, K, outH, outW]. */
    static Tensor lower(ConvKernels k, Tensor big, Tensor w) {
        Tensor b = OpArgs.dense(big), wc = OpArgs.dense(w);
        float[] out = new float[k.batch * k.smallSize()];
        k.lower(b.storage.data, b.offset, wc.storage.data, wc.offset, out, null, null, 0, null);
        Tensor y = Tensor.wrap(out, new int[] {k.batch, k.groups * k.kg, k.im.outH, k.im.outW});
        return Autograd.record("conv2d", y, new Tensor[] {big, w}, new Tensor[] {big, w}, g -> new Tensor[] {
            big.requiresGrad() ? raise(k, g, w) : null,
            w.requiresGrad() ? weight(k, big, g) : null});
    }

    /** {@code big = conv_transpose(small, w)}: [N, C, H, W]. */
    static Tensor raise(ConvKernels k, Tensor small, Tensor w) {
        Tensor s = OpArgs.dense(small), wc = OpArgs.dense(w);
        float[] out = new float[k.batch * k.im.imageSize()];
        k.raise(s.storage.data, s.offset, wc.storage.data, wc.offset, out, null);
        Tensor y = Tensor.wrap(out, new int[] {k.batch, k.im.channels, k.im.height, k.im.width});
        return Autograd.record("convTranspose2d", y, new Tensor[] {small, w}, new Tensor[] {small, w}, g -> new Tensor[] {
            small.requiresGrad() ? lower(k, g, w) : null,
            w.requiresGrad() ? weight(k, g, small) : null});
    }

    /** {@code Σ_n small_n · im2col(big_n)ᵀ} per group: the weight gradient, [K, C/groups, kh, kw]. */
    static Tensor weight(ConvKernels k, Tensor big, Tensor small) {
        Tensor b = OpArgs.dense(big), s = OpArgs.dense(small);
        float[] dw = new float[k.weightSize()];
        k.lower(b.storage.data, b.offset, null, 0, null, null, s.storage.data, s.offset, dw);
        Tensor y = Tensor.wrap(dw, new int[] {k.groups * k.kg, k.cg, k.im.kh, k.im.kw});
        return Autograd.record("conv2dWeightGrad", y, new Tensor[] {big, small}, new Tensor[] {big, small},
                g -> new Tensor[] {
                    big.requiresGrad() ? raise(k, small, g) : null,
                    small.requiresGrad() ? lower(k, big, g) : null});
    }
}
