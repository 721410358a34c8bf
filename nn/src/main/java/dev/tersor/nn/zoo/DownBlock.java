package dev.tersor.nn.zoo;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.LeakyReLU;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;

/**
 * DRN's learned downsampling (Guo et al., arXiv 2003.07018, the official {@code model/common.py}
 * {@code DownBlock}): by {@code 2^k}, {@code [N, in, H, W]} → {@code [N, out, H/2^k, W/2^k]} (H, W
 * multiples of 2^k),
 * <pre>
 * k × (conv 3×3 stride 2 padding 1, no bias → LeakyReLU(negval)), then conv 3×3 stride 1 padding 1, no bias → out
 * </pre>
 * (the first strided conv {@code in → feats}, the others {@code feats → feats}). As the dual model
 * ({@code DownBlock(opt, 2)}: 3 → n_feats → 3, one stride) it maps an SR image back to the LR one;
 * inside DRN it is the down phase. Keys: {@code dual_module.j.0.weight} for the strided convs,
 * {@code dual_module.k.weight} for the last.
 */
public class DownBlock extends Module {
    /** DRN's LeakyReLU slope ({@code --negval}). */
    public static final float NEGVAL = 0.2f;

    /** Down by 2^{@code strides}: {@code in → feats → ... → out}. */
    public DownBlock(int strides, int feats, int in, int out, float negval) {
        if (strides < 1 || feats < 1 || in < 1 || out < 1) {
            throw new IllegalArgumentException("DownBlock: strides and channels must be positive, got strides=" + strides + ", feats=" + feats
                    + ", in=" + in + ", out=" + out);
        }
        Sequential m = new Sequential();
        for (int i = 0; i < strides; i++) m.add(new Sequential(new Conv2d(i == 0 ? in : feats, feats, 3, 2, 1, false), new LeakyReLU(negval)));
        m.add(new Conv2d(feats, out, 3, 1, 1, false));
        register("dual_module", m);
    }

    /** DRN's dual model for one ×2 step on RGB images: 3 → {@code feats} → 3. */
    public static DownBlock dual(int feats) {
        return new DownBlock(1, feats, 3, 3, NEGVAL);
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("dual_module").call(x);
    }
}
