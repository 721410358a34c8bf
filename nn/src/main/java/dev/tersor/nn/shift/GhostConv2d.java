package dev.tersor.nn.shift;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Shift;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * GhostSR's ghost module (Nie et al., "GhostSR: Learning Ghost Features for Efficient Image
 * Super-Resolution", arXiv 2101.08525), a drop-in for a Conv2d of {@code out} channels:
 * <pre>
 *   intrinsic = primary(x)                  Conv2d in → I = ⌈ratio·out⌉ channels (I·Cin·kh·kw weights)
 *   y         = shift(intrinsic)            cat(intrinsic, O − I one-pixel shifted copies), see {@link GhostShift}
 * </pre>
 * With ratio 0.5 it has about half the weights and half the multiply-accumulates of the
 * convolution it replaces; the ghosts cost no FLOPs at inference (a learned hard shift) and nine
 * multiply-adds per element in training's straight-through Gumbel-softmax backward. Keys:
 * {@code primary.weight}, {@code primary.bias}, {@code shift.logits}, {@code shift.source},
 * {@code shift.order}. {@link dev.tersor.nn.Summary} counts the primary convolution's MACs and
 * the shift's 0 as two rows.
 * <pre>{@code
 * GhostConv2d g = GhostConv2d.fromConv(trainedConv, 0.5, new Generator(7));   // cluster, keep the channel order
 * GhostConv2d.convert(edsr, 0.5, new Generator(7), EdsrGhost::isBodyConv);   // every matching 3×3 conv of a model
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     GhostConv2d.anneal(model, GhostConv2d.exponential(1f, 0.1f, epoch, epochs), (float) Math.pow(0.97, epoch));
 *     ... train one epoch ...
 * }
 * }</pre>
 */
public class GhostConv2d extends Module {
    /** The logit {@link #fromConv} gives each ghost's initial orientation (others 0). */
    public static final float INITIAL_CONFIDENCE = 3f;
    private final int in, out, intrinsic;

    /** A square-kernel ghost module with stride and padding; initial values from {@link Rng#global()}. */
    public GhostConv2d(int in, int out, int kernel, int stride, int padding, boolean bias, double ratio) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), bias, ratio, Rng.global());
    }

    /**
     * Full control: {@code ratio} ∈ (0, 1) is the intrinsic fraction, I = ⌈ratio·out⌉ (at least 1,
     * at most out − 1). The primary convolution is initialised like a Conv2d from
     * {@link Rng#global()}; {@code g} seeds the orientation logits and the Gumbel noise.
     */
    public GhostConv2d(int in, int out, int kernelH, int kernelW, Conv2dOptions options, boolean bias, double ratio, Generator g) {
        this.in = in;
        this.out = out;
        this.intrinsic = intrinsicChannels(out, ratio);
        register("primary", new Conv2d(in, intrinsic, kernelH, kernelW, options, bias));
        register("shift", new GhostShift(intrinsic, out, g));
    }

    /** I = ⌈ratio·out⌉; fails unless it leaves at least one intrinsic and one ghost channel. */
    public static int intrinsicChannels(int out, double ratio) {
        if (!(ratio > 0 && ratio < 1)) throw new IllegalArgumentException("GhostConv2d: ratio must be in (0, 1), got " + ratio);
        int i = (int) Math.ceil(ratio * out - 1e-9);
        if (i < 1 || i >= out) {
            throw new IllegalArgumentException("GhostConv2d: ratio " + ratio + " of " + out + " output channels gives " + i
                    + " intrinsic channels; need between 1 and " + (out - 1));
        }
        return i;
    }

    /** The convolution that computes the intrinsic features. */
    public Conv2d primary() {
        return (Conv2d) child("primary");
    }

    /** The shift that appends the ghost features. */
    public GhostShift shift() {
        return (GhostShift) child("shift");
    }

    /** Input channels. */
    public int inChannels() {
        return in;
    }

    /** Output channels. */
    public int outChannels() {
        return out;
    }

    /** Intrinsic channels I. */
    public int intrinsicChannels() {
        return intrinsic;
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("shift").call(child("primary").call(x));
    }

    // ---- conversion ----

    /**
     * A ghost module from a trained convolution (groups 1), GhostSR's clustering step: the
     * flattened filters [O, Cin·kh·kw] are clustered by k-means into I = ⌈ratio·O⌉ clusters
     * (k-means++ seeded from {@code g}); each cluster's filter nearest its centroid becomes an
     * intrinsic filter (weights and bias copied), and every other filter a ghost that copies its
     * cluster's intrinsic feature. A ghost's initial orientation is the one-pixel move whose
     * translated intrinsic kernel is nearest (L2) to the ghost's own filter — for stride 1 and
     * dilation 1, where a move of the output is a translation of the kernel; otherwise the
     * identity — with logit {@link #INITIAL_CONFIDENCE}. The output keeps the convolution's
     * channel order, so following layers and residual sums need no change.
     */
    public static GhostConv2d fromConv(Conv2d conv, double ratio, Generator g) {
        Conv2dOptions o = conv.options();
        if (o.groups() != 1) throw new IllegalArgumentException("GhostConv2d.fromConv: grouped convolutions (groups=" + o.groups() + ") are not supported");
        int[] ws = conv.weight().shape();   // [O, Cin, kh, kw]
        int outCh = ws[0], per = ws[1] * ws[2] * ws[3];
        int intr = intrinsicChannels(outCh, ratio);
        float[] w = conv.weight().value().toArray();
        double[][] filters = new double[outCh][per];
        for (int c = 0; c < outCh; c++) for (int i = 0; i < per; i++) filters[c][i] = w[c * per + i];
        FilterClustering.Result clusters = FilterClustering.cluster(filters, intr, g);

        boolean[] isIntrinsic = new boolean[outCh];
        for (int r : clusters.representatives()) isIntrinsic[r] = true;
        int[] position = new int[outCh];   // place of each original channel in cat(intrinsic, ghosts)
        int[] intrinsicIdx = new int[intr], ghostIdx = new int[outCh - intr];
        for (int c = 0, a = 0, b = 0; c < outCh; c++) {
            if (isIntrinsic[c]) {
                intrinsicIdx[a] = c;
                position[c] = a++;
            } else {
                ghostIdx[b] = c;
                position[c] = intr + b++;
            }
        }
        int[] sources = new int[ghostIdx.length], directions = new int[ghostIdx.length];
        boolean translatable = o.strideH() == 1 && o.strideW() == 1 && o.dilationH() == 1 && o.dilationW() == 1;
        for (int j = 0; j < ghostIdx.length; j++) {
            int rep = clusters.representatives()[clusters.assignment()[ghostIdx[j]]];
            sources[j] = position[rep];
            directions[j] = translatable ? nearestMove(filters[ghostIdx[j]], filters[rep], ws[1], ws[2], ws[3]) : Shift.IDENTITY;
        }

        GhostConv2d ghost = new GhostConv2d(ws[1], outCh, ws[2], ws[3], o, conv.bias() != null, ratio, g);
        float[] pw = new float[intr * per];
        for (int a = 0; a < intr; a++) System.arraycopy(w, intrinsicIdx[a] * per, pw, a * per, per);
        ghost.primary().weight().set(Tensor.fromArray(pw, intr, ws[1], ws[2], ws[3]));
        if (conv.bias() != null) {
            float[] b = conv.bias().value().toArray(), pb = new float[intr];
            for (int a = 0; a < intr; a++) pb[a] = b[intrinsicIdx[a]];
            ghost.primary().bias().set(Tensor.fromArray(pb, intr));
        }
        ghost.shift().assign(sources, position, directions, INITIAL_CONFIDENCE);
        return ghost;
    }

    /**
     * The move k minimising {@code ‖ghost − T_k(source)‖²}, where shifting a convolution's output
     * by (dy, dx) equals convolving with the translated kernel
     * {@code T_k(W)[c, a, b] = W[c, a + dy, b + dx]} (zero outside). Ties keep the identity.
     */
    static int nearestMove(double[] ghost, double[] source, int channels, int kh, int kw) {
        int best = Shift.IDENTITY;
        double bestD = Double.POSITIVE_INFINITY;
        int[] order = {Shift.IDENTITY, 0, 1, 2, 3, 5, 6, 7, 8};
        for (int k : order) {
            int dy = Shift.dy(k), dx = Shift.dx(k);
            double d = 0;
            for (int c = 0; c < channels; c++) {
                for (int a = 0; a < kh; a++) {
                    for (int b = 0; b < kw; b++) {
                        int sa = a + dy, sb = b + dx;
                        double t = sa >= 0 && sa < kh && sb >= 0 && sb < kw ? source[(c * kh + sa) * kw + sb] : 0;
                        double e = ghost[(c * kh + a) * kw + b] - t;
                        d += e * e;
                    }
                }
            }
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    /**
     * Replaces, in place, every Conv2d of {@code model} whose dotted path passes {@code select}
     * and whose kernel is 3×3 (groups 1) by {@link #fromConv}; returns the replaced paths in
     * module order. One generator seeds all of them, in that order.
     */
    public static List<String> convert(Module model, double ratio, Generator g, Predicate<String> select) {
        List<String> done = new ArrayList<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getKey().isEmpty() || !(e.getValue() instanceof Conv2d conv) || !select.test(e.getKey())) continue;
            int[] ws = conv.weight().shape();
            if (ws[2] != 3 || ws[3] != 3 || conv.options().groups() != 1) continue;
            model.replace(e.getKey(), fromConv(conv, ratio, g));
            done.add(e.getKey());
        }
        return done;
    }

    /** Sets the Gumbel temperature and noise scale of every {@link GhostShift} under {@code model}; returns how many. */
    public static int anneal(Module model, float temperature, float noiseScale) {
        int n = 0;
        for (Module m : model.namedModules().values()) {
            if (m instanceof GhostShift s) {
                s.setTemperature(temperature);
                s.setNoiseScale(noiseScale);
                n++;
            }
        }
        return n;
    }

    /** The exponential schedule {@code start·(end/start)^(step/steps)}: start at step 0, end at step {@code steps}. */
    public static float exponential(float start, float end, int step, int steps) {
        if (!(start > 0 && end > 0) || steps < 1) {
            throw new IllegalArgumentException("exponential schedule needs positive start and end and steps >= 1, got "
                    + start + ", " + end + ", " + steps);
        }
        double t = Math.min(Math.max(step, 0), steps) / (double) steps;
        return (float) (start * Math.pow(end / start, t));
    }

    @Override
    protected String extraRepr() {
        return in + ", " + out + ", intrinsic=" + intrinsic;
    }
}
