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
        check(x, scale);
        return project(x, Axis.of(x.size(2), scale), Axis.of(x.size(3), scale), scale);
    }

    /**
     * The block {@code [rows.from, rows.to) × [cols.from, cols.to)} of the output for the features
     * of a whole image, from the features {@code x} {@code [N, C, h, w]} of a window of it that
     * starts at {@code (rows.start, cols.start)}: each output pixel keeps the whole image's source
     * pixel and offsets ({@link Axis#window}), so the block equals that part of
     * {@link #forward(Tensor, double)} on the whole features wherever the window holds the 3×3
     * around each source pixel (or the image's border is there). {@code [N, O, rows.to − rows.from,
     * cols.to − cols.from]}.
     */
    public Tensor forward(Tensor x, double scale, WindowedModel.Span rows, WindowedModel.Span cols) {
        check(x, scale);
        return project(x, Axis.window(rows, scale, x.size(2)), Axis.window(cols, scale, x.size(3)), scale);
    }

    private void check(Tensor x, double scale) {
        checkScale(scale);
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("MetaUpscale: expected features [N, " + inChannels + ", h, w], got " + Arrays.toString(x.shape()));
        }
    }

    private Tensor project(Tensor x, Axis rows, Axis cols, double scale) {
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
     * in float32, as the official code), and the index of its offset among the distinct offsets;
     * or a contiguous part of those output indices read from a window of the input ({@link #window}).
     *
     * @param in      input size (of the window)
     * @param source  [out] source index, clamped to {@code in − 1} (float rounding could reach {@code in})
     * @param cls     [out] index into {@code offsets}
     * @param offsets the distinct offsets, in order of first appearance
     */
    public record Axis(int in, int[] source, int[] cls, float[] offsets) {
        /** The axis of {@code in} pixels at {@code scale}. */
        public static Axis of(int in, double scale) {
            if (in < 1) throw new IllegalArgumentException("Meta-SR: input size must be positive, got " + in);
            return build(in, scale, 0, (int) Math.floor(scale * in), 0, in);
        }

        /**
         * The output indices {@code [span.from, span.to)} of the axis of {@code span.size} pixels at
         * {@code scale}, read from a window of {@code length} input pixels that starts at
         * {@code span.start}: the whole axis's offsets (computed from the global index i) and
         * sources, the sources counted from the window's start; classes are numbered within the
         * window. {@link #in()} is {@code length}.
         *
         * @throws IllegalArgumentException when the indices pass the whole axis's end or a source lies outside the window
         */
        public static Axis window(WindowedModel.Span span, double scale, int length) {
            int out = (int) Math.floor(scale * span.size());
            if (span.to() > out || length < 1 || span.start() + length > span.size()) {
                throw new IllegalArgumentException("Meta-SR window: output " + span.from() + ".." + span.to() + " of " + out + ", input "
                        + span.start() + ".." + (span.start() + length) + " of " + span.size() + " at x" + scale);
            }
            return build(span.size(), scale, span.from(), span.to(), span.start(), length);
        }

        /** Output indices {@code [from, to)} of the axis of {@code in} pixels, sources relative to {@code start}, checked against {@code length}. */
        private static Axis build(int in, double scale, int from, int to, int start, int length) {
            int out = to - from;
            float inv = (float) (1.0 / scale);
            int[] source = new int[out], cls = new int[out];
            Map<Integer, Integer> seen = new LinkedHashMap<>();
            float[] offsets = new float[out];
            for (int n = 0; n < out; n++) {
                int i = from + n;
                float p = i * inv;
                int s = (int) Math.floor(p);
                float off = p - s;
                int src = Math.min(s, in - 1) - start;
                if (src < 0 || src >= length) {
                    throw new IllegalArgumentException("Meta-SR window: output pixel " + i + " reads input pixel " + (src + start)
                            + ", outside the window " + start + ".." + (start + length));
                }
                source[n] = src;
                Integer k = seen.get(Float.floatToIntBits(off));
                if (k == null) {
                    k = seen.size();
                    seen.put(Float.floatToIntBits(off), k);
                    offsets[k] = off;
                }
                cls[n] = k;
            }
            return new Axis(length, source, cls, Arrays.copyOf(offsets, seen.size()));
        }

        /** Output size: {@code int(s·in)}, or the window's output indices. */
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
