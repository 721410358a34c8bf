package dev.tersor.nn.zoo;

import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.shift.GhostConv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Generator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * EDSR with GhostSR ghost modules (Nie et al., arXiv 2101.08525): the EDSR baseline whose
 * residual-block convolutions ({@code body.i.body.0} and {@code body.i.body.2}, 2 per block) are
 * {@link GhostConv2d} with half the output channels intrinsic and the other half learned
 * one-pixel shifts of them; head, the body's last convolution, upsampler and tail stay ordinary
 * convolutions, as in GhostSR's EDSR. Keys are EDSR's except
 * {@code body.i.body.{0,2}.{primary.weight, primary.bias, shift.logits, shift.source, shift.order}}.
 * A trained {@link Edsr} becomes one by {@link #convert} (k-means filter clustering), and then
 * loads into {@code new EdsrGhost(scale)} key for key.
 *
 * <p>Train the orientations with the straight-through Gumbel-softmax, annealing once per epoch,
 * e.g. {@code GhostConv2d.anneal(model, GhostConv2d.exponential(1f, 0.1f, epoch, epochs),
 * (float) Math.pow(0.97, epoch))} (GhostSR's code decays the noise by 0.97 per epoch).
 */
public class EdsrGhost extends Edsr {
    /** The intrinsic fraction GhostSR uses: half of each layer's output channels. */
    public static final double RATIO = 0.5;
    private static final Pattern BODY_CONV = Pattern.compile("body\\.\\d+\\.body\\.[02]");

    /** The EDSR baseline (16 blocks, 64 features) for scale 2, 3 or 4, with ghost residual blocks. */
    public EdsrGhost(int scale) {
        this(scale, 16, 64, 1f, 255f, RATIO);
    }

    /** Configurable; the orientation logits and Gumbel noise are seeded from {@link Rng#global()}. */
    public EdsrGhost(int scale, int blocks, int features, float resScale, float rgbRange, double ratio) {
        super(scale, blocks, features, resScale, rgbRange);
        Generator g = new Generator(Rng.global().nextLong());
        for (int i = 0; i < blocks; i++) {
            for (int j : new int[] {0, 2}) {
                replace("body." + i + ".body." + j,
                        new GhostConv2d(features, features, 3, 3, Conv2dOptions.of(1, 1), true, ratio, g));
            }
        }
    }

    /** True for the paths GhostSR turns into ghost modules: {@code body.<i>.body.0} and {@code body.<i>.body.2}. */
    public static boolean isBodyConv(String path) {
        return BODY_CONV.matcher(path).matches();
    }

    /**
     * Turns a trained EDSR's residual-block convolutions into ghost modules in place by filter
     * clustering ({@link GhostConv2d#fromConv}); returns the converted paths. The model's state
     * dict then has {@code new EdsrGhost(scale, ...)}'s keys and shapes.
     */
    public static List<String> convert(Edsr trained, double ratio, Generator g) {
        return GhostConv2d.convert(trained, ratio, g, EdsrGhost::isBodyConv);
    }

    /**
     * Parameters and multiply-accumulates of {@code edsr} and {@code edsr-ghost}, both from
     * {@link Summary}. MACs are per low-resolution input pixel: every layer's count scales with
     * H·W, so an H×W input costs H·W times these.
     *
     * @param edsrMacs  EDSR MACs per input pixel
     * @param ghostMacs EDSR-ghost MACs per input pixel
     */
    public record Reduction(long edsrParameters, long ghostParameters, long edsrMacs, long ghostMacs) {
        /** Relative parameter change, e.g. −0.43. */
        public double parameterChange() {
            return (double) ghostParameters / edsrParameters - 1;
        }

        /** Relative MAC (FLOP) change, e.g. −0.43. */
        public double macChange() {
            return (double) ghostMacs / edsrMacs - 1;
        }
    }

    /**
     * Builds both baselines for {@code scale} and measures them with {@link Summary} on a 1×1
     * sample (cheap; MACs per input pixel). The global {@link Rng} stream is left where it was.
     */
    public static Reduction reduction(int scale) {
        Generator saved = Rng.global();
        try {
            Rng.manualSeed(0);
            Summary edsr = Summary.of(new Edsr(scale), 3, 1, 1);
            Summary ghost = Summary.of(new EdsrGhost(scale), 3, 1, 1);
            return new Reduction(edsr.totalParameters(), ghost.totalParameters(), edsr.totalMacs(), ghost.totalMacs());
        } finally {
            Rng.restore(saved);
        }
    }

    /**
     * The same four numbers by formula, without building models: what {@link #info()} prints
     * (for the baseline: 16 blocks, 64 features, ratio 0.5), checked against {@link #reduction}
     * by the tests, and usable for configurations too large to build (EDSR's full 32 × 256). A convolution in → out with a k×k kernel has {@code out·in·k² + out}
     * parameters and {@code out·in·k²} MACs per output pixel; a ghost module keeps I = ⌈ratio·out⌉
     * filters and adds 9 orientation logits per ghost channel.
     */
    static Reduction countedReduction(int scale, int blocks, int f, double ratio) {
        int intr = GhostConv2d.intrinsicChannels(f, ratio);
        long[] edsr = new long[2];   // parameters, MACs per input pixel
        addConv(edsr, 3, 3, 1, 1);                        // sub_mean
        addConv(edsr, 3, f, 3, 1);                        // head
        addConv(edsr, f, f, 3, 1);                        // body's last conv
        if (scale == 3) {
            addConv(edsr, f, 9 * f, 3, 1);
        } else {
            long area = 1;
            for (int s = scale; s > 1; s /= 2, area *= 4) addConv(edsr, f, 4 * f, 3, area);
        }
        addConv(edsr, f, 3, 3, (long) scale * scale);     // tail.1
        addConv(edsr, 3, 3, 1, (long) scale * scale);     // add_mean
        long[] ghost = edsr.clone();
        long[] block = new long[2], ghostBlock = new long[2];
        addConv(block, f, f, 3, 1);
        addConv(ghostBlock, f, intr, 3, 1);
        ghostBlock[0] += 9L * (f - intr);
        for (int i = 0; i < 2 * blocks; i++) {
            edsr[0] += block[0];
            edsr[1] += block[1];
            ghost[0] += ghostBlock[0];
            ghost[1] += ghostBlock[1];
        }
        return new Reduction(edsr[0], ghost[0], edsr[1], ghost[1]);
    }

    private static void addConv(long[] acc, int in, int out, int k, long area) {
        acc[0] += (long) out * in * k * k + out;
        acc[1] += area * out * in * k * k;
    }

    /** The zoo entry {@code edsr-ghost} (×2), with EDSR's recipe; its description states the reduction vs {@code edsr}. */
    public static ModelInfo info() {
        Reduction r = countedReduction(2, 16, 64, RATIO);
        long pixels = 48L * 48;
        String description = String.format(java.util.Locale.ROOT,
                "EDSR baseline x2 with GhostSR ghost modules (ratio %.1f) in its 32 residual-block convs: %,d parameters"
                        + " (%+.1f%% vs edsr's %,d), %.2f GMACs per 48x48 input (%+.1f%% vs %.2f)",
                RATIO, r.ghostParameters(), 100 * r.parameterChange(), r.edsrParameters(), r.ghostMacs() * pixels / 1e9,
                100 * r.macChange(), r.edsrMacs() * pixels / 1e9);
        return new ModelInfo("edsr-ghost", description, new int[] {3, 48, 48}, "div2k", new float[0], new float[0], false,
                new Recipe("adam", 1e-4, 0, 0, "step", 300, 16), () -> new EdsrGhost(2));
    }
}
