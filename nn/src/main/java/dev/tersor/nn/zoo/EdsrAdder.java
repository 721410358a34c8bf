package dev.tersor.nn.zoo;

import dev.tersor.nn.adder.AdderSrConv;
import java.util.regex.Pattern;

/**
 * AdderSR's EDSR (Song et al., arXiv 2009.08891): the EDSR baseline whose residual body is made of
 * adder layers. Every 3×3 convolution of the body, the two of each residual block
 * ({@code body.i.body.0}, {@code body.i.body.2}) and the body's last one ({@code body.n}), is an
 * {@link AdderSrConv}: {@code P(x + BN(x ⊕ W))}, the adder layer with its self-shortcut and the
 * learnable power activation. EDSR's ReLU between the two layers of a block, the block's own
 * residual connection and the global one around the body stay.
 *
 * <p>Multiplicative (ordinary convolutions), as the paper keeps the first and the last layers of
 * its networks, like AdderNet: the frozen mean shifts ({@code sub_mean}, {@code add_mean}: fixed
 * 1×1 identities with a bias), the head ({@code head.0}, 3 → 64: it sees raw RGB values, where an
 * L1 distance to a 3×3×3 template is a poor first feature), and the whole tail: the upsampler
 * convolutions before each pixel shuffle ({@code tail.0.*}) and the output convolution
 * ({@code tail.1}, 64 → 3), which produce signed pixel values at the output resolution.
 * {@link #multiplicativeShare} gives their share of the baseline.
 *
 * <p>Keys: EDSR's outside the body; inside it {@code body.i.body.{0,2}.{adder.weight, bn.*, act.alpha}}
 * and {@code body.n.{adder.weight, bn.*, act.alpha}}. No official AdderSR code is published (the
 * repository the paper names holds AdderNet's classification code only), so these names are
 * Tersor's own.
 */
public class EdsrAdder extends Edsr {
    private static final Pattern ADDER_PATH = Pattern.compile("body\\.\\d+(\\.body\\.[02])?");

    /** The EDSR baseline (16 blocks, 64 features) for scale 2, 3 or 4 with an adder body. */
    public EdsrAdder(int scale) {
        this(scale, 16, 64, 1f, 255f);
    }

    /** Configurable; adder weights start from N(0, 1) as AdderNet's, drawn from {@link dev.tersor.nn.Rng#global()}. */
    public EdsrAdder(int scale, int blocks, int features, float resScale, float rgbRange) {
        super(scale, blocks, features, resScale, rgbRange);
        for (int i = 0; i < blocks; i++) {
            replace("body." + i + ".body.0", new AdderSrConv(features));
            replace("body." + i + ".body.2", new AdderSrConv(features));
        }
        replace("body." + blocks, new AdderSrConv(features));
    }

    /** True for the paths that are adder layers here: {@code body.<i>.body.0}, {@code body.<i>.body.2} and {@code body.<n>}. */
    public static boolean isAdderPath(String path) {
        return ADDER_PATH.matcher(path).matches();
    }

    /**
     * The share of the EDSR baseline (16 blocks, 64 features) at {@code scale} that stays
     * multiplicative: {@code {parameters, MACs per LR input pixel}} of the convolutions kept,
     * each divided by the whole baseline's with every layer a convolution. By formula: a k×k
     * convolution in → out applied at {@code area} output pixels per input pixel has
     * {@code out·in·k² + out} parameters and {@code area·out·in·k²} MACs.
     */
    public static double[] multiplicativeShare(int scale) {
        int f = 64, blocks = 16;
        long[] kept = new long[2];
        add(kept, 3, 3, 1, 1, 1);                       // sub_mean
        add(kept, 3, f, 3, 1, 1);                       // head
        if (scale == 3) {
            add(kept, f, 9 * f, 3, 1, 1);
        } else {
            long area = 1;
            for (int s = scale; s > 1; s /= 2, area *= 4) add(kept, f, 4 * f, 3, area, 1);
        }
        add(kept, f, 3, 3, (long) scale * scale, 1);    // tail.1
        add(kept, 3, 3, 1, (long) scale * scale, 1);    // add_mean
        long[] all = kept.clone();
        add(all, f, f, 3, 1, 2 * blocks + 1);           // the body's 33 convolutions, at LR resolution
        return new double[] {(double) kept[0] / all[0], (double) kept[1] / all[1]};
    }

    private static void add(long[] acc, int in, int out, int k, long area, int count) {
        acc[0] += count * ((long) out * in * k * k + out);
        acc[1] += count * area * out * in * k * k;
    }

    /** The zoo entry {@code edsr-adder} (×2), with EDSR's recipe. */
    public static ModelInfo info() {
        return new ModelInfo("edsr-adder", "AdderSR: EDSR baseline x2 whose 33 body convs are adder layers with self-shortcut,"
                + " batch norm and learnable power activation (head and tail stay convolutions)", new int[] {3, 48, 48}, "div2k",
                new float[0], new float[0], false, new Recipe("adam", 1e-4, 0, 0, "step", 300, 16), () -> new EdsrAdder(2));
    }
}
