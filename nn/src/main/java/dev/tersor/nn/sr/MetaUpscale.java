package dev.tersor.nn.sr;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Meta-SR's meta-upscale module (Hu et al., arXiv 1903.00875, "Meta-SR: A Magnification-Arbitrary
 * Network for Super-Resolution"): features {@code [N, C, h, w]} → an image {@code [N, O, ⌊s·h⌋,
 * ⌊s·w⌋]} for any scale s &gt; 1, with one set of weights for every scale.
 * <pre>
 * output pixel (i, j):  source (⌊i/s⌋, ⌊j/s⌋),   offsets  R_i = i/s − ⌊i/s⌋,  R_j = j/s − ⌊j/s⌋
 * W(i, j) = Pos2Weight(1/s, R_i, R_j)              Linear(3, 256) → ReLU → Linear(256, C·3·3·O)
 * y[n, o, i, j] = Σ_{c, a, b} F[n, c, ⌊i/s⌋ + a − 1, ⌊j/s⌋ + b − 1] · W(i, j)[((c·3 + a)·3 + b)·O + o]
 * </pre>
 * (zero padding outside the feature map), as the official {@code model/metaedsr.py} and
 * {@code trainer.py}'s {@code input_matrix_wpn} compute them: {@code i/s} is {@code i · (1/s)} in
 * float32, the MLP's input is {@code (1/s, R_i, R_j)} in that order, the weight row is laid out as
 * {@code unfold}'s columns × O, and the output size is {@code int(s·h)} (a floor). The official code
 * predicts a weight row for each of the {@code ⌈s⌉²·h·w} candidate positions and masks the unused
 * ones away; here the MLP runs once per distinct {@code (R_i, R_j)} pair (s² of them for an
 * integer s; at most {@code out_h·out_w}) and {@link MetaProjection} applies each row to the
 * positions that share it: the same values, far less memory.
 *
 * <p>Keys: {@code meta_block.0.weight}, {@code meta_block.0.bias}, {@code meta_block.2.weight},
 * {@code meta_block.2.bias}; registered as {@code P2W} in a model they become the official
 * {@code P2W.meta_block.*}. The scale is a field ({@link #setScale}, default 2) read by
 * {@link #forward(Tensor)}, or an argument of {@link #forward(Tensor, double)}.
 */
public class MetaUpscale extends Module {
    /** Hidden units of Pos2Weight, as the official code. */
    public static final int HIDDEN = 256;
    /** The largest scale Meta-SR is trained and tested for. */
    public static final double MAX_SCALE = 4;
    private final int inChannels, outChannels;
    private double scale = 2;

    /** Features of {@code inChannels} channels → RGB. */
    public MetaUpscale(int inChannels) {
        this(inChannels, 3);
    }

    /** Features of {@code inChannels} channels → {@code outChannels}. */
    public MetaUpscale(int inChannels, int outChannels) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("MetaUpscale: channels must be positive, got in=" + inChannels + ", out=" + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        register("meta_block", new Sequential(new Linear(3, HIDDEN), new ReLU(), new Linear(HIDDEN, 9 * inChannels * outChannels)));
    }

    /** Fails naming the value unless {@code 1 < scale <= 4} (finite). */
    public static double checkScale(double scale) {
        if (!(scale > 1 && scale <= MAX_SCALE)) {
            throw new IllegalArgumentException("Meta-SR scale must be in (1, " + MAX_SCALE + "], got " + scale);
        }
        return scale;
    }

    /** The scale {@link #forward(Tensor)} uses. */
    public double scale() {
        return scale;
    }

    /** Sets the scale {@link #forward(Tensor)} uses, in (1, 4]. */
    public void setScale(double scale) {
        this.scale = checkScale(scale);
    }

    /** {@link #forward(Tensor, double)} at {@link #scale()}. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, scale);
    }

    /** Features {@code [N, C, h, w]} → {@code [N, O, ⌊s·h⌋, ⌊s·w⌋]}. */
    public Tensor forward(Tensor x, double scale) {
        checkScale(scale);
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("MetaUpscale: expected features [N, " + inChannels + ", h, w], got " + Arrays.toString(x.shape()));
        }
        Axis rows = Axis.of(x.size(2), scale), cols = Axis.of(x.size(3), scale);
        Tensor weights = child("meta_block").call(positions(rows, cols, scale));
        return new MetaProjection(rows, cols, outChannels).apply(x, weights);
    }

    /**
     * The Pos2Weight inputs, one row {@code (1/s, R_i, R_j)} per distinct offset pair, row-class
     * major: {@code [rows.classes() · cols.classes(), 3]}.
     */
    static Tensor positions(Axis rows, Axis cols, double scale) {
        int r = rows.classes(), c = cols.classes();
        float[] v = new float[r * c * 3];
        float inv = (float) (1.0 / scale);
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < c; b++) {
                int q = (a * c + b) * 3;
                v[q] = inv;
                v[q + 1] = rows.classOffset(a);
                v[q + 2] = cols.classOffset(b);
            }
        }
        return Tensor.fromArray(v, r * c, 3);
    }

    @Override
    protected String extraRepr() {
        return "in_channels=" + inChannels + ", out_channels=" + outChannels + ", scale=" + scale;
    }

    /**
     * One axis of the upscale: for each of the {@code out = int(s·in)} output indices its source
     * index {@code ⌊i/s⌋} and offset {@code i/s − ⌊i/s⌋} ({@code i/s} computed as {@code i·(float)(1/s)}
     * in float32, as the official code), and the index of its offset among the distinct offsets.
     *
     * @param in      input size
     * @param source  [out] source index, clamped to {@code in − 1} (float rounding could reach {@code in})
     * @param cls     [out] index into {@code offsets}
     * @param offsets the distinct offsets, in order of first appearance
     */
    public record Axis(int in, int[] source, int[] cls, float[] offsets) {
        /** The axis of {@code in} pixels at {@code scale}. */
        public static Axis of(int in, double scale) {
            if (in < 1) throw new IllegalArgumentException("Meta-SR: input size must be positive, got " + in);
            int out = (int) Math.floor(scale * in);
            float inv = (float) (1.0 / scale);
            int[] source = new int[out], cls = new int[out];
            Map<Integer, Integer> seen = new LinkedHashMap<>();
            float[] offsets = new float[out];
            for (int i = 0; i < out; i++) {
                float p = i * inv;
                int s = (int) Math.floor(p);
                float off = p - s;
                source[i] = Math.min(s, in - 1);
                Integer k = seen.get(Float.floatToIntBits(off));
                if (k == null) {
                    k = seen.size();
                    seen.put(Float.floatToIntBits(off), k);
                    offsets[k] = off;
                }
                cls[i] = k;
            }
            return new Axis(in, source, cls, Arrays.copyOf(offsets, seen.size()));
        }

        /** Output size {@code int(s·in)}. */
        public int out() {
            return source.length;
        }

        /** How many distinct offsets. */
        public int classes() {
            return offsets.length;
        }

        /** The offset of class {@code k}. */
        public float classOffset(int k) {
            return offsets[k];
        }
    }
}
