package dev.tersor.compress.distill;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.function.UnaryOperator;

/**
 * The teacher's logits for each input sample, remembered by the sample's content. A frozen
 * teacher in eval mode gives the same logits for the same image every epoch, so after the first
 * epoch of logit distillation the teacher need not run at all: a ResNet-20 teacher costs more
 * than a small student's whole training step. Each sample is keyed by two independent 64-bit
 * hashes of its float bits (a false match needs both to collide: about 2⁻¹²⁸ per pair); a batch
 * runs the teacher only on the samples not seen before. Inputs that change every epoch (random
 * augmentation) simply miss; the cache stops growing at {@code maxFloats} stored logits.
 *
 * <p>A sample's logits may differ from a full-batch teacher call in the last float bits, since
 * the kernels may sum in another order for another batch size.
 */
final class TeacherLogits {
    /** Default bound on stored logits: 2²⁴ floats (64 MiB), 1.6 million samples of 10 classes. */
    static final long DEFAULT_MAX_FLOATS = 1L << 24;

    private record Key(long a, long b) {
    }

    private final HashMap<Key, float[]> seen = new HashMap<>();
    private final long maxFloats;
    private long stored;

    TeacherLogits(long maxFloats) {
        if (maxFloats < 0) throw new IllegalArgumentException("maxFloats must be >= 0, got " + maxFloats);
        this.maxFloats = maxFloats;
    }

    /** The teacher's logits [N, C] for the batch {@code x} [N, ...], running {@code teacher} on the unseen samples only. */
    Tensor logits(Tensor x, UnaryOperator<Tensor> teacher) {
        int n = x.size(0);
        int per = n == 0 ? 0 : x.numel() / n;
        float[] xs = x.contiguous().toArray();
        Key[] keys = new Key[n];
        float[][] rows = new float[n][];
        int misses = 0;
        for (int i = 0; i < n; i++) {
            keys[i] = key(xs, i * per, per);
            rows[i] = seen.get(keys[i]);
            if (rows[i] == null) misses++;
        }
        if (misses > 0) {
            int[] missed = new int[misses];
            float[] batch = new float[misses * per];
            for (int i = 0, m = 0; i < n; i++) {
                if (rows[i] != null) continue;
                System.arraycopy(xs, i * per, batch, m * per, per);
                missed[m++] = i;
            }
            int[] shape = x.shape().clone();
            shape[0] = misses;
            Tensor zt = teacher.apply(Tensor.fromArray(batch, shape));
            if (zt.dim() != 2 || zt.size(0) != misses) {
                throw new IllegalStateException("the teacher returned " + Arrays.toString(zt.shape()) + " for " + misses + " samples; logits [N, C] expected");
            }
            int c = zt.size(1);
            float[] z = zt.contiguous().toArray();
            for (int m = 0; m < misses; m++) {
                float[] row = Arrays.copyOfRange(z, m * c, (m + 1) * c);
                rows[missed[m]] = row;
                if (stored + c <= maxFloats && seen.putIfAbsent(keys[missed[m]], row) == null) stored += c;
            }
        }
        int c = rows.length == 0 ? 0 : rows[0].length;
        float[] out = new float[n * c];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != c) throw new IllegalStateException("teacher logits of " + rows[i].length + " and " + c + " classes in one batch");
            System.arraycopy(rows[i], 0, out, i * c, c);
        }
        return Tensor.fromArray(out, n, c);
    }

    /** Samples remembered. */
    int size() {
        return seen.size();
    }

    private static Key key(float[] x, int off, int len) {
        long a = 0x9E3779B97F4A7C15L ^ len, b = 0xC2B2AE3D27D4EB4FL + len;
        for (int i = off; i < off + len; i++) {
            int bits = Float.floatToRawIntBits(x[i]);
            a = Long.rotateLeft(a ^ bits, 29) * 0xBF58476D1CE4E5B9L;
            b = (b + bits) * 0x94D049BB133111EBL;
            b ^= b >>> 31;
        }
        return new Key(mix(a), mix(b));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
