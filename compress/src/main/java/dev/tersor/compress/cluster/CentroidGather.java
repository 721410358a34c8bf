package dev.tersor.compress.cluster;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * The weight of a layer with shared centroids: {@code w[i] = centres[indices[i]]}, centres [k] →
 * w [shape] (row-major, n = Π shape elements). The backward gives each centre the sum of the
 * gradients of the weights that share it (Han et al., Deep Compression, 2016, §3.3; DP-Net §3):
 * <pre>
 * ∂L/∂centres[j] = Σ_{i : indices[i] = j} ∂L/∂w[i]
 * </pre>
 * The indices are not copied and must not change while the graph lives. One instance serves any
 * number of calls: it keeps no per-call state.
 */
public final class CentroidGather extends Function {
    private final int[] indices;
    private final int k;
    private final int[] shape;

    /** Gathers {@code k} centres by {@code indices} (each in [0, k)) into a tensor of {@code shape}. */
    public CentroidGather(int[] indices, int k, int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("CentroidGather: negative size in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n != indices.length) {
            throw new IllegalArgumentException("CentroidGather: shape " + Arrays.toString(shape) + " holds " + n + " weights but "
                    + indices.length + " indices were given");
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= k) {
                throw new IllegalArgumentException("CentroidGather: index " + indices[i] + " of weight " + i + " is outside [0, " + k + ")");
            }
        }
        this.indices = indices;
        this.k = k;
        this.shape = shape.clone();
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor centres = in[0];
        if (centres.dim() != 1 || centres.size(0) != k) {
            throw new IllegalArgumentException("CentroidGather: expected centres [" + k + "], got " + Arrays.toString(centres.shape()));
        }
        float[] c = centres.toArray(), w = new float[indices.length];
        for (int i = 0; i < w.length; i++) w[i] = c[indices[i]];
        return Tensor.fromArray(w, shape);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor gradOutput) {
        float[] g = gradOutput.toArray();
        double[] sum = new double[k];
        for (int i = 0; i < g.length; i++) sum[indices[i]] += g[i];
        float[] out = new float[k];
        for (int j = 0; j < k; j++) out[j] = (float) sum[j];
        return new Tensor[] {Tensor.fromArray(out, k)};
    }
}
