package dev.tersor.nn.zoo;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.nn.PixelShuffle;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.SrObjective;
import dev.tersor.nn.sr.TileMargin;
import dev.tersor.nn.sr.TorchBicubic;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DRN, the dual regression network (Guo et al., arXiv 2003.07018, github:guoyongcs/DRN
 * {@code model/drn.py}), with its dual models: RGB {@code [N, 3, h, w]} in [0, 255] →
 * {@code [N, 3, S·h, S·w]} for S = 2^phases (the paper: ×4 and ×8; ×2 works the same way).
 * <pre>
 * x → bicubic ×S (PyTorch's) → sub_mean → head conv 3→F                     (copies[0])
 *   → down.0 (DownBlock 2: F→F→2F) … down.{P−1} (→ 2^P·F)                  (copies[p] before each)
 *   sr_0 = add_mean(tail.0(x))                                              LR size
 *   for p in 0..P−1:  x = up_blocks.p(x)  (blocks × RCAB(C_p), conv C_p→4C_p + shuffle ×2, 1×1 conv → 2^(P−p−1)·F;
 *                                          C_0 = 2^P·F, C_p = 2^(P−p+1)·F)
 *                     x = cat(x, copies[P−1−p]);  sr_{p+1} = add_mean(tail.{p+1}(x))        ×2^(p+1)
 * </pre>
 * {@link #forward} returns the last, {@code sr_P}; {@link #forwardAll} all of them. The dual
 * models ({@code dual_models.i}, {@link DownBlock#dual}: 3 → F → 3) map {@code sr_{i+1}} back to
 * the size of {@code sr_i}.
 *
 * <p><b>Loss</b> ({@link #trainingLoss}, the official {@code trainer.py}): with targets
 * {@code y_0} = the LR input, {@code y_P} = HR and in between the HR downscaled by 2^(P−p) (MATLAB
 * bicubic of the quantised HR patch here; the official code reads them from the bicubic LR
 * files),
 * {@code L = Σ_{p=0..P} L1(sr_p, y_p) + λ·Σ_{i<P} L1(dual_i(sr_{i+1}), y_i)}, λ = 0.1 ({@code --dual_weight}).
 * For unpaired LR images only the dual term is left ({@link #unpairedLoss}): the SR of x,
 * brought back down by the chained dual models, must give x again.
 *
 * <p>Keys: the primal network's are the official ones ({@code sub_mean}, {@code head},
 * {@code down.p.dual_module.*}, {@code up_blocks.p.*}, {@code tail.p}, {@code add_mean}); the
 * official code keeps each dual model in a file of its own ({@code dual_model_i.pt}, keys
 * {@code dual_module.*}), here they are children of the model, {@code dual_models.i.dual_module.*},
 * so that one optimizer, checkpoint and weights file hold both.
 *
 * <p>Tiles: the channel attention's global average pooling makes every output pixel depend on
 * the whole input, so a tiled upscale ({@link Upscaler}) only approximates the whole pass, as the
 * official {@code forward_chop} does; {@link #tileMargin} is the convolutions' receptive radius.
 */
public class Drn extends Module implements SrObjective, TileMargin {
    /** The official {@code --dual_weight}. */
    public static final float DUAL_WEIGHT = 0.1f;
    /** RCAB's channel reduction. */
    public static final int REDUCTION = 16;
    private final int scale, phases, blocks, feats, margin;
    private final float dualWeight;

    /** DRN-S as the official {@code init_model}: 30 blocks of 16 features at ×4, 30 of 8 at ×8 (the defaults, 30 and 16, at ×2). */
    public static Drn small(int scale) {
        return new Drn(scale, 30, scale == 8 ? 8 : 16, DUAL_WEIGHT);
    }

    /** DRN-L as the official {@code init_model}: 40 blocks of 20 features at ×4, 36 of 10 at ×8 (30 and 16 at ×2). */
    public static Drn large(int scale) {
        return scale == 4 ? new Drn(4, 40, 20, DUAL_WEIGHT) : scale == 8 ? new Drn(8, 36, 10, DUAL_WEIGHT) : small(scale);
    }

    /**
     * @param scale      2, 4 or 8
     * @param blocks     RCABs per up phase (DRN-S 30)
     * @param feats      F, the head's features (DRN-S 16); 2^phases·F must be at least 16 for the channel attention
     * @param dualWeight λ of the dual loss
     */
    public Drn(int scale, int blocks, int feats, float dualWeight) {
        if (scale != 2 && scale != 4 && scale != 8) throw new IllegalArgumentException("Drn: scale must be 2, 4 or 8, got " + scale);
        if (blocks < 1 || feats < 1) throw new IllegalArgumentException("Drn: blocks and feats must be positive, got " + blocks + ", " + feats);
        if (!(dualWeight >= 0) || !Float.isFinite(dualWeight)) throw new IllegalArgumentException("Drn: dual weight must be >= 0, got " + dualWeight);
        this.scale = scale;
        this.phases = Integer.numberOfTrailingZeros(scale);
        this.blocks = blocks;
        this.feats = feats;
        this.dualWeight = dualWeight;
        int top = feats << phases, narrowest = phases == 1 ? top : feats << 2;
        if (narrowest < REDUCTION) {
            throw new IllegalArgumentException("Drn: the narrowest RCAB would have " + narrowest + " channels, fewer than the channel"
                    + " attention's reduction " + REDUCTION + "; use feats >= " + (phases == 1 ? REDUCTION / 2 : REDUCTION / 4));
        }
        register("sub_mean", Edsr.meanShift(255f, -1f));
        register("head", Edsr.conv(3, feats));
        ModuleList down = new ModuleList();
        for (int p = 0; p < phases; p++) down.add(new DownBlock(1, feats << p, feats << p, feats << (p + 1), DownBlock.NEGVAL));
        register("down", down);
        ModuleList up = new ModuleList();
        for (int k = 0; k < phases; k++) {
            int c = k == 0 ? top : feats << (phases - k + 1);   // block k's width: the previous output and its copy, concatenated
            Sequential s = new Sequential();
            for (int b = 0; b < blocks; b++) s.add(new Rcab(c, REDUCTION));
            s.add(new Sequential(Edsr.conv(c, 4 * c), new PixelShuffle(2)));
            s.add(new Conv2d(c, feats << (phases - k - 1), 1, 1, 0, true));
            up.add(s);
        }
        register("up_blocks", up);
        ModuleList tail = new ModuleList();
        tail.add(Edsr.conv(top, 3));
        for (int p = phases; p >= 1; p--) tail.add(Edsr.conv(feats << p, 3));
        register("tail", tail);
        register("add_mean", Edsr.meanShift(255f, 1f));
        ModuleList dual = new ModuleList();
        for (int p = 0; p < phases; p++) dual.add(DownBlock.dual(feats));
        register("dual_models", dual);
        this.margin = (int) Math.ceil(radius());
    }

    /** The scale S. */
    public int scale() {
        return scale;
    }

    /** λ of the dual loss. */
    public float dualWeight() {
        return dualWeight;
    }

    @Override
    public Tensor forward(Tensor x) {
        List<Tensor> all = forwardAll(x);
        return all.get(all.size() - 1);
    }

    /** {@code sr_0 … sr_P}: {@code [N, 3, 2^p·h, 2^p·w]}. */
    public List<Tensor> forwardAll(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("Drn: expected RGB input [N, 3, H, W], got " + Arrays.toString(x.shape()));
        Tensor h = child("head").call(child("sub_mean").call(TorchBicubic.upsample(x, scale)));
        ModuleList down = (ModuleList) child("down"), up = (ModuleList) child("up_blocks"), tail = (ModuleList) child("tail");
        Tensor[] copies = new Tensor[phases];
        for (int p = 0; p < phases; p++) {
            copies[p] = h;
            h = down.get(p).call(h);
        }
        Module addMean = child("add_mean");
        List<Tensor> out = new ArrayList<>();
        out.add(addMean.call(tail.get(0).call(h)));
        for (int p = 0; p < phases; p++) {
            h = Tensor.cat(1, up.get(p).call(h), copies[phases - 1 - p]);
            out.add(addMean.call(tail.get(p + 1).call(h)));
        }
        return out;
    }

    /** Dual model {@code i}: {@code sr_{i+1}} → the size of {@code sr_i}. */
    public DownBlock dual(int i) {
        return (DownBlock) ((ModuleList) child("dual_models")).get(i);
    }

    /**
     * The paired loss of the class comment: {@code Σ_p L1(sr_p, y_p) + λ·Σ_i L1(dual_i(sr_{i+1}), y_i)}
     * (each L1 a mean over its elements), LR and HR in [0, 255].
     */
    @Override
    public Tensor trainingLoss(Tensor lr, Tensor hr) {
        if (hr.dim() != 4 || lr.dim() != 4 || hr.size(2) != scale * lr.size(2) || hr.size(3) != scale * lr.size(3)) {
            throw new IllegalArgumentException("Drn: HR " + Arrays.toString(hr.shape()) + " is not x" + scale + " of LR " + Arrays.toString(lr.shape()));
        }
        List<Tensor> sr = forwardAll(lr);
        List<Tensor> targets = targets(lr, hr);
        Tensor primal = null, dualSum = null;
        for (int p = 0; p <= phases; p++) primal = sum(primal, Losses.l1(sr.get(p), targets.get(p), Reduction.MEAN));
        for (int i = 0; i < phases; i++) dualSum = sum(dualSum, Losses.l1(dual(i).call(sr.get(i + 1)), targets.get(i), Reduction.MEAN));
        return primal.add(dualSum.mul(dualWeight));
    }

    /**
     * The unpaired (adaptation) loss of LR images alone, {@code L1(D(P(x)), x)} with
     * {@code D = dual_0 ∘ … ∘ dual_{P−1}} (x in [0, 255]). It carries no λ: alone, a weight
     * would only rescale its gradient.
     */
    public Tensor unpairedLoss(Tensor lr) {
        Tensor back = forward(lr);
        for (int i = phases - 1; i >= 0; i--) back = dual(i).call(back);
        return Losses.l1(back, lr, Reduction.MEAN);
    }

    /**
     * One adaptation step on unpaired LR images {@code lr} {@code [N, 3, h, w]} in [0, 255]:
     * zero the gradients, {@link #unpairedLoss}, backward, {@code optimizer.step()}; returns the
     * loss before the step. Start from a model trained on pairs, with a small learning rate: the
     * dual term alone does not stop the primal network from drifting from the HR images it learnt.
     */
    public float adaptationStep(Optimizer<?> optimizer, Tensor lr) {
        train();
        optimizer.zeroGrad();
        Tensor l = unpairedLoss(lr);
        float v = l.item();
        if (!Float.isFinite(v)) throw new IllegalStateException("Drn: unpaired loss became " + v + "; lower the learning rate");
        l.backward();
        optimizer.step();
        return v;
    }

    /** y_0 = LR, y_P = HR, y_p = HR downscaled (MATLAB bicubic, quantised) by 2^(P−p). */
    private List<Tensor> targets(Tensor lr, Tensor hr) {
        List<Tensor> t = new ArrayList<>();
        t.add(lr);
        for (int p = 1; p < phases; p++) t.add(downscaled(hr, 1 << (phases - p)));
        t.add(hr);
        return t;
    }

    private static Tensor downscaled(Tensor hr, int factor) {
        int n = hr.size(0);
        Tensor[] out = new Tensor[n];
        try (var g = Tensor.noGrad()) {
            for (int i = 0; i < n; i++) {
                var img = Upscaler.quantize(hr.select(0, i).contiguous());
                out[i] = Bicubic.downscale(img, factor).toTensor().mul(255f).unsqueeze(0);
            }
        }
        return Tensor.cat(0, out);
    }

    private static Tensor sum(Tensor acc, Tensor t) {
        return acc == null ? t : acc.add(t);
    }

    @Override
    public int tileMargin() {
        return margin;
    }

    /**
     * The convolutions' receptive radius in LR pixels: 2 for the bicubic input, and each 3×3
     * convolution's one pixel at the resolution it runs at (2^p pixels per LR pixel).
     */
    private double radius() {
        double r = 2 + 1.0 / scale;                                                        // bicubic, head
        for (int p = 0; p < phases; p++) r += 1.0 / (scale >> p) + 1.0 / (scale >> (p + 1));   // down.p
        for (int p = 0; p < phases; p++) r += (2.0 * blocks + 1) / (1 << p);                  // up_blocks.p at 2^p per LR pixel
        for (int p = 0; p <= phases; p++) r += 1.0 / (1 << p);                                // tails
        return r;
    }

    @Override
    protected String extraRepr() {
        return "scale=" + scale + ", blocks=" + blocks + ", feats=" + feats + ", dual_weight=" + dualWeight;
    }

    /** The zoo entry {@code drn-s}: DRN-S ×4 (30 blocks, 16 features) with its dual models and loss, Adam lr 1e-4. */
    public static ModelInfo info() {
        return new ModelInfo("drn-s", "DRN-S x4: dual regression network (30 RCABs per phase, 16 features) with its two dual models;"
                + " trains with the dual loss (lambda 0.1)", new int[] {3, 48, 48}, "div2k", new float[0], new float[0], false,
                new Recipe("adam", 1e-4, 0, 0, "cosine", 1000, 32), () -> small(4));
    }
}
